"""Dead letters: what could not be processed, kept with its original bytes and why. Pure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Incoming:
    """One record as consumed from the raw topic, before anything was decoded."""

    value: bytes
    key: bytes | None
    topic: str
    partition: int
    offset: int

    def where(self) -> str:
        return f"{self.topic}[{self.partition}]@{self.offset}"


@dataclass(frozen=True)
class DeadLetter:
    incoming: Incoming
    stage: str  # decode | validate | enrich | index | process
    error: str
    article_id: str | None = None

    def headers(self) -> list[tuple[str, bytes]]:
        """Kafka headers carrying the reason; the record value stays the original bytes."""
        pairs = {
            "newsflow.stage": self.stage,
            "newsflow.error": self.error[:2000],
            "newsflow.source.topic": self.incoming.topic,
            "newsflow.source.partition": str(self.incoming.partition),
            "newsflow.source.offset": str(self.incoming.offset),
            "newsflow.article_id": self.article_id or "",
            "newsflow.failed_at": datetime.now(UTC).isoformat(),
        }
        return [(k, v.encode("utf-8")) for k, v in pairs.items()]

    def describe(self) -> str:
        return json.dumps(
            {"stage": self.stage, "error": self.error, "source": self.incoming.where(), "article_id": self.article_id}
        )
