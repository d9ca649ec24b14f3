"""The enrich worker's Faust app: a thin consumer around ``BatchProcessor``.

``newsflow serve enrich`` builds it through ``bootstrap``; ``faust -A enrich_service.app worker`` works
too: the module attribute ``app`` is built on first access (PEP 562), not at import time.

Faust acks a message when an agent raises, and ``take_events`` acks the batch it yielded when the
loop moves on or is closed. So the agent never lets an exception out, and on shutdown it lets the
batch in hand finish or else withholds its acks, so that it is consumed again after a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import faust
from faust.types import EventT

from enrich_service.dead_letters import DeadLetter, Incoming
from enrich_service.faust_config import ENRICHED_MAX_BYTES, faust_options
from enrich_service.processor import BatchProcessor
from enrich_service.settings import EnrichSettings
from newsflow.kafka import TOPIC_CONFIGS

logger = logging.getLogger(__name__)

#: After this many failed attempts at a batch (a bug, not an outage: outages are retried inside the
#: adapters), its records are dead-lettered with stage "process" so that the stream moves on.
MAX_BATCH_ATTEMPTS = 3


def incoming(event: EventT) -> Incoming:
    message = event.message
    value = message.value if isinstance(message.value, bytes) else bytes(message.value or b"")
    key = message.key if isinstance(message.key, bytes | None) else bytes(message.key)
    raw_headers = message.headers or ()
    pairs = raw_headers.items() if isinstance(raw_headers, Mapping) else raw_headers
    headers = tuple((str(k), bytes(v or b"")) for k, v in pairs)
    return Incoming(
        value=value, key=key, topic=message.topic, partition=message.partition, offset=message.offset, headers=headers
    )


def withhold_acks(events: Sequence[EventT]) -> None:
    """Keep these records from being committed: ``take_events`` acks them on the way out otherwise.

    Faust's consumer ack is a test-and-set on ``message.acked``; a message marked acked here is never
    added to the committed run, so its offset (and every later one) stays uncommitted until restart.
    """
    for event in events:
        event.message.acked = True


async def process_guarded(
    processor: BatchProcessor,
    events: Sequence[EventT],
    send_dead: Callable[[list[DeadLetter]], Awaitable[None]],
    grace_s: float,
) -> None:
    """Settle one batch: every record indexed or dead-lettered. Never raises but for cancellation.

    Whatever way this is left without the batch settled (the worker stopping, a cancellation while
    retrying), the batch's acks are withheld so that it is consumed again after a restart.
    """
    batch = [incoming(e) for e in events]
    where = f"{batch[0].where()}..{batch[-1].where()}" if batch else "(empty)"
    settled = False
    try:
        for attempt in range(1, MAX_BATCH_ATTEMPTS + 1):
            task = asyncio.ensure_future(processor.process(batch))
            try:
                report = await asyncio.shield(task)
                logger.debug("batch %s: %s", where, report)
                settled = True
                return
            except asyncio.CancelledError:
                logger.info("stopping: letting batch %s finish (up to %ss)", where, grace_s)
                settled = await _finish_within(task, grace_s)
                raise
            except Exception:  # nothing may escape the agent: Faust would ack and drop
                logger.exception("batch %s failed (attempt %s of %s)", where, attempt, MAX_BATCH_ATTEMPTS)
                await asyncio.sleep(min(2**attempt, 10))
        await _dead_letter_until_done(send_dead, batch, where)
        settled = True
    finally:
        if not settled:
            withhold_acks(events)
            logger.warning("batch %s left unacked: it will be consumed again after a restart", where)


async def _finish_within(task: asyncio.Future[Any], grace_s: float) -> bool:
    try:
        await asyncio.wait_for(asyncio.shield(task), grace_s)
        return True
    except (TimeoutError, asyncio.CancelledError):
        task.cancel()
        return False
    except Exception:  # noqa: BLE001 - reported when the batch is consumed again
        return False


async def _dead_letter_until_done(
    send_dead: Callable[[list[DeadLetter]], Awaitable[None]], batch: list[Incoming], where: str
) -> None:
    dead = [DeadLetter(i, "process", "batch failed repeatedly; see the worker log") for i in batch]
    while True:
        try:
            await send_dead(dead)
            logger.error("batch %s dead-lettered after %s failed attempts", where, MAX_BATCH_ATTEMPTS)
            return
        except Exception:  # keep trying: the records have no other home
            logger.exception("could not dead-letter batch %s; retrying", where)
            await asyncio.sleep(5)


class EnrichApp(faust.App):
    """A Faust app that closes its adapters once its agents have stopped (mode's ``on_shutdown``)."""

    closers: list[Callable[[], Awaitable[None]]]

    async def on_shutdown(self) -> None:
        await super().on_shutdown()
        for close in getattr(self, "closers", []):
            await close()


def create_app(settings: EnrichSettings, processor_factory: Any) -> EnrichApp:
    """A Faust app consuming the raw topic in batches.

    ``processor_factory(app, enriched_topic, dlq_topic) -> (BatchProcessor, send_dead)`` is called
    once when the app is built; ``bootstrap`` provides it.
    """
    options = faust_options(settings)
    Path(options["datadir"]).mkdir(parents=True, exist_ok=True)  # Faust does not create parents
    app = EnrichApp(settings.app_id, **options)
    app.closers = []
    raw = app.topic(
        settings.topics.raw,
        key_serializer="raw",
        value_serializer="raw",
        partitions=settings.topics.partitions,
        replicas=settings.topics.replication_factor,
    )
    enriched = app.topic(
        settings.topics.enriched,
        key_serializer="raw",
        value_serializer="raw",
        partitions=settings.topics.partitions,
        replicas=settings.topics.replication_factor,
        config={"max.message.bytes": str(ENRICHED_MAX_BYTES)},
    )
    dlq = app.topic(
        settings.topics.dlq,
        key_serializer="raw",
        value_serializer="raw",
        partitions=settings.topics.partitions,
        replicas=settings.topics.replication_factor,
        config=TOPIC_CONFIGS["dlq"],
    )
    processor, send_dead = processor_factory(app, enriched, dlq)

    @app.task
    async def declare_output_topics() -> None:
        # Faust does not declare topics that are only produced to; declaring the raw one early
        # also spares a "not found in cluster metadata" on a fresh cluster.
        for topic in (raw, enriched, dlq):
            await topic.declare()

    @app.agent(raw, name="enrich")
    async def enrich(stream: faust.StreamT[bytes]) -> None:
        # take_events (faust-streaming) is missing from StreamT; the concrete Stream has it.
        batches = stream.take_events(settings.batch_size, within=settings.batch_within_s)  # type: ignore[attr-defined]
        async for events in batches:
            await process_guarded(processor, events, send_dead, settings.shutdown_grace_s)

    return app


def __getattr__(name: str) -> Any:
    """``faust -A enrich_service.app``: build the app from the environment on first access."""
    if name == "app":
        from enrich_service.bootstrap import build_app

        built = build_app(EnrichSettings())
        globals()["app"] = built
        return built
    raise AttributeError(name)
