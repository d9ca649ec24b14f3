"""The dead-letter topic over Kafka: writing letters once per poisoned record, listing and replaying them.

Letters are keyed by letter id (see ``dead_letters``) in a compacted topic. A writer first reads what
the topic already holds (``DeadLetterBook``), so that a record failing again is written as the same
letter with its attempt count raised rather than as a new one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError

from adapters.kafka import DLQ_REPLAY_GROUP, client_options, topic_partitions
from adapters.limits import OUTPUT_RECORD_MAX_BYTES
from adapters.settings import KafkaSettings, TopicSettings
from enrich_service.dead_letters import (
    ORIGIN_HEADER,
    DeadLetter,
    Letter,
    LetterRecord,
    fold_letters,
    identify,
    next_attempt,
)

logger = logging.getLogger(__name__)

#: The consumer group that remembers up to where the dead-letter topic was already replayed (all stages;
#: ``<group>.<stage>`` for a replay of one stage).
REPLAY_GROUP = DLQ_REPLAY_GROUP
#: How long a writer spends catching up with the topic before it writes with what it knows.
CATCH_UP_S = 10.0

Produce = Callable[[list[tuple[bytes, bytes, list[tuple[str, bytes]]]]], Awaitable[None]]


async def read_records(
    consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int], deadline_s: float | None = None
) -> list[LetterRecord]:
    """Records from the consumer's positions up to ``ends`` (exclusive), in offset order per partition."""
    records: list[LetterRecord] = []
    pending = {tp for tp in ends if await consumer.position(tp) < ends[tp]}
    deadline = None if deadline_s is None else time.monotonic() + deadline_s
    while pending:
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"reading {sorted(str(tp) for tp in pending)} up to {ends} took over {deadline_s}s")
        batches = await consumer.getmany(*pending, timeout_ms=1000, max_records=500)
        for tp, fetched in batches.items():
            records += [
                LetterRecord(r.partition, r.offset, r.key, r.value or b"", list(r.headers))
                for r in fetched
                if r.offset < ends[tp]
            ]
        pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
    return records


async def _assigned(kafka: KafkaSettings, topic: str, group_id: str | None = None) -> AIOKafkaConsumer:
    """A started consumer assigned every partition of ``topic`` (none if it does not exist yet)."""
    consumer = AIOKafkaConsumer(
        **client_options(kafka), group_id=group_id, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in await topic_partitions(kafka, topic)]
        consumer.assign(partitions)
        if partitions and group_id is None:
            await consumer.seek_to_beginning(*partitions)
    except BaseException:
        await consumer.stop()
        raise
    return consumer


async def _read_all(consumer: AIOKafkaConsumer) -> tuple[list[LetterRecord], dict[TopicPartition, int]]:
    partitions = list(consumer.assignment())
    ends = await consumer.end_offsets(partitions) if partitions else {}
    return await read_records(consumer, ends), ends


