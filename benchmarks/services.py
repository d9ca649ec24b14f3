"""The pipeline's services for one benchmark run: real processes on the benchmark's own infra and names."""

from __future__ import annotations

import contextlib
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from infra.local import InfraSettings
from infra.local.layout import ServiceDirs
from infra.local.processes import running_pid, start_detached, stop


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set (VmHWM) in MiB, from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


@dataclass
class BenchStack:
    """Ingest + enrich workers, each run under ``<run dir>/<name>/``, on unique topics and alias."""

    infra: InfraSettings
    partitions: int = 6
    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    ingest_port: int = 18700
    started: list[ServiceDirs] = field(default_factory=list)

    @property
    def alias(self) -> str:
        return f"bench{self.suffix}-articles"

    @property
    def raw_topic(self) -> str:
        return f"bench{self.suffix}.articles.raw"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.ingest_port}"

    def env(self, service: str, n: int = 0) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
        values = {
            "KAFKA__BOOTSTRAP_SERVERS": self.infra.kafka_bootstrap,
            "ES__URL": self.infra.es_url,
            "TOPICS__RAW": self.raw_topic,
            "TOPICS__ENRICHED": f"bench{self.suffix}.articles.enriched",
            "TOPICS__DLQ": f"bench{self.suffix}.articles.dlq",
            "TOPICS__PARTITIONS": str(self.partitions),
            "INDEX_ALIAS": self.alias,
        }
        if service == "ingest":
            values |= {"PORT": str(self.ingest_port), "HOST": "127.0.0.1"}
        else:
            values |= {
                "APP_ID": f"bench{self.suffix}-enrich",
                "WEB_ENABLED": "false",
                "DATA_DIR": str(self.infra.run_dir / f"enrich{n}" / "data"),
            }
        prefix = f"NEWSFLOW_{service.upper()}_"
        env.update({prefix + k: v for k, v in values.items()})
        return env

    def _dirs(self, name: str) -> ServiceDirs:
        return ServiceDirs(name=name, root=self.infra.run_dir / name)

    def start_ingest(self) -> None:
        dirs = self._dirs("ingest")
        self._start(dirs, "ingest", self.env("ingest"))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.api}/readyz", timeout=2).status_code == 200:
                    return
            self._alive(dirs)
            time.sleep(0.3)
        raise RuntimeError(f"ingest not ready; log {dirs.log_path}")

    def start_workers(self, count: int) -> None:
        names = [f"enrich{n}" for n in range(count)]
        for n, name in enumerate(names):
            self._start(self._dirs(name), "enrich", self.env("enrich", n))
        deadline = time.monotonic() + 180
        pending = set(names)
        while pending and time.monotonic() < deadline:
            for name in list(pending):
                dirs = self._dirs(name)
                self._alive(dirs)
                if "[^Worker]: Ready" in dirs.log_path.read_text(errors="replace"):
                    pending.discard(name)
            time.sleep(0.3)
        if pending:
            raise RuntimeError(f"workers not ready: {sorted(pending)}")

    def _start(self, dirs: ServiceDirs, service: str, env: dict[str, str]) -> None:
        dirs.root.mkdir(parents=True, exist_ok=True)
        dirs.log_path.write_bytes(b"")
        start_detached([sys.executable, "-m", "newsflow", "serve", service], dirs=dirs, env=env, cwd=Path.cwd())
        self.started.append(dirs)

    def _alive(self, dirs: ServiceDirs) -> None:
        if running_pid(dirs) is None:
            tail = "\n".join(dirs.log_path.read_text(errors="replace").splitlines()[-20:])
            raise RuntimeError(f"{dirs.name} exited; log {dirs.log_path}:\n{tail}")

    def peak_rss(self, name: str) -> float | None:
        pid = running_pid(self._dirs(name))
        return peak_rss_mb(pid) if pid else None

    def stop(self, name: str) -> None:
        dirs = self._dirs(name)
        stop(dirs, timeout_s=30)
        self.started = [d for d in self.started if d.name != name]

    def stop_all(self) -> None:
        for dirs in reversed(self.started):
            stop(dirs, timeout_s=30)
        self.started.clear()


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def cpu_by_component(infra: InfraSettings, stack: BenchStack) -> dict[str, float]:
    """CPU seconds used so far by Kafka, Elasticsearch and each service of ``stack``."""
    out: dict[str, float] = {}
    kafka, es = str(infra.run_dir / "kafka"), str(infra.run_dir / "elasticsearch")
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        cmd = _cmdline(pid)
        name = "kafka" if kafka in cmd else "elasticsearch" if es in cmd else None
        if name:
            out[name] = out.get(name, 0.0) + _cpu_seconds(int(pid))
    for dirs in stack.started:
        service_pid = running_pid(dirs)
        if service_pid is not None:
            out[dirs.name] = _cpu_seconds(service_pid)
    return out


def cpu_share(before: dict[str, float], after: dict[str, float], wall_s: float) -> dict[str, float]:
    """Cores used by each component between two snapshots (1.0 = one core busy all the time)."""
    return {k: round((after.get(k, 0.0) - before.get(k, 0.0)) / wall_s, 2) for k in sorted(after)}
