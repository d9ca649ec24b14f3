"""The Faust agent, through ``agent.test_context()``: batches reach the processor, errors never escape."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from enrich_service.app import create_app, process_guarded
from enrich_service.dead_letters import DeadLetter, Incoming
from enrich_service.processor import BatchReport
from enrich_service.settings import EnrichSettings

#: How long a test waits for something the code under test should do at once; reached only on a failure.
WAIT_S = 10.0


class RecordingProcessor:
    def __init__(self, fail_times: int = 0) -> None:
        self.batches: list[list[Incoming]] = []
        self.fail_times = fail_times
        self.received = asyncio.Event()

    async def process(self, batch: list[Incoming]) -> BatchReport:
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
    app = create_app(settings, lambda app, enriched, dlq: (processor, send_dead))
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


async def test_a_batch_that_keeps_failing_is_dead_lettered_not_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asyncio, "sleep", _no_sleep)
    dead: list[DeadLetter] = []

    async def send_dead(letters: list[DeadLetter]) -> None:
        dead.extend(letters)

    events: list[Any] = [FakeEvent(7), FakeEvent(8)]
    await process_guarded(RecordingProcessor(fail_times=99), events, send_dead, grace_s=1)  # type: ignore[arg-type]
    assert [(d.stage, d.incoming.offset) for d in dead] == [("process", 7), ("process", 8)]


async def test_a_failure_that_passes_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asyncio, "sleep", _no_sleep)
    processor = RecordingProcessor(fail_times=1)
    events: list[Any] = [FakeEvent(1)]
    await process_guarded(processor, events, _never, grace_s=1)  # type: ignore[arg-type]
    assert len(processor.batches) == 1


async def test_stopping_mid_batch_withholds_the_acks_when_the_batch_cannot_finish() -> None:
    started = asyncio.Event()

    class Stuck:
        async def process(self, batch: list[Incoming]) -> BatchReport:
            started.set()
            await asyncio.Event().wait()
            raise AssertionError

    events: list[Any] = [FakeEvent(1), FakeEvent(2)]
    task = asyncio.ensure_future(process_guarded(Stuck(), events, _never, grace_s=0.05))  # type: ignore[arg-type]
    await asyncio.wait_for(started.wait(), WAIT_S)  # the batch is in flight: now the worker stops
    assert not any(e.message.acked for e in events)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # Marked acked by us, so Faust's own ack on the way out is a no-op and the offsets stay uncommitted.
    assert all(e.message.acked for e in events)


_real_sleep = asyncio.sleep


async def _no_sleep(delay: float, *args: Any) -> None:
    await _real_sleep(0)


async def _never(letters: list[DeadLetter]) -> None:
    raise AssertionError("nothing should be dead-lettered")
