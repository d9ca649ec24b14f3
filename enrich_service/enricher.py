"""Raw articles in, enriched articles out: clean -> NLP (entities, quotes) -> dedup keys.

``Enricher`` holds a loaded pipeline (``enrich_service.nlp.load_nlp``) and works in batches: the clean
texts go through ``nlp.pipe`` together. One bad article never fails the batch: it comes back as an
``EnrichmentFailure`` in its place (if ``nlp.pipe`` itself raises, the batch is re-run one article at
a time to find the bad one). Results are in input order.

Duplicate resolution against earlier articles needs the index, so it is not done here:
``dedup.duplicate_of`` is ``None`` and ``cluster_id`` the article's own id until the caller applies
``domain.dedup.resolve_duplicate``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from spacy.language import Language
from spacy.tokens import Doc

from enrich_service.domain.cleaning import clean_body
from enrich_service.domain.dedup import dedup_keys
from enrich_service.nlp import EXT_ENTITIES, EXT_QUOTES, QUOTES_COMPONENT, add_newsflow_components
from enrich_service.version import ENRICHMENT_VERSION
from schemas.articles import Dedup, EnrichedArticle, Enrichment, Entity, Quote, RawArticle

logger = logging.getLogger(__name__)

STAGE_CLEAN = "clean"
STAGE_NLP = "nlp"
STAGE_DEDUP = "dedup"
STAGE_ASSEMBLE = "assemble"
#: Timed (``Enricher.observe``) but failing as ``nlp``: the quotes component runs after the others.
STAGE_QUOTES = "quotes"

#: Told each stage's time for a batch: ``(stage, seconds)``.
ObserveStage = Callable[[str, float], None]


@dataclass(slots=True)
class EnrichmentFailure:
    """An article that could not be enriched: at which stage, and the error (type and message).

    (Not frozen: ``processor.EnrichFailure`` is a protocol with plain, i.e. writable, attributes.)
    """

    article_id: str
    stage: str
    error: str


@dataclass(slots=True)
class _Work:
    article: RawArticle
    clean: str | None = None
    doc: Doc | None = None
    failure: EnrichmentFailure | None = None


class Enricher:
    """Enriches batches of raw articles with one loaded spaCy pipeline."""

    def __init__(self, nlp: Language, model_label: str, batch_size: int = 16) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.nlp = add_newsflow_components(nlp)
        self.model_label = model_label
        self.batch_size = batch_size
        #: Told the time of ``clean``, ``nlp`` and ``quotes`` for every batch (the worker's metrics).
        self.observe: ObserveStage | None = None

    @contextmanager
    def _timed(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            if self.observe is not None:
                self.observe(stage, time.perf_counter() - started)

    def enrich_one(self, article: RawArticle, now: datetime) -> EnrichedArticle | EnrichmentFailure:
        return self.enrich_batch([article], now)[0]

    def enrich_batch(self, articles: Sequence[RawArticle], now: datetime) -> list[EnrichedArticle | EnrichmentFailure]:
        """Each article enriched, or its failure, in input order."""
        work = [_Work(article) for article in articles]
        with self._timed(STAGE_CLEAN):
            for item in work:
                try:
                    item.clean = clean_body(item.article.title, item.article.body)
                except Exception as exc:
                    logger.exception("enrichment of article %s failed at stage %s", item.article.id, STAGE_CLEAN)
                    item.failure = _failure(item.article, STAGE_CLEAN, exc)
        self._run_nlp([item for item in work if item.failure is None])
        return [self._assemble(item, now) for item in work]

    def _run_nlp(self, work: list[_Work]) -> None:
        if not work:
            return
        texts = [item.clean or "" for item in work]
        # The quotes component runs apart from nlp.pipe (same order, same docs) so that it is timed apart.
        quotes = self.nlp.get_pipe(QUOTES_COMPONENT)
        try:
            with self._timed(STAGE_NLP):
                docs = list(self.nlp.pipe(texts, batch_size=self.batch_size, disable=[QUOTES_COMPONENT]))
            with self._timed(STAGE_QUOTES):
                docs = [quotes(doc) for doc in docs]
        except Exception:
            logger.warning("nlp.pipe failed on a batch of %d articles; retrying one by one", len(work), exc_info=True)
            with self._timed(STAGE_NLP):
                for item in work:
                    try:
                        item.doc = self.nlp(item.clean or "")
                    except Exception as exc:
                        logger.exception("enrichment of article %s failed at stage %s", item.article.id, STAGE_NLP)
                        item.failure = _failure(item.article, STAGE_NLP, exc)
            return
        for item, doc in zip(work, docs, strict=True):
            item.doc = doc

    def _assemble(self, item: _Work, now: datetime) -> EnrichedArticle | EnrichmentFailure:
        if item.failure is not None:
            return item.failure
        article, clean, doc = item.article, item.clean or "", item.doc
        try:
            dedup: Dedup = dedup_keys(article.id, article.title, clean)
        except Exception as exc:
            logger.exception("enrichment of article %s failed at stage %s", article.id, STAGE_DEDUP)
            return _failure(article, STAGE_DEDUP, exc)
        try:
            entities: list[Entity] = list(doc._.get(EXT_ENTITIES) or []) if doc is not None else []
            quotes: list[Quote] = list(doc._.get(EXT_QUOTES) or []) if doc is not None else []
            return EnrichedArticle(
                **article.model_dump(),
                clean_body=clean,
                entities=entities,
                quotes=quotes,
                dedup=dedup,
                enrichment=Enrichment(version=ENRICHMENT_VERSION, model=self.model_label, processed_at=now),
            )
        except Exception as exc:
            logger.exception("enrichment of article %s failed at stage %s", article.id, STAGE_ASSEMBLE)
            return _failure(article, STAGE_ASSEMBLE, exc)


def _failure(article: RawArticle, stage: str, exc: Exception) -> EnrichmentFailure:
    return EnrichmentFailure(article_id=article.id, stage=stage, error=f"{type(exc).__name__}: {exc}")
