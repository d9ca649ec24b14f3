"""The ingest service's Prometheus metrics, served as text at ``GET /metrics``.

Every app gets its own ``CollectorRegistry`` (``IngestMetrics()`` in ``create_app``), never the
process-wide default one: tests build many apps in one process, and each counts only its own requests.

Series:

- ``newsflow_ingest_requests_total{route,status}``: HTTP requests answered, by route template
  (``/articles/{article_id}``, never the raw path; ``unmatched`` for paths no route serves) and status.
- ``newsflow_ingest_publish_seconds``: time from handing articles to the producer until Kafka
  acknowledged them (or the publish failed), per ``publish`` / ``publish_many`` call.
- ``newsflow_ingest_articles_accepted_total``: articles Kafka acknowledged (each a 202 or a batch item).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from ingest_service.errors import PublishError
from ingest_service.publisher import Published, Publisher
from schemas.articles import RawArticle

logger = logging.getLogger(__name__)

#: Kafka acks take milliseconds when healthy and up to ``send_timeout_s`` (10 s) when not.
PUBLISH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
UNMATCHED = "unmatched"


class IngestMetrics:
    """The ingest service's series, in a registry of their own."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "newsflow_ingest_requests_total",
            "HTTP requests answered, by route template and status code.",
            ["route", "status"],
            registry=self.registry,
        )
        self.publish_seconds = Histogram(
            "newsflow_ingest_publish_seconds",
            "Time until Kafka acknowledged a publish (one article or one batch), or it failed.",
            buckets=PUBLISH_BUCKETS,
            registry=self.registry,
        )
        self.accepted = Counter(
            "newsflow_ingest_articles_accepted_total",
            "Articles Kafka acknowledged (answered 202, or accepted within a batch).",
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class MeteredPublisher:
    """A ``Publisher`` that times each publish and counts the articles Kafka acknowledged."""

    def __init__(self, inner: Publisher, metrics: IngestMetrics) -> None:
        self._inner = inner
        self._metrics = metrics

    async def start(self) -> None:
        await self._inner.start()

    async def stop(self) -> None:
        await self._inner.stop()

    async def ready(self) -> bool:
        return await self._inner.ready()

    async def publish(self, article: RawArticle) -> Published:
        with self._metrics.publish_seconds.time():
            published = await self._inner.publish(article)
        self._metrics.accepted.inc()
        return published

    async def publish_many(self, articles: Sequence[RawArticle]) -> list[Published | PublishError]:
        with self._metrics.publish_seconds.time():
            outcomes = await self._inner.publish_many(articles)
        self._metrics.accepted.inc(sum(1 for o in outcomes if isinstance(o, Published)))
        return outcomes


def route_template(app: FastAPI, request: Request) -> str:
    """The path template of the route serving ``request`` (low cardinality), or ``unmatched``."""
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    # Answered before routing (an API key refused by a middleware): find the route it was meant for.
    return _matching_template(app.router.routes, request.scope) or UNMATCHED


def _matching_template(routes: Sequence[BaseRoute], scope: Scope) -> str | None:
    """The path of the route in ``routes`` (included routers searched too; they carry no prefix here)."""
    for candidate in routes:
        if candidate.matches(scope)[0] is not Match.FULL:
            continue
        path = getattr(candidate, "path", None)
        if isinstance(path, str):
            return path
        inner = getattr(candidate, "original_router", None) or candidate
        found = _matching_template(getattr(inner, "routes", []), scope)
        if found:
            return found
    return None


def instrument(app: FastAPI, metrics: IngestMetrics) -> None:
    """Count every request by route template and status, and serve ``GET /metrics``.

    Call after every other middleware is added: this one then wraps them all (a refused API key counts).
    """

    @app.get("/metrics", include_in_schema=False)
    async def metrics_page() -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    @app.middleware("http")
    async def count_requests(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            metrics.requests.labels(route=route_template(app, request), status=str(status)).inc()
