"""An article posted over HTTP becomes a searchable, enriched document — on real Kafka and ES."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable

import httpx
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from elasticsearch import Elasticsearch

from adapters.limits import RAW_RECORD_MAX_BYTES
from adapters.settings import KafkaSettings, TopicSettings
from enrich_service.dead_letters import Letter
from enrich_service.dlq import list_dead_letters, replay_dead_letters
from tests.integration.conftest import wait_for_document, wait_for_search
from tests.integration.pipeline import Pipeline
from tests.integration.waiting import wait_until, wait_until_async


def fictional_article(tag: str, **extra: object) -> dict[str, object]:
    return {
        "url": f"https://harbour-gazette.example/news/{tag}",
        "source": "The Harbour Gazette (fictional)",
        "title": f"Port of Valdoria to double its cargo capacity ({tag})",
        "body": (
            "The Valdorian Harbour Authority approved a plan on Tuesday to double the capacity of the "
            "Port of Valdoria, the country's largest port.\n\n"
            '"This is the most important decision this authority has taken in a generation," said '
            "Harbour Minister Lena Okafor at a press conference in Port Marisol.\n\n"
            'Critics at the Coastal Fishermen\'s Union called the plan "a costly gamble" and warned that '
            f"dredging would harm fishing grounds. Marker {tag}."
        ),
        "published_at": "2026-03-04T09:30:00Z",
        "language": "en",
        "authors": ["A. Writer"],
        **extra,
    }


def test_posted_article_becomes_searchable_with_entities_and_quotes(api: httpx.Client, pipeline: Pipeline) -> None:
    tag = uuid.uuid4().hex[:8]
    response = api.post("/articles", json=fictional_article(tag))
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["topic"] == pipeline.raw_topic
    assert accepted["partition"] >= 0 and accepted["offset"] >= 0

    doc = wait_for_document(api, accepted["id"], pipeline)
    people = {e["name"] for e in doc["entities"] if e["type"] == "PERSON"}
    assert "Lena Okafor" in people
    assert any(q["speaker"] == "Lena Okafor" and "most important decision" in q["text"] for q in doc["quotes"])
    assert doc["dedup"]["content_hash"] and doc["enrichment"]["version"]

    found = wait_for_search(api, {"q": f"cargo capacity {tag}", "person": "Lena Okafor"}, accepted["id"])
    # Every hit names her (the person filter), so her facet counts exactly the hits.
    counts = {b["value"]: b["count"] for b in found["facets"]["people"]}
    assert counts.get("Lena Okafor") == found["total"] >= 1, (counts, found["total"])
    # This article alone (its tag is in no other): her facet counts 1.
    alone = wait_for_search(api, {"q": tag, "person": "Lena Okafor"}, accepted["id"])
    assert alone["total"] == 1 and [h["id"] for h in alone["hits"]] == [accepted["id"]], alone["hits"]
    assert {"value": "Lena Okafor", "count": 1} in alone["facets"]["people"], alone["facets"]["people"]


def test_quotes_are_found_by_part_of_the_speaker_s_name_and_their_words(api: httpx.Client, pipeline: Pipeline) -> None:
    tag = uuid.uuid4().hex[:8]
    accepted = api.post("/articles", json=fictional_article(tag)).json()
    wait_for_document(api, accepted["id"], pipeline)

    def quotes_of_this_article() -> list[dict[str, object]]:
        found = api.get("/quotes", params={"speaker": "Okafor", "q": "important decision"}).json()
        return [r for r in found["quotes"] if r["article_id"] == accepted["id"]]

    rows = wait_until(
        f"a quote of article {accepted['id']} in GET /quotes?speaker=Okafor&q=important decision",
        quotes_of_this_article,
        bool,
        timeout_s=10,
        interval_s=0.2,
    )
    assert rows[0]["speaker"] == "Lena Okafor" and "most important decision" in str(rows[0]["text"])
    assert rows[0]["source"] == "The Harbour Gazette (fictional)"


async def committed_offset(pipeline: Pipeline, partition: int) -> int | None:
    """The worker group's committed offset on one partition of the raw topic (None: nothing committed)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=pipeline.kafka_bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(f"newsflow-enrich-{pipeline.suffix}")
    finally:
        await admin.close()
    committed = offsets.get(TopicPartition(pipeline.raw_topic, partition))
    return committed.offset if committed is not None and committed.offset >= 0 else None


async def wait_until_consumed(pipeline: Pipeline, partition: int, offset: int, timeout_s: float = 60.0) -> None:
    """Until the worker committed past ``offset`` on ``partition``: it acked that record, so it is indexed
    (or dead-lettered)."""
    await wait_until_async(
        f"the worker to commit past offset {offset} of {pipeline.raw_topic}[{partition}]",
        lambda: committed_offset(pipeline, partition),
        lambda committed: committed is not None and committed > offset,
        timeout_s=timeout_s,
        interval_s=0.5,
        show=lambda committed: f"committed offset {committed}",
    )


