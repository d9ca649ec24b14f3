"""Finding the original an article copies: candidates from Elasticsearch, the decision from the domain.

Candidates are earlier articles with the same content hash or a shared MinHash band key, looked up
for a whole batch in one query; articles earlier in the same batch are candidates too. The choice
among them is ``enrich_service.domain.dedup.resolve_duplicate`` (pure).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from elasticsearch import AsyncElasticsearch, ConnectionTimeout, NotFoundError
from elasticsearch import ConnectionError as ESConnectionError

from enrich_service.backoff import Backoff
from enrich_service.domain.dedup import DedupCandidate, resolve_duplicate, with_decision
from schemas.articles import EnrichedArticle

logger = logging.getLogger(__name__)

_CANDIDATE_FIELDS = [
    "id",
    "received_at",
    "dedup.content_hash",
    "dedup.simhash",
    "dedup.cluster_id",
    "dedup.minhash_bands",
]
_MAX_CANDIDATES = 500


class DuplicateResolver:
    def __init__(self, es: AsyncElasticsearch, alias: str, backoff: Backoff) -> None:
        self._es = es
        self._alias = alias
        self._backoff = backoff

    async def resolve(self, articles: list[EnrichedArticle]) -> list[EnrichedArticle]:
        stored = await self._candidates(articles)
        resolved: dict[str, EnrichedArticle] = {}
        seen: list[tuple[DedupCandidate, set[str]]] = list(stored)
        for article in sorted(articles, key=lambda a: (a.received_at, a.id)):
            keys = article.dedup
            bands = set(keys.minhash_bands)
            candidates = [c for c, c_bands in seen if c.content_hash == keys.content_hash or bands & c_bands]
            decision = resolve_duplicate(article.id, article.received_at, keys, candidates)
            done = article.model_copy(update={"dedup": with_decision(keys, decision)})
            resolved[article.id] = done
            seen.append((_candidate(done.id, done.received_at, done.dedup.model_dump()), bands))
        return [resolved[a.id] for a in articles]

    async def _candidates(self, articles: list[EnrichedArticle]) -> list[tuple[DedupCandidate, set[str]]]:
        hashes = sorted({a.dedup.content_hash for a in articles})
        bands = sorted({b for a in articles for b in a.dedup.minhash_bands})
        query: dict[str, Any] = {
            "bool": {
                "should": [{"terms": {"dedup.content_hash": hashes}}, {"terms": {"dedup.minhash_bands": bands}}],
                "minimum_should_match": 1,
                "must_not": [{"ids": {"values": [a.id for a in articles]}}],
            }
        }
        attempt = 0
        while True:
            try:
                resp = await self._es.search(
                    index=self._alias, query=query, size=_MAX_CANDIDATES, source_includes=_CANDIDATE_FIELDS
                )
                break
            except NotFoundError:
                return []  # no index yet: nothing was seen before
            except (ESConnectionError, ConnectionTimeout) as exc:
                attempt += 1
                logger.warning("Elasticsearch unreachable looking up duplicates in %s: %s", self._alias, exc)
                await self._backoff.sleep(attempt)
        found = []
        for hit in resp.body["hits"]["hits"]:
            src = hit["_source"]
            dedup = src.get("dedup", {})
            received = datetime.fromisoformat(src["received_at"])
            found.append((_candidate(src["id"], received, dedup), set(dedup.get("minhash_bands", []))))
        return found


def _candidate(article_id: str, received_at: datetime, dedup: dict[str, Any]) -> DedupCandidate:
    return DedupCandidate(
        article_id=article_id,
        received_at=received_at,
        content_hash=dedup["content_hash"],
        simhash=dedup.get("simhash"),
        cluster_id=dedup.get("cluster_id"),
    )
