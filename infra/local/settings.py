"""Settings of the local Kafka + Elasticsearch stack (environment prefix ``NEWSFLOW_INFRA_``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.limits import ES_PORT, KAFKA_PORT, RAW_RECORD_MAX_BYTES


def default_cache_dir() -> Path:
    """Where artifacts are cached when ``NEWSFLOW_INFRA_CACHE_DIR`` is not set.

    As root, Elasticsearch runs as ``nobody``, which cannot enter ``/root`` (mode 700): use /var/cache.
    """
    if os.geteuid() == 0:
        return Path("/var/cache/newsflow")
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "newsflow"


def _default_run_dir(data: dict[str, Any]) -> Path:
    # cache_dir is absent from data only when it failed validation (that error is reported instead).
    return Path(data.get("cache_dir") or default_cache_dir()) / "run" / "default"


def _shared_cache_dir() -> Path:
    """The cluster shares the single node's artifact cache (``NEWSFLOW_INFRA_CACHE_DIR``)."""
    configured = os.environ.get("NEWSFLOW_INFRA_CACHE_DIR")
    return Path(configured) if configured else default_cache_dir()


def _default_cluster_run_dir(data: dict[str, Any]) -> Path:
    return Path(data.get("cache_dir") or default_cache_dir()) / "run" / "cluster"


class InfraSettings(BaseSettings):
    """Versions, ports, heaps and directories. Build it in the caller; nothing reads it at import."""

    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_INFRA_", extra="ignore")

    kafka_version: str = "3.9.2"
    es_version: str = "8.19.21"
    kafka_port: int = Field(default=KAFKA_PORT, ge=1, le=65535)
    kafka_controller_port: int = Field(default=9093, ge=1, le=65535)
    es_port: int = Field(default=ES_PORT, ge=1, le=65535)
    es_transport_port: int = Field(default=9300, ge=1, le=65535)
    # Nodes of each kind; node i (0-based) listens on every port of its kind plus i.
    kafka_nodes: int = Field(default=1, ge=1, le=5)
    es_nodes: int = Field(default=1, ge=1, le=3)
    kafka_heap: str = Field(default="512m", pattern=r"^[0-9]+[kKmMgG]$")
    es_heap: str = Field(default="512m", pattern=r"^[0-9]+[kKmMgG]$")
    # The broker's largest accepted record batch: the raw topic's limit (``adapters.limits``), which the
    # ingest service's producer sends at most and keeps its HTTP body limit below.
    kafka_message_max_bytes: int = Field(default=RAW_RECORD_MAX_BYTES, ge=1024)
    cache_dir: Path = Field(default_factory=default_cache_dir, validate_default=True)
    # Declared after cache_dir: its default is derived from the validated cache_dir.
    run_dir: Path = Field(default_factory=_default_run_dir, validate_default=True)
    start_timeout_s: float = Field(default=180.0, gt=0)
    java_home: Path | None = None

    @field_validator("cache_dir", "run_dir", "java_home")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        # Resolved: the run dir is part of the tag that identifies our processes, so one spelling only.
        return None if value is None else value.expanduser().resolve()

    @model_validator(mode="after")
    def _distinct_ports(self) -> InfraSettings:
        ports = [
            *(self.kafka_port_of(i) for i in range(self.kafka_nodes)),
            *(self.kafka_controller_port_of(i) for i in range(self.kafka_nodes)),
            *(self.es_port_of(i) for i in range(self.es_nodes)),
            *(self.es_transport_port_of(i) for i in range(self.es_nodes)),
        ]
        if len(set(ports)) != len(ports):
            raise ValueError(
                "kafka, kafka controller, es and es transport ports must differ "
                f"(one per node, counting up from each), got {ports}"
            )
        if max(ports) > 65535:
            raise ValueError(f"ports counted up per node pass 65535: {ports}")
        return self

    @property
    def cluster(self) -> bool:
        return self.kafka_nodes > 1 or self.es_nodes > 1

    def kafka_port_of(self, node: int) -> int:
        return self.kafka_port + node

    def kafka_controller_port_of(self, node: int) -> int:
        return self.kafka_controller_port + node

    def es_port_of(self, node: int) -> int:
        return self.es_port + node

    def es_transport_port_of(self, node: int) -> int:
        return self.es_transport_port + node

    @property
    def kafka_bootstrap(self) -> str:
        """Every broker, comma-separated (what aiokafka and the services' settings take)."""
        return ",".join(f"localhost:{self.kafka_port_of(i)}" for i in range(self.kafka_nodes))

    @property
    def es_urls(self) -> list[str]:
        return [f"http://localhost:{self.es_port_of(i)}" for i in range(self.es_nodes)]

    @property
    def es_url(self) -> str:
        """The first node's URL: for a plain HTTP request."""
        return self.es_urls[0]

    @property
    def es_hosts(self) -> str:
        """Every node's URL, comma-separated (what the services' ``ES__URL`` takes)."""
        return ",".join(self.es_urls)

    @property
    def replication_factor(self) -> int:
        """Of the pipeline's topics and Kafka's internal ones: 3 where there are 3 brokers, else all there are."""
        return min(3, self.kafka_nodes)

    @property
    def min_insync_replicas(self) -> int:
        return max(1, self.replication_factor - 1)


class ClusterInfraSettings(InfraSettings):
    """Three KRaft brokers (each also a controller) and two Elasticsearch nodes (``NEWSFLOW_CLUSTER_``).

    Its own ports and run dir, so it can run beside the single-node stack.
    """

    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_CLUSTER_", extra="ignore")

    kafka_nodes: int = Field(default=3, ge=1, le=5)
    es_nodes: int = Field(default=2, ge=1, le=3)
    kafka_port: int = Field(default=9292, ge=1, le=65535)
    kafka_controller_port: int = Field(default=9392, ge=1, le=65535)
    es_port: int = Field(default=9210, ge=1, le=65535)
    es_transport_port: int = Field(default=9310, ge=1, le=65535)
    cache_dir: Path = Field(default_factory=_shared_cache_dir, validate_default=True)
    run_dir: Path = Field(default_factory=_default_cluster_run_dir, validate_default=True)
