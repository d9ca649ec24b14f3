"""``POST /articles`` and ``POST /articles/batch``: validate through the shared models, then publish."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ingest_service.errors import BodyTooLarge, PublishError
from ingest_service.parsing import parse_article, parse_batch
from ingest_service.publisher import Published, Publisher

router = APIRouter()

_ARTICLE_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ArticleIn"}}},
}
_BATCH_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/ArticleIn"}}},
        "application/x-ndjson": {"schema": {"type": "string", "description": "one ArticleIn JSON object per line"}},
    },
}


async def read_limited(request: Request) -> bytes:
    """The request body, refused with 413 as soon as it passes the configured limit."""
    limit: int = request.app.state.settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"request body over the {limit}-byte limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"request body over the {limit}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def _accepted(p: Published) -> dict[str, Any]:
    return {"id": p.id, "topic": p.topic, "partition": p.partition, "offset": p.offset}


@router.post(
    "/articles",
    status_code=202,
    summary="Accept one article",
    openapi_extra={"requestBody": _ARTICLE_BODY},
    responses={
        202: {"description": "Kafka acknowledged the article"},
        422: {"description": "Invalid article"},
        503: {"description": "Kafka unavailable"},
    },
)
async def post_article(request: Request) -> JSONResponse:
    article = parse_article(await read_limited(request), request.headers.get("content-type"))
    publisher: Publisher = request.app.state.publisher
    published = await publisher.publish(article.to_raw(datetime.now(UTC)))
    return JSONResponse(_accepted(published), status_code=202)


@router.post(
    "/articles/batch",
    summary="Accept many articles (JSON array or NDJSON)",
    openapi_extra={"requestBody": _BATCH_BODY},
    responses={200: {"description": "Per-item results"}, 503: {"description": "Kafka unavailable"}},
)
async def post_batch(request: Request) -> JSONResponse:
    settings = request.app.state.settings
    valid, invalid = parse_batch(
        await read_limited(request), request.headers.get("content-type"), settings.max_batch_items
    )
    publisher: Publisher = request.app.state.publisher
    now = datetime.now(UTC)

    # A microsecond apart, so that "received first" follows the order of the batch.
    outcomes = await publisher.publish_many([a.to_raw(now + timedelta(microseconds=i)) for i, a in valid])
    results: list[dict[str, Any]] = [{"index": e.index, "status": 422, "errors": e.errors} for e in invalid]
    for (index, _), outcome in zip(valid, outcomes, strict=True):
        if isinstance(outcome, PublishError):
            results.append({"index": index, "status": 503, "error": outcome.message})
        else:
            results.append({"index": index, "status": 202, **_accepted(outcome)})
    results.sort(key=lambda r: r["index"])
    accepted = sum(1 for r in results if r["status"] == 202)
    if valid and accepted == 0 and not invalid:
        raise PublishError("Kafka did not acknowledge any article of the batch")
    return JSONResponse({"accepted": accepted, "rejected": len(results) - accepted, "results": results})
