"""Typed settings of the ingest service (env prefix ``NEWSFLOW_INGEST_``, nested with ``__``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.limits import INGEST_PORT, MAX_BODY_BYTES
from adapters.settings import ElasticsearchSettings, KafkaSettings, TopicSettings


class IngestSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_INGEST_", env_nested_delimiter="__", extra="ignore")

    host: str = "127.0.0.1"
    port: int = INGEST_PORT
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    es: ElasticsearchSettings = Field(default_factory=ElasticsearchSettings)
    topics: TopicSettings = Field(default_factory=TopicSettings)
    index_alias: str = "articles"
    #: Largest request body accepted; kept below the raw topic's record limit (``adapters.limits``).
    max_body_bytes: int = MAX_BODY_BYTES
    max_batch_items: int = 500
    #: How long a publish may wait for Kafka's acknowledgement before the client gets a 503.
    send_timeout_s: float = 10.0
    linger_ms: int = 5
    #: When non-empty, every request except health checks needs ``X-API-Key`` with one of these.
    api_keys: list[SecretStr] = Field(default_factory=list)
    create_topics: bool = True
