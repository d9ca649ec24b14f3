"""The enrich worker's composition root: settings -> adapters and sinks -> pipeline -> Faust app.

``newsflow serve enrich`` calls ``serve``; ``faust -A enrich_service.bootstrap worker`` works too: the
module attribute ``app`` is built from the environment on first access (PEP 562), not at import time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import faust

from adapters.elastic import make_client
from adapters.kafka import ensure_topics
from adapters.retry import KAFKA_TRANSIENT
from enrich_service.app import EnrichApp, add_enrich_agent, create_app
from enrich_service.dead_letters import DeadLetter
from enrich_service.dlq import DeadLetterBook, DeadLetterWriter
from enrich_service.duplicates import ElasticsearchRegistry
from enrich_service.indexer import Indexer
from enrich_service.metrics import EnrichMetrics, MeteredRegistry, metered_dead, metered_index, serve_metrics
from enrich_service.pipeline import Sinks, build_enricher, build_pipeline
from enrich_service.readiness import announce_readiness
from enrich_service.settings import EnrichSettings
from enrich_service.version import ENRICHMENT_VERSION
from schemas.articles import EnrichedArticle

logger = logging.getLogger(__name__)

Record = tuple[bytes | None, bytes, list[tuple[str, bytes]]]


def build_app(settings: EnrichSettings) -> EnrichApp:
    app = create_app(settings)
    es = make_client(settings.es)
    policy = settings.retry_policy
    metrics = EnrichMetrics()

    async def produce(topic: faust.TopicT, records: list[Record]) -> None:
        """Send and wait for every ack; while Kafka is unreachable, retry the lot (at least once)."""

        async def attempt() -> None:
            pending = [await topic.send(key=k, value=v, headers=h) for k, v, h in records]
            await asyncio.gather(*pending)

        await policy.call(
            attempt, what=f"producing {len(records)} records to {topic.get_topic_name()}", transient=KAFKA_TRANSIENT
        )

    async def send_enriched(articles: list[EnrichedArticle]) -> None:
        await produce(app.enriched, [(a.id.encode(), a.model_dump_json().encode(), []) for a in articles])

    async def produce_dead(records: list[tuple[bytes, bytes, list[tuple[str, bytes]]]]) -> None:
        await produce(app.dlq, list(records))

    book = DeadLetterBook(settings.kafka, settings.topics.dlq)
    writer = DeadLetterWriter(book, produce_dead, settings.topics.dlq)

    async def write_dead(letters: list[DeadLetter]) -> None:
        await writer.write(letters)

    send_dead = metered_dead(write_dead, metrics)
    replicas = settings.es.replica_settings()
    indexer = Indexer(
        es,
        settings.index_alias,
        dataclasses.replace(policy, on_retry=metrics.count_bulk_retry),
        replicas=settings.es.index_settings(),
    )
    sinks = Sinks(
        registry=MeteredRegistry(ElasticsearchRegistry(es, settings.dedup_index, policy, replicas), metrics),
        index=metered_index(indexer.index, metrics),
        send_enriched=send_enriched,
        send_dead=send_dead,
    )
    enricher = build_enricher(settings)
    enricher.observe = metrics.observe_stage
    metrics.info.labels(version=ENRICHMENT_VERSION, model=enricher.model_label).set(1)
    add_enrich_agent(app, settings, build_pipeline(settings, sinks, enricher), send_dead, metrics)
    serve_metrics(app, metrics)
    app.closers += [book.close, es.close]

    async def create_topics() -> None:
        await policy.call(
            lambda: ensure_topics(settings.kafka, settings.topics),
            what=f"creating topics {settings.topics.raw}, {settings.topics.enriched}, {settings.topics.dlq}",
            transient=KAFKA_TRANSIENT,
        )

    app.preparers.append(create_topics)
    announce_readiness(app, settings.readiness_path)
    logger.info("enrich worker %s: model %s, index alias %s", settings.app_id, settings.model, settings.index_alias)
    return app


def serve(settings: EnrichSettings) -> None:
    """Run the worker until SIGTERM/SIGINT."""
    from faust.worker import Worker

    app = build_app(settings)
    worker = Worker(app, loglevel=settings.log_level, quiet=True)
    worker.execute_from_commandline()


def __getattr__(name: str) -> Any:
    """``faust -A enrich_service.bootstrap``: build the app from the environment on first access."""
    if name == "app":
        built = build_app(EnrichSettings())
        globals()["app"] = built
        return built
    raise AttributeError(name)
