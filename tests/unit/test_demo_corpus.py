"""The fictional demo corpus (demo/articles/) is valid input and its hand-written gold is consistent.

The gold, demo/expected.json, is in the format of tests/gold/README.md (test_gold_files checks that too).
"""

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
# Lines that are not part of the story (a cleaner should drop them): no gold may come from them.
BOILERPLATE = {
    "03_varrow_wind_farm.json": [
        "Reading Time: 2 minutes",
        "Share this article",
        "© 2026 Selka Valley Post (fictional). All rights reserved.",
    ],
    "08_cod_quota_syndicated.json": [
        "This article first appeared in the Kestrania Morning Star (fictional) and is republished under a "
        "content-sharing agreement."
    ],
}


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


def _duplicates(gold: dict[str, Any], kind: str) -> list[tuple[str, str]]:
    """(copy, original) file names of the pairs of one kind in the gold's dedup block."""
    return [(Path(c).name, Path(o).name) for c, o, k in gold["dedup"]["duplicates"] if k == kind]


def test_gold_covers_exactly_the_article_files(gold: dict[str, Any]) -> None:
    sources = [a["source"] for a in gold["articles"]]
    assert sources == [f"demo/articles/{p.name}" for p in ARTICLE_FILES]
    assert set(gold) <= {"description", "articles", "dedup"}
    for copy, original, kind in gold["dedup"]["duplicates"]:
        assert kind in ("exact", "near")
        assert copy in sources and original in sources
        assert copy != original
    assert _duplicates(gold, "exact") == [("07_brennick_storm_flood_repost.json", "04_brennick_storm_flood.json")]
    assert _duplicates(gold, "near") == [("08_cod_quota_syndicated.json", "02_cod_quota_dispute.json")]


def test_gold_names_and_quotes_occur_in_the_text(gold: dict[str, Any], articles: dict[str, dict[str, Any]]) -> None:
    for expected in gold["articles"]:
        name = Path(expected["source"]).name
        text = _flat(articles[name]["title"] + " " + articles[name]["body"])
        entities = expected["entities"]
        assert set(entities) == {"PERSON", "ORG", "GPE"}, name
        for kind, names in entities.items():
            for entity in names:
                assert any(v in text for v in entity.split("|")), f"{name}: {kind} {entity!r} is not in the text"
        assert entities["PERSON"], name
        assert expected["quotes"], name
        for quote in expected["quotes"]:
            assert quote["kind"] in ("direct", "partial", "indirect")
            assert quote["text"] in text, f"{name}: quote {quote['text']!r} not found"
            assert quote["speaker"], f"{name}: every demo quote is attributed"
            assert any(s.casefold() in text.casefold() for s in quote["speaker"]), quote["speaker"]
        excerpts = [q["text"] for q in expected["quotes"]]
        for line in BOILERPLATE.get(name, []):
            assert line in articles[name]["body"]
            assert not any(e in line for e in excerpts), f"{name}: a quote taken from boilerplate"


def test_people_aliases_are_used(gold: dict[str, Any], articles: dict[str, dict[str, Any]]) -> None:
    everything = " ".join(_flat(a["body"]) for a in articles.values())
    for expected in gold["articles"]:
        for person in expected["entities"]["PERSON"]:
            for alias in person.split("|"):
                assert alias in everything, alias


def test_exact_duplicate_is_the_same_text(gold: dict[str, Any], articles: dict[str, dict[str, Any]]) -> None:
    assert _duplicates(gold, "exact")
    for copy, original in _duplicates(gold, "exact"):
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
    assert _duplicates(gold, "near")
    for copy, original in _duplicates(gold, "near"):
        a, b = articles[original], articles[copy]
        assert normalise_text(a["title"]) != normalise_text(b["title"])
        assert normalise_text(a["body"]) != normalise_text(b["body"])
        sa, sb = _shingles(a["body"]), _shingles(b["body"])
        assert 0.6 <= len(sa & sb) / len(sa | sb) < 0.95
        assert a["published_at"] < b["published_at"]


def test_other_articles_are_not_near_each_other(gold: dict[str, Any], articles: dict[str, dict[str, Any]]) -> None:
    copies = {copy for copy, _ in _duplicates(gold, "exact") + _duplicates(gold, "near")}
    originals = sorted(name for name in articles if name not in copies)
    for i, x in enumerate(originals):
        for y in originals[i + 1 :]:
            sx, sy = _shingles(articles[x]["body"]), _shingles(articles[y]["body"])
            assert len(sx & sy) / len(sx | sy) < 0.1, (x, y)
