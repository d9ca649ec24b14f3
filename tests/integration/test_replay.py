"""Reprocessing the archive: a new index built while articles keep coming, the alias swapped under
searches that never fail, rollback, and in-place replays — on real Kafka and Elasticsearch."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from typing import Any

import httpx
import pytest
from elasticsearch import Elasticsearch

from tests.integration.articles import bulk_article
from tests.integration.pipeline import Pipeline


def post_all(api: httpx.Client, articles: list[dict[str, object]]) -> set[str]:
    response = api.post("/articles/batch", json=articles)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert all(r["status"] == 202 for r in results), results
    return {r["id"] for r in results}


def wait_count(es: Elasticsearch, index: str, expected: int, timeout_s: float = 120.0) -> int:
    deadline = time.monotonic() + timeout_s
    count = -1
    while time.monotonic() < deadline:
        es.indices.refresh(index=index)
        count = int(es.count(index=index)["count"])
        if count >= expected:
            return count
        time.sleep(0.5)
    return count


def ids_in(es: Elasticsearch, index: str) -> set[str]:
    es.indices.refresh(index=index)
    resp = es.search(index=index, size=10_000, source=False, query={"match_all": {}})
    return {h["_id"] for h in resp["hits"]["hits"]}


def alias_target(es: Elasticsearch, alias: str) -> list[str]:
    return sorted(es.indices.get_alias(name=alias).body)


def replay(pipeline: Pipeline, *args: str, timeout_s: float = 300.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsflow", "replay", *args],
        env=pipeline.env("enrich"),
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


class Searcher(threading.Thread):
    """Searches the alias through the API as fast as it answers; counts every answer that is not a 200."""

    def __init__(self, api_url: str) -> None:
        super().__init__(daemon=True)
        self.api_url = api_url
        self.stop = threading.Event()
        self.ok = 0
        self.errors: list[str] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.api_url, timeout=10) as client:
            while not self.stop.is_set():
                try:
                    response = client.get("/search", params={"q": "council", "collapse": "true", "size": 5})
                except httpx.HTTPError as exc:
                    self.errors.append(repr(exc))
                    continue
                if response.status_code == 200:
                    self.ok += 1
                else:
                    self.errors.append(f"{response.status_code}: {response.text[:200]}")
                time.sleep(0.02)


class Poster(threading.Thread):
    """Keeps posting single articles while the replay runs."""

    def __init__(self, api_url: str, tag: str, count: int, interval_s: float) -> None:
        super().__init__(daemon=True)
        self.api_url, self.tag, self.count, self.interval_s = api_url, tag, count, interval_s
        self.accepted: set[str] = set()
        self.failures: list[str] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.api_url, timeout=10) as client:
            for n in range(self.count):
                response = client.post("/articles", json=bulk_article(self.tag, n))
                if response.status_code == 202:
                    self.accepted.add(response.json()["id"])
                else:
                    self.failures.append(f"{response.status_code}: {response.text[:200]}")
                time.sleep(self.interval_s)


@pytest.fixture(scope="module")
def archive(api_module: httpx.Client, pipeline: Pipeline, es: Elasticsearch) -> set[str]:
    """An archive of 60 articles, all indexed by the live worker into <alias>-v1."""
    accepted = post_all(api_module, [bulk_article(f"arch{uuid.uuid4().hex[:6]}", n) for n in range(60)])
    assert wait_count(es, pipeline.alias, len(accepted)) == len(accepted)
    return accepted


@pytest.fixture(scope="module")
def api_module(pipeline: Pipeline) -> Any:
    with httpx.Client(base_url=pipeline.api, timeout=30) as client:
        yield client


def test_in_place_replay_overwrites_by_id_and_duplicates_nothing(
    archive: set[str], pipeline: Pipeline, es: Elasticsearch
) -> None:
    before = es.search(index=pipeline.alias, size=1, sort=[{"enrichment.processed_at": "desc"}])["hits"]["hits"]
    done = replay(pipeline, "--in-place")
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"indexed {len(archive)}" in done.stdout, done.stdout
    assert alias_target(es, pipeline.alias) == [f"{pipeline.alias}-v1"]
    assert ids_in(es, pipeline.alias) == archive
    after = es.search(index=pipeline.alias, size=1, sort=[{"enrichment.processed_at": "desc"}])["hits"]["hits"]
    assert after[0]["_source"]["enrichment"]["processed_at"] > before[0]["_source"]["enrichment"]["processed_at"]


def test_new_index_replay_while_posting_swaps_the_alias_without_a_failed_search(
    archive: set[str], pipeline: Pipeline, es: Elasticsearch
) -> None:
    alias = pipeline.alias
    searcher = Searcher(pipeline.api)
    poster = Poster(pipeline.api, f"live{uuid.uuid4().hex[:6]}", count=40, interval_s=0.15)
    searcher.start()
    poster.start()
    try:
        done = replay(pipeline, "--new-index", "--yes")
        poster.join(60)
        time.sleep(3)  # searches after the swap too
    finally:
        searcher.stop.set()
        searcher.join(15)
    assert done.returncode == 0, done.stderr[-3000:]
    assert not poster.failures
    expected = archive | poster.accepted

    assert alias_target(es, alias) == [f"{alias}-v2"], done.stdout
    assert es.indices.exists(index=f"{alias}-v1"), "the old index is kept for rollback"
    # Posted during the replay, before or after the swap: all in the new index, each once.
    assert wait_count(es, f"{alias}-v2", len(expected)) == len(expected)
    assert ids_in(es, f"{alias}-v2") == expected
    assert searcher.ok > 50 and searcher.errors == [], searcher.errors[:5]
    print(
        f"\nnew-index replay while posting: archive {len(archive)} + posted during the replay"
        f" {len(poster.accepted)} = {len(expected)} distinct accepted;"
        f" {alias}-v2 holds {len(ids_in(es, f'{alias}-v2'))};"
        f" searches during the replay and swap: {searcher.ok} answered 200, {len(searcher.errors)} errors"
    )
    versions = es.search(index=alias, size=0, aggs={"v": {"terms": {"field": "enrichment.version"}}})
    assert sum(b["doc_count"] for b in versions["aggregations"]["v"]["buckets"]) == len(expected)
    assert "alias " + alias + f" now on {alias}-v2" in done.stdout
    assert "ETA" in done.stderr


def test_rollback_moves_the_alias_back_and_keeps_what_was_posted_since(
    archive: set[str], pipeline: Pipeline, es: Elasticsearch, api_module: httpx.Client
) -> None:
    alias = pipeline.alias
    if alias_target(es, alias) != [f"{alias}-v2"]:
        pytest.skip("needs the new-index replay of the previous test")
    late = post_all(api_module, [bulk_article(f"late{uuid.uuid4().hex[:6]}", n) for n in range(5)])
    wait_count(es, f"{alias}-v2", len(ids_in(es, f"{alias}-v2") | late))
    in_new = ids_in(es, f"{alias}-v2")
    assert late <= in_new

    done = replay(pipeline, "--rollback")
    assert done.returncode == 0, done.stderr[-3000:]
    assert alias_target(es, alias) == [f"{alias}-v1"]
    assert ids_in(es, f"{alias}-v1") == in_new  # articles posted after the swap were filled in


def test_a_second_rollback_has_nowhere_to_go(pipeline: Pipeline, es: Elasticsearch) -> None:
    if alias_target(es, pipeline.alias) != [f"{pipeline.alias}-v1"]:
        pytest.skip("needs the rollback of the previous test")
    done = replay(pipeline, "--rollback")
    assert done.returncode == 1
    assert "no older version" in done.stderr


def test_after_a_rollback_a_new_replay_builds_a_fresh_index(pipeline: Pipeline, es: Elasticsearch) -> None:
    alias = pipeline.alias
    if alias_target(es, alias) != [f"{alias}-v1"]:
        pytest.skip("needs the rollback of the previous tests")
    expected = ids_in(es, f"{alias}-v1")
    done = replay(pipeline, "--new-index", "--yes")
    assert done.returncode == 0, done.stderr[-3000:]
    assert alias_target(es, alias) == [f"{alias}-v3"]
    assert ids_in(es, f"{alias}-v3") == expected


def test_replay_rebuilds_into_a_new_index_when_the_index_definition_changed(
    pipeline: Pipeline, es: Elasticsearch
) -> None:
    alias = pipeline.alias
    (live,) = alias_target(es, alias)
    meta = es.indices.get_mapping(index=live)[live]["mappings"]["_meta"]
    es.indices.put_mapping(index=live, meta=meta | {"definition": "made-by-an-older-newsflow"})
    expected = ids_in(es, live)

    done = replay(pipeline, "--yes")  # no mode given: it decides
    assert done.returncode == 0, done.stderr[-3000:]
    assert "replaying new-index" in done.stderr
    (rebuilt,) = alias_target(es, alias)
    assert rebuilt != live and ids_in(es, rebuilt) == expected
