"""Reading the raw topic into a ``BatchProcessor`` with progress: the mechanics under ``newsflow replay``.

``RawReader`` assigns every partition of the raw topic and commits to the replay's own consumer group;
``Replay`` feeds what it reads to the processor until every partition reached its target offsets,
reporting position, lag, rate and ETA as it goes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition

from adapters.kafka import client_options, topic_partitions
from enrich_service.dead_letters import Incoming
from enrich_service.processor import BatchProcessor
from enrich_service.settings import EnrichSettings

logger = logging.getLogger(__name__)


class ReplayError(Exception):
    """A replay that cannot start or finish as asked (the message says why and what to do)."""


@dataclass(frozen=True)
class Progress:
    phase: str  # replaying | catching up | draining
    target: str
    done: int  # records read so far
    total: int  # records to read as known now: done + lag
    lag: int
    rate: float  # records per second

    @property
    def eta_s(self) -> float | None:
        return self.lag / self.rate if self.rate > 0 else None


OnProgress = Callable[[Progress], None]


def lag(ends: Mapping[TopicPartition, int], positions: Mapping[TopicPartition, int]) -> int:
    """Records between each position and its end offset, summed."""
    return sum(max(0, end - positions.get(tp, 0)) for tp, end in ends.items())


class RawReader:
    """Every partition of the raw topic, manually assigned, progress committed to ``group``."""

    def __init__(self, settings: EnrichSettings, group: str) -> None:
        self._topic = settings.topics.raw
        self._kafka = settings.kafka
        self._group = group
        self._consumer = AIOKafkaConsumer(
            **client_options(settings.kafka),
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=8 * 1024 * 1024,
        )
        self._partitions: list[TopicPartition] = []

    @property
    def group(self) -> str:
        return self._group

    async def start(self, since: datetime | None = None, resume: bool = True) -> None:
        """Assign every partition; start at the committed offset (``resume``), ``since``, or the beginning."""
        partitions = await topic_partitions(self._kafka, self._topic)
        if not partitions:
            raise ReplayError(f"topic {self._topic} does not exist: nothing to replay")
        await self._consumer.start()
        self._partitions = [TopicPartition(self._topic, p) for p in sorted(partitions)]
        self._consumer.assign(self._partitions)
        starts: dict[TopicPartition, int | None] = {}
        for tp in self._partitions:
            starts[tp] = await self._consumer.committed(tp) if resume else None
        if since is not None:
            found = await self._consumer.offsets_for_times(
                {tp: int(since.timestamp() * 1000) for tp in self._partitions if starts[tp] is None}
            )
            ends = await self.ends()
            for tp, hit in found.items():
                starts[tp] = hit.offset if hit is not None else ends[tp]
        beginnings = await self._consumer.beginning_offsets(self._partitions)
        for tp in self._partitions:
            self._consumer.seek(tp, beginnings[tp] if starts[tp] is None else max(starts[tp] or 0, beginnings[tp]))

    async def ends(self) -> dict[TopicPartition, int]:
        ends: dict[TopicPartition, int] = await self._consumer.end_offsets(self._partitions)
        return ends

    async def positions(self) -> dict[TopicPartition, int]:
        return {tp: await self._consumer.position(tp) for tp in self._partitions}

    async def read(self, max_records: int) -> list[Incoming]:
        batches = await self._consumer.getmany(timeout_ms=200, max_records=max_records)
        return [
            Incoming(r.value or b"", r.key, r.topic, r.partition, r.offset, list(r.headers))
            for tp in sorted(batches, key=lambda t: t.partition)
            for r in batches[tp]
        ]

    async def commit(self) -> None:
        await self._consumer.commit()

    async def stop(self) -> None:
        await self._consumer.stop()


class Replay:
    """One replay run: reader -> BatchProcessor -> indexer into ``target``; progress reported as it goes."""

    def __init__(
        self,
        *,
        reader: RawReader,
        processor: BatchProcessor,
        target: str,
        batch_size: int,
        on_progress: OnProgress | None = None,
    ) -> None:
        self._reader = reader
        self._processor = processor
        self._target = target
        self._batch_size = batch_size
        self._on_progress = on_progress or (lambda _: None)
        self.consumed = 0
        self.indexed = 0
        self.dead = 0
        self._started = time.monotonic()

    async def run_to(self, targets: Mapping[TopicPartition, int], phase: str) -> None:
        """Process records until every partition's position reached ``targets``."""
        last_report = 0.0
        while True:
            positions = await self._reader.positions()
            remaining = lag(targets, positions)
            now = time.monotonic()
            if now - last_report >= 1.0 or remaining == 0:
                elapsed = max(now - self._started, 1e-6)
                self._on_progress(
                    Progress(
                        phase,
                        self._target,
                        self.consumed,
                        self.consumed + remaining,
                        remaining,
                        self.consumed / elapsed,
                    )
                )
                last_report = now
            if remaining == 0:
                return
            batch = await self._reader.read(self._batch_size)
            if not batch:
                continue
            report = await self._processor.process(batch)
            await self._reader.commit()
            self.consumed += report.received
            self.indexed += report.indexed
            self.dead += report.dead

    async def ends(self) -> dict[TopicPartition, int]:
        return await self._reader.ends()

    async def close(self) -> None:
        await self._reader.stop()

    async def catch_up(self, phase: str = "replaying", close_enough: int = 0) -> None:
        """Read to the live end; again while more arrived meanwhile, until at most ``close_enough`` are left."""
        while True:
            targets = await self._reader.ends()
            await self.run_to(targets, phase)
            if lag(await self._reader.ends(), await self._reader.positions()) <= close_enough:
                return
            phase = "catching up"
