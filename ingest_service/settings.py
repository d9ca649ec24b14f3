"""Typed settings of the ingest service (env prefix ``NEWSFLOW_INGEST_``, nested with ``__``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from newsflow.config import ElasticsearchSettings, KafkaSettings, TopicSettings


class IngestSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_INGEST_", env_nested_delimiter="__", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    es: ElasticsearchSettings = Field(default_factory=ElasticsearchSettings)
    topics: TopicSettings = Field(default_factory=TopicSettings)
    index_alias: str = "articles"
    #: Largest request body accepted; kept below the broker's message.max.bytes (4 MiB locally).
    max_body_bytes: int = 3 * 1024 * 1024
    max_batch_items: int = 500
    #: How long a publish may wait for Kafka's acknowledgement before the client gets a 503.
    send_timeout_s: float = 10.0
    linger_ms: int = 5
    #: When non-empty, every request except health checks needs ``X-API-Key`` with one of these.
    api_keys: list[SecretStr] = Field(default_factory=list)
    create_topics: bool = True
