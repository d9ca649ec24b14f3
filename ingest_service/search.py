"""Search over the articles alias: the Elasticsearch side of ``GET /search`` and ``newsflow search``."""

from __future__ import annotations

import logging
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, NotFoundError, TransportError

from ingest_service.errors import NotFound, SearchUnavailable
from ingest_service.queries import FACET_FIELDS, QuoteParams, SearchParams, quotes_body, search_body, shape_quotes

logger = logging.getLogger(__name__)


class ArticleSearch:
    def __init__(self, es: AsyncElasticsearch, alias: str) -> None:
        self._es = es
        self._alias = alias

    async def search(self, params: SearchParams) -> dict[str, Any]:
        try:
            resp = await self._es.search(index=self._alias, body=search_body(params))
        except NotFoundError:
            return {"total": 0, "hits": [], "facets": {}}
        except (ApiError, TransportError) as exc:
            raise _unavailable(exc, f"search on {self._alias}") from exc
        return shape_results(resp.body, params)

    async def quotes(self, params: QuoteParams) -> dict[str, Any]:
        try:
            resp = await self._es.search(index=self._alias, body=quotes_body(params))
        except NotFoundError:
            return {"articles": 0, "quotes": []}
        except (ApiError, TransportError) as exc:
            raise _unavailable(exc, f"quotes on {self._alias}") from exc
        return shape_quotes(resp.body)

    async def get(self, article_id: str) -> dict[str, Any]:
        try:
            resp = await self._es.get(index=self._alias, id=article_id)
        except NotFoundError as exc:
            raise NotFound(f"no article with id {article_id}") from exc
        except (ApiError, TransportError) as exc:
            raise _unavailable(exc, f"get {article_id} from {self._alias}") from exc
        source: dict[str, Any] = resp.body["_source"]
        return source


def _unavailable(exc: ApiError | TransportError, what: str) -> Exception:
    """Elasticsearch unreachable, overloaded or recovering -> 503; anything else is our bug -> re-raised."""
    status = exc.meta.status if isinstance(exc, ApiError) else None
    if status is not None and status < 500 and status != 429:
        return exc
    logger.warning("%s failed: %s", what, exc)
    return SearchUnavailable(f"Elasticsearch is unavailable ({status or 'unreachable'})")


def _bucket(b: dict[str, Any]) -> dict[str, Any]:
    bucket = {"value": b["key"], "count": b["doc_count"]}
    if "stories" in b:
        bucket["stories"] = b["stories"]["value"]
    return bucket


def shape_results(body: dict[str, Any], params: SearchParams) -> dict[str, Any]:
    hits = []
    for h in body["hits"]["hits"]:
        item = dict(h["_source"])
        item["score"] = h.get("_score")
        item["highlight"] = h.get("highlight", {})
        if params.collapse:
            item["copies"] = h.get("inner_hits", {}).get("copies", {}).get("hits", {}).get("total", {}).get("value", 1)
        hits.append(item)
    aggs = body.get("aggregations", {})
    facets = {name: [_bucket(b) for b in aggs.get(name, {}).get("buckets", [])] for name in FACET_FIELDS}
    facets["published"] = [
        {"value": b["key_as_string"], "count": b["doc_count"]} for b in aggs.get("published", {}).get("buckets", [])
    ]
    result: dict[str, Any] = {"total": body["hits"]["total"]["value"], "hits": hits, "facets": facets}
    if params.collapse:
        result["stories"] = aggs.get("stories", {}).get("value")
    return result
