"""Bulk indexing into Elasticsearch, idempotent by article id, with retries for what is transient.

A bulk call answers 200 while single items fail, so every item is checked: 429 and 5xx items are
retried (only those), items Elasticsearch rejects as malformed are returned to the caller (they go to
the dead-letter topic). One attempt is one bulk of what is still pending; the retry policy
(``adapters.retry``) repeats it, with backoff and without end, while Elasticsearch is unreachable,
answers a transient status or throttles items, so the worker stops advancing instead of dropping
articles.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch

from adapters.elastic import ensure_index, outdated_index
from adapters.retry import ES_TRANSIENT_STATUS, ES_UNREACHABLE, RetryPolicy
from schemas.articles import EnrichedArticle
from schemas.search_document import to_search_document

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rejected:
    article_id: str
    reason: str


class Unfinished(Exception):
    """A bulk left articles to index again: some were throttled, or the whole bulk answered a transient
    status. ``pending`` holds the ids still to index (transient: the retry policy sends them again)."""

    def __init__(self, pending: list[str], why: str) -> None:
        super().__init__(f"{len(pending)} articles {why}")
        self.pending = pending


#: What one bulk attempt may raise and still be worth repeating.
BULK_TRANSIENT = (*ES_UNREACHABLE, Unfinished)


class Indexer:
    def __init__(
        self,
        es: AsyncElasticsearch,
        alias: str,
        policy: RetryPolicy,
        *,
        ensure_alias: bool = True,
        replicas: Mapping[str, str | int] | None = None,
    ) -> None:
        """Index into ``alias`` (created with its first index on first use, with ``replicas``); with
        ``ensure_alias=False`` ``alias`` may name a concrete index that the caller has prepared (a replay's
        new index)."""
        self._es = es
        self._replicas = replicas
        self._alias = alias
        self._policy = policy
        self._index_ready = not ensure_alias

    async def _ensure_index(self) -> None:
        if not self._index_ready:
            await self._policy.call(
                lambda: ensure_index(self._es, self._alias, self._replicas),
                what=f"preparing {self._alias}",
                transient=ES_UNREACHABLE,
            )
            warning = await self._policy.call(
                lambda: outdated_index(self._es, self._alias), what=f"checking {self._alias}", transient=ES_UNREACHABLE
            )
            if warning:
                logger.warning("%s", warning)
            self._index_ready = True

    @property
    def alias(self) -> str:
        return self._alias

    async def index(self, articles: list[EnrichedArticle]) -> list[Rejected]:
        """Index every article; returns those Elasticsearch refused for good (each once)."""
        await self._ensure_index()
        pending = {a.id: a for a in articles}
        rejected: list[Rejected] = []
        if pending:
            await self._policy.call(
                lambda: self._bulk(pending, rejected),
                what=f"indexing {len(pending)} articles into {self._alias}",
                transient=BULK_TRANSIENT,
            )
        return rejected

    async def _bulk(self, pending: dict[str, EnrichedArticle], rejected: list[Rejected]) -> None:
        """One bulk of ``pending``; afterwards ``pending`` holds only the throttled articles (``Unfinished``
        is raised when there are any) and refused ones are added to ``rejected``."""
        now = datetime.now(UTC)
        operations: list[dict[str, Any]] = []
        for article in pending.values():
            operations.append({"index": {"_index": self._alias, "_id": article.id}})
            operations.append(to_search_document(article, indexed_at=now))
        try:
            resp = await self._es.bulk(operations=operations)
        except ApiError as exc:
            if exc.meta.status in ES_TRANSIENT_STATUS:
                raise Unfinished(list(pending), f"not indexed: the bulk answered {exc.meta.status}") from exc
            raise
        throttled: dict[str, EnrichedArticle] = {}
        for item in resp.body["items"]:
            result = item["index"]
            status = result.get("status", 500)
            article_id = result["_id"]
            if status < 300:
                continue
            if status in ES_TRANSIENT_STATUS:
                throttled[article_id] = pending[article_id]
            else:
                reason = result.get("error", {})
                rejected.append(Rejected(article_id, f"{status}: {reason}"))
                logger.error("Elasticsearch rejected article %s into %s: %s", article_id, self._alias, reason)
        pending.clear()
        pending.update(throttled)
        if pending:
            raise Unfinished(list(pending), "throttled (429/5xx)")
