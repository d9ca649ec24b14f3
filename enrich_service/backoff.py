"""Exponential backoff with jitter for transient failures, and a loop that retries through them."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import ConnectionTimeout

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Elasticsearch is unreachable or too slow: worth waiting for, never worth dropping an article for.
ES_UNREACHABLE: tuple[type[Exception], ...] = (ESConnectionError, ConnectionTimeout)


@dataclass(frozen=True)
class Backoff:
    initial_s: float = 0.5
    max_s: float = 15.0

    def delay(self, attempt: int) -> float:
        base: float = min(self.max_s, self.initial_s * (2 ** max(attempt - 1, 0)))
        return base * random.uniform(0.8, 1.0)

    async def sleep(self, attempt: int) -> None:
        await asyncio.sleep(self.delay(attempt))

    async def retrying(
        self, call: Callable[[], Awaitable[T]], *, what: str, transient: tuple[type[Exception], ...] = ES_UNREACHABLE
    ) -> T:
        """``await call()`` until it does not raise a ``transient`` error; the caller stops advancing meanwhile."""
        attempt = 0
        while True:
            try:
                return await call()
            except transient as exc:
                attempt += 1
                logger.warning("%s failed (attempt %s), retrying: %s", what, attempt, exc)
                await self.sleep(attempt)
