"""Articles posted as HTML pages on real Kafka and Elasticsearch: the article's text is searchable, the
page around it is not; a page with no article in it ends in the dead-letter topic at stage ``extract``."""

from __future__ import annotations

import uuid

import httpx

from adapters.settings import KafkaSettings, TopicSettings
from enrich_service.dead_letters import Letter
from enrich_service.dlq import list_dead_letters
from tests.html_pages import ARTICLE_SENTENCES, CHROME_STRINGS, empty_page, news_page
from tests.integration.conftest import wait_for_document, wait_for_search
from tests.integration.pipeline import Pipeline
from tests.integration.waiting import wait_until_async


def test_a_posted_page_becomes_a_searchable_article_without_its_chrome(api: httpx.Client, pipeline: Pipeline) -> None:
    url = f"https://courier.example/news/flood-barrier-{uuid.uuid4().hex[:8]}"
    response = api.post("/articles", json={"html": news_page(), "url": url})
    assert response.status_code == 202, response.text
    article_id = response.json()["id"]

    doc = wait_for_document(api, article_id, pipeline)
    missing = [s for s in ARTICLE_SENTENCES if s not in doc["clean_body"]]
    assert not missing, f"article sentences not in clean_body: {missing}\n---\n{doc['clean_body']}"
    kept = [c for c in CHROME_STRINGS if c in doc["clean_body"] or c in doc["body"]]
    assert not kept, f"page chrome indexed: {kept}\n---\n{doc['body']}"
    assert doc["title"] == "Port Elvaran approves a flood barrier"
    assert "html" not in doc
    assert "Marta Quennell" in [q["speaker"] for q in doc["quotes"]], doc["quotes"]
    found = wait_for_search(api, {"q": "flood barrier Quennell"}, article_id)
    assert article_id in [h["id"] for h in found["hits"]]

    # The same page posted again under the same url is the same article (a re-post overwrites).
    again = api.post("/articles", json={"html": news_page(), "url": url + "?utm_source=feed"})
    assert again.status_code == 202 and again.json()["id"] == article_id


async def test_a_page_without_article_text_is_dead_lettered_at_stage_extract(
    api: httpx.Client, pipeline: Pipeline
) -> None:
    url = f"https://courier.example/consent-wall-{uuid.uuid4().hex[:8]}"
    response = api.post("/articles", json={"html": empty_page(), "url": url})
    assert response.status_code == 202, response.text
    article_id = response.json()["id"]
    kafka = KafkaSettings(bootstrap_servers=pipeline.kafka_bootstrap)
    topics = TopicSettings(raw=pipeline.raw_topic, enriched=pipeline.enriched_topic, dlq=pipeline.dlq_topic)

    def ours(letters: list[Letter]) -> list[Letter]:
        return [x for x in letters if x.key == article_id.encode()]

    letters = await wait_until_async(
        f"a dead letter for {article_id} ({url})",
        lambda: list_dead_letters(kafka, topics, limit=None),
        lambda letters: bool(ours(letters)),
        timeout_s=120,
        interval_s=0.5,
        show=lambda letters: str([(x.key, x.stage, x.error) for x in letters]),
    )
    (letter,) = ours(letters)
    assert letter.stage == "extract", (letter.stage, letter.error)
    assert "no article text found in the HTML" in letter.error and url in letter.error
    assert api.get(f"/articles/{article_id}").status_code == 404


def test_neither_body_nor_html_is_refused_naming_both(api: httpx.Client) -> None:
    response = api.post("/articles", json={"url": "https://courier.example/x", "title": "T"})
    assert response.status_code == 422
    assert "body" in response.text and "html" in response.text
    schema = api.get("/openapi.json").json()
    assert "html" in schema["components"]["schemas"]["ArticleIn"]["properties"]
