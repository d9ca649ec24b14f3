"""Search over the articles alias: the Elasticsearch side of ``GET /search`` and ``newsflow search``."""

from __future__ import annotations

import logging
from typing import Any

from elasticsearch import AsyncElasticsearch, NotFoundError, TransportError
from elasticsearch import ConnectionError as ESConnectionError

from ingest_service.errors import NotFound, SearchUnavailable
from ingest_service.queries import FACET_FIELDS, SearchParams, search_body

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
        except (ESConnectionError, TransportError) as exc:
            logger.warning("search on %s failed: %s", self._alias, exc)
            raise SearchUnavailable("Elasticsearch is not reachable") from exc
        return shape_results(resp.body, params)

    async def get(self, article_id: str) -> dict[str, Any]:
        try:
            resp = await self._es.get(index=self._alias, id=article_id)
        except NotFoundError as exc:
            raise NotFound(f"no article with id {article_id}") from exc
        except (ESConnectionError, TransportError) as exc:
            raise SearchUnavailable("Elasticsearch is not reachable") from exc
        source: dict[str, Any] = resp.body["_source"]
        return source


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
    facets = {
        name: [{"value": b["key"], "count": b["doc_count"]} for b in aggs.get(name, {}).get("buckets", [])]
        for name in FACET_FIELDS
    }
    facets["published"] = [
        {"value": b["key_as_string"], "count": b["doc_count"]} for b in aggs.get("published", {}).get("buckets", [])
    ]
    result: dict[str, Any] = {"total": body["hits"]["total"]["value"], "hits": hits, "facets": facets}
    if params.collapse:
        result["stories"] = aggs.get("stories", {}).get("value")
    return result
