"""Integration fixtures: real Kafka and Elasticsearch from infra/local, started once per session.

Under CI (CI=true) infrastructure that cannot start is a failure; elsewhere the tests are skipped
with the reason. Each test module gets its own topics, index alias and consumer group.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from elasticsearch import Elasticsearch

from tests.integration.pipeline import Pipeline
from tests.integration.waiting import wait_until

IN_CI = os.environ.get("CI", "").lower() == "true"

# Ports of the test stack: beside, not on top of, a demo stack on the default ports.
TEST_PORTS: dict[str, Any] = {
    "kafka_port": 19092,
    "kafka_controller_port": 19093,
    "es_port": 19200,
    "es_transport_port": 19300,
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def infra() -> Iterator[Any]:
    from infra.local import InfraError, InfraSettings, down, status, up, wipe_data

    base = InfraSettings()
    settings = InfraSettings(**TEST_PORTS, run_dir=Path(base.cache_dir) / "run" / "test")
    already = all(s.healthy for s in status(settings).services)
    try:
        if not already:
            # Every session's topics and indices would pile up in the run dir: thousands of old
            # partitions make a restarted broker slow to serve a new consumer group.
            down(settings)
            wipe_data(settings)
        up(settings)
    except InfraError as exc:
        message = f"real Kafka/Elasticsearch could not start: {exc}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    yield settings
    if not already and os.environ.get("NEWSFLOW_KEEP_TEST_INFRA") != "1":
        down(settings)


@pytest.fixture(scope="session")
def es(infra: Any) -> Iterator[Elasticsearch]:
    client = Elasticsearch(infra.es_url, request_timeout=30)
    yield client
    client.close()


@pytest.fixture(scope="module")
def pipeline(infra: Any, es: Elasticsearch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    p = Pipeline(infra.kafka_bootstrap, infra.es_url, tmp_path_factory.mktemp("pipeline"))
    p.start("ingest")
    p.start("enrich")
    try:
        p.wait_ingest_ready()
        yield p
    finally:
        p.stop_all()
        # Deleting by wildcard is refused by default (action.destructive_requires_name): name each index.
        for index in es.indices.get(index=f"{p.alias}-*", allow_no_indices=True, ignore_unavailable=True):
            es.indices.delete(index=index)
        es.options(ignore_status=404).indices.delete_index_template(name=p.alias)


@pytest.fixture
def api(pipeline: Pipeline) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=pipeline.api, timeout=30) as client:
        yield client


def wait_for_document(
    api: httpx.Client, article_id: str, pipeline: Pipeline, timeout_s: float = 120.0
) -> dict[str, Any]:
    """Poll ``GET /articles/{id}`` until the enriched document is there; fails with the enrich log."""
    response = wait_until(
        f"article {article_id} to be enriched and indexed (GET /articles/{article_id} answering 200)",
        lambda: api.get(f"/articles/{article_id}"),
        lambda r: r.status_code == 200,
        timeout_s=timeout_s,
        show=lambda r: f"{r.status_code} {r.text[:200]}",
        context=lambda: f"--- enrich log:\n{pipeline.log_tail('enrich')}",
    )
    doc: dict[str, Any] = response.json()
    return doc


def wait_for_search(
    api: httpx.Client, params: dict[str, Any], article_id: str, timeout_s: float = 10.0
) -> dict[str, Any]:
    """Poll ``GET /search`` until ``article_id`` is among the hits (search sees a document after a refresh);
    fails saying which hits were seen."""

    def search() -> dict[str, Any]:
        response = api.get("/search", params=params)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    return wait_until(
        f"article {article_id} among the hits of GET /search {params}",
        search,
        lambda found: article_id in [h["id"] for h in found["hits"]],
        timeout_s=timeout_s,
        interval_s=0.2,
        show=lambda found: f"total {found['total']}, hits {[h['id'] for h in found['hits']]}",
    )
