"""Hostile bytes never reach a 5xx: odd JSON, raw bytes and arbitrary values in every field, on both
endpoints and all three body forms (one article, a JSON array, NDJSON). In process, with a publisher that
serialises each record as the real one does, so "published" means "would be on articles.raw"."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest_service.app import create_app
from ingest_service.body import MAX_DEPTH, nesting_depth
from ingest_service.errors import PublishError
from ingest_service.publisher import Published
from ingest_service.settings import IngestSettings
from schemas.articles import RawArticle

from .hostile import ARTICLE, JSON, NDJSON, ODD, body_forms, nested

FIELDS = ("title", "body", "url", "source", "published_at", "language", "authors", "id")


class SerialisingPublisher:
    """Counts what would reach Kafka; serialises each record exactly as the real publisher does."""

    def __init__(self) -> None:
        self.published: list[bytes] = []

    async def start(self) -> None: ...
    async def stop(self) -> None: ...

    async def ready(self) -> bool:
        return True

    async def publish(self, article: RawArticle) -> Published:
        self.published.append(article.model_dump_json().encode("utf-8"))
        return Published(article.id, "articles.raw", 0, len(self.published) - 1)

    async def publish_many(self, articles: Sequence[RawArticle]) -> list[Published | PublishError]:
        return [await self.publish(a) for a in articles]


async def _post(path: str, content: bytes, content_type: str) -> tuple[int, Any, int]:
    publisher = SerialisingPublisher()
    app = create_app(IngestSettings(max_body_bytes=200_000, max_batch_items=50), publisher)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ingest") as client:
        response = await client.post(path, content=content, headers={"content-type": content_type})
    return response.status_code, response.json(), len(publisher.published)


def post(path: str, content: bytes, content_type: str = JSON) -> tuple[int, Any, int]:
    """(status, JSON answer, records published) for one request; asserts the contract every answer keeps."""
    status, answer, published = asyncio.run(_post(path, content, content_type))
    assert status < 500, (status, answer)
    if path == "/articles":
        assert published == (1 if status == 202 else 0), (status, answer)
    else:
        accepted = sum(1 for r in answer.get("results", []) if r["status"] == 202)
        assert published == accepted, answer
    return status, answer, published


@pytest.mark.parametrize("name", sorted(ODD))
@pytest.mark.parametrize("form", [0, 1, 2], ids=["single", "json-array", "ndjson"])
def test_odd_json_gets_a_4xx_or_is_accepted_never_a_5xx(name: str, form: int) -> None:
    path, content, content_type = body_forms(ODD[name])[form]
    post(path, content, content_type)


def test_each_hostile_class_gets_the_documented_answer() -> None:
    def single(name: str) -> tuple[int, Any]:
        status, answer, _ = post("/articles", ODD[name])
        return status, answer

    assert single("deep nesting in a field")[0] == 400
    assert "deep" in single("deep nesting in a field")[1]["error"]
    status, answer = single("lone surrogate in the title")
    assert status == 422 and answer["errors"][0]["field"] == "title" and "surrogate" in answer["errors"][0]["message"]
    status, answer = single("5,000-digit number as published_at")
    assert status == 422 and answer["errors"][0]["field"] == "published_at"
    assert single("NaN")[0] == 400 and single("duplicate keys")[0] == 400
    assert single("UTF-8 BOM")[0] == 202
    assert single("UTF-16 with BOM")[0] == 400 and "UTF-8" in single("UTF-16 with BOM")[1]["error"]
    assert single("NUL in the title")[0] == 202  # control characters are removed, not refused


def test_control_characters_are_removed_from_what_is_published() -> None:
    publisher = SerialisingPublisher()

    async def go() -> None:
        app = create_app(IngestSettings(), publisher)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://i") as client:
            response = await client.post("/articles", content=ODD["NUL in the title"], headers={"content-type": JSON})
            assert response.status_code == 202

    asyncio.run(go())
    record = json.loads(publisher.published[0])
    assert (record["title"], record["body"]) == ("Harbour plan", "body")


def test_nesting_depth_ignores_brackets_inside_strings() -> None:
    assert nesting_depth('{"a": ["[[[[", {"b": "}}"}]}') == 3
    assert nesting_depth(nested(MAX_DEPTH + 1)) == MAX_DEPTH + 1


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(content=st.binary(max_size=300), form=st.sampled_from(["single", "json-array", "ndjson"]))
def test_raw_bytes_never_get_a_5xx(content: bytes, form: str) -> None:
    path, content_type = {"single": ("/articles", JSON), "json-array": ("/articles/batch", JSON)}.get(
        form, ("/articles/batch", NDJSON)
    )
    post(path, content, content_type)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@PROPERTY
@given(field=st.sampled_from(FIELDS), value=JSON_VALUES, form=st.integers(0, 2))
def test_any_json_value_in_any_field_never_gets_a_5xx(field: str, value: Any, form: int) -> None:
    article_json = json.dumps({**ARTICLE, field: value}).encode()
    post(*body_forms(article_json)[form])


@PROPERTY
@given(
    field=st.sampled_from(("title", "body", "source", "authors")),
    text=st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=40),
)
def test_any_unicode_including_surrogates_and_controls_never_gets_a_5xx(field: str, text: str) -> None:
    value: Any = [text] if field == "authors" else text
    for form in body_forms(json.dumps({**ARTICLE, field: value}).encode()):
        post(*form)
