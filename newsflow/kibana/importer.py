"""Sending the saved objects to Kibana's saved-objects import API."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from newsflow.kibana.objects import DEFAULT_FILE, load_saved_objects, to_ndjson, with_alias

logger = logging.getLogger(__name__)

DEFAULT_URL = "http://localhost:5601"
#: Pause between attempts while waiting for Kibana to start.
_RETRY_S = 2.0


class KibanaImportError(RuntimeError):
    """Kibana refused the import, or could not be reached; ``errors`` holds Kibana's per-object errors."""

    def __init__(self, message: str, errors: Sequence[Mapping[str, Any]] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors)


@dataclass(frozen=True)
class ImportResult:
    success_count: int
    #: (type, id, title) of each imported object.
    imported: list[tuple[str, str, str]]
    url: str

    def summary(self) -> str:
        return f"imported {self.success_count} saved objects into {self.url}"


def _kibana_client(
    kibana_url: str,
    *,
    api_key: str | None,
    username: str | None,
    password: str | None,
    timeout_s: float,
    transport: httpx.BaseTransport | None,
) -> httpx.Client:
    headers = {"kbn-xsrf": "true"}
    if api_key:
        headers["Authorization"] = f"ApiKey {api_key}"
    auth = httpx.BasicAuth(username, password or "") if username and not api_key else None
    return httpx.Client(
        base_url=kibana_url.rstrip("/"), headers=headers, auth=auth, timeout=timeout_s, transport=transport
    )


def _error_line(error: Mapping[str, Any]) -> str:
    title = (error.get("meta") or {}).get("title") or error.get("title") or ""
    detail = error.get("error") or {}
    kind = detail.get("type", "error")
    extra = ""
    if kind == "missing_references":
        extra = ": " + ", ".join(f"{r.get('type')} {r.get('id')}" for r in detail.get("references") or [])
    elif detail.get("message"):
        extra = f": {detail['message']}"
    return f"{error.get('type')} {error.get('id')} {title!r}: {kind}{extra}"


def import_saved_objects(
    kibana_url: str,
    saved_objects: Path | str | Sequence[Mapping[str, Any]] = DEFAULT_FILE,
    *,
    overwrite: bool = True,
    space: str | None = None,
    api_key: str | None = None,
    username: str | None = None,
    password: str | None = None,
    alias: str | None = None,
    wait_s: float = 0.0,
    timeout_s: float = 60.0,
    transport: httpx.BaseTransport | None = None,
) -> ImportResult:
    """POSTs the objects to ``{kibana}[/s/{space}]/api/saved_objects/_import`` (multipart, ``kbn-xsrf``).

    ``alias`` points the data views at another index alias. While Kibana cannot be reached or answers 503
    (starting), retries for up to ``wait_s`` seconds. Raises ``KibanaImportError`` with Kibana's message,
    and its per-object errors when some objects were refused.
    """
    if isinstance(saved_objects, str | Path):
        objects = load_saved_objects(Path(saved_objects))
    else:
        objects = [dict(obj) for obj in saved_objects]
    if alias:
        objects = with_alias(objects, alias)
    body = to_ndjson(objects).encode("utf-8")
    path = (f"/s/{space}" if space else "") + "/api/saved_objects/_import"
    params = {"overwrite": "true"} if overwrite else {}
    deadline = time.monotonic() + wait_s
    with _kibana_client(
        kibana_url, api_key=api_key, username=username, password=password, timeout_s=timeout_s, transport=transport
    ) as client:
        while True:
            try:
                response = client.post(
                    path, params=params, files={"file": ("newsflow.ndjson", body, "application/ndjson")}
                )
            except httpx.HTTPError as exc:
                if time.monotonic() < deadline:
                    logger.info("Kibana at %s not reachable yet (%s); retrying", kibana_url, exc)
                    time.sleep(_RETRY_S)
                    continue
                raise KibanaImportError(f"cannot reach Kibana at {kibana_url}: {exc}") from exc
            if response.status_code == 503 and time.monotonic() < deadline:
                logger.info("Kibana at %s is not ready yet; retrying", kibana_url)
                time.sleep(_RETRY_S)
                continue
            break
    return _import_result(response, kibana_url)


def _import_result(response: httpx.Response, kibana_url: str) -> ImportResult:
    try:
        payload: Any = response.json()
    except ValueError:
        payload = None
    if response.status_code >= 400 or not isinstance(payload, Mapping):
        message = payload.get("message") if isinstance(payload, Mapping) else None
        hint = " (check the Kibana credentials)" if response.status_code in (401, 403) else ""
        raise KibanaImportError(
            f"POST {response.request.url.path} -> {response.status_code}: {message or response.text[:500]}{hint}"
        )
    errors: list[Mapping[str, Any]] = payload.get("errors") or []
    if not payload.get("success", False) or errors:
        lines = "\n".join(f"  {_error_line(e)}" for e in errors)
        raise KibanaImportError(
            f"Kibana imported {payload.get('successCount', 0)} objects and refused {len(errors)}:\n{lines}", errors
        )
    imported = [
        (r.get("type", ""), r.get("id", ""), (r.get("meta") or {}).get("title", ""))
        for r in payload.get("successResults") or []
    ]
    logger.info("imported %s saved objects into %s", payload.get("successCount", 0), kibana_url)
    return ImportResult(int(payload.get("successCount", 0)), imported, kibana_url)
