"""KafkaPublisher.publish_many with a stand-in producer: every item ends acked or a PublishError."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from aiokafka.errors import KafkaTimeoutError
from aiokafka.structs import RecordMetadata

from adapters.settings import KafkaSettings
from ingest_service.errors import PublishError
from ingest_service.publisher import KafkaPublisher, Published
from schemas.articles import ArticleIn


class StandInProducer:
    """Acks every record except those whose id is in ``fail`` (error) or ``hang`` (never answered)."""

    def __init__(self, fail: frozenset[str] = frozenset(), hang: frozenset[str] = frozenset()) -> None:
        self.fail, self.hang = fail, hang
        self.sent: list[bytes] = []

    async def send(self, topic: str, value: bytes, key: bytes) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.sent.append(key)
        article_id = key.decode()
        if article_id in self.fail:
            future.set_exception(KafkaTimeoutError())
        elif article_id not in self.hang:
            future.set_result(RecordMetadata(topic, 0, None, len(self.sent) - 1, -1, 0, 0))
        return future


def articles(*ids: str) -> list[Any]:
    now = datetime.now(UTC)
    return [ArticleIn(id=i, title="T", body="B").to_raw(now) for i in ids]


def publish(producer: StandInProducer, *ids: str, timeout_s: float = 0.2) -> list[Published | PublishError]:
    publisher = KafkaPublisher(KafkaSettings(), "articles.raw", send_timeout_s=timeout_s)
    publisher._producer = producer
    return asyncio.run(publisher.publish_many(articles(*ids)))


def test_a_batch_is_handed_over_at_once_and_every_item_gets_its_ack() -> None:
    producer = StandInProducer()
    outcomes = publish(producer, "a", "b", "c")
    assert [o.id for o in outcomes if isinstance(o, Published)] == ["a", "b", "c"]
    assert [o.offset for o in outcomes if isinstance(o, Published)] == [0, 1, 2]


def test_failed_and_unanswered_items_are_publish_errors_the_rest_is_acked() -> None:
    outcomes = publish(StandInProducer(fail=frozenset({"b"}), hang=frozenset({"c"})), "a", "b", "c", "d")
    assert isinstance(outcomes[0], Published) and isinstance(outcomes[3], Published)
    assert isinstance(outcomes[1], PublishError) and isinstance(outcomes[2], PublishError)


def test_an_empty_batch_publishes_nothing_and_does_not_fail() -> None:
    # Found by schemathesis: a batch whose every item is invalid left nothing to wait for, and
    # asyncio.wait() refuses an empty set (a 500).
    producer = StandInProducer()
    assert publish(producer) == []
    assert producer.sent == []
