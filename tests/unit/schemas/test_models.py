from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from schemas import ArticleIn, Dedup, EnrichedArticle, Enrichment, Entity, EntityType, Quote
from schemas.export import JSON_DIR, render
from schemas.search_document import index_definition, to_search_document


def _fields(exc: ValidationError) -> set[str]:
    return {".".join(map(str, e["loc"])) for e in exc.errors()}


def test_title_and_body_are_required_and_not_blank() -> None:
    with pytest.raises(ValidationError) as info:
        ArticleIn.model_validate({"title": "  ", "body": ""})
    assert _fields(info.value) == {"title", "body"}


def test_titles_and_bodies_have_length_limits() -> None:
    with pytest.raises(ValidationError) as info:
        ArticleIn.model_validate({"title": "t" * 1_001, "body": "b" * 1_000_001})
    assert _fields(info.value) == {"title", "body"}


def test_unknown_fields_are_refused_not_dropped() -> None:
    with pytest.raises(ValidationError) as info:
        ArticleIn.model_validate({"title": "T", "body": "B", "headline": "typo"})
    assert _fields(info.value) == {"headline"}


@pytest.mark.parametrize("url", ["ftp://example.com/x", "example.com/x", "https://"])
def test_url_must_be_absolute_http(url: str) -> None:
    with pytest.raises(ValidationError):
        ArticleIn(title="T", body="B", url=url)


def test_a_number_is_not_taken_for_a_date() -> None:
    with pytest.raises(ValidationError) as info:
        ArticleIn.model_validate({"title": "T", "body": "B", "published_at": 0})
    assert _fields(info.value) == {"published_at"}


def test_naive_dates_are_taken_as_utc() -> None:
    a = ArticleIn.model_validate({"title": "T", "body": "B", "published_at": "2026-02-01T10:00:00"})
    assert a.published_at == datetime(2026, 2, 1, 10, tzinfo=UTC)


def test_committed_json_schemas_are_current() -> None:
    for name, text in render().items():
        path = JSON_DIR / name
        assert path.exists(), f"{path} missing: run `make schemas`"
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run `make schemas`"


def _mapped_paths(properties: dict[str, object], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for name, spec in properties.items():
        assert isinstance(spec, dict)
        paths.add(prefix + name)
        if "properties" in spec:
            paths |= _mapped_paths(spec["properties"], f"{prefix}{name}.")
    return paths


def _document_paths(value: object, prefix: str = "") -> set[str]:
    paths: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            paths.add(prefix + k)
            paths |= _document_paths(v, f"{prefix}{k}.")
    elif isinstance(value, list):
        for item in value:
            paths |= _document_paths(item, prefix)
    return paths


def test_every_field_of_a_search_document_is_in_the_strict_mapping() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    raw = ArticleIn(title="T", body="B", url="https://example.com/a", authors=["X"]).to_raw(now)
    enriched = EnrichedArticle(
        **raw.model_dump(),
        clean_body="B",
        entities=[Entity(name="Lena Okafor", type=EntityType.PERSON, mentions=2, surface_forms=["Okafor"], spans=[])],
        quotes=[Quote(text="Hi", speaker="Lena Okafor", start=0, end=2, verb="said")],
        dedup=Dedup(content_hash="h", minhash_bands=["b0:1"], cluster_id=raw.id),
        enrichment=Enrichment(version="1", model="m", processed_at=now),
    )
    doc = to_search_document(enriched, indexed_at=now)
    mapping = index_definition()["mappings"]
    assert mapping["dynamic"] == "strict"
    unmapped = {p for p in _document_paths(doc) if not p.startswith("entities.spans.")} - _mapped_paths(
        mapping["properties"]
    )
    assert not unmapped
    assert doc["people"] == ["Lena Okafor"] and doc["quote_speakers"] == ["Lena Okafor"]
