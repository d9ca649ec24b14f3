"""Settings shapes shared by both services: how to reach Kafka and Elasticsearch, and topic names.

Each service has its own ``BaseSettings`` (its own ``env_prefix``) that nests these; they are built
in the entrypoint, never at import time.

Every default fits a single node (one broker, one Elasticsearch node) and the same names configure a
cluster: several bootstrap servers or Elasticsearch URLs (comma-separated), the topics' replication
factor and ``min.insync.replicas``, the indices' replicas (README, "Cluster settings").
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator

from adapters.limits import DEFAULT_ES_URL, DEFAULT_KAFKA_BOOTSTRAP


class KafkaSettings(BaseModel):
    #: One or several ``host:port``, comma-separated (``h1:9092,h2:9092,h3:9092``): every Kafka client
    #: (aiokafka, Faust) takes the list and needs only one of them up to find the whole cluster.
    bootstrap_servers: str = DEFAULT_KAFKA_BOOTSTRAP
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: str | None = None

    @field_validator("bootstrap_servers")
    @classmethod
    def _server_list(cls, value: str) -> str:
        servers = [s.strip() for s in value.split(",") if s.strip()]
        if not servers:
            raise ValueError("kafka bootstrap_servers: give at least one host:port (several are comma-separated)")
        return ",".join(servers)

    @property
    def servers(self) -> list[str]:
        """The ``host:port`` entries of ``bootstrap_servers``, in order."""
        return self.bootstrap_servers.split(",")


#: ``ElasticsearchSettings.replicas``: a number of replicas, or an ``index.auto_expand_replicas`` range.
_REPLICA_COUNT = re.compile(r"\d+")
_REPLICA_RANGE = re.compile(r"\d+-(\d+|all)")


class ElasticsearchSettings(BaseModel):
    #: One URL, or several comma-separated (the nodes of a cluster): the client spreads requests over
    #: them and retries a failed request on the next one.
    url: str = DEFAULT_ES_URL
    api_key: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    ca_certs: str | None = None
    request_timeout_s: float = 30.0
    #: Ask the cluster for its nodes (on start and when a node fails) instead of using only ``url``.
    #: Off by default: nodes publish the address they bound (127.0.0.1, a container IP), which a client
    #: behind Docker, NAT or a load balancer cannot reach; a fixed list is enough for a small cluster.
    sniff: bool = False
    #: Replicas of the indices newsflow creates (articles, dedup registry): a number (``"1"``) sets
    #: ``number_of_replicas``; a range (``"0-1"``, ``"0-all"``) sets ``index.auto_expand_replicas``.
    #: The default ``"0-1"`` means 0 replicas on a single node and 1 as soon as a second node joins.
    replicas: str = "0-1"
    #: How often the articles index makes new documents searchable (``make bench``: p50 POST -> searchable
    #: 0.45-0.69 s, p99 0.89-1.29 s at 250 ms; p99 1.03-1.17 s at 500 ms), for about 1.5 more Elasticsearch
    #: core-seconds per 1,000 articles than 500 ms. Deployment, like replicas: not part of the index definition's
    #: fingerprint; an index that exists keeps its own (``PUT <index>/_settings`` changes it).
    refresh_interval: str = Field(default="250ms", pattern=r"^(-1|[1-9][0-9]*(ms|s|m))$")

    @field_validator("url")
    @classmethod
    def _some_url(cls, value: str) -> str:
        if not [u for u in value.split(",") if u.strip()]:
            raise ValueError("es url: give at least one Elasticsearch URL (several are comma-separated)")
        return value

    @field_validator("replicas")
    @classmethod
    def _replica_format(cls, value: str) -> str:
        value = value.strip()
        if _REPLICA_COUNT.fullmatch(value):
            return value
        match = _REPLICA_RANGE.fullmatch(value)
        if match is None or (match.group(1) != "all" and int(value.split("-")[0]) > int(match.group(1))):
            raise ValueError(
                f"es replicas {value!r}: a number of replicas (0, 1) or a range low-high (0-1, 0-all), low <= high"
            )
        return value

    @property
    def hosts(self) -> list[str]:
        """The Elasticsearch URLs of ``url``, in order."""
        return [u.strip() for u in self.url.split(",") if u.strip()]

    def index_settings(self) -> dict[str, str | int]:
        """The deployment settings of the articles index: its replicas and its refresh interval."""
        return {**self.replica_settings(), "refresh_interval": self.refresh_interval}

    def replica_settings(self) -> dict[str, str | int]:
        """The index settings for ``replicas``: a fixed ``number_of_replicas`` or ``auto_expand_replicas``."""
        if _REPLICA_COUNT.fullmatch(self.replicas):
            return {"number_of_replicas": int(self.replicas)}
        return {"auto_expand_replicas": self.replicas}


class TopicSettings(BaseModel):
    raw: str = "articles.raw"
    enriched: str = "articles.enriched"
    dlq: str = "articles.dlq"
    partitions: int = 6
    #: Copies of each partition when the pipeline creates its topics (3 on a 3-broker cluster); a topic
    #: that exists keeps its own (changing it takes ``kafka-reassign-partitions``).
    replication_factor: int = 1
    #: With ``acks=all`` a write is refused (ingest answers 503) while fewer replicas are in sync.
    #: None: ``max(1, replication_factor - 1)`` (1 on a single broker, 2 with replication factor 3).
    min_insync_replicas: int | None = None

    @model_validator(mode="after")
    def _insync_fits(self) -> TopicSettings:
        if self.replication_factor < 1:
            raise ValueError(f"topics replication_factor {self.replication_factor}: at least 1")
        wanted = self.min_insync_replicas
        if wanted is not None and not 1 <= wanted <= self.replication_factor:
            raise ValueError(
                f"topics min_insync_replicas {wanted} must be between 1 and replication_factor"
                f" {self.replication_factor}: more could never be in sync, so every write would be refused"
            )
        return self

    @property
    def effective_min_insync_replicas(self) -> int:
        """``min.insync.replicas`` of the topics the pipeline creates."""
        if self.min_insync_replicas is not None:
            return self.min_insync_replicas
        return max(1, self.replication_factor - 1)
