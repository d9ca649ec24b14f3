"""Odd request bodies shared by the unit and integration tests of hostile input (invented content)."""

from __future__ import annotations

import json

ARTICLE = {"title": "Harbour to expand", "body": "The Harbour Authority approved the plan.", "authors": ["Ana Roe"]}
JSON, NDJSON = "application/json", "application/x-ndjson"


def body_forms(article_json: bytes) -> list[tuple[str, bytes, str]]:
    """The same article as a single body, a one-item JSON array and one NDJSON line."""
    return [
        ("/articles", article_json, JSON),
        ("/articles/batch", b"[" + article_json + b"]", JSON),
        ("/articles/batch", article_json, NDJSON),
    ]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


ODD = {
    "deep nesting in a field": json.dumps({**ARTICLE}).replace('["Ana Roe"]', nested(5000)).encode(),
    "lone surrogate in the title": b'{"title": "Harbour \\ud800", "body": "b"}',
    "5,000-digit number as published_at": b'{"title": "t", "body": "b", "published_at": ' + b"9" * 5000 + b"}",
    "huge exponent": b'{"title": "t", "body": "b", "published_at": 1e999999}',
    "NaN": b'{"title": "t", "body": "b", "published_at": NaN}',
    "Infinity": b'{"title": "t", "body": "b", "published_at": -Infinity}',
    "UTF-8 BOM": "\ufeff".encode() + json.dumps(ARTICLE).encode(),
    "UTF-16 with BOM": json.dumps(ARTICLE).encode("utf-16"),
    "Latin-1 bytes": '{"title": "Caf\xe9", "body": "b"}'.encode("latin-1"),
    "duplicate keys": b'{"title": "one", "title": "two", "body": "b"}',
    "trailing garbage": json.dumps(ARTICLE).encode() + b" }{ ",
    "empty body": b"",
    "whitespace only": b" \n\t ",
    "NUL in the title": b'{"title": "Harbour\\u0000 plan", "body": "b\\u0007ody"}',
    "a bare string": b'"just a string"',
    "null": b"null",
    "invalid UTF-8": b'{"title": "\xff\xfe", "body": "b"}',
}
