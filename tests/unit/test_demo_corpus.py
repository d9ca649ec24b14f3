"""The fictional demo corpus (demo/articles/) is valid input and its hand-written gold is consistent."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from schemas.articles import ArticleIn
from schemas.ids import canonical_url, derive_article_id, normalise_text

ARTICLES_DIR = Path(__file__).resolve().parents[2] / "demo" / "articles"
GOLD_FILE = ARTICLES_DIR.parent / "expected.json"
ARTICLE_FILES = sorted(p for p in ARTICLES_DIR.glob("*.json") if p != GOLD_FILE)
FIELDS = {"url", "source", "title", "body", "published_at", "language", "authors"}


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _flat(text: str) -> str:
    """Whitespace collapsed, so a hard-wrapped re-post still contains the same phrases."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def gold() -> dict[str, Any]:
    return _load(GOLD_FILE)


@pytest.fixture(scope="module")
def articles() -> dict[str, dict[str, Any]]:
    return {p.name: _load(p) for p in ARTICLE_FILES}


def test_corpus_is_there() -> None:
    assert len(ARTICLE_FILES) == 8
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.json", p.name) for p in ARTICLE_FILES)
    assert (ARTICLES_DIR / "README.md").read_text(encoding="utf-8").count("fiction") >= 2


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=lambda p: p.name)
def test_article_validates_as_article_in(path: Path) -> None:
    data = _load(path)
    assert set(data) == FIELDS, "exactly the documented fields, and no id (it is derived from the url)"
    article = ArticleIn.model_validate(data)
    assert article.id is None
    assert article.language == "en"
    assert article.authors
    assert article.published_at is not None and article.published_at.year == 2026
    assert data["published_at"].endswith("Z")
    assert 200 <= len(article.body.split()) <= 450
    assert "\n\n" in article.body


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=lambda p: p.name)
def test_article_is_labelled_fiction(path: Path) -> None:
    data = _load(path)
    assert data["source"].endswith("(fictional)")
    host = urlsplit(data["url"]).hostname or ""
    assert urlsplit(data["url"]).scheme == "https"
    assert host.endswith(".example"), "the .example TLD is reserved: no real outlet can own it"


def test_urls_and_ids_are_unique(articles: dict[str, dict[str, Any]]) -> None:
    urls = [canonical_url(a["url"]) for a in articles.values()]
    assert len(set(urls)) == len(urls)
    ids = {derive_article_id(url=a["url"], title=a["title"], body=a["body"]) for a in articles.values()}
    assert len(ids) == len(articles)


def test_gold_covers_exactly_the_article_files(gold: dict[str, Any]) -> None:
    assert set(gold["articles"]) == {p.name for p in ARTICLE_FILES}
    for copy, original in (gold["exact_duplicates"] | gold["near_duplicates"]).items():
        assert (ARTICLES_DIR / copy).is_file()
        assert (ARTICLES_DIR / original).is_file()
        assert copy != original


def test_gold_names_and_quotes_occur_in_the_text(gold: dict[str, Any], articles: dict[str, dict[str, Any]]) -> None:
    for name, expected in gold["articles"].items():
        body = _flat(articles[name]["body"])
        for key in ("people", "organizations", "places", "groups", "events"):
            for entity in expected[key]:
                assert entity in body, f"{name}: {key} {entity!r} is not in the body"
        assert expected["people"], name
        assert expected["quotes"], name
        for quote in expected["quotes"]:
            assert quote["speaker_type"] in ("PERSON", "ORG")
            assert quote["kind"] in ("direct", "partial")
            assert _flat(quote["text_start"]) in body, f"{name}: quote {quote['text_start']!r} not found"
            known = expected["people"] if quote["speaker_type"] == "PERSON" else expected["organizations"]
            assert quote["speaker"] in known, f"{name}: speaker {quote['speaker']!r} not listed"
        for line in expected.get("boilerplate", []):
            assert line in articles[name]["body"]


def test_people_aliases_are_used(gold: dict[str, Any], articles: dict[str, dict[str, Any]]) -> None:
    everything = " ".join(_flat(a["body"]) for a in articles.values())
    listed = {p for e in gold["articles"].values() for p in e["people"]}
    assert set(gold["people_aliases"]) == listed
    for aliases in gold["people_aliases"].values():
        for alias in aliases:
            assert alias in everything, alias


def test_exact_duplicate_is_the_same_text(gold: dict[str, Any], articles: dict[str, dict[str, Any]]) -> None:
    assert gold["exact_duplicates"]
    for copy, original in gold["exact_duplicates"].items():
        a, b = articles[original], articles[copy]
        assert a["url"] != b["url"]
        assert a["body"] != b["body"], "the re-post differs in whitespace and quote marks"
        assert normalise_text(a["title"]) == normalise_text(b["title"])
        assert normalise_text(a["body"]) == normalise_text(b["body"])
        assert a["published_at"] < b["published_at"]


def _shingles(text: str, k: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", normalise_text(text))
    return {tuple(words[i : i + k]) for i in range(len(words) - k + 1)}


def test_near_duplicate_is_close_but_not_equal(gold: dict[str, Any], articles: dict[str, dict[str, Any]]) -> None:
    assert gold["near_duplicates"]
    for copy, original in gold["near_duplicates"].items():
        a, b = articles[original], articles[copy]
        assert normalise_text(a["title"]) != normalise_text(b["title"])
        assert normalise_text(a["body"]) != normalise_text(b["body"])
        sa, sb = _shingles(a["body"]), _shingles(b["body"])
        assert 0.6 <= len(sa & sb) / len(sa | sb) < 0.95
        assert a["published_at"] < b["published_at"]


def test_other_articles_are_not_near_each_other(gold: dict[str, Any], articles: dict[str, dict[str, Any]]) -> None:
    copies = set(gold["exact_duplicates"]) | set(gold["near_duplicates"])
    originals = sorted(name for name in articles if name not in copies)
    for i, x in enumerate(originals):
        for y in originals[i + 1 :]:
            sx, sy = _shingles(articles[x]["body"]), _shingles(articles[y]["body"])
            assert len(sx & sy) / len(sx | sy) < 0.1, (x, y)
