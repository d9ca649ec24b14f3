"""Search on a known set — the 8 demo articles and their hand-written gold (demo/expected.json) — on real
Kafka and Elasticsearch: facet counts, filters, collapse to one hit per story, quotes by speaker."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest
from elasticsearch import Elasticsearch

from newsflow.posting import read_articles
from tests.integration.pipeline import Pipeline
from tests.integration.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "articles"
GOLD = json.loads((ROOT / "demo" / "expected.json").read_text())
FACETS = {"people": "people", "organizations": "organizations", "places": "places", "speakers": "quote_speakers"}


def gold_counts(kind: str) -> Counter[str]:
    """Articles per canonical name (the first spelling in the gold) of one entity type."""
    return Counter(name.split("|")[0] for a in GOLD["articles"] for name in a["entities"].get(kind, []))


@pytest.fixture(scope="module")
def corpus(pipeline: Pipeline, es: Elasticsearch) -> dict[str, dict[str, Any]]:
    """The demo corpus posted as one batch, in file order (originals before their copies); id -> document."""
    articles = [a for path in sorted(DEMO.glob("*.json")) for a in read_articles(path)]
    with httpx.Client(base_url=pipeline.api, timeout=30) as client:
        response = client.post("/articles/batch", json=articles)
    assert response.status_code == 200 and response.json()["accepted"] == len(articles), response.text
    ids = [r["id"] for r in response.json()["results"]]

    def count() -> int:
        if not es.indices.exists(index=pipeline.alias):
            return 0  # the worker creates it with its first batch
        es.indices.refresh(index=pipeline.alias)
        return int(es.count(index=pipeline.alias)["count"])

    wait_until(
        f"the {len(ids)} demo articles indexed in {pipeline.alias}",
        count,
        lambda n: n >= len(ids),
        timeout_s=120,
        interval_s=0.5,
        context=lambda: f"--- enrich log:\n{pipeline.log_tail('enrich')}",
    )
    docs = {h["_id"]: h["_source"] for h in es.search(index=pipeline.alias, size=100)["hits"]["hits"]}
    assert set(docs) == set(ids), pipeline.log_tail("enrich")
    return {"files": dict(zip(sorted(p.name for p in DEMO.glob("*.json")), ids, strict=True)), "docs": docs}


def search(api: httpx.Client, **params: Any) -> dict[str, Any]:
    response = api.get("/search", params={"size": 100, "facet_size": 50, **params})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def test_facet_counts_are_the_number_of_articles_with_each_value(api: httpx.Client, corpus: dict[str, Any]) -> None:
    docs = corpus["docs"]
    found = search(api)
    assert found["total"] == 8
    for facet, field in FACETS.items():
        expected = Counter(value for doc in docs.values() for value in set(doc.get(field, [])))
        got = {b["value"]: b["count"] for b in found["facets"][facet]}
        assert got == {v: n for v, n in expected.most_common() if v in got}, facet
        assert len(got) == min(50, len(expected)), facet
    sources = Counter(doc["source"] for doc in docs.values())
    assert {b["value"]: b["count"] for b in found["facets"]["sources"]} == dict(sources)
    assert sum(b["count"] for b in found["facets"]["published"]) == sum(1 for d in docs.values() if d["published_at"])


def test_people_and_places_facets_match_the_hand_written_gold(api: httpx.Client, corpus: dict[str, Any]) -> None:
    found = search(api)
    people = {b["value"]: b["count"] for b in found["facets"]["people"]}
    places = {b["value"]: b["count"] for b in found["facets"]["places"]}
    for name, count in gold_counts("PERSON").items():
        assert people.get(name) == count, name
    for name, count in gold_counts("GPE").most_common(3):
        assert places.get(name) == count, name


def test_filters_narrow_the_hits_to_the_articles_with_that_value(api: httpx.Client, corpus: dict[str, Any]) -> None:
    docs = corpus["docs"]
    for name, count in gold_counts("PERSON").most_common(3):
        found = search(api, person=name)
        assert found["total"] == count, name
        assert all(name in docs[h["id"]]["people"] for h in found["hits"])
    both = search(api, person="Lena Okafor", place="Brennick")
    expected = {i for i, d in docs.items() if "Lena Okafor" in d["people"] and "Brennick" in d["places"]}
    assert {h["id"] for h in both["hits"]} == expected and both["total"] == len(expected)


def test_collapse_shows_each_story_once_by_its_original_with_the_number_of_copies(
    api: httpx.Client, corpus: dict[str, Any]
) -> None:
    files = corpus["files"]
    found = search(api, collapse="true")
    assert found["total"] == 8
    assert found["stories"] == 6 and len(found["hits"]) == 6
    shown = {h["id"]: h["copies"] for h in found["hits"]}
    # demo/expected.json: 07 is an exact repost of 04, 08 a syndicated near copy of 02.
    assert shown[files["04_brennick_storm_flood.json"]] == 2
    assert shown[files["02_cod_quota_dispute.json"]] == 2
    assert files["07_brennick_storm_flood_repost.json"] not in shown
    assert files["08_cod_quota_syndicated.json"] not in shown
    assert all(h["dedup"]["duplicate_of"] is None for h in found["hits"])

    # Each facet bucket also counts distinct stories.
    docs = corpus["docs"]
    stories: dict[str, set[str]] = defaultdict(set)
    for doc in docs.values():
        for name in doc["places"]:
            stories[name].add(doc["dedup"]["cluster_id"])
    for bucket in found["facets"]["places"]:
        assert bucket["stories"] == len(stories[bucket["value"]]), bucket

    # Full text with collapse: the copy's words find the story once.
    storm = search(api, q="Brennick flood", collapse="true")
    ids = [h["id"] for h in storm["hits"]]
    assert ids.count(files["04_brennick_storm_flood.json"]) == 1
    assert files["07_brennick_storm_flood_repost.json"] not in ids


def test_quotes_by_speaker_are_the_gold_quotes_of_that_speaker(api: httpx.Client, corpus: dict[str, Any]) -> None:
    gold = [q for a in GOLD["articles"] for q in a["quotes"] if q["speaker"][0] == "Lena Okafor"]
    response = api.get("/quotes", params={"speaker": "Lena Okafor", "size": 100})
    assert response.status_code == 200, response.text
    rows = response.json()["quotes"]
    assert {r["speaker"] for r in rows} == {"Lena Okafor"}
    assert len(rows) == len(gold)
    assert Counter(r["kind"] for r in rows) == Counter(q["kind"] for q in gold)

    harbour = api.get("/quotes", params={"speaker": "Okafor", "q": "harbour"}).json()["quotes"]
    assert harbour and all("harbour" in r["text"].lower() and r["speaker"] == "Lena Okafor" for r in harbour)
    assert len(harbour) == sum(1 for r in rows if "harbour" in r["text"].lower())
