from __future__ import annotations

from pathlib import Path

import pytest

from infra.local import health
from infra.local.errors import InfraError
from infra.local.health import wait_until_healthy
from infra.local.logs import log_tail


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health.time, "sleep", lambda seconds: None)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "console.log"
    path.write_text("".join(f"log line {n}\n" for n in range(1, 31)))
    return path


def test_returns_once_the_probe_is_happy(log: Path) -> None:
    answers = iter(["connection refused", "not yellow yet", None])
    wait_until_healthy("Kafka", 29092, lambda remaining: next(answers), timeout_s=60, log_path=log, alive=lambda: True)


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


def test_timeout_names_service_port_and_problem(log: Path) -> None:
    with pytest.raises(InfraError) as caught:
        wait_until_healthy(
            "Kafka", 29092, lambda remaining: "no Metadata answer", timeout_s=0.01, log_path=log, alive=lambda: True
        )
    message = str(caught.value)
    assert "Kafka (port 29092) is not healthy" in message
    assert "no Metadata answer" in message and "log line 30" in message


def test_log_tail_of_missing_or_empty_file(tmp_path: Path) -> None:
    assert "no log at" in log_tail(tmp_path / "absent.log")
    (tmp_path / "empty.log").write_text("")
    assert "is empty" in log_tail(tmp_path / "empty.log")
