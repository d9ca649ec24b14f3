"""Publishing accepted articles to Kafka: the ingest service's only write path.

A publish returns only after Kafka acknowledged the record (idempotent producer, ``acks=all``), or
raises ``PublishError`` within ``send_timeout_s``; the HTTP layer turns that into a 503. If the
acknowledgement was merely late, the client's retry carries the same id, so it overwrites.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from aiokafka.structs import RecordMetadata

from adapters.kafka import client_options
from adapters.limits import RAW_RECORD_MAX_BYTES
from adapters.settings import KafkaSettings
from ingest_service.errors import PublishError
from schemas.articles import RawArticle

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Published:
    id: str
    topic: str
    partition: int
    offset: int


class Publisher(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def ready(self) -> bool: ...
    async def publish(self, article: RawArticle) -> Published: ...
    async def publish_many(self, articles: Sequence[RawArticle]) -> list[Published | PublishError]: ...


class KafkaPublisher:
    def __init__(
        self, settings: KafkaSettings, topic: str, *, send_timeout_s: float = 10.0, linger_ms: int = 5
    ) -> None:
        self._settings = settings
        self._topic = topic
        self._send_timeout_s = send_timeout_s
        self._linger_ms = linger_ms
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        try:
            await self._connected()
        except PublishError as exc:
            logger.warning("Kafka not reachable at start (%s); will retry on the first publish", exc)

    async def _connected(self) -> AIOKafkaProducer:
        if self._producer is not None:
            return self._producer
        async with self._lock:
            if self._producer is None:
                producer = AIOKafkaProducer(
                    **client_options(self._settings),
                    enable_idempotence=True,  # implies acks="all"
                    linger_ms=self._linger_ms,
                    max_request_size=RAW_RECORD_MAX_BYTES,
                    request_timeout_ms=int(self._send_timeout_s * 1000),
                )
                try:
                    await asyncio.wait_for(producer.start(), self._send_timeout_s)
                except (KafkaError, OSError, TimeoutError) as exc:
                    await producer.stop()
                    raise PublishError(f"Kafka is not reachable at {self._settings.bootstrap_servers}") from exc
                self._producer = producer
                logger.info("producer connected to %s, topic %s", self._settings.bootstrap_servers, self._topic)
        return self._producer

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()  # flushes what is in flight
            self._producer = None

    async def ready(self) -> bool:
        try:
            producer = await self._connected()
            await asyncio.wait_for(producer.partitions_for(self._topic), self._send_timeout_s)
        except (PublishError, KafkaError, OSError, TimeoutError) as exc:
            logger.warning("not ready: topic %s unavailable: %s", self._topic, exc)
            return False
        return True

    async def publish(self, article: RawArticle) -> Published:
        producer = await self._connected()
        value = article.model_dump_json().encode("utf-8")
        try:
            meta = await asyncio.wait_for(
                producer.send_and_wait(self._topic, value=value, key=article.id.encode("utf-8")),
                self._send_timeout_s,
            )
        except (KafkaError, OSError, TimeoutError) as exc:
            logger.warning("publish of article %s to %s failed: %r", article.id, self._topic, exc)
            raise PublishError(f"Kafka did not acknowledge article {article.id} in time") from exc
        return Published(article.id, meta.topic, meta.partition, meta.offset)

    async def publish_many(self, articles: Sequence[RawArticle]) -> list[Published | PublishError]:
        """Publish all at once under one deadline; each item is its ack, or a ``PublishError``.

        The records are handed to the producer together (it batches them per partition) instead of
        one awaited send each: a batch of 100 costs a few produce requests, not 100 round trips.
        """
        if not articles:
            return []
        producer = await self._connected()
        futures: list[asyncio.Future[RecordMetadata]] = []

        async def send_all() -> None:
            for article in articles:
                value = article.model_dump_json().encode("utf-8")
                futures.append(await producer.send(self._topic, value=value, key=article.id.encode("utf-8")))
            await asyncio.wait(futures)

        try:
            await asyncio.wait_for(send_all(), self._send_timeout_s)
        except (KafkaError, OSError, TimeoutError) as exc:
            logger.warning(
                "batch publish to %s: %s of %s handed over: %r", self._topic, len(futures), len(articles), exc
            )
        outcomes: list[Published | PublishError] = []
        for n, article in enumerate(articles):
            future = futures[n] if n < len(futures) else None
            if future is not None and future.done() and not future.cancelled() and future.exception() is None:
                meta = future.result()
                outcomes.append(Published(article.id, meta.topic, meta.partition, meta.offset))
                continue
            if future is not None and future.done() and not future.cancelled():
                logger.warning("publish of article %s to %s failed: %r", article.id, self._topic, future.exception())
            outcomes.append(PublishError(f"Kafka did not acknowledge article {article.id} in time"))
        return outcomes
