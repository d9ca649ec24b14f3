"""The one place enrichment is wired: settings + sinks -> ``BatchProcessor``.

The worker, ``newsflow replay`` and ``newsflow enrich`` run the same enricher, duplicate resolver and
batch logic; they differ only in where results go (``Sinks``):

=================  =============================  ==========================  ========================
sink               worker                         replay                      ``newsflow enrich``
=================  =============================  ==========================  ========================
registry           Elasticsearch (``-dedup``)     Elasticsearch (``-dedup``)  in memory
index              Elasticsearch, the alias       Elasticsearch, its target   nothing
send_enriched      ``articles.enriched``          nothing (sent once before)  stdout
send_dead          ``articles.dlq``               ``articles.dlq``            stderr
=================  =============================  ==========================  ========================
"""

from __future__ import annotations

from dataclasses import dataclass

from enrich_service.duplicates import DuplicateResolver, Registry
from enrich_service.enricher import Enricher
from enrich_service.indexer import Rejected
from enrich_service.nlp import load_nlp, model_label
from enrich_service.processor import BatchProcessor, Index, SendDead, SendEnriched
from enrich_service.settings import EnrichSettings
from schemas.articles import EnrichedArticle


@dataclass(frozen=True)
class Sinks:
    """Where one process's enrichment results go."""

    registry: Registry
    index: Index
    send_enriched: SendEnriched
    send_dead: SendDead


async def index_nothing(articles: list[EnrichedArticle]) -> list[Rejected]:
    return []


async def send_nothing(articles: list[EnrichedArticle]) -> None:
    return None


def build_enricher(settings: EnrichSettings) -> Enricher:
    """The model (loaded once per process: ``load_nlp`` is cached) wrapped as the enricher."""
    nlp = load_nlp(settings.model)
    return Enricher(nlp, model_label=model_label(nlp), batch_size=settings.batch_size)


def build_pipeline(settings: EnrichSettings, sinks: Sinks, enricher: Enricher | None = None) -> BatchProcessor:
    """The batch processor every enrichment process runs; ``enricher`` lets one model serve several."""
    enricher = enricher or build_enricher(settings)
    return BatchProcessor(
        enrich=enricher.enrich_batch,
        resolve=DuplicateResolver(sinks.registry).resolve,
        index=sinks.index,
        send_enriched=sinks.send_enriched,
        send_dead=sinks.send_dead,
        chunk_size=settings.nlp_chunk_size or None,
    )