async def test_posting_the_same_article_twice_gives_one_document(
    api: httpx.Client, pipeline: Pipeline, es: Elasticsearch
) -> None:
    tag = uuid.uuid4().hex[:8]
    first = api.post("/articles", json=fictional_article(tag)).json()
    second = api.post("/articles", json=fictional_article(tag)).json()
    assert first["id"] == second["id"]
    assert second["offset"] != first["offset"] or second["partition"] != first["partition"]
    third = api.post("/articles", json={**fictional_article(tag), "id": "client-" + tag}).json()

    # Both deliveries of the article and the third, same text under its own id, are processed; then count.
    for accepted in (first, second, third):
        await wait_until_consumed(pipeline, accepted["partition"], accepted["offset"])
    wait_for_document(api, third["id"], pipeline)
    es.indices.refresh(index=pipeline.alias)
    hits = es.search(index=pipeline.alias, query={"match": {"clean_body": tag}}, size=10)["hits"]
    ids = sorted(h["_id"] for h in hits["hits"])
    assert ids == sorted([first["id"], "client-" + tag])


def unrelated_story(tag: str) -> dict[str, object]:
    """A story sharing no sentence with ``fictional_article`` (which the other tests post near-copies of)."""
    rng = random.Random(tag)
    words = ["ferry", "council", "budget", "school", "river", "museum", "tram", "festival", "bridge", "library"]
    sentences = [" ".join(rng.choice(words) for _ in range(12)).capitalize() + "." for _ in range(8)]
    return {
        "url": f"https://selka-post.example/{tag}",
        "title": f"Selka council weighs tram line ({tag})",
        "body": '"We will decide in spring," said Mayor Ottilie Brask.\n\n' + " ".join(sentences),
    }


def test_an_exact_repost_under_another_url_is_linked_to_the_original(api: httpx.Client, pipeline: Pipeline) -> None:
    tag = uuid.uuid4().hex[:8]
    original = api.post("/articles", json=unrelated_story(tag)).json()
    # No waiting for a refresh: duplicate keys are looked up by id, which is real time.
    wait_for_document(api, original["id"], pipeline)
    copy = {**unrelated_story(tag), "url": f"https://aggregator.example/r/{tag}", "source": "Aggregator (fictional)"}
    copy["body"] = str(copy["body"]).replace("\n\n", "\n\n\n").replace('"', "\u201c", 1)
    repost = api.post("/articles", json=copy).json()
    assert repost["id"] != original["id"]
    doc = wait_for_document(api, repost["id"], pipeline)
    assert doc["dedup"]["duplicate_of"] == original["id"]
    assert doc["dedup"]["cluster_id"] == original["id"]


def test_a_batch_publishes_valid_items_and_reports_invalid_ones(api: httpx.Client, pipeline: Pipeline) -> None:
    tag = uuid.uuid4().hex[:8]
    good = fictional_article(tag)
    items = [good, {"title": "", "body": "x"}, {"title": "No body"}, fictional_article(tag + "b")]
    ndjson = "\n".join(json.dumps(i) for i in items)
    response = api.post("/articles/batch", content=ndjson, headers={"content-type": "application/x-ndjson"})
    assert response.status_code == 200
    result = response.json()
    assert result["accepted"] == 2 and result["rejected"] == 2
    statuses = [r["status"] for r in result["results"]]
    assert statuses == [202, 422, 422, 202]
    (missing,) = result["results"][2]["errors"]  # neither body nor html: the article as a whole is refused
    assert "body" in missing["message"] and "html" in missing["message"], missing
    for r in result["results"]:
        if r["status"] == 202:
            wait_for_document(api, r["id"], pipeline)


