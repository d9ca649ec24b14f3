"""``newsflow enrich PATH...``: the worker's enrichment without Kafka or Elasticsearch.

The worker's pipeline (``build_pipeline``), with an in-memory duplicate registry (dedup across the
files given, in order), stdout for enriched articles and stderr for what failed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from pydantic import ValidationError

from enrich_service.dead_letters import DeadLetter, Incoming
from enrich_service.duplicates import MemoryRegistry
from enrich_service.pipeline import Sinks, build_pipeline, index_nothing
from enrich_service.settings import EnrichSettings
from schemas.articles import ArticleIn, EnrichedArticle


def records(articles: Iterable[tuple[str, dict[str, Any]]], start: datetime) -> tuple[list[Incoming], list[str]]:
    """Articles as the raw records the worker would consume (received in the order given)."""
    out: list[Incoming] = []
    problems: list[str] = []
    for n, (where, data) in enumerate(articles):
        try:
            raw = ArticleIn.model_validate(data).to_raw(start + timedelta(milliseconds=n))
        except ValidationError as exc:
            problems.append(f"{where}: invalid article: {exc.errors(include_url=False)}")
            continue
        out.append(Incoming(raw.model_dump_json().encode(), raw.id.encode(), where, 0, n))
    return out, problems


async def enrich_files(
    articles: list[tuple[str, dict[str, Any]]],
    *,
    model: str,
    batch_size: int = 16,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Enrich ``(where, article dict)`` pairs, print one EnrichedArticle JSON per line; 1 if any failed."""
    out = out or sys.stdout
    err = err or sys.stderr
    failed = 0

    async def emit(articles: list[EnrichedArticle]) -> None:
        for article in articles:
            out.write(article.model_dump_json() + "\n")

    async def report(letters: list[DeadLetter]) -> None:
        nonlocal failed
        failed += len(letters)
        for letter in letters:
            err.write(f"{letter.incoming.topic}: {letter.stage} failed: {letter.error}\n")

    settings = EnrichSettings(model=model, batch_size=batch_size)
    sinks = Sinks(registry=MemoryRegistry(), index=index_nothing, send_enriched=emit, send_dead=report)
    processor = build_pipeline(settings, sinks)
    batch, problems = records(articles, datetime.now(UTC))
    for problem in problems:
        err.write(problem + "\n")
    for start in range(0, len(batch), batch_size):
        await processor.process(batch[start : start + batch_size])
    return 1 if failed or problems else 0
