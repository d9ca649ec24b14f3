"""The enrich worker's Prometheus metrics, served as text at ``GET /metrics`` on Faust's web server.

The worker's composition root (``bootstrap.build_app``) makes one ``EnrichMetrics`` (a registry of its
own, never the process-wide default: tests build many workers in one process) and hands its parts to
what it wires: the sinks are wrapped here (``MeteredRegistry``, ``metered_index``, ``metered_dead``),
the enricher times its own stages, the agent times each batch, the indexer's retry policy counts its
retries, and ``serve_metrics`` adds the page and a timer that samples consumer lag.

Series:

- ``newsflow_enrich_articles_enriched_total``: articles enriched and indexed (sent on to ``articles.enriched``).
- ``newsflow_enrich_dead_letters_total{stage}``: records written to ``articles.dlq``, by failed stage.
- ``newsflow_enrich_batch_seconds``: one consumed batch settled (indexed or dead-lettered), retries included.
- ``newsflow_enrich_stage_seconds{stage}``: per enricher call (an NLP chunk of a batch) ``clean``, ``nlp``
  (spaCy's ``nlp.pipe``: tokens, NER, entities) and ``quotes`` (the quotes component, run after it); per
  registry call ``dedup`` (lookups and claims); per batch ``index`` (the bulk, retries included).
- ``newsflow_enrich_consumer_lag{topic,partition}``: records on an assigned partition past the
  consumer's fetch position, sampled every ``LAG_INTERVAL_S``.
- ``newsflow_es_bulk_retries_total``: retries of the indexer's Elasticsearch calls (unreachable,
  throttled, 5xx).
- ``newsflow_enrichment_info{version,model}``: 1, the enrichment version and spaCy model this worker writes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import faust
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from enrich_service.dead_letters import DeadLetter
from enrich_service.duplicates import Claim, Registry
from enrich_service.indexer import Rejected
from schemas.articles import EnrichedArticle

logger = logging.getLogger(__name__)

#: How often consumer lag is sampled (seconds).
LAG_INTERVAL_S = 5.0
#: A batch takes from milliseconds (a few short articles) to minutes (Elasticsearch down, retried).
SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
STAGES = ("clean", "nlp", "quotes", "dedup", "index")

Index = Callable[[list[EnrichedArticle]], Awaitable[list[Rejected]]]
SendDead = Callable[[list[DeadLetter]], Awaitable[None]]


class EnrichMetrics:
    """The worker's series, in a registry of their own."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self.enriched = Counter("newsflow_enrich_articles_enriched_total", "Articles enriched and indexed.", registry=r)
        self.dead_letters = Counter(
            "newsflow_enrich_dead_letters_total",
            "Records dead-lettered, by the stage that failed.",
            ["stage"],
            registry=r,
        )
        self.batch_seconds = Histogram(
            "newsflow_enrich_batch_seconds",
            "Time to settle one consumed batch (indexed or dead-lettered), retries included.",
            buckets=SECONDS_BUCKETS,
            registry=r,
        )
        self.stage_seconds = Histogram(
            "newsflow_enrich_stage_seconds",
            "Time one batch spent in a stage: clean, nlp, quotes, dedup, index.",
            ["stage"],
            buckets=SECONDS_BUCKETS,
            registry=r,
        )
        self.consumer_lag = Gauge(
            "newsflow_enrich_consumer_lag",
            "Records on an assigned partition past the consumer's position.",
            ["topic", "partition"],
            registry=r,
        )
        self.es_bulk_retries = Counter(
            "newsflow_es_bulk_retries_total", "Retries of the indexer's Elasticsearch calls.", registry=r
        )
        self.info = Gauge(
            "newsflow_enrichment_info",
            "1, labelled with the enrichment version and spaCy model this worker writes.",
            ["version", "model"],
            registry=r,
        )

    def observe_stage(self, stage: str, seconds: float) -> None:
        self.stage_seconds.labels(stage=stage).observe(seconds)

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.observe_stage(stage, time.perf_counter() - started)

    def count_bulk_retry(self) -> None:
        self.es_bulk_retries.inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class MeteredRegistry:
    """A duplicate ``Registry`` whose lookups and claims are timed as stage ``dedup``."""

    def __init__(self, inner: Registry, metrics: EnrichMetrics) -> None:
        self._inner = inner
        self._metrics = metrics

    async def lookup(self, keys: Iterable[str]) -> dict[str, Claim]:
        with self._metrics.timed("dedup"):
            return await self._inner.lookup(keys)

    async def claim(self, claims: dict[str, Claim]) -> set[str]:
        with self._metrics.timed("dedup"):
            return await self._inner.claim(claims)


def metered_index(index: Index, metrics: EnrichMetrics) -> Index:
    """``index`` timed as stage ``index``; the articles it did not reject count as enriched."""

    async def timed_index(articles: list[EnrichedArticle]) -> list[Rejected]:
        with metrics.timed("index"):
            rejected = await index(articles)
        metrics.enriched.inc(len({a.id for a in articles} - {r.article_id for r in rejected}))
        return rejected

    return timed_index


def metered_dead(send_dead: SendDead, metrics: EnrichMetrics) -> SendDead:
    """``send_dead`` counting each letter written, by its stage."""

    async def counted(letters: list[DeadLetter]) -> None:
        await send_dead(letters)
        for letter in letters:
            metrics.dead_letters.labels(stage=letter.stage).inc()

    return counted


async def sample_lag(app: faust.App, metrics: EnrichMetrics) -> None:
    """Set the lag gauge of every assigned partition: highwater minus the consumer's position."""
    consumer = app.consumer
    assigned = consumer.assignment()
    metrics.consumer_lag.clear()  # partitions revoked since the last sample disappear
    for tp in assigned:
        if tp.topic.startswith(f"{app.conf.id}-"):  # Faust's own topics (the assignor's leader topic)
            continue
        try:
            highwater = consumer.highwater(tp)
            position = await consumer.position(tp)
        except Exception as exc:  # noqa: BLE001 - a sample is skipped, the worker goes on
            logger.debug("no lag for %s: %s", tp, exc)
            continue
        if highwater is None or position is None:
            continue
        metrics.consumer_lag.labels(topic=tp.topic, partition=str(tp.partition)).set(max(0, highwater - position))


def serve_metrics(app: faust.App, metrics: EnrichMetrics, lag_interval_s: float = LAG_INTERVAL_S) -> None:
    """``GET /metrics`` on the worker's web server (``web_port``), and the lag sampler."""

    @app.page("/metrics")
    async def metrics_page(view: faust.web.View, request: faust.web.Request) -> Any:
        # In the headers: aiohttp refuses a content_type argument that carries parameters (charset, version).
        return view.bytes(metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    @app.timer(lag_interval_s)
    async def sample_consumer_lag() -> None:
        await sample_lag(app, metrics)
