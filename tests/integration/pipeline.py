"""A real newsflow pipeline for one test module: both services as subprocesses, unique names."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Pipeline:
    kafka_bootstrap: str
    es_url: str
    log_dir: Path
    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    ingest_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def raw_topic(self) -> str:
        return f"t{self.suffix}.articles.raw"

    @property
    def enriched_topic(self) -> str:
        return f"t{self.suffix}.articles.enriched"

    @property
    def dlq_topic(self) -> str:
        return f"t{self.suffix}.articles.dlq"

    @property
    def alias(self) -> str:
        return f"t{self.suffix}-articles"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.ingest_port}"

    def env(self, service: str, web_port: int | None = None) -> dict[str, str]:
        prefix = f"NEWSFLOW_{service.upper()}_"
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
        values = {
            "KAFKA__BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "ES__URL": self.es_url,
            "TOPICS__RAW": self.raw_topic,
            "TOPICS__ENRICHED": self.enriched_topic,
            "TOPICS__DLQ": self.dlq_topic,
            "INDEX_ALIAS": self.alias,
        }
        if service == "ingest":
            values |= {"PORT": str(self.ingest_port), "HOST": "127.0.0.1", "SEND_TIMEOUT_S": "3"}
        else:
            values |= {
                "APP_ID": f"newsflow-enrich-{self.suffix}",
                "WEB_PORT": str(web_port or self.web_port),
                "DATA_DIR": str(self.log_dir / f"enrich-data-{web_port or self.web_port}"),
            }
        env.update({prefix + k: v for k, v in values.items()})
        return env

    def start(self, service: str, instance: str | None = None) -> None:
        """Start ``service`` (ingest or enrich); ``instance`` names a further worker of the same group."""
        name = instance or service
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "newsflow", "serve", service],
            env=self.env(service, web_port=free_port() if instance else None),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self, service: str, sig: int = signal.SIGTERM, timeout_s: float = 30.0) -> None:
        proc = self.processes.pop(service, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)

    def stop_all(self) -> None:
        for service in list(self.processes):
            self.stop(service)

    def wait_ingest_ready(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            proc = self.processes["ingest"]
            if proc.poll() is not None:
                raise RuntimeError(f"ingest exited with {proc.returncode}:\n{self.log_tail('ingest')}")
            try:
                if httpx.get(f"{self.api}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"ingest not ready after {timeout_s}s:\n{self.log_tail('ingest')}")

    def log_tail(self, service: str, lines: int = 40) -> str:
        path = self.log_dir / f"{service}.log"
        if not path.exists():
            return "(no log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
