"""The indexer and the dedup registry against a fake Elasticsearch: what is retried, what is rejected.

One attempt is one bulk of what is still pending: throttled items (429/5xx) and transient statuses are
sent again, and only those; malformed items come back as ``Rejected``; while Elasticsearch is
unreachable the call waits. The retry policy's waits are about a millisecond here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elasticsearch import ApiError
from elasticsearch import ConnectionError as ESConnectionError

from adapters.retry import RetryPolicy
from enrich_service.duplicates import Claim, ElasticsearchRegistry
from enrich_service.indexer import Indexer, Rejected
from schemas.articles import Dedup, EnrichedArticle, Enrichment

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TINY = RetryPolicy(initial_s=0.001, max_s=0.004)
#: How long a test waits for something that should happen at once; reached only on a failure.
WAIT_S = 10.0


def article(article_id: str) -> EnrichedArticle:
    return EnrichedArticle(
        id=article_id,
        title="T",
        body="Body.",
        received_at=NOW,
        clean_body="Body.",
        dedup=Dedup(content_hash=article_id, cluster_id=article_id),
        enrichment=Enrichment(version="t", model="fake", processed_at=NOW),
    )


def api_error(status: int) -> ApiError:
    meta = ApiResponseMeta(
        status=status, http_version="1.1", headers=HttpHeaders(), duration=0.0, node=NodeConfig("http", "es", 9200)
    )
    return ApiError("busy", meta, {})


class Response:
    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body


#: One bulk answer: ``ids`` -> the bulk's item statuses, or an exception for the whole call.
Script = Callable[[list[str]], dict[str, int] | BaseException]


class FakeES:
    """``bulk`` answers by a script per call; records the ids each call carried."""

    def __init__(self, *scripts: Script) -> None:
        self.scripts = list(scripts)
        self.calls: list[list[str]] = []

    async def bulk(self, operations: list[dict[str, Any]]) -> Response:
        action = next(iter(operations[0]))
        ids = [op[action]["_id"] for op in operations[::2]]
        self.calls.append(ids)
        outcome = self.scripts.pop(0)(ids) if self.scripts else dict.fromkeys(ids, 201)
        if isinstance(outcome, BaseException):
            raise outcome
        items = [
            {action: {"_id": i, "status": s, "error": {"type": f"e{s}"} if s >= 300 else None}}
            for i, s in outcome.items()
        ]
        return Response({"items": items})


def indexer(es: FakeES) -> Indexer:
    return Indexer(es, "articles-v1", TINY, ensure_alias=False)  # type: ignore[arg-type]


async def test_only_throttled_items_are_sent_again_and_malformed_ones_are_rejected() -> None:
    es = FakeES(
        lambda ids: {"a": 201, "b": 429, "c": 400, "d": 503},
        lambda ids: {"b": 429, "d": 200},
    )
    rejected = await asyncio.wait_for(indexer(es).index([article(i) for i in "abcd"]), WAIT_S)
    assert es.calls == [["a", "b", "c", "d"], ["b", "d"], ["b"]]
    assert rejected == [Rejected("c", "400: {'type': 'e400'}")]


async def test_an_unreachable_or_busy_elasticsearch_is_waited_for(caplog: pytest.LogCaptureFixture) -> None:
    es = FakeES(
        lambda ids: ESConnectionError("refused"),
        lambda ids: api_error(503),
        lambda ids: api_error(429),
    )
    with caplog.at_level(logging.WARNING, logger="adapters.retry"):
        rejected = await asyncio.wait_for(indexer(es).index([article("a"), article("b")]), WAIT_S)
    assert rejected == []
    assert es.calls == [["a", "b"]] * 4
    messages = [r.getMessage() for r in caplog.records if r.name == "adapters.retry"]
    assert len(messages) == 3, messages
    assert all(m.startswith("indexing 2 articles into articles-v1 failed (attempt ") for m in messages), messages
    assert "2 articles not indexed: the bulk answered 503" in messages[1]


async def test_a_bulk_refused_for_good_raises_at_once() -> None:
    es = FakeES(lambda ids: api_error(400))
    with pytest.raises(ApiError):
        await indexer(es).index([article("a")])
    assert es.calls == [["a"]]


async def test_nothing_to_index_sends_nothing() -> None:
    es = FakeES()
    assert await indexer(es).index([]) == []
    assert es.calls == []


class FakeRegistryES(FakeES):
    """The registry's calls: an index that exists, ``mget`` that fails while ``down`` > 0."""

    def __init__(self, down: int) -> None:
        super().__init__()
        self.down = down
        self.indices = self
        self.mgets = 0

    async def exists(self, index: str) -> bool:
        return True

    async def mget(self, index: str, ids: list[str], realtime: bool) -> Response:
        self.mgets += 1
        if self.down:
            self.down -= 1
            raise ESConnectionError("refused")
        return Response({"docs": [{"_id": i, "found": False} for i in ids]})


async def test_the_registry_waits_for_elasticsearch_and_reports_taken_keys() -> None:
    es = FakeRegistryES(down=3)
    registry = ElasticsearchRegistry(es, "articles-dedup", TINY)  # type: ignore[arg-type]
    assert await asyncio.wait_for(registry.lookup(["h:x"]), WAIT_S) == {}
    assert es.mgets == 4
    es.scripts.append(lambda ids: {"h:x": 409, "h:y": 201})
    claim = Claim("a", NOW, "x", "a")
    assert await registry.claim({"h:x": claim, "h:y": claim}) == {"h:x"}
