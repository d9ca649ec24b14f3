"""Reprocessing the archive: a new index built while articles keep coming, the alias swapped under
searches that never fail, rollback, and in-place replays — on real Kafka and Elasticsearch."""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from elasticsearch import Elasticsearch

from tests.integration.articles import bulk_article
from tests.integration.pipeline import Pipeline
from tests.integration.waiting import wait_until


def post_all(api: httpx.Client, articles: list[dict[str, object]]) -> set[str]:
    response = api.post("/articles/batch", json=articles)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert all(r["status"] == 202 for r in results), results
    return {r["id"] for r in results}


def wait_count(es: Elasticsearch, index: str, expected: int, timeout_s: float = 120.0) -> int:
    """Until ``index`` holds at least ``expected`` documents; returns the count (callers check it is exact)."""

    def count() -> int:
        es.indices.refresh(index=index)
        return int(es.count(index=index)["count"])

    return wait_until(
        f"{expected} documents in {index}", count, lambda n: n >= expected, timeout_s=timeout_s, interval_s=0.5
    )


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


class Counting(threading.Thread):
    """A thread that repeats one request until stopped and counts its answers; the test waits on the count."""

    def __init__(self, api_url: str, interval_s: float) -> None:
        super().__init__(daemon=True)
        self.api_url, self.interval_s = api_url, interval_s
        self.stop = threading.Event()
        self.answered = threading.Condition()
        self.ok = 0
        self.errors: list[str] = []

    def request(self, client: httpx.Client, n: int) -> None:
        raise NotImplementedError

    def run(self) -> None:
        n = 0
        with httpx.Client(base_url=self.api_url, timeout=10) as client:
            while not self.stop.is_set():
                try:
                    self.request(client, n)
                except Exception as exc:  # noqa: BLE001 - every failure is an error the test reports
                    self.errors.append(repr(exc))
                with self.answered:
                    n += 1
                    self.answered.notify_all()
                self.stop.wait(self.interval_s)

    def wait_for_ok(self, ok: int, timeout_s: float = 60.0) -> None:
        """Until ``ok`` requests in all were answered as expected; fails saying how far it got."""
        with self.answered:
            if not self.answered.wait_for(lambda: self.ok >= ok or not self.is_alive(), timeout_s):
                raise AssertionError(
                    f"{type(self).__name__}: {self.ok} good answers after {timeout_s:g}s, waited for {ok};"
                    f" errors {self.errors[:5]}"
                )
        assert self.ok >= ok, f"{type(self).__name__} stopped after {self.ok} good answers of {ok}: {self.errors[:5]}"

    def halt(self) -> None:
        self.stop.set()
        self.join(15)
        assert not self.is_alive(), f"{type(self).__name__} did not stop within 15 s"


class Searcher(Counting):
    """Searches the alias through the API as fast as it answers; counts every answer that is not a 200."""

    def __init__(self, api_url: str) -> None:
        super().__init__(api_url, interval_s=0.02)

    def request(self, client: httpx.Client, n: int) -> None:
        response = client.get("/search", params={"q": "council", "collapse": "true", "size": 5})
        if response.status_code == 200:
            self.ok += 1
        else:
            self.errors.append(f"{response.status_code}: {response.text[:200]}")


class Poster(Counting):
    """Keeps posting single articles, one every ``interval_s``, until stopped."""

    def __init__(self, api_url: str, tag: str, interval_s: float) -> None:
        super().__init__(api_url, interval_s)
        self.tag = tag
        self.accepted: set[str] = set()

    def request(self, client: httpx.Client, n: int) -> None:
        response = client.post("/articles", json=bulk_article(self.tag, n))
        if response.status_code == 202:
            self.accepted.add(response.json()["id"])
            self.ok += 1
        else:
            self.errors.append(f"{response.status_code}: {response.text[:200]}")


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


