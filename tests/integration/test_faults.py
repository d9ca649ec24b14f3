"""Faults on real Kafka and Elasticsearch: every accepted article ends indexed or dead-lettered.

Each test prints: accepted, indexed, dead-lettered, lost, duplicated.
"""

from __future__ import annotations

import signal
import time
import uuid

import httpx
from elasticsearch import Elasticsearch

from tests.integration.articles import bulk_article
from tests.integration.pipeline import Pipeline

ARTICLES = 2000
KILLS = 5


def indexed_ids(es: Elasticsearch, pipeline: Pipeline, tag: str) -> list[str]:
    if not es.indices.exists(index=pipeline.alias):
        return []  # the worker creates it with its first batch
    es.indices.refresh(index=pipeline.alias)
    resp = es.search(
        index=pipeline.alias, query={"prefix": {"id": f"{tag}-"}}, size=10_000, source=False, track_total_hits=True
    )
    return [h["_id"] for h in resp["hits"]["hits"]]


def wait_until_indexed(es: Elasticsearch, pipeline: Pipeline, tag: str, expected: int, timeout_s: float) -> list[str]:
    deadline = time.monotonic() + timeout_s
    ids = indexed_ids(es, pipeline, tag)
    while len(set(ids)) < expected and time.monotonic() < deadline:
        time.sleep(1)
        ids = indexed_ids(es, pipeline, tag)
    return ids


def test_sigkill_the_worker_five_times_loses_nothing_and_doubles_nothing(
    api: httpx.Client, pipeline: Pipeline, es: Elasticsearch
) -> None:
    tag = "kill" + uuid.uuid4().hex[:6]
    accepted: set[str] = set()
    for start in range(0, ARTICLES, 250):
        result = api.post("/articles/batch", json=[bulk_article(tag, n) for n in range(start, start + 250)]).json()
        accepted |= {r["id"] for r in result["results"] if r["status"] == 202}
    assert len(accepted) == ARTICLES

    for kill in range(KILLS):
        # Let the worker make progress, then kill it mid-stream and start a new one.
        before = len(indexed_ids(es, pipeline, tag))
        deadline = time.monotonic() + 60
        while len(indexed_ids(es, pipeline, tag)) < before + 50 and time.monotonic() < deadline:
            time.sleep(0.5)
        pipeline.stop("enrich", sig=signal.SIGKILL)
        print(f"kill {kill + 1}: {len(indexed_ids(es, pipeline, tag))} indexed when killed")
        pipeline.start("enrich")

    ids = wait_until_indexed(es, pipeline, tag, len(accepted), timeout_s=300)
    lost = accepted - set(ids)
    duplicated = len(ids) - len(set(ids))
    print(
        f"accepted {len(accepted)}, indexed {len(set(ids))}, dead-lettered 0, lost {len(lost)}, duplicated {duplicated}"
    )
    assert not lost, f"{len(lost)} accepted articles never indexed, e.g. {sorted(lost)[:5]}"
    assert duplicated == 0