class DeadLetterBook:
    """What the dead-letter topic holds: each letter id's attempt count, kept up to date by reading on."""

    def __init__(self, kafka: KafkaSettings, topic: str) -> None:
        self._kafka = kafka
        self._topic = topic
        self._consumer: AIOKafkaConsumer | None = None
        self._attempts: dict[str, int] = {}
        self._own: set[tuple[str, int]] = set()  # written by us, counted already, not yet read back

    async def attempts(self) -> dict[str, int]:
        """Attempts per letter id, after reading the topic up to its current end (best effort, bounded)."""
        try:
            if self._consumer is None:
                self._consumer = await _assigned(self._kafka, self._topic)
            consumer = self._consumer
            partitions = list(consumer.assignment())
            if partitions:
                ends = await consumer.end_offsets(partitions)
                self.absorb(await read_records(consumer, ends, deadline_s=CATCH_UP_S))
        except (KafkaError, TimeoutError, OSError) as exc:
            # The letter id is the key, so a letter is never doubled; only its attempt count may be low.
            logger.warning("could not read %s to its end (%s); attempt counts may be low", self._topic, exc)
        return self._attempts

    @property
    def known(self) -> dict[str, int]:
        """Attempts per letter id as counted so far (without reading on)."""
        return dict(self._attempts)

    def absorb(self, records: list[LetterRecord]) -> None:
        """Count records read from the topic (our own writes, counted when written, only once)."""
        for record in records:
            letter_id, attempt, _, _ = identify(record)
            if (letter_id, attempt) in self._own:
                self._own.discard((letter_id, attempt))
                continue
            self._attempts[letter_id] = next_attempt(self._attempts.get(letter_id), attempt)

    def wrote(self, attempts: list[tuple[str, int]]) -> None:
        """Count letters this process wrote now, so that reading them back later does not count them twice."""
        for letter_id, attempt in attempts:
            self._attempts[letter_id] = max(attempt, self._attempts.get(letter_id, 0))
            self._own.add((letter_id, attempt))

    async def close(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None


class DeadLetterWriter:
    """Writes dead letters through ``produce``: one letter per source record, its attempts counted."""

    def __init__(self, book: DeadLetterBook, produce: Produce, topic: str) -> None:
        self._book = book
        self._produce = produce
        self._topic = topic
        self.repeated = 0  # failures of records that already had a letter

    async def write(self, letters: list[DeadLetter], who: str = "worker") -> None:
        known = await self._book.attempts()
        latest: dict[str, int] = {}
        written: list[tuple[str, int]] = []
        records = []
        for letter in letters:
            letter_id = letter.letter_id()
            previous = latest.get(letter_id, known.get(letter_id))
            attempt = previous + 1 if previous else 1
            latest[letter_id] = attempt
            written.append((letter_id, attempt))
            records.append(letter.record(attempt, who))
        await self._produce(records)
        self._book.wrote(written)
        for letter, (_, attempt) in zip(letters, written, strict=True):
            if attempt > 1:
                self.repeated += 1
                logger.warning(
                    "%s: %s (letter %s) failed again at stage %s, attempt %s: letter updated in %s, not added: %s",
                    who,
                    letter.incoming.where(),
                    letter.letter_id(),
                    letter.stage,
                    attempt,
                    self._topic,
                    letter.error,
                )
            else:
                logger.warning("%s dead-lettered %s to %s: %s", who, letter.incoming.where(), self._topic, letter.error)


async def list_dead_letters(kafka: KafkaSettings, topics: TopicSettings, limit: int | None = 100) -> list[Letter]:
    """Each dead letter once (its latest version), oldest first; ``limit`` letters at most."""
    consumer = await _assigned(kafka, topics.dlq)
    try:
        records, _ = await _read_all(consumer)
    finally:
        await consumer.stop()
    letters = list(fold_letters(records).values())
    return letters[:limit] if limit is not None else letters


async def replay_dead_letters(kafka: KafkaSettings, topics: TopicSettings, stage: str | None = None) -> int:
    """Send the letters written since the last replay (of ``stage``, or all) back to the raw topic, once each.

    The original bytes and key go back unchanged, with a ``newsflow.origin`` header naming the letter:
    a record that still fails updates the same letter (attempts + 1) and is pending for the next replay.
    The group's offsets are committed at the end offsets read, after every send was acknowledged.
    """
    # A replay of one stage remembers its own position, so that it never hides another stage's letters.
    group = REPLAY_GROUP if stage is None else f"{REPLAY_GROUP}.{stage}"
    consumer = await _assigned(kafka, topics.dlq, group_id=group)
    options = client_options(kafka)
    producer = AIOKafkaProducer(**options, enable_idempotence=True, max_request_size=OUTPUT_RECORD_MAX_BYTES)
    await producer.start()
    sent = 0
    try:
        for tp in consumer.assignment():
            if await consumer.committed(tp) is None:
                await consumer.seek_to_beginning(tp)
        records, ends = await _read_all(consumer)
        letters = fold_letters(records)
        for letter in letters.values():
            if stage is None or letter.stage == stage:
                headers = [(ORIGIN_HEADER, letter.letter_id.encode("utf-8"))]
                await producer.send_and_wait(topics.raw, value=letter.value, key=letter.key, headers=headers)
                sent += 1
        await producer.flush()
        if ends:
            await consumer.commit(dict(ends))  # exactly what was read: later failures stay pending
        logger.info(
            "replayed %s of %s dead letters (%s records) from %s to %s",
            sent,
            len(letters),
            len(records),
            topics.dlq,
            topics.raw,
        )
    finally:
        await producer.stop()
        await consumer.stop()
    return sent
