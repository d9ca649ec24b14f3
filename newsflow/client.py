"""A small HTTP client for the ingest API, used by the CLI and the demo."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import httpx


class ApiError(RuntimeError):
    pass


class NewsflowClient:
    def __init__(self, base_url: str, api_key: str | None = None, timeout_s: float = 30.0) -> None:
        headers = {"X-API-Key": api_key} if api_key else {}
        self._http = httpx.Client(base_url=base_url, headers=headers, timeout=timeout_s)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> NewsflowClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _json(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            request = response.request
            raise ApiError(f"{request.method} {request.url.path} -> {response.status_code}: {response.text[:500]}")
        return response.json()

    def post_batch(self, articles: list[dict[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = self._json(self._http.post("/articles/batch", json=articles))
        return result

    def post(self, article: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._json(self._http.post("/articles", json=article))
        return result

    def search(self, **params: Any) -> dict[str, Any]:
        query = {k: v for k, v in params.items() if v not in (None, [], "")}
        result: dict[str, Any] = self._json(self._http.get("/search", params=query))
        return result

    def quotes(self, speaker: str | None = None, q: str | None = None, size: int = 20) -> dict[str, Any]:
        params = {k: v for k, v in {"speaker": speaker, "q": q, "size": size}.items() if v}
        result: dict[str, Any] = self._json(self._http.get("/quotes", params=params))
        return result

    def article(self, article_id: str) -> dict[str, Any] | None:
        response = self._http.get(f"/articles/{article_id}")
        if response.status_code in (404, 503):  # not there (yet), or the index is still recovering
            return None
        result: dict[str, Any] = self._json(response)
        return result

    def wait_searchable(
        self, ids: list[str], timeout_s: float = 120.0, received_after: datetime | None = None
    ) -> list[str]:
        """Wait until every id can be fetched (received after ``received_after``, when given: an older
        document with the same id does not count); returns the ids still missing at the deadline."""
        missing = list(dict.fromkeys(ids))
        deadline = time.monotonic() + timeout_s

        def there(article_id: str) -> bool:
            doc = self.article(article_id)
            if doc is None:
                return False
            return received_after is None or datetime.fromisoformat(doc["received_at"]) >= received_after

        while missing and time.monotonic() < deadline:
            missing = [i for i in missing if not there(i)]
            if missing:
                time.sleep(0.5)
        return missing

    def ready(self) -> bool:
        try:
            return self._http.get("/readyz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False
