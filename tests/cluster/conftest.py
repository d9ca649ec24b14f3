"""Cluster fixtures: three real KRaft brokers and two real Elasticsearch nodes from infra/local.

Run by ``make test-cluster`` (part of ``make test``), after the single-node integration tests. Under CI
(CI=true) a cluster that cannot start is a failure; elsewhere the tests are skipped with the reason.
Each test module gets its own pipeline: topics at replication factor 3, alias and consumer group.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from elasticsearch import Elasticsearch

from tests.integration.pipeline import Pipeline

IN_CI = os.environ.get("CI", "").lower() == "true"

# Beside the single-node test stack (19092..), the benchmarks and a user's cluster (9292..), and below
# Linux's ephemeral port range (32768-60999), where a client may connect to itself before a node listens.
CLUSTER_TEST_PORTS: dict[str, Any] = {
    "kafka_port": 28092,
    "kafka_controller_port": 28192,
    "es_port": 28200,
    "es_transport_port": 28300,
}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.cluster.faults import ROWS

    if not ROWS:
        return
    terminalreporter.section("cluster fault table")
    header = "fault | accepted | indexed | lost | duplicated | answers | slowest post s | longest indexing stall s"
    terminalreporter.write_line(header)
    for row in ROWS:
        cells = [row.get(k) for k in ("fault", "accepted", "indexed", "lost", "duplicated", "statuses")]
        cells += [row.get("slowest_post_s"), row.get("longest_indexing_stall_s")]
        terminalreporter.write_line(" | ".join("-" if c is None else str(c) for c in cells))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.cluster)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Any]:
    from infra.local import ClusterInfraSettings, InfraError, down, status, up, wipe_data

    base = ClusterInfraSettings()
    settings = ClusterInfraSettings(**CLUSTER_TEST_PORTS, run_dir=Path(base.cache_dir) / "run" / "test-cluster")
    already = all(s.healthy for s in status(settings).services)
    started = time.monotonic()
    try:
        if not already:
            down(settings)
            wipe_data(settings)  # earlier sessions' topics and indices
        state = up(settings)
    except InfraError as exc:
        message = f"a real Kafka + Elasticsearch cluster could not start: {exc}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    print(f"\ncluster up in {time.monotonic() - started:.1f}s:\n{state.summary()}")
    yield settings
    if not already and os.environ.get("NEWSFLOW_KEEP_TEST_INFRA") != "1":
        down(settings)


@pytest.fixture(scope="session")
def es(cluster: Any) -> Iterator[Elasticsearch]:
    # Both nodes: the test's own reads go on while one of them is down.
    client = Elasticsearch(cluster.es_urls, request_timeout=30, max_retries=3, retry_on_timeout=True)
    yield client
    client.close()


@pytest.fixture(scope="module")
def pipeline(cluster: Any, es: Elasticsearch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    p = Pipeline(
        cluster.kafka_bootstrap,
        cluster.es_hosts,
        tmp_path_factory.mktemp("pipeline"),
        replication_factor=cluster.replication_factor,
    )
    p.start("ingest")
    p.start("enrich")
    try:
        p.wait_ready("ingest", "enrich")
        yield p
    finally:
        p.stop_all()
        for index in es.indices.get(index=f"{p.alias}-*", allow_no_indices=True, ignore_unavailable=True):
            es.indices.delete(index=index)
        es.options(ignore_status=404).indices.delete_index_template(name=p.alias)


@pytest.fixture
def api(pipeline: Pipeline) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=pipeline.api, timeout=60) as client:
        yield client
