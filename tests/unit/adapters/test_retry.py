"""The one retry policy: what it retries, how often, how long it waits, and what it never retries."""

from __future__ import annotations

import asyncio
import logging

import pytest

from adapters.retry import JITTER, RetryPolicy

#: Waits of about a millisecond: the tests retry for real, without sleeping long.
TINY = RetryPolicy(initial_s=0.001, max_s=0.004)
#: How long a test waits for something that should happen at once; reached only on a failure.
WAIT_S = 10.0


class Flaky:
    """Fails with ``error`` the first ``failures`` calls, then returns how many calls it took."""

    def __init__(self, failures: int, error: BaseException | None = None) -> None:
        self.failures = failures
        self.error = error or ConnectionError("unreachable")
        self.calls = 0
        self.called = asyncio.Event()

    async def __call__(self) -> int:
        self.calls += 1
        self.called.set()
        if self.calls <= self.failures:
            raise self.error
        return self.calls


def retry_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "adapters.retry"]


async def test_transient_failures_are_retried_until_the_call_succeeds(caplog: pytest.LogCaptureFixture) -> None:
    flaky = Flaky(failures=4)
    with caplog.at_level(logging.WARNING, logger="adapters.retry"):
        result = await asyncio.wait_for(
            TINY.call(flaky, what="indexing 3 articles", transient=(ConnectionError,)), WAIT_S
        )
    assert result == 5 and flaky.calls == 5
    messages = [r.getMessage() for r in retry_records(caplog)]
    assert len(messages) == 4, messages
    assert messages[0].startswith("indexing 3 articles failed (attempt 1), retrying in ")
    assert messages[3].startswith("indexing 3 articles failed (attempt 4), retrying in ")
    assert all(m.endswith(": unreachable") for m in messages), messages


async def test_it_stops_after_the_given_attempts_and_raises_the_last_error(caplog: pytest.LogCaptureFixture) -> None:
    flaky = Flaky(failures=99, error=RuntimeError("a bug"))
    with caplog.at_level(logging.WARNING, logger="adapters.retry"), pytest.raises(RuntimeError, match="a bug"):
        await TINY.call(flaky, what="batch p0/7", transient=(Exception,), attempts=3)
    assert flaky.calls == 3
    messages = [r.getMessage() for r in retry_records(caplog)]
    assert [m.split(", retrying")[0] for m in messages] == [
        "batch p0/7 failed (attempt 1 of 3)",
        "batch p0/7 failed (attempt 2 of 3)",
    ]


async def test_a_non_transient_error_is_raised_at_once(caplog: pytest.LogCaptureFixture) -> None:
    flaky = Flaky(failures=1, error=ValueError("malformed"))
    with caplog.at_level(logging.WARNING, logger="adapters.retry"), pytest.raises(ValueError, match="malformed"):
        await TINY.call(flaky, what="lookup", transient=(ConnectionError,))
    assert flaky.calls == 1
    assert retry_records(caplog) == []


async def test_a_cancellation_is_never_retried_even_when_everything_else_is() -> None:
    flaky = Flaky(failures=1, error=asyncio.CancelledError())
    with pytest.raises(asyncio.CancelledError):
        await TINY.call(flaky, what="batch", transient=(Exception,))
    assert flaky.calls == 1


async def test_cancelling_the_caller_while_it_waits_to_retry_stops_the_retries() -> None:
    flaky = Flaky(failures=99)
    slow = RetryPolicy(initial_s=60, max_s=60)
    task = asyncio.ensure_future(slow.call(flaky, what="produce", transient=(ConnectionError,)))
    await asyncio.wait_for(flaky.called.wait(), WAIT_S)  # the first attempt failed: now it waits a minute
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert flaky.calls == 1


async def test_only_exceptions_can_be_named_transient() -> None:
    with pytest.raises(TypeError, match="CancelledError"):
        await TINY.call(Flaky(0), what="x", transient=(asyncio.CancelledError,))  # type: ignore[arg-type]


def test_delays_grow_exponentially_with_jitter_and_never_exceed_the_bound() -> None:
    policy = RetryPolicy(initial_s=0.5, max_s=15.0)
    low, high = JITTER
    for attempt in range(1, 200):
        bound = min(15.0, 0.5 * 2 ** (attempt - 1))
        for _ in range(20):
            assert bound * low <= policy.delay(attempt) <= bound * high <= 15.0
    assert max(policy.delay(1) for _ in range(50)) <= 0.5
    assert min(policy.delay(10_000) for _ in range(50)) >= 15.0 * low


async def test_the_waits_between_attempts_are_the_policys(caplog: pytest.LogCaptureFixture) -> None:
    policy = RetryPolicy(initial_s=0.001, max_s=0.003)
    with caplog.at_level(logging.WARNING, logger="adapters.retry"):
        await asyncio.wait_for(policy.call(Flaky(failures=6), what="x", transient=(ConnectionError,)), WAIT_S)
    waits = [float(r.args[2]) for r in retry_records(caplog)]  # type: ignore[index]
    bounds = [0.001, 0.002, 0.003, 0.003, 0.003, 0.003]
    assert len(waits) == 6
    assert all(b * JITTER[0] <= w <= b for w, b in zip(waits, bounds, strict=True)), waits


async def test_a_lambda_returning_a_coroutine_is_awaited() -> None:
    async def answer() -> str:
        return "42"

    assert await TINY.call(lambda: answer(), what="x", transient=(ConnectionError,)) == "42"


async def test_unexpected_failures_are_logged_as_errors_with_their_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="adapters.retry"):
        await TINY.call(
            Flaky(failures=1, error=RuntimeError("a bug")), what="b", transient=(Exception,), unexpected=True
        )
        await TINY.call(Flaky(failures=1), what="o", transient=(ConnectionError,))
    bug, outage = retry_records(caplog)
    assert (bug.levelno, outage.levelno) == (logging.ERROR, logging.WARNING)
    assert bug.exc_info is not None and outage.exc_info is None
