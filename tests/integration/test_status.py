"""``newsflow status`` on real Kafka and Elasticsearch: offsets, the worker's lag, alias, counts, dead letters."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx

from tests.integration.articles import bulk_article
from tests.integration.conftest import wait_for_document
from tests.integration.pipeline import Pipeline
from tests.integration.waiting import wait_until

POSTED = 7


def status(pipeline: Pipeline, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsflow", "status", *args],
        env=pipeline.env("enrich"),
        capture_output=True,
        text=True,
        timeout=60,
    )


def status_json(pipeline: Pipeline) -> dict[str, Any]:
    result = status(pipeline, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def worker_group(data: dict[str, Any], name: str) -> dict[str, Any]:
    groups = {g["group"]: g for g in data["kafka"]["groups"]}
    assert name in groups, list(groups)
    return groups[name]


def test_status_shows_offsets_lag_alias_counts_and_dead_letters(pipeline: Pipeline, api: httpx.Client) -> None:
    tag = f"status-{pipeline.suffix}"
    response = api.post("/articles/batch", json=[bulk_article(tag, n) for n in range(POSTED)])
    assert response.status_code == 200, response.text
    ids = [r["id"] for r in response.json()["results"] if r["status"] == 202]
    assert len(ids) == POSTED
    for article_id in ids:
        wait_for_document(api, article_id, pipeline)

    # The worker commits every second or so, and a document is counted after the next refresh. The registry
    # is only read by id, never searched: its count also moves only after a refresh.
    group = f"newsflow-enrich-{pipeline.suffix}"

    def settled(data: dict[str, Any]) -> bool:
        es = data["elasticsearch"]
        return worker_group(data, group)["lag"] == 0 and es["docs"] == POSTED and (es["dedup_docs"] or 0) >= POSTED

    data = wait_until(
        f"newsflow status to show lag 0, {POSTED} documents and at least {POSTED} registry keys",
        lambda: status_json(pipeline),
        settled,
        timeout_s=60,
        interval_s=1,
        show=lambda data: (
            f"lag {worker_group(data, group)['lag']}, documents {data['elasticsearch']['docs']},"
            f" registry keys {data['elasticsearch']['dedup_docs']}"
        ),
    )
    worker = worker_group(data, group)

    assert data["ok"] is True
    topics = {t["role"]: t for t in data["kafka"]["topics"]}
    assert topics["raw"]["name"] == pipeline.raw_topic and topics["raw"]["exists"]
    assert sum(p["end"] for p in topics["raw"]["partitions"]) == POSTED == topics["raw"]["records"]
    assert topics["enriched"]["records"] == POSTED
    assert worker["role"] == "worker" and worker["lag"] == 0, worker
    assert {p["topic"] for p in worker["partitions"]} == {pipeline.raw_topic}
    assert worker["state"] == "Stable" and worker["members"] == 1

    es = data["elasticsearch"]
    assert es["alias"] == pipeline.alias and es["alias_indices"] == [f"{pipeline.alias}-v1"]
    assert es["docs"] == POSTED
    assert sum(es["versions"].values()) == POSTED
    assert [(i["name"], i["docs"], i["aliased"]) for i in es["indices"]] == [(f"{pipeline.alias}-v1", POSTED, True)]
    assert es["dedup_index"] == f"{pipeline.alias}-dedup" and es["dedup_docs"] and es["dedup_docs"] >= POSTED
    assert data["dlq_size"] == 0 and topics["dlq"]["records"] == 0

    printed = status(pipeline)
    assert printed.returncode == 0, printed.stderr
    print(printed.stdout)
    assert f"{group} (worker, Stable, 1 member): lag 0" in printed.stdout
    assert f"alias {pipeline.alias} -> {pipeline.alias}-v1: {POSTED} documents" in printed.stdout
    assert f"dead letters: 0 records in {pipeline.dlq_topic}\n" in printed.stdout


def test_status_reports_an_unreachable_part_and_still_shows_the_other(pipeline: Pipeline) -> None:
    env = pipeline.env("enrich") | {"NEWSFLOW_ENRICH_KAFKA__BOOTSTRAP_SERVERS": "127.0.0.1:1"}
    # timeout=60 only guards against a hang: the Kafka error below is a refused connection, not a timeout.
    result = subprocess.run(
        [sys.executable, "-m", "newsflow", "status", "--json"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["kafka"]["error"].startswith("cannot reach Kafka at 127.0.0.1:1")
    assert data["elasticsearch"]["error"] is None
    assert data["elasticsearch"]["alias_indices"] == [f"{pipeline.alias}-v1"]
    assert "Traceback" not in result.stderr
