"""``GET /search`` and ``GET /articles/{id}``: what analysts query."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from ingest_service.errors import InvalidQuery
from ingest_service.queries import QuoteParams, SearchParams
from ingest_service.search import ArticleSearch

router = APIRouter()

#: Elasticsearch's index.max_result_window: hits beyond it cannot be paged to.
MAX_RESULT_WINDOW = 10_000


def _check_depth(page: int, size: int) -> None:
    if page * size > MAX_RESULT_WINDOW:
        raise InvalidQuery(
            f"page {page} of {size} reaches past the first {MAX_RESULT_WINDOW} hits; narrow the query instead",
            details=[{"field": "page", "message": f"page x size must be at most {MAX_RESULT_WINDOW}", "type": "range"}],
        )


@router.get("/search", summary="Full-text search with entity facets")
async def search(
    request: Request,
    q: str | None = None,
    person: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads defaults, never mutates
    org: Annotated[list[str], Query()] = [],  # noqa: B006
    place: Annotated[list[str], Query()] = [],  # noqa: B006
    speaker: Annotated[list[str], Query()] = [],  # noqa: B006
    source: Annotated[list[str], Query()] = [],  # noqa: B006
    date_from: Annotated[datetime | None, Query(alias="from")] = None,
    date_to: Annotated[datetime | None, Query(alias="to")] = None,
    collapse: bool = False,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    size: Annotated[int, Query(ge=0, le=100)] = 10,
    facet_size: Annotated[int, Query(ge=1, le=100, description="values per facet")] = 10,
) -> dict[str, Any]:
    _check_depth(page, size)
    searcher: ArticleSearch = request.app.state.search
    params = SearchParams(
        q=q,
        person=person,
        org=org,
        place=place,
        speaker=speaker,
        source=source,
        date_from=date_from,
        date_to=date_to,
        collapse=collapse,
        page=page,
        size=size,
        facet_size=facet_size,
    )
    return await searcher.search(params)


@router.get("/quotes", summary="Quotations by speaker and text, with their article, date and source")
async def quotes(
    request: Request,
    speaker: str | None = None,
    q: str | None = None,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    _check_depth(page, size)
    searcher: ArticleSearch = request.app.state.search
    return await searcher.quotes(QuoteParams(speaker=speaker, q=q, page=page, size=size))


@router.get("/articles/{article_id}", summary="One enriched article")
async def get_article(request: Request, article_id: str) -> dict[str, Any]:
    searcher: ArticleSearch = request.app.state.search
    return await searcher.get(article_id)
