"""The dead-letter topic for operators: what is there and why, and sending it back after a fix."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from newsflow.config import KafkaSettings, TopicSettings
from newsflow.kafka import DLQ_REPLAY_GROUP, client_options

logger = logging.getLogger(__name__)

#: The consumer group that remembers which dead letters were already replayed.
REPLAY_GROUP = DLQ_REPLAY_GROUP


@dataclass(frozen=True)
class DeadLetterRecord:
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]

    @property
    def stage(self) -> str:
        return self.headers.get("newsflow.stage", "?")

    @property
    def error(self) -> str:
        return self.headers.get("newsflow.error", "")

    @property
    def source(self) -> str:
        h = self.headers
        return f"{h.get('newsflow.source.topic', '?')}[{h.get('newsflow.source.partition', '?')}]@" + h.get(
            "newsflow.source.offset", "?"
        )


async def _read(consumer: AIOKafkaConsumer, limit: int | None) -> list[DeadLetterRecord]:
    """Everything from the consumer's position up to the end offsets as they were when reading began."""
    for _ in range(100):  # a group consumer has no partitions until it has joined
        if consumer.assignment():
            break
        await consumer.getmany(timeout_ms=100)
    partitions = consumer.assignment()
    ends = await consumer.end_offsets(list(partitions))
    records: list[DeadLetterRecord] = []
    pending = {tp for tp in partitions if await consumer.position(tp) < ends[tp]}
    while pending and (limit is None or len(records) < limit):
        batches = await consumer.getmany(*pending, timeout_ms=1000, max_records=500)
        for tp, fetched in batches.items():
            for r in fetched:
                if r.offset < ends[tp]:
                    headers = {k: v.decode("utf-8", "replace") for k, v in r.headers}
                    records.append(DeadLetterRecord(r.partition, r.offset, r.key, r.value or b"", headers))
        pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
    return records[:limit] if limit is not None else records


async def list_dead_letters(kafka: KafkaSettings, topics: TopicSettings, limit: int = 100) -> list[DeadLetterRecord]:
    # Without a group, aiokafka assigns every partition of the topic and starts at the earliest offset.
    consumer = AIOKafkaConsumer(topics.dlq, **client_options(kafka), auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    try:
        return await _read(consumer, limit)
    finally:
        await consumer.stop()


async def replay_dead_letters(kafka: KafkaSettings, topics: TopicSettings, stage: str | None = None) -> int:
    """Send not-yet-replayed dead letters (of ``stage``, or all) back to the raw topic; returns how many.

    The original bytes and key go back unchanged, so the worker decides again; a record that still
    fails lands in the dead-letter topic again, with the new reason.
    """
    consumer = AIOKafkaConsumer(
        topics.dlq,
        **client_options(kafka),
        group_id=REPLAY_GROUP,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    producer = AIOKafkaProducer(**client_options(kafka), enable_idempotence=True, max_request_size=16 * 1024 * 1024)
    await consumer.start()
    await producer.start()
    sent = 0
    try:
        records = await _read(consumer, None)
        for record in records:
            if stage is None or record.stage == stage:
                await producer.send_and_wait(topics.raw, value=record.value, key=record.key)
                sent += 1
        await producer.flush()
        await consumer.commit()  # only after every replayed record was acknowledged
        logger.info("replayed %s of %s dead letters from %s to %s", sent, len(records), topics.dlq, topics.raw)
    finally:
        await producer.stop()
        await consumer.stop()
    return sent
