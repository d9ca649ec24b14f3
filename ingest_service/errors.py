"""The ingest service's exceptions, in one place. Each maps to one HTTP status in ``app.py``."""

from __future__ import annotations

from typing import Any


class IngestError(Exception):
    """Base of every error the ingest service turns into an HTTP answer."""

    status_code = 500

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class RequestError(IngestError):
    """The client sent something we cannot take (4xx)."""

    status_code = 400


class MalformedBody(RequestError):
    status_code = 400


class UnsupportedMediaType(RequestError):
    status_code = 415


class BodyTooLarge(RequestError):
    status_code = 413


class InvalidArticle(RequestError):
    status_code = 422


class InvalidQuery(RequestError):
    status_code = 422


class BatchTooLarge(RequestError):
    status_code = 413


class Unauthorized(RequestError):
    status_code = 401


class NotFound(RequestError):
    status_code = 404


class PublishError(IngestError):
    """Kafka did not acknowledge the article: nothing was accepted, the client may retry (503)."""

    status_code = 503
    retry_after_s = 5


class SearchUnavailable(IngestError):
    status_code = 503
    retry_after_s = 5
