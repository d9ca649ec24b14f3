"""The worker's decode step for articles given as HTML: extracted, or dead-lettered at stage ``extract``."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from enrich_service.dead_letters import DeadLetter, Incoming
from enrich_service.processor import decode
from tests.html_pages import ARTICLE_SENTENCES, CHROME_STRINGS, empty_page, news_page
from tests.unit.worker.test_processor import Sinks

NOW = datetime(2026, 3, 4, 12, tzinfo=UTC)


def record(offset: int, **fields: object) -> Incoming:
    value = {"id": f"p{offset}", "received_at": NOW.isoformat(), **fields}
    return Incoming(value=json.dumps(value).encode(), key=None, topic="articles.raw", partition=0, offset=offset)


def test_an_html_article_is_decoded_into_its_extracted_text_keeping_the_page() -> None:
    article = decode(record(0, html=news_page(), url="https://courier.example/news/barrier"))
    assert not isinstance(article, DeadLetter), article
    assert article.title == "Port Elvaran approves a flood barrier"
    assert article.body.startswith(ARTICLE_SENTENCES[0])
    assert not [c for c in CHROME_STRINGS if c in article.body]
    assert article.authors == ["Helena Stroud"] and article.published_at is not None
    assert article.html == news_page()  # a replay can extract again from the source


def test_fields_the_client_sent_win_over_the_page_s() -> None:
    sent = {"title": "Sent title", "authors": ["A. Reporter"], "published_at": "2026-01-02T03:04:05Z", "language": "en"}
    article = decode(record(0, html=news_page(), **sent))
    assert not isinstance(article, DeadLetter), article
    assert article.title == "Sent title" and article.authors == ["A. Reporter"] and article.language == "en"
    assert article.published_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with_body = decode(record(1, html=news_page(), body="The client's own text."))
    assert not isinstance(with_body, DeadLetter), with_body
    assert with_body.body == "The client's own text." and with_body.title == "Port Elvaran approves a flood barrier"


def test_a_text_article_is_decoded_as_before() -> None:
    article = decode(record(0, title="T", body="Body."))
    assert not isinstance(article, DeadLetter) and article.body == "Body." and article.html is None


async def test_a_page_without_article_text_is_dead_lettered_at_stage_extract_saying_why() -> None:
    sinks = Sinks()
    report = await sinks.processor().process(
        [record(0, html=empty_page(), url="https://courier.example/"), record(1, html=news_page())]
    )
    assert report.indexed == 1 and report.dead == 1
    (letter,) = sinks.dead
    assert letter.stage == "extract" and letter.article_id == "p0"
    assert "no article text found in the HTML" in letter.error and "https://courier.example/" in letter.error
    (enriched,) = sinks.enriched
    assert ARTICLE_SENTENCES[1] in enriched.body
    assert "html" not in json.loads(enriched.model_dump_json())  # kept out of the index and articles.enriched
