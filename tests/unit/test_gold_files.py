"""The hand-written gold (tests/gold/*.gold.json, demo/expected.json, ../shared/samples/gold.json) follows
tests/gold/README.md.

These checks catch what hand-editing gets wrong: a key misspelt, a quote excerpt with a typo (it must
occur verbatim, within one paragraph, in its article), an entity listed twice, a speaker or entity name
that is nowhere in the article, an article file that does not exist. The real sample articles live
outside the project (``../shared/samples/seeds``), with their gold beside them: where ``../shared`` is
absent these tests fail saying so (CI always has it).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from schemas.articles import ArticleIn

ROOT = Path(__file__).resolve().parents[2]
GOLD_DIR = ROOT / "tests" / "gold"
GOLD_ARTICLES_DIR = GOLD_DIR / "articles"
SHARED_DIR = ROOT.parent / "shared"
SEEDS_DIR = SHARED_DIR / "samples" / "seeds"
SAMPLES_GOLD = SHARED_DIR / "samples" / "gold.json"
GOLD_FILES = [SAMPLES_GOLD, *sorted(GOLD_DIR.glob("*.gold.json")), ROOT / "demo" / "expected.json"]
FICTIONAL_ARTICLES = sorted(GOLD_ARTICLES_DIR.glob("*.json"))

ENTITY_TYPES = {"PERSON", "ORG", "GPE"}
KINDS = {"direct", "partial", "indirect"}
DEDUP_KINDS = {"exact", "near"}
ARTICLE_FIELDS = {"url", "source", "title", "body", "published_at", "language", "authors"}
MAX_QUOTE_WORDS = 12


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path.relative_to(ROOT.parent))


def _load(path: Path) -> Any:
    if path.is_relative_to(SHARED_DIR) and not path.exists():
        pytest.fail(f"{path} is missing: the seed articles and their gold live in ../shared beside the checkout")
    return json.loads(path.read_text(encoding="utf-8"))


def _flat(text: str) -> str:
    """Whitespace collapsed, so a hard-wrapped article still contains its phrases."""
    return " ".join(text.split())


def _source_path(source: str) -> Path:
    if source.startswith("seeds:"):
        return SEEDS_DIR / source.removeprefix("seeds:")
    return ROOT / source


def _article_text(source: str) -> str:
    """Headline and body as a reader sees them: a seed file as it is, a JSON article as title + body."""
    path = _source_path(source)
    if source.startswith("seeds:"):
        return path.read_text(encoding="utf-8")
    data = _load(path)
    return f"{data['title']}\n\n{data['body']}"


def _paragraphs(text: str) -> list[str]:
    return [_flat(p) for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def _cases() -> list[Any]:
    cases = []
    for path in GOLD_FILES:
        if not path.exists():
            cases.append(pytest.param(path, 0, id=f"{path.name}:missing"))
            continue
        for i, article in enumerate(_load(path).get("articles", [])):
            source = article.get("source", "?") if isinstance(article, dict) else "?"
            cases.append(pytest.param(path, i, id=f"{path.name}:{source}"))
    return cases


CASES = _cases()


@pytest.fixture(scope="module", params=GOLD_FILES, ids=_rel)
def gold_file(request: pytest.FixtureRequest) -> tuple[Path, dict[str, Any]]:
    return request.param, _load(request.param)


def test_the_gold_files_are_there() -> None:
    assert SAMPLES_GOLD.is_file(), f"{SAMPLES_GOLD} is missing: the seeds' gold lives in ../shared beside the checkout"
    assert not (GOLD_DIR / "samples.gold.json").exists(), "the seeds' gold is ../shared/samples/gold.json, not a copy"
    names = {p.name for p in GOLD_FILES}
    assert {"gold.json", "fictional.gold.json", "expected.json"} <= names
    assert len(FICTIONAL_ARTICLES) >= 8


def test_file_layout(gold_file: tuple[Path, dict[str, Any]]) -> None:
    path, gold = gold_file
    assert set(gold) <= {"description", "articles", "dedup"}, path
    assert isinstance(gold.get("description"), str) and gold["description"].strip()
    assert isinstance(gold["articles"], list) and gold["articles"]
    sources = [a["source"] for a in gold["articles"]]
    assert len(sources) == len(set(sources)), "an article is listed twice"


@pytest.mark.parametrize(("path", "index"), CASES)
def test_article_entry_format(path: Path, index: int) -> None:
    article = _load(path)["articles"][index]
    assert set(article) == {"source", "entities", "quotes"}
    source = article["source"]
    assert isinstance(source, str)
    assert source.startswith("seeds:") or not Path(source).is_absolute()
    entities = article["entities"]
    assert isinstance(entities, dict) and set(entities) <= ENTITY_TYPES, set(entities) - ENTITY_TYPES
    for kind, names in entities.items():
        assert isinstance(names, list), kind
        for name in names:
            assert isinstance(name, str), name
            variants = name.split("|")
            assert all(v and v == v.strip() for v in variants), f"{kind} {name!r}: empty or padded variant"
            assert len(variants) == len(set(variants)), f"{kind} {name!r}: a variant is repeated"
    assert isinstance(article["quotes"], list)
    for quote in article["quotes"]:
        assert set(quote) == {"text", "speaker", "kind"}, quote
        assert quote["kind"] in KINDS, quote
        text = quote["text"]
        assert isinstance(text, str) and text == text.strip() and "\n" not in text, quote
        assert 1 <= len(text.split()) <= MAX_QUOTE_WORDS, f"{text!r}: the excerpt must stay short"
        speaker = quote["speaker"]
        assert speaker is None or (
            isinstance(speaker, list) and speaker and all(isinstance(s, str) and s.strip() for s in speaker)
        ), quote
    texts = [q["text"] for q in article["quotes"]]
    assert len(texts) == len(set(texts)), "the same excerpt is listed twice"


@pytest.mark.parametrize(("path", "index"), CASES)
def test_no_entity_is_listed_twice(path: Path, index: int) -> None:
    article = _load(path)["articles"][index]
    for kind, names in article["entities"].items():
        seen: dict[str, str] = {}
        for name in names:
            for variant in name.split("|"):
                key = variant.casefold()
                assert key not in seen, f"{article['source']}: {kind} {name!r} and {seen.get(key)!r} overlap"
                seen[key] = name


@pytest.mark.parametrize(("path", "index"), CASES)
def test_source_exists_and_excerpts_occur_verbatim(path: Path, index: int) -> None:
    article = _load(path)["articles"][index]
    source = article["source"]
    if source.startswith("seeds:") and not SEEDS_DIR.is_dir():
        pytest.fail(f"{SEEDS_DIR} is missing: the seed articles live in ../shared beside the checkout")
    assert _source_path(source).is_file(), f"{source} does not exist"
    text = _article_text(source)
    paragraphs = _paragraphs(text)
    flat_lower = _flat(text).casefold()
    for quote in article["quotes"]:
        assert any(quote["text"] in p for p in paragraphs), f"{source}: {quote['text']!r} is not in one paragraph"
        if quote["speaker"] is not None:
            assert any(s.casefold() in flat_lower for s in quote["speaker"]), (
                f"{source}: no name of the speaker {quote['speaker']!r} is in the article"
            )
    flat = _flat(text)
    for kind, names in article["entities"].items():
        for name in names:
            assert any(v in flat for v in name.split("|")), f"{source}: {kind} {name!r} is not in the article"


def test_dedup_block(gold_file: tuple[Path, dict[str, Any]]) -> None:
    path, gold = gold_file
    if "dedup" not in gold:
        return
    sources = {a["source"] for a in gold["articles"]}
    dedup = gold["dedup"]
    assert set(dedup) <= {"duplicates", "same_event_not_duplicates"}, path
    for copy, original, kind in dedup.get("duplicates", []):
        assert kind in DEDUP_KINDS
        assert copy != original
        assert {copy, original} <= sources, "a duplicate pair names an article that has no gold"
    for pair in dedup.get("same_event_not_duplicates", []):
        assert len(pair) == 2 and pair[0] != pair[1]
        assert set(pair) <= sources


def test_samples_gold_covers_the_five_seeds() -> None:
    gold = _load(SAMPLES_GOLD)
    sources = {a["source"] for a in gold["articles"]}
    assert len(sources) == 5 and all(s.startswith("seeds:") for s in sources)
    assert gold["dedup"]["same_event_not_duplicates"] == [
        ["seeds:001_a427199928c5f6c1.txt", "seeds:003_82a298d765422ea0.txt"]
    ]
    assert sources == {f"seeds:{p.name}" for p in SEEDS_DIR.glob("*.txt")}


def test_every_fictional_article_has_gold() -> None:
    covered = {
        a["source"] for path in GOLD_FILES for a in _load(path)["articles"] if not a["source"].startswith("seeds:")
    }
    assert {_rel(p) for p in FICTIONAL_ARTICLES} <= covered


@pytest.mark.parametrize("path", FICTIONAL_ARTICLES, ids=lambda p: p.name)
def test_fictional_article_is_valid_and_labelled(path: Path) -> None:
    data = _load(path)
    assert set(data) == ARTICLE_FIELDS, "exactly the documented fields, and no id (it is derived from the url)"
    article = ArticleIn.model_validate(data)
    assert article.language == "en"
    assert article.authors
    assert article.published_at is not None
    assert data["published_at"].endswith("Z")
    assert "\n\n" in article.body
    assert 250 <= len(article.body.split()) <= 500
    assert data["source"].endswith("(fictional)")
    parts = urlsplit(data["url"])
    assert parts.scheme == "https"
    assert (parts.hostname or "").endswith(".example"), "the .example TLD is reserved: no real outlet can own it"


def test_fictional_urls_are_unique() -> None:
    urls = [_load(p)["url"] for p in FICTIONAL_ARTICLES]
    assert len(urls) == len(set(urls))
