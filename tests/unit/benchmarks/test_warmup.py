"""The warm-up before figure 3 stops once Elasticsearch's JIT is quiet, or after its last round."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks import warmup


class FakeJit:
    """The JIT's CPU seconds so far, growing by the next step at each reading after a post."""

    def __init__(self, steps: list[float]) -> None:
        self.steps, self.total, self.posts = steps, 0.0, 0

    def cpu(self, pids: list[int]) -> dict[str, float]:
        return {"jit": self.total, "elasticsearch": 1.0}

    async def post(self, api: str, articles: Any) -> int:
        self.total += self.steps[min(self.posts, len(self.steps) - 1)]
        self.posts += 1
        return len(articles)


async def wait(es: Any, alias: str, expected: int, timeout_s: float) -> None:
    return None


@pytest.mark.parametrize(("steps", "rounds", "quiet"), [([5.0, 2.0, 0.0], 3, True), ([5.0], 4, False)])
async def test_rounds_until_the_jit_is_quiet_or_the_last_round(
    monkeypatch: pytest.MonkeyPatch, steps: list[float], rounds: int, quiet: bool
) -> None:
    jit = FakeJit(steps)
    monkeypatch.setattr(warmup, "thread_cpu", jit.cpu)
    result = await warmup.settle_jit("api", None, "a", lambda: [1], jit.post, wait, max_rounds=4)  # type: ignore[arg-type]
    assert len(result["jit_cores_by_round"]) == rounds and result["quiet"] is quiet
    assert result["articles"] == rounds * warmup.ROUND_ARTICLES
