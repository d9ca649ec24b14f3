"""HTML pages -> the article's text and metadata, without the page around it."""

from __future__ import annotations

from datetime import UTC, datetime

from enrich_service.extraction import extract
from tests.html_pages import ARTICLE_SENTENCES, CHROME_STRINGS, empty_page, news_page


def test_the_article_paragraphs_are_kept_and_the_page_chrome_dropped() -> None:
    page = extract(news_page(), "https://courier.example/news/flood-barrier")
    assert page is not None
    missing = [s for s in ARTICLE_SENTENCES if s not in page.text]
    assert not missing, f"article sentences lost: {missing}\n---\n{page.text}"
    kept = [c for c in CHROME_STRINGS if c in page.text]
    assert not kept, f"page chrome kept: {kept}\n---\n{page.text}"


def test_paragraphs_are_separated_by_blank_lines_and_the_headline_is_not_repeated() -> None:
    page = extract(news_page(), None)
    assert page is not None
    paragraphs = page.text.split("\n\n")
    assert paragraphs[0] == ARTICLE_SENTENCES[0]
    assert paragraphs[1] == ARTICLE_SENTENCES[1]
    assert all(p.strip() == p and "\n" not in p for p in paragraphs)


def test_title_byline_and_date_come_from_the_page() -> None:
    page = extract(news_page("Harbour gates approved"), "https://courier.example/news/gates")
    assert page is not None
    assert page.title == "Harbour gates approved"
    assert page.authors == ["Helena Stroud"]
    assert page.published_at == datetime(2026, 3, 4, 9, 30, tzinfo=UTC)


def test_a_page_without_article_text_gives_nothing() -> None:
    assert extract(empty_page(), "https://courier.example/") is None
    assert extract("<html><body></body></html>", None) is None
    assert extract("not html at all <<<", None) is None