def start_replay(pipeline: Pipeline, out_dir: Path, *args: str) -> subprocess.Popen[bytes]:
    """``newsflow replay`` in the background, its output in ``out_dir`` (read by ``finish_replay``)."""
    with (out_dir / "replay.out").open("w") as out, (out_dir / "replay.err").open("w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "newsflow", "replay", *args], env=pipeline.env("enrich"), stdout=out, stderr=err
        )


def finish_replay(
    proc: subprocess.Popen[bytes], out_dir: Path, timeout_s: float = 300.0
) -> subprocess.CompletedProcess[str]:
    try:
        proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        err = (out_dir / "replay.err").read_text(errors="replace")
        raise AssertionError(
            f"newsflow replay still running after {timeout_s:g}s; last output:\n{err[-2000:]}"
        ) from None
    out, err = ((out_dir / name).read_text(errors="replace") for name in ("replay.out", "replay.err"))
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_new_index_replay_while_posting_swaps_the_alias_without_a_failed_search(
    archive: set[str], pipeline: Pipeline, es: Elasticsearch, api_module: httpx.Client, tmp_path: Path
) -> None:
    alias = pipeline.alias
    searcher = Searcher(pipeline.api)
    poster = Poster(pipeline.api, f"live{uuid.uuid4().hex[:6]}", interval_s=0.15)
    searcher.start()
    poster.start()
    try:
        searcher.wait_for_ok(1)
        poster.wait_for_ok(1)
        searched_before = searcher.ok
        proc = start_replay(pipeline, tmp_path, "--new-index", "--yes")
        wait_until(
            "the replay to start reading articles.raw (a 'replaying ->' progress line)",
            lambda: (tmp_path / "replay.err").read_text(errors="replace"),
            lambda err: "replaying -> " in err or proc.poll() is not None,
            timeout_s=120,
            interval_s=0.2,
            show=lambda err: err[-500:],
        )
        # Posting goes on through the swap: the replay swaps once it is within a batch of the live end,
        # then reads on to the end offsets after the swap.
        poster.wait_for_ok(poster.ok + 5)
        done = finish_replay(proc, tmp_path)  # the alias is on v2 and v2 was read to the end offsets
        searched_during = searcher.ok - searched_before
        # After the swap: more searches, and articles the live worker writes through the alias.
        searcher.wait_for_ok(searcher.ok + 20)
        after_swap = post_all(api_module, [bulk_article(f"after{uuid.uuid4().hex[:6]}", n) for n in range(5)])
    finally:
        searcher.halt()
        poster.halt()
    assert done.returncode == 0, done.stderr[-3000:]
    assert poster.errors == [], poster.errors[:5]
    assert searched_during > 0, "no search was answered while the replay ran"
    expected = archive | poster.accepted | after_swap

    assert alias_target(es, alias) == [f"{alias}-v2"], done.stdout
    assert es.indices.exists(index=f"{alias}-v1"), "the old index is kept for rollback"
    # Posted during the replay, before or after the swap: all in the new index, each once.
    assert wait_count(es, f"{alias}-v2", len(expected)) == len(expected)
    assert ids_in(es, f"{alias}-v2") == expected
    assert searcher.errors == [], searcher.errors[:5]
    print(
        f"\nnew-index replay while posting: archive {len(archive)} + posted around the replay"
        f" {len(poster.accepted)} + after the swap {len(after_swap)} = {len(expected)} distinct accepted;"
        f" {alias}-v2 holds {len(ids_in(es, f'{alias}-v2'))};"
        f" searches during the replay and swap: {searched_during} answered 200, {searcher.ok} in all,"
        f" {len(searcher.errors)} errors"
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
    in_new = wait_until(
        f"the 5 articles posted after the swap in {alias}-v2",
        lambda: ids_in(es, f"{alias}-v2"),
        lambda ids: late <= ids,
        timeout_s=120,
        interval_s=0.5,
        show=lambda ids: f"{len(ids)} documents, missing {sorted(late - ids)}",
    )

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
