from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka.protocol.admin import ApiVersionRequest_v0, ApiVersionRequest_v1
from aiokafka.protocol.metadata import MetadataResponse_v0

from infra.local import health
from infra.local.errors import InfraError
from infra.local.health import kafka_problem, wait_until_healthy
from infra.local.logs import log_tail
from infra.local.settings import InfraSettings


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


# ---- kafka_problem: aiokafka's Metadata round trip against stand-in brokers ----------------------------


class FakeBroker:
    """Answers ApiVersions (v0-v2: Metadata v0 only) and Metadata v0 naming ``brokers``; or, when ``silent``,
    accepts connections and never answers."""

    def __init__(self, brokers: list[tuple[int, str, int]], silent: bool = False) -> None:
        self.brokers, self.silent = brokers, silent
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.server.getsockname()[1])
        self.requests: list[int] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = self.server.accept()
                threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection, contextlib.suppress(OSError, struct.error):
            while True:
                (size,) = struct.unpack(">i", self._read(connection, 4))
                api_key, version, correlation_id = struct.unpack(">hhi", self._read(connection, size)[:8])
                self.requests.append(api_key)
                if self.silent:
                    continue
                if api_key == 18:
                    response = ApiVersionRequest_v0 if version == 0 else ApiVersionRequest_v1
                    body = response.RESPONSE_TYPE(0, [(3, 0, 0), (18, 0, 2)], *([0] if version else [])).encode()
                else:
                    body = MetadataResponse_v0(self.brokers, []).encode()
                frame = struct.pack(">i", correlation_id) + body
                connection.sendall(struct.pack(">i", len(frame)) + frame)

    @staticmethod
    def _read(connection: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = connection.recv(size - len(data))
            if not chunk:
                raise OSError("closed")
            data += chunk
        return data

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def broker() -> Iterator[Callable[..., FakeBroker]]:
    started: list[FakeBroker] = []

    def start(brokers: list[tuple[int, str, int]], silent: bool = False) -> FakeBroker:
        started.append(FakeBroker(brokers, silent))
        return started[-1]

    yield start
    for fake in started:
        fake.close()


def on_port(port: int) -> InfraSettings:
    return InfraSettings(kafka_port=port, kafka_controller_port=port + 1 if port < 65535 else 1)


def test_kafka_is_healthy_when_the_metadata_names_a_live_broker(broker: Callable[..., FakeBroker]) -> None:
    fake = broker([(1, "localhost", 19999)])
    assert kafka_problem(on_port(fake.port)) is None
    assert fake.requests == [18, 3]  # API versions, then one Metadata request


def test_a_broker_that_answers_without_live_brokers_is_not_ready(broker: Callable[..., FakeBroker]) -> None:
    fake = broker([])
    assert kafka_problem(on_port(fake.port)) == (
        "the broker answers but has not registered yet (no live brokers in metadata)"
    )


def test_no_listener_and_no_answer_are_reported_as_no_metadata_answer(broker: Callable[..., FakeBroker]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = int(probe.getsockname()[1])  # nothing listens on it once the probe is closed
    refused = kafka_problem(on_port(closed), timeout_s=2)
    assert refused is not None and refused.startswith(f"no Metadata answer from localhost:{closed}: ")

    silent = broker([(1, "localhost", 1)], silent=True)
    started = time.monotonic()
    assert kafka_problem(on_port(silent.port), timeout_s=0.5) == (
        f"no Metadata answer from localhost:{silent.port} within 0.5s"
    )
    assert time.monotonic() - started < 5, "the probe must give up at its timeout"


async def test_the_probe_also_runs_under_a_running_event_loop(broker: Callable[..., FakeBroker]) -> None:
    fake = broker([(1, "localhost", 19999)])
    assert kafka_problem(on_port(fake.port)) is None


def test_an_answer_that_is_not_http_is_a_problem_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    """A TCP self-connect (the client's ephemeral port equal to a node's port before it listens) reads back
    its own request line; that is 'not ready yet', never an exception out of the health check."""
    import http.client

    from infra.local import health
    from infra.local.settings import InfraSettings

    def self_connect(url: str, timeout: float) -> None:
        raise http.client.BadStatusLine("GET /_cluster/health HTTP/1.1")

    monkeypatch.setattr(health.NO_PROXY_OPENER, "open", self_connect)
    problem = health.es_problem(InfraSettings())
    assert problem is not None and "not an HTTP answer" in problem
