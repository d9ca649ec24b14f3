"""Exponential backoff with jitter for transient failures."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    initial_s: float = 0.5
    max_s: float = 15.0

    def delay(self, attempt: int) -> float:
        base: float = min(self.max_s, self.initial_s * (2 ** max(attempt - 1, 0)))
        return base * random.uniform(0.8, 1.0)

    async def sleep(self, attempt: int) -> None:
        await asyncio.sleep(self.delay(attempt))