def test_an_invalid_article_is_refused_and_names_the_bad_fields(api: httpx.Client) -> None:
    response = api.post("/articles", json={"title": "   ", "body": "text", "published_at": "yesterday"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"title", "published_at"}


def test_a_near_copy_posted_right_after_its_original_is_linked(api: httpx.Client, pipeline: Pipeline) -> None:
    tag = uuid.uuid4().hex[:8]
    story = unrelated_story(tag + "near")
    body = str(story["body"])
    syndicated = {
        **story,
        "url": f"https://wire.example/{tag}",
        "title": "A new headline for the syndicated copy",
        "body": body.rsplit(". ", 2)[0] + ". Distributed by a fictional wire service.",
    }
    original = api.post("/articles", json=story).json()
    copy = api.post("/articles", json=syndicated).json()
    doc = wait_for_document(api, copy["id"], pipeline)
    assert doc["dedup"]["duplicate_of"] == original["id"]
    assert 0.5 <= doc["dedup"]["similarity"] < 1


def dlq_settings(pipeline: Pipeline) -> tuple[KafkaSettings, TopicSettings]:
    topics = TopicSettings(raw=pipeline.raw_topic, enriched=pipeline.enriched_topic, dlq=pipeline.dlq_topic)
    return KafkaSettings(bootstrap_servers=pipeline.kafka_bootstrap), topics


async def wait_for_letters(pipeline: Pipeline, what: str, done: Callable[[list[Letter]], bool]) -> list[Letter]:
    """``newsflow dlq list`` (every letter, folded by letter id) until ``done``; fails showing the letters."""
    kafka, topics = dlq_settings(pipeline)
    return await wait_until_async(
        what,
        lambda: list_dead_letters(kafka, topics, limit=None),
        done,
        timeout_s=60,
        interval_s=0.5,
        show=lambda letters: str([(x.letter_id, x.key, x.stage, x.attempts) for x in letters]),
    )


async def test_poison_records_go_to_the_dead_letter_topic_and_the_stream_moves_on(
    api: httpx.Client, pipeline: Pipeline
) -> None:
    worker = pipeline.processes["enrich"]
    # Longer than spaCy's max_length (1,000,000 characters): the model refuses it.
    choking = json.dumps(
        {"id": "poison-3", "title": "Long", "body": "word " * 250_000, "received_at": "2026-01-01T00:00:00Z"}
    ).encode()
    producer = AIOKafkaProducer(bootstrap_servers=pipeline.kafka_bootstrap, max_request_size=RAW_RECORD_MAX_BYTES)
    await producer.start()
    try:
        await producer.send_and_wait(pipeline.raw_topic, b"\x00 not json", key=b"poison-1")
        no_title = b'{"id": "poison-2", "body": "no title", "received_at": "2026-01-01T00:00:00Z"}'
        await producer.send_and_wait(pipeline.raw_topic, no_title, key=b"poison-2")
        await producer.send_and_wait(pipeline.raw_topic, choking, key=b"poison-3")
    finally:
        await producer.stop()
    after = api.post("/articles", json=fictional_article(uuid.uuid4().hex[:8])).json()
    wait_for_document(api, after["id"], pipeline)

    poison = {b"poison-1", b"poison-2", b"poison-3"}
    letters = await wait_for_letters(
        pipeline, f"the three poison records on {pipeline.dlq_topic}", lambda found: poison <= {x.key for x in found}
    )
    reasons = {x.key: x for x in letters if x.key in poison}
    assert reasons[b"poison-1"].stage == "decode"
    assert reasons[b"poison-2"].stage == "validate"
    assert reasons[b"poison-2"].headers["newsflow.source.topic"] == pipeline.raw_topic
    assert "title" in reasons[b"poison-2"].error
    assert reasons[b"poison-3"].stage == "nlp"
    assert reasons[b"poison-3"].headers["newsflow.article_id"] == "poison-3"
    assert all(x.attempts == 1 for x in reasons.values()), letters
    assert worker.poll() is None and pipeline.processes["enrich"] is worker  # no crash, no restart loop


async def test_dead_letters_can_be_listed_and_replayed_once(api: httpx.Client, pipeline: Pipeline) -> None:
    kafka, topics = dlq_settings(pipeline)
    producer = AIOKafkaProducer(bootstrap_servers=pipeline.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(pipeline.raw_topic, b"{broken", key=b"replay-me")
    finally:
        await producer.stop()

    letters = await wait_for_letters(
        pipeline, "the dead letter of key replay-me", lambda found: b"replay-me" in {x.key for x in found}
    )
    (letter,) = [x for x in letters if x.key == b"replay-me"]
    assert letter.stage == "decode" and letter.source.startswith(pipeline.raw_topic) and letter.attempts == 1

    before = {x.letter_id: x.attempts for x in letters if x.stage == "decode"}
    assert await replay_dead_letters(kafka, topics, stage="decode") == len(before) >= 1

    def decode_attempts(found: list[Letter]) -> dict[str, int]:
        return {x.letter_id: x.attempts for x in found if x.stage == "decode"}

    # Still broken: the worker dead-letters each again, as the same letter with one more attempt, no copy.
    raised = {letter_id: attempts + 1 for letter_id, attempts in before.items()}
    letters = await wait_for_letters(
        pipeline,
        f"each replayed decode letter once, with one more attempt: {raised}",
        lambda found: all(decode_attempts(found).get(i, 0) >= n for i, n in raised.items()),
    )
    assert decode_attempts(letters) == raised
    # Each letter is replayed once per failure: the next replay sends the updated letters, once each.
    assert await replay_dead_letters(kafka, topics, stage="decode") == len(before)
