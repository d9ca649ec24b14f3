"""A real newsflow pipeline for one test module: both services as processes of their own, unique names.

Started, awaited and stopped by ``newsflow.launcher`` (as ``newsflow up`` and the benchmarks do); each
process runs under ``<log dir>/<name>/`` (console log, pid file). ``stop(name, sig=SIGKILL)`` kills a
process outright, as a crash would; a later ``start`` of the same name runs a new one.
"""

from __future__ import annotations

import os
import signal
import socket
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

from adapters.settings import TopicSettings
from infra.local.layout import ServiceDirs
from infra.local.logs import log_tail
from newsflow import launcher
from newsflow.launcher import Launch, ServiceName, ServiceValues, Started, without_newsflow


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
    processes: dict[str, Started] = field(default_factory=dict)
    #: Of this pipeline's topics (3 on a cluster; min.insync.replicas is left to the services' default).
    replication_factor: int = 1
    #: Further settings of both services, nested with ``__`` (``{"es__replicas": "1"}``).
    extra: dict[str, str] = field(default_factory=dict)

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

    def dirs(self, name: str) -> ServiceDirs:
        return ServiceDirs(name=name, root=self.log_dir / name)

    def launch(self, service: ServiceName, name: str | None = None, web_port: int | None = None) -> Launch:
        """``service`` on this pipeline's topics, alias and group, none of the user's NEWSFLOW_ variables."""
        topics = TopicSettings(
            raw=self.raw_topic,
            enriched=self.enriched_topic,
            dlq=self.dlq_topic,
            replication_factor=self.replication_factor,
        )
        shared = ServiceValues(
            kafka_bootstrap=self.kafka_bootstrap,
            es_url=self.es_url,
            topics=topics,
            index_alias=self.alias,
            extra=dict(self.extra),
        )
        if service == "ingest":
            values = replace(
                shared, host="127.0.0.1", port=self.ingest_port, extra={**self.extra, "send_timeout_s": "3"}
            )
        else:
            port = web_port or self.web_port
            data_dir = self.log_dir / f"enrich-data-{port}"
            values = replace(shared, app_id=f"newsflow-enrich-{self.suffix}", port=port, data_dir=data_dir)
        return Launch.of(service, self.dirs(name or service), values, base=without_newsflow(os.environ))

    def env(self, service: ServiceName, web_port: int | None = None) -> dict[str, str]:
        """The environment ``service`` runs with (also for CLI commands on this pipeline: replay, status)."""
        return dict(self.launch(service, web_port=web_port).env)

    def start(self, service: ServiceName, instance: str | None = None) -> None:
        """Start ``service`` (ingest or enrich); ``instance`` names a further worker of the same group."""
        launch = self.launch(service, instance, web_port=free_port() if instance else None)
        self.processes[instance or service] = launcher.start(launch, fresh_log=False)

    def stop(self, service: str, sig: int = signal.SIGTERM, timeout_s: float = 30.0) -> None:
        """Send ``sig`` to the process and wait for it to end, then stop whatever is left of it."""
        started = self.processes.pop(service, None)
        if started is not None:
            started.stop(sig, timeout_s)

    def stop_all(self) -> None:
        for service in list(self.processes):
            self.stop(service)

    def wait_ingest_ready(self, timeout_s: float = 60.0) -> None:
        self.wait_ready("ingest", timeout_s=timeout_s)

    def wait_ready(self, *names: str, timeout_s: float = 180.0) -> None:
        """Until each named process says it is ready (ingest: ``/readyz``; a worker: its readiness file);
        fails with the exit code and log of one that exits or misses the deadline."""
        launcher.wait_ready([self.processes[name].launch for name in names], timeout_s)

    def log_tail(self, service: str, lines: int = 40) -> str:
        return log_tail(self.dirs(service).log_path, lines)
