"""One batch of raw records -> enriched, indexed articles; everything else -> dead letters.

Independent of Faust: the agent hands it the consumed records, and acks them only when ``process``
returned, which it does only once every record is either indexed or dead-lettered. Per-record
problems never raise; transient outages are retried inside the adapters.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from pydantic import ValidationError

from enrich_service.dead_letters import DeadLetter, Incoming
from enrich_service.extraction import extract
from enrich_service.indexer import Rejected
from schemas.articles import EnrichedArticle, RawArticle

logger = logging.getLogger(__name__)


class EnrichFailure(Protocol):
    article_id: str
    stage: str
    error: str


EnrichBatch = Callable[[Sequence[RawArticle], datetime], Sequence[EnrichedArticle | EnrichFailure]]
Resolve = Callable[[list[EnrichedArticle]], Awaitable[list[EnrichedArticle]]]
Index = Callable[[list[EnrichedArticle]], Awaitable[list[Rejected]]]
SendEnriched = Callable[[list[EnrichedArticle]], Awaitable[None]]
SendDead = Callable[[list[DeadLetter]], Awaitable[None]]


@dataclass(frozen=True)
class BatchReport:
    received: int
    indexed: int
    dead: int


def decode(incoming: Incoming) -> RawArticle | DeadLetter:
    """Bytes -> RawArticle, or a dead letter saying what is wrong with them."""
    try:
        data = json.loads(incoming.value)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return DeadLetter(incoming, "decode", f"not JSON: {exc}")
    try:
        article = RawArticle.model_validate(data)
    except ValidationError as exc:
        article_id = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
        errors = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False))
        return DeadLetter(incoming, "validate", f"not a RawArticle: {errors}", article_id)
    if article.html is not None and not (article.body and article.title):
        return from_page(incoming, article)
    return article


def from_page(incoming: Incoming, article: RawArticle) -> RawArticle | DeadLetter:
    """An article given as HTML with its text (and, where the client sent none, title, authors, date and
    language) extracted from the page; the html is kept. No article text: a dead letter (stage ``extract``)."""
    assert article.html is not None
    page = extract(article.html, article.url)
    if page is None and not article.body:
        where = f"url {article.url}" if article.url else "no url"
        reason = f"no article text found in the HTML ({len(article.html.encode())} bytes, {where})"
        return DeadLetter(incoming, "extract", reason, article.id)
    body = article.body or (page.text if page else "")
    # The title a client sent wins; else the page's; else the text's first line (an article has a title).
    title = article.title or (page.title if page and page.title else "") or body.split("\n", 1)[0][:200]
    if page is None:
        return article.model_copy(update={"title": title})
    fields = {
        "title": title[:1_000],
        "body": body,
        "authors": article.authors or page.authors,
        "published_at": article.published_at or page.published_at,
        "language": article.language or page.language,
    }
    try:
        return RawArticle.model_validate({**article.model_dump(), **fields})
    except ValidationError as exc:
        errors = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False))
        return DeadLetter(incoming, "extract", f"extracted article is not valid: {errors}", article.id)


class BatchProcessor:
    def __init__(
        self,
        *,
        enrich: EnrichBatch,
        resolve: Resolve,
        index: Index,
        send_enriched: SendEnriched,
        send_dead: SendDead,
        chunk_size: int | None = None,
    ) -> None:
        """``chunk_size``: enrich the batch in chunks of this many articles, the next chunk's NLP (in a
        thread) overlapping this chunk's dedup, indexing and sending (on the event loop); None: one go."""
        self._enrich = enrich
        self._resolve = resolve
        self._index = index
        self._send_enriched = send_enriched
        self._send_dead = send_dead
        self._chunk_size = chunk_size

    async def process(self, batch: Sequence[Incoming]) -> BatchReport:
        dead: list[DeadLetter] = []
        # The same article delivered twice in one batch: the later record wins, as it would in the index.
        latest: dict[str, tuple[Incoming, RawArticle]] = {}
        for incoming in batch:
            outcome = decode(incoming)
            if isinstance(outcome, DeadLetter):
                logger.warning("dead letter from %s: %s", incoming.where(), outcome.error)
                dead.append(outcome)
            else:
                latest.pop(outcome.id, None)
                latest[outcome.id] = (incoming, outcome)

        origin = {article_id: incoming for article_id, (incoming, _) in latest.items()}
        # In the order they were received, so that an original is decided before its copies.
        articles = sorted((article for _, article in latest.values()), key=lambda a: (a.received_at, a.id))
        size = self._chunk_size or len(articles) or 1
        chunks = [articles[i : i + size] for i in range(0, len(articles), size)]
        loop = asyncio.get_running_loop()
        now = datetime.now(UTC)
        indexed = 0
        pending = loop.run_in_executor(None, self._enrich, chunks[0], now) if chunks else None
        try:
            for n in range(len(chunks)):
                assert pending is not None
                results = await pending
                pending = loop.run_in_executor(None, self._enrich, chunks[n + 1], now) if n + 1 < len(chunks) else None
                indexed += await self._store(results, origin, dead)
        finally:
            if pending is not None:  # a failure above: let the thread finish before the batch is retried
                await asyncio.wait([pending])
        if dead:
            await self._send_dead(dead)
        return BatchReport(received=len(batch), indexed=indexed, dead=len(dead))

    async def _store(
        self,
        results: Sequence[EnrichedArticle | EnrichFailure],
        origin: dict[str, Incoming],
        dead: list[DeadLetter],
    ) -> int:
        """Dedup, index and send one chunk's enriched articles; failures join ``dead``. Returns how many
        were indexed."""
        enriched: list[EnrichedArticle] = []
        for result in results:
            if isinstance(result, EnrichedArticle):
                enriched.append(result)
            else:
                where = origin[result.article_id].where()
                logger.error("enrichment failed for article %s from %s: %s", result.article_id, where, result.error)
                dead.append(DeadLetter(origin[result.article_id], result.stage, result.error, result.article_id))
        if not enriched:
            return 0
        enriched = await self._resolve(enriched)
        rejected = {r.article_id: r for r in await self._index(enriched)}
        indexed: list[EnrichedArticle] = []
        for article in enriched:
            if article.id in rejected:
                dead.append(DeadLetter(origin[article.id], "index", rejected[article.id].reason, article.id))
            else:
                indexed.append(article)
        if indexed:
            await self._send_enriched(indexed)
        return len(indexed)
