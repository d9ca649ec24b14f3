"""Wiring of the ingest service: settings -> adapters -> app. The one place that builds them."""

from __future__ import annotations

import logging

import uvicorn
from aiokafka.errors import KafkaError
from elasticsearch import ApiError, TransportError
from fastapi import FastAPI

from adapters.elastic import ensure_index, make_client, outdated_index
from adapters.kafka import ensure_topics
from ingest_service.app import create_app
from ingest_service.metrics import IngestMetrics
from ingest_service.publisher import KafkaPublisher
from ingest_service.search import ArticleSearch
from ingest_service.settings import IngestSettings

logger = logging.getLogger(__name__)


def build_app(settings: IngestSettings) -> FastAPI:
    publisher = KafkaPublisher(
        settings.kafka, settings.topics.raw, send_timeout_s=settings.send_timeout_s, linger_ms=settings.linger_ms
    )
    es = make_client(settings.es)

    async def on_startup() -> None:
        # Search is served here: the index exists before the first query, not when the worker's first
        # batch creates it (a query in that moment would meet a shard still starting: a 503).
        try:
            await ensure_index(es, settings.index_alias, settings.es.index_settings())
            warning = await outdated_index(es, settings.index_alias)
            if warning:
                logger.warning("%s", warning)
        except (ApiError, TransportError) as exc:
            logger.warning("could not ensure index %s at %s: %s", settings.index_alias, settings.es.url, exc)
        if not settings.create_topics:
            return
        try:
            await ensure_topics(settings.kafka, settings.topics)
        except (KafkaError, OSError, RuntimeError) as exc:
            logger.warning("could not ensure topics at %s: %s", settings.kafka.bootstrap_servers, exc)

    async def on_shutdown() -> None:
        await es.close()

    return create_app(
        settings,
        publisher,
        ArticleSearch(es, settings.index_alias),
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        metrics=IngestMetrics(),
    )


def serve(settings: IngestSettings) -> None:
    """Run the HTTP server until SIGTERM/SIGINT; in-flight requests finish, the producer flushes."""
    uvicorn.run(
        build_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        timeout_graceful_shutdown=15,
        access_log=False,
    )
