"""Settings shapes shared by both services: how to reach Kafka and Elasticsearch, and topic names.

Each service has its own ``BaseSettings`` (its own ``env_prefix``) that nests these; they are built
in the entrypoint, never at import time.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, SecretStr

from adapters.limits import DEFAULT_ES_URL, DEFAULT_KAFKA_BOOTSTRAP


class KafkaSettings(BaseModel):
    bootstrap_servers: str = DEFAULT_KAFKA_BOOTSTRAP
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: str | None = None


class ElasticsearchSettings(BaseModel):
    url: str = DEFAULT_ES_URL
    api_key: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    ca_certs: str | None = None
    request_timeout_s: float = 30.0


class TopicSettings(BaseModel):
    raw: str = "articles.raw"
    enriched: str = "articles.enriched"
    dlq: str = "articles.dlq"
    partitions: int = 6
    replication_factor: int = 1
