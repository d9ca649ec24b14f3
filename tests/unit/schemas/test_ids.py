from __future__ import annotations

from datetime import UTC, datetime

from schemas import ArticleIn, canonical_url, derive_article_id

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_links_to_the_same_page_share_a_canonical_url() -> None:
    variants = [
        "https://www.example.com/news/story-1",
        "http://example.com/news/story-1/",
        "https://EXAMPLE.com:443/news/story-1?utm_source=twitter&utm_medium=social",
        "https://example.com/news/story-1#comments",
        "https://example.com//news/story-1?fbclid=abc",
    ]
    assert {canonical_url(v) for v in variants} == {"https://example.com/news/story-1"}


def test_query_parameters_that_identify_content_are_kept_and_sorted() -> None:
    assert canonical_url("https://example.com/a?page=2&id=7") == "https://example.com/a?id=7&page=2"
    assert canonical_url("https://example.com/a?id=7") != canonical_url("https://example.com/a?id=8")


def test_posting_the_same_article_twice_yields_the_same_id() -> None:
    a = ArticleIn(title="Headline", body="Body text.", url="https://example.com/a?utm_campaign=x").to_raw(NOW)
    b = ArticleIn(title="Headline", body="Body text.", url="http://www.example.com/a/").to_raw(NOW)
    assert a.id == b.id


def test_without_url_the_id_comes_from_normalised_title_and_body() -> None:
    a = derive_article_id(url=None, title="Minister “resigns”", body="She said  it\nwas time.")
    b = derive_article_id(url=None, title='minister "resigns"', body="She said it was time.")
    c = derive_article_id(url=None, title="Minister resigns", body="Another text.")
    assert a == b != c


def test_a_client_id_wins() -> None:
    raw = ArticleIn(id="wire-123", title="T", body="B", url="https://example.com/x").to_raw(NOW)
    assert raw.id == "wire-123"


def test_source_defaults_to_the_url_host() -> None:
    raw = ArticleIn(title="T", body="B", url="https://www.harbour-gazette.example/a").to_raw(NOW)
    assert raw.source == "harbour-gazette.example"
    assert raw.received_at == NOW
