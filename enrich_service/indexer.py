"""Bulk indexing into Elasticsearch, idempotent by article id, with retries for what is transient.

A bulk call answers 200 while single items fail, so every item is checked: 429 and 5xx items are
retried (only those), items Elasticsearch rejects as malformed are returned to the caller (they go to
the dead-letter topic). While Elasticsearch is unreachable the call keeps retrying with backoff and
does not return, so the worker stops advancing instead of dropping articles.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, ConnectionTimeout
from elasticsearch import ConnectionError as ESConnectionError

from enrich_service.backoff import Backoff
from newsflow.elastic import ensure_index, outdated_index
from schemas.articles import EnrichedArticle
from schemas.search_document import to_search_document

logger = logging.getLogger(__name__)

_TRANSIENT_STATUS = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Rejected:
    article_id: str
    reason: str


class Indexer:
    def __init__(self, es: AsyncElasticsearch, alias: str, backoff: Backoff, *, ensure_alias: bool = True) -> None:
        """Index into ``alias`` (created with its first index on first use); with ``ensure_alias=False``
        ``alias`` may name a concrete index that the caller has prepared (a replay's new index)."""
        self._es = es
        self._alias = alias
        self._backoff = backoff
        self._index_ready = not ensure_alias

    async def _ensure_index(self) -> None:
        if not self._index_ready:
            await self._backoff.retrying(lambda: ensure_index(self._es, self._alias), what=f"preparing {self._alias}")
            warning = await self._backoff.retrying(
                lambda: outdated_index(self._es, self._alias), what=f"checking {self._alias}"
            )
            if warning:
                logger.warning("%s", warning)
            self._index_ready = True

    @property
    def alias(self) -> str:
        return self._alias

    async def index(self, articles: list[EnrichedArticle]) -> list[Rejected]:
        await self._ensure_index()
        pending = {a.id: a for a in articles}
        rejected: list[Rejected] = []
        attempt = 0
        while pending:
            now = datetime.now(UTC)
            operations: list[dict[str, Any]] = []
            for article in pending.values():
                operations.append({"index": {"_index": self._alias, "_id": article.id}})
                operations.append(to_search_document(article, indexed_at=now))
            try:
                resp = await self._es.bulk(operations=operations)
            except (ESConnectionError, ConnectionTimeout) as exc:
                attempt += 1
                logger.warning(
                    "Elasticsearch unreachable indexing %s articles into %s (attempt %s): %s",
                    len(pending),
                    self._alias,
                    attempt,
                    exc,
                )
                await self._backoff.sleep(attempt)
                continue
            except ApiError as exc:
                if exc.meta.status in _TRANSIENT_STATUS:
                    attempt += 1
                    logger.warning("bulk into %s answered %s, retrying", self._alias, exc.meta.status)
                    await self._backoff.sleep(attempt)
                    continue
                raise
            retry: dict[str, EnrichedArticle] = {}
            for item in resp.body["items"]:
                result = item["index"]
                status = result.get("status", 500)
                article_id = result["_id"]
                if status < 300:
                    continue
                if status in _TRANSIENT_STATUS:
                    retry[article_id] = pending[article_id]
                else:
                    reason = result.get("error", {})
                    rejected.append(Rejected(article_id, f"{status}: {reason}"))
                    logger.error("Elasticsearch rejected article %s into %s: %s", article_id, self._alias, reason)
            pending = retry
            if pending:
                attempt += 1
                logger.warning("%s items of a bulk into %s were throttled, retrying", len(pending), self._alias)
                await self._backoff.sleep(attempt)
        return rejected
