"""Warm the stack until Elasticsearch's JIT compiler has quieted down, before figure 3 is timed.

A freshly started Elasticsearch spends most of its CPU in the first minutes compiling itself (the C1/C2
compiler threads: 31.6 of 44.2 core-seconds per 1,000 articles in a run timed after 48 warm-up articles).
That cost is paid once per JVM start, not per article; figure 3 measures the steady state, so the
1-worker run starts only once the JIT uses less than ``QUIET_CORES`` over a round (or after
``max_rounds``), and the warm-up is reported beside the figure.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from elasticsearch import AsyncElasticsearch

from benchmarks.corpus import pool
from benchmarks.threads import thread_cpu

#: The JIT's CPU over a warm-up round below which Elasticsearch counts as warm.
QUIET_CORES = 0.05
ROUND_ARTICLES = 48


async def settle_jit(
    api: str,
    es: AsyncElasticsearch,
    alias: str,
    pids: Callable[[], list[int]],
    post: Callable[[str, Any], Awaitable[int]],
    wait_count: Callable[[AsyncElasticsearch, str, int, float], Awaitable[None]],
    *,
    max_rounds: int,
) -> dict[str, Any]:
    """Rounds of ``ROUND_ARTICLES`` posted and made searchable until the JIT is quiet; what it took."""
    posted = 0
    by_round: list[float] = []
    began = time.monotonic()
    for n in range(max_rounds):
        jit_before, started = thread_cpu(pids()).get("jit", 0.0), time.monotonic()
        posted += await post(api, pool(ROUND_ARTICLES, seed=5000 + n))
        await wait_count(es, alias, posted, 300.0)
        jit_cores = (thread_cpu(pids()).get("jit", 0.0) - jit_before) / max(1e-3, time.monotonic() - started)
        by_round.append(round(jit_cores, 3))
        if jit_cores < QUIET_CORES:
            break
    return {
        "articles": posted,
        "seconds": round(time.monotonic() - began, 1),
        "jit_cores_by_round": by_round,
        "quiet": bool(by_round) and by_round[-1] < QUIET_CORES,
        "quiet_cores": QUIET_CORES,
    }
