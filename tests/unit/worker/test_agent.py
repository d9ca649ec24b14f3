"""The Faust agent, through ``agent.test_context()``: batches reach the processor, errors never escape."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from adapters.retry import RetryPolicy
from enrich_service.app import MAX_BATCH_ATTEMPTS, add_enrich_agent, create_app, process_guarded
from enrich_service.dead_letters import DeadLetter, Incoming
from enrich_service.processor import BatchReport
from enrich_service.settings import EnrichSettings

#: How long a test waits for something the code under test should do at once; reached only on a failure.
WAIT_S = 10.0
#: The worker's retry policy with waits of about a millisecond.
TINY = RetryPolicy(initial_s=0.001, max_s=0.004)


class RecordingProcessor:
    def __init__(self, fail_times: int = 0) -> None:
        self.batches: list[list[Incoming]] = []
        self.fail_times = fail_times
        self.attempts = 0
        self.received = asyncio.Event()

    async def process(self, batch: list[Incoming]) -> BatchReport:
        self.attempts += 1
        if self.fail_times:
            self.fail_times -= 1
            raise RuntimeError("a bug")
        self.batches.append(list(batch))
        self.received.set()
        return BatchReport(len(batch), len(batch), 0)

    async def wait_for_records(self, count: int) -> None:
        """Until ``count`` records have reached ``process``; fails saying what arrived."""
        try:
            async with asyncio.timeout(WAIT_S):
                while sum(len(b) for b in self.batches) < count:
                    self.received.clear()
                    await self.received.wait()
        except TimeoutError:
            seen = [i.value for b in self.batches for i in b]
            raise AssertionError(
                f"{count} records did not reach the processor within {WAIT_S:g}s; got {seen}"
            ) from None


async def test_records_reach_the_processor_through_the_agent(tmp_path: Path) -> None:
    processor = RecordingProcessor()

    async def send_dead(letters: list[DeadLetter]) -> None: ...

    settings = EnrichSettings(web_enabled=False, data_dir=str(tmp_path), batch_within_s=0.01)
    app = create_app(settings)
    add_enrich_agent(app, settings, processor, send_dead)  # type: ignore[arg-type]
    agent = app.agents["enrich"]
    async with agent.test_context() as agent_ctx:
        await agent_ctx.put(b'{"id": "a"}')
        await agent_ctx.put(b"not json")
        await processor.wait_for_records(2)
    values = [i.value for b in processor.batches for i in b]
    assert values == [b'{"id": "a"}', b"not json"]


class FakeMessage:
    def __init__(self, offset: int) -> None:
        self.value = b"{}"
        self.key = None
        self.topic = "articles.raw"
        self.partition = 0
        self.offset = offset
        self.headers: list[tuple[str, bytes]] | None = None  # as on a faust Message
        self.acked = False


class FakeEvent:
    def __init__(self, offset: int) -> None:
        self.message = FakeMessage(offset)


async def test_a_batch_that_keeps_failing_is_dead_lettered_not_dropped(caplog: pytest.LogCaptureFixture) -> None:
    dead: list[DeadLetter] = []

    async def send_dead(letters: list[DeadLetter]) -> None:
        dead.extend(letters)

    processor = RecordingProcessor(fail_times=99)
    events: list[Any] = [FakeEvent(7), FakeEvent(8)]
    with caplog.at_level(logging.WARNING):
        await asyncio.wait_for(process_guarded(processor, events, send_dead, 1, TINY), WAIT_S)  # type: ignore[arg-type]
    assert processor.attempts == MAX_BATCH_ATTEMPTS
    failures = [r.getMessage().split(", retrying")[0] for r in caplog.records if "failed (attempt" in r.getMessage()]
    assert failures == [
        "batch articles.raw[0]@7..articles.raw[0]@8 failed (attempt 1 of 3)",
        "batch articles.raw[0]@7..articles.raw[0]@8 failed (attempt 2 of 3)",
        "batch articles.raw[0]@7..articles.raw[0]@8 failed (attempt 3 of 3)",
    ]
    assert [(d.stage, d.incoming.offset) for d in dead] == [("process", 7), ("process", 8)]
    assert not any(e.message.acked for e in events), "a settled batch is acked by Faust, not withheld"


async def test_a_failure_that_passes_is_retried() -> None:
    processor = RecordingProcessor(fail_times=MAX_BATCH_ATTEMPTS - 1)
    events: list[Any] = [FakeEvent(1)]
    await asyncio.wait_for(process_guarded(processor, events, _never, 1, TINY), WAIT_S)  # type: ignore[arg-type]
    assert processor.attempts == MAX_BATCH_ATTEMPTS
    assert len(processor.batches) == 1


async def test_dead_lettering_is_retried_until_it_succeeds() -> None:
    tries: list[int] = []
    dead: list[DeadLetter] = []

    async def send_dead(letters: list[DeadLetter]) -> None:
        tries.append(len(letters))
        if len(tries) < 5:
            raise ConnectionError("Kafka down")
        dead.extend(letters)

    events: list[Any] = [FakeEvent(3)]
    await asyncio.wait_for(
        process_guarded(RecordingProcessor(fail_times=99), events, send_dead, 1, TINY),  # type: ignore[arg-type]
        WAIT_S,
    )
    assert tries == [1] * 5
    assert [d.incoming.offset for d in dead] == [3]


async def test_stopping_mid_batch_withholds_the_acks_when_the_batch_cannot_finish() -> None:
    started = asyncio.Event()

    class Stuck:
        async def process(self, batch: list[Incoming]) -> BatchReport:
            started.set()
            await asyncio.Event().wait()
            raise AssertionError

    events: list[Any] = [FakeEvent(1), FakeEvent(2)]
    task = asyncio.ensure_future(process_guarded(Stuck(), events, _never, 0.05, TINY))  # type: ignore[arg-type]
    await asyncio.wait_for(started.wait(), WAIT_S)  # the batch is in flight: now the worker stops
    assert not any(e.message.acked for e in events)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # Marked acked by us, so Faust's own ack on the way out is a no-op and the offsets stay uncommitted.
    assert all(e.message.acked for e in events)


async def _never(letters: list[DeadLetter]) -> None:
    raise AssertionError("nothing should be dead-lettered")


async def test_stopping_mid_batch_lets_it_finish_once_and_never_retries_it() -> None:
    started, release = asyncio.Event(), asyncio.Event()
    attempts: list[int] = []

    class Slow:
        async def process(self, batch: list[Incoming]) -> BatchReport:
            attempts.append(len(batch))
            started.set()
            await release.wait()
            return BatchReport(len(batch), len(batch), 0)

    events: list[Any] = [FakeEvent(1)]
    task = asyncio.ensure_future(process_guarded(Slow(), events, _never, WAIT_S, TINY))  # type: ignore[arg-type]
    await asyncio.wait_for(started.wait(), WAIT_S)
    task.cancel()  # the worker stops; the batch may finish within the grace
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, WAIT_S)
    assert attempts == [1], "a cancellation is not a failure: the batch is not tried again"
    assert not any(e.message.acked for e in events), "a batch that finished is acked by Faust, not withheld"


async def test_stopping_while_waiting_to_retry_a_batch_withholds_its_acks() -> None:
    processor = RecordingProcessor(fail_times=99)
    events: list[Any] = [FakeEvent(1)]
    slow = RetryPolicy(initial_s=60, max_s=60)
    waiting = asyncio.Event()

    class OnRetry(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            waiting.set()  # logged just before the policy's wait

    handler = OnRetry()
    logging.getLogger("adapters.retry").addHandler(handler)
    try:
        task = asyncio.ensure_future(process_guarded(processor, events, _never, 1, slow))  # type: ignore[arg-type]
        await asyncio.wait_for(waiting.wait(), WAIT_S)  # it failed: now it waits a minute before the next
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        logging.getLogger("adapters.retry").removeHandler(handler)
    assert processor.attempts == 1
    assert all(e.message.acked for e in events)
