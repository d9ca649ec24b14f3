"""``newsflow enrich PATH...``: the worker's enrichment without Kafka or Elasticsearch.

The same ``BatchProcessor``, ``Enricher`` and ``DuplicateResolver`` the worker runs, with an
in-memory duplicate registry (dedup across the files given, in order) and stdout as the sink.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from enrich_service.dead_letters import DeadLetter, Incoming
from enrich_service.duplicates import DuplicateResolver, MemoryRegistry
from enrich_service.enricher import Enricher
from enrich_service.indexer import Rejected
from enrich_service.nlp import load_nlp, model_label
from enrich_service.processor import BatchProcessor
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
    nlp = load_nlp(model)
    enricher = Enricher(nlp, model_label=model_label(nlp), batch_size=batch_size)
    failed = 0

    async def index(articles: list[EnrichedArticle]) -> list[Rejected]:
        return []

    async def emit(articles: list[EnrichedArticle]) -> None:
        for article in articles:
            out.write(article.model_dump_json() + "\n")

    async def report(letters: list[DeadLetter]) -> None:
        nonlocal failed
        failed += len(letters)
        for letter in letters:
            err.write(f"{letter.incoming.topic}: {letter.stage} failed: {letter.error}\n")

    processor = BatchProcessor(
        enrich=enricher.enrich_batch,
        resolve=DuplicateResolver(MemoryRegistry()).resolve,
        index=index,
        send_enriched=emit,
        send_dead=report,
    )
    batch, problems = records(articles, datetime.now(UTC))
    for problem in problems:
        err.write(problem + "\n")
    for start in range(0, len(batch), batch_size):
        await processor.process(batch[start : start + batch_size])
    return 1 if failed or problems else 0


def load(paths: list[Path]) -> list[tuple[str, dict[str, Any]]]:
    from newsflow.posting import expand, read_articles

    return [(str(p), a) for p in expand(paths) for a in read_articles(p)]
