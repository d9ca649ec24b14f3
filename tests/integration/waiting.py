"""Waiting in integration tests: poll until a condition holds or a deadline passes, then fail loudly.

Every wait says on timeout what it waited for, what it saw last and how long it waited; none returns
quietly with a partial result for a later assertion to trip over.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


def timed_out(what: str, seen: str, started: float, timeout_s: float, context: str = "") -> AssertionError:
    waited = time.monotonic() - started
    extra = f"\n{context}" if context else ""
    return AssertionError(f"waited {waited:.1f}s (limit {timeout_s:g}s) for {what}; last seen: {seen}{extra}")


def wait_until(
    what: str,
    probe: Callable[[], T],
    done: Callable[[T], bool],
    *,
    timeout_s: float,
    interval_s: float = 0.25,
    show: Callable[[T], str] = repr,
    context: Callable[[], str] | None = None,
) -> T:
    """``probe()`` until ``done(result)``; returns that result. At the deadline raises AssertionError naming
    ``what``, the last result (through ``show``) and, if given, ``context()`` (a log tail, say)."""
    started = time.monotonic()
    while True:
        result = probe()
        if done(result):
            return result
        if time.monotonic() - started >= timeout_s:
            raise timed_out(what, show(result), started, timeout_s, context() if context else "")
        time.sleep(interval_s)


async def wait_until_async(
    what: str,
    probe: Callable[[], Awaitable[T]],
    done: Callable[[T], bool],
    *,
    timeout_s: float,
    interval_s: float = 0.25,
    show: Callable[[T], str] = repr,
) -> T:
    """``wait_until`` for a coroutine probe."""
    started = time.monotonic()
    while True:
        result = await probe()
        if done(result):
            return result
        if time.monotonic() - started >= timeout_s:
            raise timed_out(what, show(result), started, timeout_s)
        await asyncio.sleep(interval_s)
