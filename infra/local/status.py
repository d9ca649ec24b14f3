"""What ``up`` and ``status`` report: per service, running or not, healthy or not, and where."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServiceStatus:
    name: str  # "kafka" or "elasticsearch"; "kafka-2", "elasticsearch-1".. on a cluster
    version: str
    address: str  # bootstrap servers for Kafka, base URL for Elasticsearch
    port: int
    pid: int | None  # the process we started (group leader), None if not running
    healthy: bool
    problem: str | None  # why it is not healthy
    log_path: Path
    reused: bool = False  # up() found it already running and healthy
    downloaded: bool = False  # up() had to fetch the artifacts with mvn

    @property
    def running(self) -> bool:
        return self.pid is not None

    def summary(self) -> str:
        if self.healthy:
            state = f"healthy, pid {self.pid}"
        elif self.running:
            state = f"running (pid {self.pid}) but unhealthy: {self.problem}"
        else:
            state = f"stopped ({self.problem})" if self.problem else "stopped"
        notes = [note for note, flag in (("reused", self.reused), ("downloaded", self.downloaded)) if flag]
        extra = f" [{', '.join(notes)}]" if notes else ""
        return f"{self.name} {self.version} at {self.address}: {state}{extra}; log {self.log_path}"


@dataclass(frozen=True)
class InfraStatus:
    run_dir: Path
    cache_dir: Path
    kafka: ServiceStatus  # the first broker
    elasticsearch: ServiceStatus  # the first Elasticsearch node
    more: tuple[ServiceStatus, ...] = ()  # the other nodes of a cluster

    @property
    def services(self) -> tuple[ServiceStatus, ...]:
        """Every node: the brokers first, then the Elasticsearch nodes."""
        kafka = [s for s in self.more if s.name.startswith("kafka")]
        others = [s for s in self.more if not s.name.startswith("kafka")]
        return (self.kafka, *kafka, self.elasticsearch, *others)

    @property
    def healthy(self) -> bool:
        return all(service.healthy for service in self.services)

    @property
    def running(self) -> bool:
        return any(service.running for service in self.services)

    def summary(self) -> str:
        lines = [service.summary() for service in self.services]
        lines.append(f"run dir {self.run_dir}, cache {self.cache_dir}")
        return "\n".join(lines)
