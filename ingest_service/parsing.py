"""Turning request bodies into validated articles. Pure: bytes in, articles or errors out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ingest_service.body import load_json
from ingest_service.errors import BatchTooLarge, InvalidArticle, MalformedBody, UnsupportedMediaType
from schemas.articles import ArticleIn

JSON_TYPES = ("application/json",)
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/json-seq")


@dataclass(frozen=True)
class ItemError:
    index: int
    errors: list[dict[str, Any]]


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic errors as the client sees them: the field path, what is wrong, and the error type."""
    return [
        {"field": ".".join(str(p) for p in e["loc"]) or "(body)", "message": e["msg"], "type": e["type"]}
        for e in exc.errors(include_url=False, include_input=False)
    ]


def parse_article(raw: bytes, content_type: str | None) -> ArticleIn:
    if media_type(content_type) not in JSON_TYPES:
        raise UnsupportedMediaType("POST /articles takes Content-Type: application/json")
    data = load_json(raw)
    if not isinstance(data, dict):
        raise InvalidArticle("the body must be one JSON object", details=[])
    try:
        return ArticleIn.model_validate(data)
    except ValidationError as exc:
        raise InvalidArticle("the article is invalid", details=validation_errors(exc)) from exc


def parse_batch(
    raw: bytes, content_type: str | None, max_items: int
) -> tuple[list[tuple[int, ArticleIn]], list[ItemError]]:
    """A JSON array or NDJSON body -> (valid items with their index, invalid items with their errors)."""
    kind = media_type(content_type)
    items: list[Any]
    if kind in JSON_TYPES:
        data = load_json(raw)
        if not isinstance(data, list):
            raise MalformedBody("POST /articles/batch takes a JSON array (or NDJSON)")
        items = data
    elif kind in NDJSON_TYPES:
        items = []
        for number, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            items.append(load_json(line, what=f"line {number}"))
    else:
        raise UnsupportedMediaType("POST /articles/batch takes application/json (an array) or application/x-ndjson")
    if len(items) > max_items:
        raise BatchTooLarge(f"a batch holds at most {max_items} articles, this one has {len(items)}")
    valid: list[tuple[int, ArticleIn]] = []
    invalid: list[ItemError] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            invalid.append(ItemError(index, [{"field": "(item)", "message": "must be a JSON object", "type": "type"}]))
            continue
        try:
            valid.append((index, ArticleIn.model_validate(item)))
        except ValidationError as exc:
            invalid.append(ItemError(index, validation_errors(exc)))
    return valid, invalid
