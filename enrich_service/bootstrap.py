"""Wiring of the enrich worker: settings -> model, adapters, processor -> Faust app."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import faust
from aiokafka.errors import KafkaError

from enrich_service.app import EnrichApp, create_app
from enrich_service.backoff import Backoff
from enrich_service.dead_letters import DeadLetter
from enrich_service.dlq import DeadLetterBook, DeadLetterWriter
from enrich_service.duplicates import DuplicateResolver, ElasticsearchRegistry
from enrich_service.enricher import Enricher
from enrich_service.indexer import Indexer
from enrich_service.nlp import load_nlp, model_label
from enrich_service.processor import BatchProcessor
from enrich_service.readiness import announce_readiness
from enrich_service.settings import EnrichSettings
from newsflow.elastic import make_client
from schemas.articles import EnrichedArticle

logger = logging.getLogger(__name__)

#: Kafka unreachable or slow to acknowledge: retried, never a reason to dead-letter an article.
KAFKA_TRANSIENT: tuple[type[Exception], ...] = (KafkaError, TimeoutError, OSError)


def build_app(settings: EnrichSettings) -> EnrichApp:
    nlp = load_nlp(settings.model)
    enricher = Enricher(nlp, model_label=model_label(nlp), batch_size=settings.batch_size)
    es = make_client(settings.es)
    backoff = Backoff(settings.retry_initial_s, settings.retry_max_s)
    indexer = Indexer(es, settings.index_alias, backoff)
    resolver = DuplicateResolver(ElasticsearchRegistry(es, settings.dedup_index, backoff))

    def processor_factory(app: EnrichApp, enriched: faust.TopicT, dlq: faust.TopicT) -> tuple[BatchProcessor, Any]:
        async def produce(
            topic: faust.TopicT, records: list[tuple[bytes | None, bytes, list[tuple[str, bytes]]]]
        ) -> None:
            """Send and wait for every ack; while Kafka is unreachable, retry the lot (at least once)."""

            async def attempt() -> None:
                pending = [await topic.send(key=k, value=v, headers=h) for k, v, h in records]
                await asyncio.gather(*pending)

            await backoff.retrying(
                attempt, what=f"producing {len(records)} records to {topic.get_topic_name()}", transient=KAFKA_TRANSIENT
            )

        async def send_enriched(articles: list[EnrichedArticle]) -> None:
            await produce(enriched, [(a.id.encode(), a.model_dump_json().encode(), []) for a in articles])

        async def produce_dead(records: list[tuple[bytes, bytes, list[tuple[str, bytes]]]]) -> None:
            await produce(dlq, [(k, v, h) for k, v, h in records])

        book = DeadLetterBook(settings.kafka, settings.topics.dlq)
        writer = DeadLetterWriter(book, produce_dead, settings.topics.dlq)
        app.closers.append(book.close)

        async def send_dead(letters: list[DeadLetter]) -> None:
            await writer.write(letters)

        processor = BatchProcessor(
            enrich=enricher.enrich_batch,
            resolve=resolver.resolve,
            index=indexer.index,
            send_enriched=send_enriched,
            send_dead=send_dead,
            chunk_size=settings.nlp_chunk_size or None,
        )
        return processor, send_dead

    logger.info("enrich worker %s: model %s, index alias %s", settings.app_id, settings.model, settings.index_alias)
    app = create_app(settings, processor_factory)
    app.closers.append(es.close)
    announce_readiness(app, settings.readiness_path)
    return app


def serve(settings: EnrichSettings) -> None:
    """Run the worker until SIGTERM/SIGINT."""
    from faust.worker import Worker

    app = build_app(settings)
    worker = Worker(app, loglevel=settings.log_level, quiet=True)
    worker.execute_from_commandline()
