from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from infra.local import health
from infra.local.errors import InfraError
from infra.local.health import wait_until_healthy
from infra.local.logs import log_tail


class FakeClock:
    """``health``'s view of time: sleeping advances the clock at once, nothing waits for real."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(health, "time", fake)
    return fake


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "console.log"
    path.write_text("".join(f"log line {n}\n" for n in range(1, 31)))
    return path


def test_returns_once_the_probe_is_happy(log: Path, clock: FakeClock) -> None:
    answers = ["connection refused", "not yellow yet", None]
    remaining: list[float] = []

    def probe(left: float) -> str | None:
        remaining.append(left)
        return answers[len(remaining) - 1]

    wait_until_healthy("Kafka", 29092, probe, timeout_s=60, log_path=log, alive=lambda: True)
    # Asked until the first happy answer and not after it, a poll interval apart, told the time left.
    assert remaining == [60, 60 - health.POLL_S, 60 - 2 * health.POLL_S]
    assert clock.sleeps == [health.POLL_S, health.POLL_S]


def test_dead_process_fails_fast_with_the_log_tail(log: Path) -> None:
    with pytest.raises(InfraError) as caught:
        wait_until_healthy(
            "Elasticsearch",
            29200,
            lambda remaining: "connection refused",
            timeout_s=60,
            log_path=log,
            alive=lambda: False,
        )
    message = str(caught.value)
    assert "Elasticsearch" in message and "29200" in message and "exited during startup" in message
    assert "log line 30" in message and "log line 11" in message
    assert "log line 10\n" not in message  # only the last 20 lines


def test_timeout_names_service_port_and_problem(log: Path, clock: FakeClock) -> None:
    probes: list[float] = []

    def probe(left: float) -> str:
        probes.append(left)
        return "no Metadata answer"

    with pytest.raises(InfraError) as caught:
        wait_until_healthy("Kafka", 29092, probe, timeout_s=2, log_path=log, alive=lambda: True)
    message = str(caught.value)
    assert "Kafka (port 29092) is not healthy after 2s: no Metadata answer" in message
    assert "log line 30" in message
    # Polled until the deadline, the last time with no time left, and given up then.
    assert probes == [2 - n * health.POLL_S for n in range(round(2 / health.POLL_S) + 1)]
    assert probes[-1] == 0


def test_log_tail_of_missing_or_empty_file(tmp_path: Path) -> None:
    assert "no log at" in log_tail(tmp_path / "absent.log")
    (tmp_path / "empty.log").write_text("")
    assert "is empty" in log_tail(tmp_path / "empty.log")
