"""The ingest service's HTTP app: built from its dependencies, never at import time."""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from ingest_service import routes_articles, routes_search
from ingest_service.errors import IngestError, PublishError, SearchUnavailable, Unauthorized
from ingest_service.metrics import IngestMetrics, MeteredPublisher, instrument
from ingest_service.publisher import Publisher
from ingest_service.search import ArticleSearch
from ingest_service.settings import IngestSettings
from schemas.articles import ArticleIn

logger = logging.getLogger(__name__)

_OPEN_PATHS = ("/healthz", "/readyz", "/metrics", "/docs", "/openapi.json", "/docs/oauth2-redirect")


def create_app(
    settings: IngestSettings,
    publisher: Publisher,
    search: ArticleSearch | None = None,
    on_startup: Callable[[], Awaitable[None]] | None = None,
    on_shutdown: Callable[[], Awaitable[None]] | None = None,
    metrics: IngestMetrics | None = None,
) -> FastAPI:
    """The app; ``metrics`` (a registry of its own unless given) is served at ``GET /metrics``."""
    metrics = metrics or IngestMetrics()
    publisher = MeteredPublisher(publisher, metrics)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if on_startup is not None:
            await on_startup()
        await publisher.start()
        try:
            yield
        finally:
            await publisher.stop()
            if on_shutdown is not None:
                await on_shutdown()

    app = FastAPI(
        title="newsflow ingest",
        version="0.1.0",
        description="Post raw news articles; search the enriched archive.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.publisher = publisher
    app.state.search = search
    app.include_router(routes_articles.router)
    if search is not None:
        app.include_router(routes_search.router)

    @app.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", summary="Kafka is reachable and the raw topic exists")
    async def readyz() -> JSONResponse:
        if await publisher.ready():
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "kafka unavailable"}, status_code=503, headers={"Retry-After": "5"})

    keys = [k.get_secret_value().encode() for k in settings.api_keys]
    if keys:

        @app.middleware("http")
        async def require_api_key(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
            if not request.url.path.startswith(_OPEN_PATHS):
                given = request.headers.get("x-api-key", "").encode()
                if not given:
                    return _error(Unauthorized("missing X-API-Key header"))
                if not any(hmac.compare_digest(given, k) for k in keys):
                    return _error(Unauthorized("unknown API key"), status=403)
            return await call_next(request)

    @app.exception_handler(IngestError)
    async def on_ingest_error(request: Request, exc: IngestError) -> JSONResponse:
        if isinstance(exc, PublishError | SearchUnavailable):
            logger.warning("%s %s answered %s: %s", request.method, request.url.path, exc.status_code, exc.message)
        return _error(exc)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"], "type": e["type"]} for e in exc.errors()
        ]
        return JSONResponse({"error": "invalid request", "errors": errors}, status_code=422)

    instrument(app, metrics)  # last: its middleware wraps the API-key check too
    _register_schema(app)
    return app


def _error(exc: IngestError, status: int | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": exc.message}
    if exc.details is not None:
        body["errors"] = exc.details
    headers = {}
    retry_after = getattr(exc, "retry_after_s", None)
    if retry_after:
        headers["Retry-After"] = str(retry_after)
    return JSONResponse(body, status_code=status or exc.status_code, headers=headers)


def _register_schema(app: FastAPI) -> None:
    """Put ``ArticleIn`` into the OpenAPI components the hand-parsed routes refer to."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        model_schema = ArticleIn.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(model_schema.pop("$defs", {}))
        components["ArticleIn"] = model_schema
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
