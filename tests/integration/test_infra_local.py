"""infra/local against the real thing: Kafka and Elasticsearch started on non-default ports.

Uses the shared artifact cache (NEWSFLOW_INFRA_CACHE_DIR or the default), so only the very first run
on a machine downloads; the run directory is a fresh temporary one (under /tmp, made traversable:
as root, Elasticsearch runs as nobody and pytest's own tmp_path is mode 0700).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local import InfraSettings, InfraStatus, down, es_node, kafka_node, status, up
from infra.local.health import kafka_problem
from infra.local.layout import ServiceDirs
from infra.local.processes import is_alive, running_pid, start_detached, stop, tagged_pids, write_pid

pytestmark = pytest.mark.integration

KAFKA_PORT, KAFKA_CONTROLLER_PORT, ES_PORT, ES_TRANSPORT_PORT = 29092, 29093, 29200, 29300
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
def settings() -> Iterator[InfraSettings]:
    run_dir = Path(tempfile.mkdtemp(prefix="newsflow-infra-it-"))
    run_dir.chmod(0o755)
    configured = InfraSettings(
        run_dir=run_dir,
        kafka_port=KAFKA_PORT,
        kafka_controller_port=KAFKA_CONTROLLER_PORT,
        es_port=ES_PORT,
        es_transport_port=ES_TRANSPORT_PORT,
    )
    try:
        yield configured
    finally:
        down(configured)
        shutil.rmtree(run_dir, ignore_errors=True)


def _es(settings: InfraSettings, method: str, path: str, body: dict[str, object] | None = None) -> dict[str, object]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        settings.es_url + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with _NO_PROXY.open(request, timeout=30) as response:
        answer: dict[str, object] = json.loads(response.read())
        return answer


async def _brokers(bootstrap: str) -> list[tuple[int, str, int]]:
    """The brokers the cluster describes (aiokafka's admin client): (node id, host, port)."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        cluster = await admin.describe_cluster()
    finally:
        await admin.close()
    return [(broker["node_id"], broker["host"], broker["port"]) for broker in cluster["brokers"]]


async def _kafka_round_trip(bootstrap: str, payload: bytes) -> bytes:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, max_request_size=len(payload) + 4096)
    await producer.start()
    try:
        await producer.send_and_wait("infra-smoke", payload)  # the topic is auto-created
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        "infra-smoke",
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        group_id="infra-smoke",
        max_partition_fetch_bytes=len(payload) + 4096,
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), timeout=60)
    finally:
        await consumer.stop()
    assert record.value is not None
    return record.value


def _all_pids(settings: InfraSettings) -> list[int]:
    return tagged_pids(kafka_node.dirs(settings)) + tagged_pids(es_node.dirs(settings))


def _assert_serving(settings: InfraSettings, state: InfraStatus) -> None:
    assert state.healthy, state.summary()
    assert kafka_problem(settings) is None
    assert asyncio.run(_brokers(settings.kafka_bootstrap)) == [(1, "localhost", KAFKA_PORT)]
    health = _es(settings, "GET", "/_cluster/health")
    assert health["status"] in ("yellow", "green")


def test_up_status_down_and_a_cached_restart(settings: InfraSettings) -> None:
    started = time.monotonic()
    first = up(settings)
    first_s = time.monotonic() - started
    _assert_serving(settings, first)
    assert first.kafka.address == f"localhost:{KAFKA_PORT}"
    assert first.elasticsearch.address == f"http://localhost:{ES_PORT}"

    # Real services: a 3 MB record through an auto-created topic (the broker allows 4 MiB), an index.
    payload = os.urandom(3 * 1024 * 1024)
    assert asyncio.run(_kafka_round_trip(settings.kafka_bootstrap, payload)) == payload
    _es(settings, "PUT", "/infra-smoke", {"settings": {"number_of_replicas": 0}})

    current = status(settings)
    assert current.healthy and current.kafka.pid == first.kafka.pid
    assert current.elasticsearch.pid == first.elasticsearch.pid

    again = up(settings)  # idempotent: reuses the running services
    assert again.kafka.reused and again.elasticsearch.reused
    assert not again.kafka.downloaded and not again.elasticsearch.downloaded
    assert again.kafka.pid == first.kafka.pid

    pids = _all_pids(settings)
    assert len(pids) >= 3  # kafka, the elasticsearch launcher and its server JVM
    meta = (settings.run_dir / "kafka" / "data" / "meta.properties").read_text()
    started = time.monotonic()
    down(settings)
    down_s = time.monotonic() - started
    assert [pid for pid in pids if is_alive(pid)] == []
    assert not status(settings).running

    started = time.monotonic()
    second = up(settings)  # same run dir: cached artifacts, storage not formatted again, data kept
    cached_s = time.monotonic() - started
    _assert_serving(settings, second)
    assert not second.kafka.downloaded and not second.elasticsearch.downloaded
    assert not second.kafka.reused and second.kafka.pid != first.kafka.pid
    assert (settings.run_dir / "kafka" / "data" / "meta.properties").read_text() == meta
    assert "infra-smoke" in _es(settings, "GET", "/infra-smoke")

    pids = _all_pids(settings)
    down(settings)
    assert [pid for pid in pids if is_alive(pid)] == []
    print(
        f"\ninfra timings: first up {first_s:.1f}s (downloaded: kafka={first.kafka.downloaded}, "
        f"es={first.elasticsearch.downloaded}), down {down_s:.1f}s, cached up {cached_s:.1f}s"
    )


def test_the_english_analyzer_stems_and_the_articles_template_uses_it(settings: InfraSettings) -> None:
    """The integ-test-zip has no analysis-common: infra/local installs its own ``english`` analyzer plugin."""
    from schemas.search_document import index_definition

    def tokens(path: str, body: dict[str, object]) -> list[str]:
        return [token["token"] for token in _es(settings, "POST", path, body)["tokens"]]  # type: ignore[attr-defined]

    up(settings)
    stems = tokens("/_analyze", {"analyzer": "english", "text": "The ministers were running"})
    assert stems == ["minist", "were", "run"]
    definition = index_definition()
    _es(settings, "PUT", "/infra-english", {"settings": definition["settings"], "mappings": definition["mappings"]})
    try:
        assert tokens("/infra-english/_analyze", {"field": "clean_body", "text": "running"}) == ["run"]
        assert tokens("/infra-english/_analyze", {"field": "clean_body.exact", "text": "running"}) == ["running"]
    finally:
        _es(settings, "DELETE", "/infra-english")


def test_detached_process_is_stopped_and_a_foreign_pid_is_not(tmp_path: Path) -> None:
    ours = ServiceDirs(name="sleeper", root=tmp_path / "ours")
    pid = start_detached(
        [sys.executable, "-c", "import time; time.sleep(120)"], dirs=ours, env=dict(os.environ), cwd=tmp_path
    )
    try:
        assert running_pid(ours) == pid
        assert os.getpgid(pid) == pid  # its own process group and session
        assert os.getsid(pid) == pid
        # Another run dir whose stale pid file names our pid must not stop it.
        theirs = ServiceDirs(name="sleeper", root=tmp_path / "theirs")
        theirs.root.mkdir()
        write_pid(theirs.pid_path, pid)
        assert running_pid(theirs) is None
        assert stop(theirs, timeout_s=5) == []
        assert is_alive(pid)
        assert stop(ours, timeout_s=10) == [pid]
        assert not is_alive(pid)
        assert not ours.pid_path.exists()
    finally:
        if is_alive(pid):
            os.kill(pid, 9)
