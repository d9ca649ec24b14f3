"""Articles given as HTML pages: what the contract accepts, refuses and derives."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from adapters.limits import MAX_BODY_BYTES
from schemas import ArticleIn, EnrichedArticle
from schemas.articles import MAX_HTML_CHARS, RawArticle
from schemas.export import render

NOW = datetime(2026, 3, 4, tzinfo=UTC)
PAGE = "<html><body><article><p>Text.</p></article></body></html>"


def messages(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " | ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.value.errors())


def test_html_alone_is_an_article_and_keeps_its_page_on_the_raw_topic() -> None:
    raw = ArticleIn(html=PAGE, url="https://courier.example/a").to_raw(NOW)
    assert raw.html == PAGE and raw.title == "" and raw.body == ""
    assert RawArticle.model_validate_json(raw.model_dump_json()) == raw


def test_html_with_a_title_keeps_the_client_s_title() -> None:
    raw = ArticleIn(html=PAGE, title="Sent title").to_raw(NOW)
    assert raw.title == "Sent title" and raw.body == ""


def test_neither_body_nor_html_is_refused_naming_the_fields() -> None:
    with pytest.raises(ValidationError) as exc:
        ArticleIn.model_validate({"url": "https://courier.example/a", "title": "T"})
    assert "body" in messages(exc) and "html" in messages(exc)


def test_a_text_article_still_needs_its_title() -> None:
    with pytest.raises(ValidationError) as exc:
        ArticleIn.model_validate({"body": "Text."})
    assert "title is required" in messages(exc)
    with pytest.raises(ValidationError) as exc:
        ArticleIn.model_validate({"title": " ", "body": "Text."})
    assert "title: Value error, must not be empty" in messages(exc)


def test_html_over_the_http_body_limit_is_refused() -> None:
    assert MAX_HTML_CHARS == MAX_BODY_BYTES
    ArticleIn(html="x" * MAX_HTML_CHARS)
    with pytest.raises(ValidationError) as exc:
        ArticleIn(html="x" * (MAX_HTML_CHARS + 1))
    assert messages(exc).startswith("html: ") and f"at most {MAX_HTML_CHARS}" in messages(exc)


def test_blank_html_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        ArticleIn(html=" \n ")
    assert messages(exc).startswith("html: Value error, must not be empty")


def test_ids_come_from_the_url_else_from_the_page() -> None:
    by_url = ArticleIn(html=PAGE, url="https://courier.example/a?utm_source=x").to_raw(NOW)
    repost = ArticleIn(html=PAGE + "<!-- changed -->", url="https://www.courier.example/a").to_raw(NOW)
    assert by_url.id == repost.id  # a re-post of the page overwrites
    one = ArticleIn(html=PAGE).to_raw(NOW)
    assert one.id == ArticleIn(html=PAGE).to_raw(NOW).id
    assert one.id != ArticleIn(html=PAGE.replace("Text.", "Other.")).to_raw(NOW).id


def test_a_raw_record_without_text_or_html_is_refused() -> None:
    with pytest.raises(ValidationError):
        RawArticle.model_validate({"id": "a", "received_at": NOW.isoformat(), "title": "T", "body": ""})


def test_the_enriched_article_never_carries_the_page() -> None:
    assert "html" in ArticleIn.model_json_schema()["properties"]
    assert "html" in RawArticle.model_json_schema()["properties"]
    assert "html" not in EnrichedArticle.model_json_schema()["properties"]
    assert '"html"' not in render()["enriched_article.schema.json"]
