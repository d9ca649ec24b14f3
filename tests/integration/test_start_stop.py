"""A start that never lies: ``newsflow up``'s launcher (newsflow.stack) started and stopped again and again.

(a) Both services, on the shared test Kafka/Elasticsearch with their own topics, alias and ports, 10 times
in a row: every start reports ready only when ingest answers /readyz and the worker's readiness file names
the running worker, which then indexes an article; every stop leaves no process behind.
(b) The whole stack (Kafka, Elasticsearch, both services) up and down twice on its own run dir and ports:
every ``down`` leaves no process and frees every port.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from elasticsearch import Elasticsearch

from enrich_service.readiness import read_readiness
from infra.local import InfraError, InfraSettings
from infra.local.layout import TAG_VARIABLE, ServiceDirs, service_dirs
from infra.local.ports import port_in_use
from infra.local.processes import running_pid, same_create_time
from newsflow.stack import Services, StackError, services_for, stack_down, stack_up, start_services, stop_services
from tests.integration.pipeline import Pipeline

pytestmark = pytest.mark.integration

IN_CI = os.environ.get("CI", "").lower() == "true"
ROUNDS = 10
START_TIMEOUT_S = 120.0
#: A process as the test saw it: pid and create time (a later process with the same pid is another one).
Seen = tuple[int, float]


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports free right now (never the test stack's 19092/19093/19200/19300 nor defaults)."""
    sockets = []
    try:
        for _ in range(count):
            probe = socket.socket()
            probe.bind(("127.0.0.1", 0))
            sockets.append(probe)
        return [int(probe.getsockname()[1]) for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


def processes_of(dirs: list[ServiceDirs]) -> set[Seen]:
    """Every live process of these services: leaders, their descendants, anything carrying their tags."""
    tags = {d.tag for d in dirs}
    found: set[Seen] = set()
    for process in psutil.process_iter():
        try:
            if process.environ().get(TAG_VARIABLE) in tags and process.status() != psutil.STATUS_ZOMBIE:
                found.add((process.pid, process.create_time()))
        except psutil.Error:
            continue
    for d in dirs:
        pid = running_pid(d)
        if pid is None:
            continue
        leader = psutil.Process(pid)
        for process in [leader, *leader.children(recursive=True)]:
            found.add((process.pid, process.create_time()))
    return found


def survivors(seen: set[Seen], dirs: list[ServiceDirs]) -> list[str]:
    """Those of ``seen`` still running (same pid and create time, not a zombie), and any tagged process."""
    left = []
    for pid, created in sorted(seen):
        try:
            process = psutil.Process(pid)
            if process.create_time() == created and process.status() != psutil.STATUS_ZOMBIE:
                left.append(f"pid {pid} ({' '.join(process.cmdline())[:120]})")
        except psutil.NoSuchProcess:
            continue
    left += [f"pid {pid} (tagged)" for pid, _ in sorted(processes_of(dirs) - seen)]
    return left


def assert_ready(services: Services) -> int:
    """What a user relies on after a start: /readyz 200 and the worker's own readiness file; the worker pid."""
    assert httpx.get(f"{services.ingest_url}/readyz", timeout=5).status_code == 200
    worker = running_pid(services.dirs("enrich"))
    readiness = read_readiness(services.ready_file)
    assert worker is not None and readiness is not None, f"no worker or readiness file: {worker}, {readiness}"
    assert readiness.pid == worker and same_create_time(readiness.create_time, psutil.Process(worker).create_time())
    assert readiness.partitions, "the worker has no partition of the raw topic"
    return worker


def assert_indexes(services: Services, title: str) -> None:
    """The ready worker consumes: an article posted now is enriched and served by id."""
    with httpx.Client(base_url=services.ingest_url, timeout=30) as api:
        answer = api.post("/articles", json={"title": title, "body": f'{title}. Ann Roe said: "It works."'})
        assert answer.status_code == 202, answer.text
        article_id = answer.json()["id"]
        deadline = time.monotonic() + 60
        while api.get(f"/articles/{article_id}").status_code != 200:
            assert time.monotonic() < deadline, f"article {article_id} not indexed within 60 s of a ready start"
            time.sleep(0.2)


@pytest.fixture
def test_services(infra: Any, es: Elasticsearch, tmp_path: Path) -> Iterator[Services]:
    """Both services on the test infra with unique topics, alias, group and ports, under their own run dir."""
    names = Pipeline(infra.kafka_bootstrap, infra.es_url, tmp_path / "data")
    services = services_for(infra, run_dir=tmp_path / "run", env=names.env("ingest") | names.env("enrich"))
    yield services
    stop_services(services)
    for index in es.indices.get(index=f"{names.alias}-*", allow_no_indices=True, ignore_unavailable=True):
        es.indices.delete(index=index)
    es.options(ignore_status=404).indices.delete_index_template(name=names.alias)


def test_services_start_ready_and_stop_clean_ten_times(test_services: Services) -> None:
    dirs = [test_services.dirs(name) for name in ("ingest", "enrich")]
    timings = []
    began = time.monotonic()
    for n in range(ROUNDS):
        started = time.monotonic()
        lines = start_services(test_services, timeout_s=START_TIMEOUT_S)
        ready_s = time.monotonic() - started
        worker = assert_ready(test_services)
        assert f"enrich running, pid {worker}; log {dirs[1].log_path}" in lines
        assert_indexes(test_services, f"Start and stop round {n}")
        seen = processes_of(dirs)
        leaders = {running_pid(d) for d in dirs}
        assert len(seen) >= 2 and None not in leaders
        stopping = time.monotonic()
        stopped = stop_services(test_services)
        timings.append((ready_s, time.monotonic() - stopping))
        assert leaders <= set(stopped)
        assert survivors(seen, dirs) == [], f"round {n}: processes left after stop"
        assert not test_services.ready_file.exists(), f"round {n}: readiness file left after stop"
        withdrawn = f"readiness file {test_services.ready_file} removed"
        assert withdrawn in dirs[1].log_path.read_text(), f"round {n}: the worker did not withdraw its readiness"
        assert running_pid(dirs[0]) is None and running_pid(dirs[1]) is None
    total = time.monotonic() - began
    print(
        f"\n(a) {ROUNDS} start/ready/index/stop rounds in {total:.1f}s; ready after "
        f"{min(t[0] for t in timings):.1f}-{max(t[0] for t in timings):.1f}s, "
        f"stopped in {min(t[1] for t in timings):.1f}-{max(t[1] for t in timings):.1f}s"
    )


@pytest.fixture
def own_stack() -> Iterator[tuple[InfraSettings, Services]]:
    """Kafka, Elasticsearch and both services on a run dir and ports of their own (none of the default or
    test stacks'). Under /tmp and mode 0755: as root, Elasticsearch runs as nobody."""
    run_dir = Path(tempfile.mkdtemp(prefix="newsflow-stack-it-"))
    run_dir.chmod(0o755)
    kafka, controller, es_port, transport, ingest, web = free_ports(6)
    infra = InfraSettings(
        run_dir=run_dir,
        kafka_port=kafka,
        kafka_controller_port=controller,
        es_port=es_port,
        es_transport_port=transport,
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    env |= {"NEWSFLOW_INGEST_PORT": str(ingest), "NEWSFLOW_ENRICH_WEB_PORT": str(web)}
    services = services_for(infra, env=env)
    try:
        yield infra, services
    finally:
        stack_down(infra=infra, services=services)
        shutil.rmtree(run_dir, ignore_errors=True)


def test_the_whole_stack_up_and_down_twice_leaves_no_process(own_stack: tuple[InfraSettings, Services]) -> None:
    infra, services = own_stack
    dirs = [service_dirs(infra, name) for name in ("kafka", "elasticsearch")]
    dirs += [services.dirs(name) for name in ("ingest", "enrich")]
    ports = [infra.kafka_port, infra.kafka_controller_port, infra.es_port, infra.es_transport_port]
    ports.append(services.ingest_port)
    began = time.monotonic()
    timings = []
    for n in range(2):
        started = time.monotonic()
        try:
            lines = stack_up(infra=infra, services=services)
        except StackError as exc:
            if isinstance(exc.__cause__, InfraError) and not IN_CI:
                pytest.skip(f"real Kafka/Elasticsearch could not start: {exc}")
            raise
        up_s = time.monotonic() - started
        assert lines[-1].startswith(f"ingest API {services.ingest_url} ")
        assert_ready(services)
        assert_indexes(services, f"Whole stack round {n}")
        seen = processes_of(dirs)
        assert len(seen) >= 5  # kafka, the elasticsearch launcher and its JVM, ingest, enrich
        started = time.monotonic()
        stack_down(infra=infra, services=services)
        timings.append((up_s, time.monotonic() - started))
        assert survivors(seen, dirs) == [], f"round {n}: processes left after down"
        assert [port for port in ports if port_in_use(port)] == [], f"round {n}: ports still taken after down"
    print(
        f"\n(b) whole stack up+down twice in {time.monotonic() - began:.1f}s: "
        + ", ".join(f"up {up:.1f}s down {down:.1f}s" for up, down in timings)
    )
