"""The enrich worker's Faust app: a thin consumer around ``BatchProcessor``.

``create_app`` declares the app and its three topics; ``add_enrich_agent`` attaches the agent that
feeds consumed batches to a processor. ``bootstrap`` (the worker's composition root) calls both.

Faust acks a message when an agent raises, and ``take_events`` acks the batch it yielded when the
loop moves on or is closed. So the agent never lets an exception out, and on shutdown it lets the
batch in hand finish or else withholds its acks, so that it is consumed again after a restart.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import faust
from faust.types import EventT

from adapters.kafka import topic_configs
from adapters.retry import RetryPolicy
from enrich_service.dead_letters import DeadLetter, Incoming
from enrich_service.faust_config import faust_options
from enrich_service.metrics import EnrichMetrics
from enrich_service.processor import BatchProcessor
from enrich_service.settings import EnrichSettings

logger = logging.getLogger(__name__)

#: After this many failed attempts at a batch (a bug, not an outage: outages are retried inside the
#: adapters), its records are dead-lettered with stage "process" so that the stream moves on.
MAX_BATCH_ATTEMPTS = 3
#: A batch attempt may fail with anything (nothing may escape the agent: Faust would ack and drop);
#: a cancellation is no ``Exception`` and is never retried.
ANY_FAILURE: tuple[type[Exception], ...] = (Exception,)


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
    policy: RetryPolicy,
) -> None:
    """Settle one batch: every record indexed or dead-lettered. Never raises but for cancellation.

    A failed batch is tried again with ``policy``'s backoff, ``MAX_BATCH_ATTEMPTS`` times in all, then
    dead-lettered. Whatever way this is left without the batch settled (the worker stopping, a
    cancellation while retrying), the batch's acks are withheld so that it is consumed again after a
    restart.
    """
    batch = [incoming(e) for e in events]
    where = f"{batch[0].where()}..{batch[-1].where()}" if batch else "(empty)"
    settled = False

    async def attempt() -> None:
        nonlocal settled
        task = asyncio.ensure_future(processor.process(batch))
        try:
            report = await asyncio.shield(task)
        except asyncio.CancelledError:
            logger.info("stopping: letting batch %s finish (up to %ss)", where, grace_s)
            settled = await _finish_within(task, grace_s)
            raise
        logger.debug("batch %s: %s", where, report)

    try:
        try:
            await policy.call(
                attempt, what=f"batch {where}", transient=ANY_FAILURE, attempts=MAX_BATCH_ATTEMPTS, unexpected=True
            )
            settled = True
            return
        except Exception:  # nothing may escape the agent: Faust would ack and drop
            logger.exception("batch %s failed (attempt %s of %s)", where, MAX_BATCH_ATTEMPTS, MAX_BATCH_ATTEMPTS)
        await _dead_letter_until_done(send_dead, batch, where, policy)
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
    send_dead: Callable[[list[DeadLetter]], Awaitable[None]], batch: list[Incoming], where: str, policy: RetryPolicy
) -> None:
    dead = [DeadLetter(i, "process", "batch failed repeatedly; see the worker log") for i in batch]
    # Retried without end, whatever the failure: the records have no other home.
    await policy.call(
        lambda: send_dead(dead), what=f"dead-lettering batch {where}", transient=ANY_FAILURE, unexpected=True
    )
    logger.error("batch %s dead-lettered after %s failed attempts", where, MAX_BATCH_ATTEMPTS)


class EnrichApp(faust.App):
    """A Faust app with its topics, that closes its adapters once its agents have stopped."""

    closers: list[Callable[[], Awaitable[None]]]
    #: Run once before the consumer starts (e.g. creating the topics, so the agent never subscribes to a
    #: topic that does not exist yet and waits for the next metadata refresh, 5 minutes later).
    preparers: list[Callable[[], Awaitable[None]]]
    raw: faust.TopicT
    enriched: faust.TopicT
    dlq: faust.TopicT

    async def on_first_start(self) -> None:
        for prepare in getattr(self, "preparers", []):
            await prepare()
        await super().on_first_start()

    async def on_shutdown(self) -> None:
        await super().on_shutdown()
        for close in getattr(self, "closers", []):
            await close()


def create_app(settings: EnrichSettings) -> EnrichApp:
    """A Faust app with the raw, enriched and dead-letter topics declared; no agent yet."""
    options = faust_options(settings)
    Path(options["datadir"]).mkdir(parents=True, exist_ok=True)  # Faust does not create parents
    app = EnrichApp(settings.app_id, **options)
    app.closers = []
    app.preparers = []

    def topic(name: str, config: dict[str, str] | None = None) -> faust.TopicT:
        return app.topic(
            name,
            key_serializer="raw",
            value_serializer="raw",
            partitions=settings.topics.partitions,
            replicas=settings.topics.replication_factor,
            config=config,
        )

    app.raw = topic(settings.topics.raw, topic_configs(settings.topics, settings.topics.raw))
    app.enriched = topic(settings.topics.enriched, topic_configs(settings.topics, settings.topics.enriched))
    app.dlq = topic(settings.topics.dlq, topic_configs(settings.topics, settings.topics.dlq))

    @app.task
    async def declare_output_topics() -> None:
        # Faust does not declare topics that are only produced to; declaring the raw one early
        # also spares a "not found in cluster metadata" on a fresh cluster.
        for declared in (app.raw, app.enriched, app.dlq):
            await declared.declare()

    return app


def add_enrich_agent(
    app: EnrichApp,
    settings: EnrichSettings,
    processor: BatchProcessor,
    send_dead: Callable[[list[DeadLetter]], Awaitable[None]],
    metrics: EnrichMetrics | None = None,
) -> None:
    """Consume the raw topic in batches of ``settings.batch_size``, each settled by ``process_guarded``
    (and timed into ``metrics``, when given)."""

    @app.agent(app.raw, name="enrich")
    async def enrich(stream: faust.StreamT[bytes]) -> None:
        # take_events (faust-streaming) is missing from StreamT; the concrete Stream has it.
        batches = stream.take_events(settings.batch_size, within=settings.batch_within_s)  # type: ignore[attr-defined]
        async for events in batches:
            started = time.perf_counter()
            await process_guarded(processor, events, send_dead, settings.shutdown_grace_s, settings.retry_policy)
            if metrics is not None:
                metrics.batch_seconds.observe(time.perf_counter() - started)
