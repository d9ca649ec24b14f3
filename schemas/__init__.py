"""The only contract between the ingest and enrich services: pydantic models and the ES index."""

from schemas.articles import (
    ArticleIn,
    Dedup,
    EnrichedArticle,
    Enrichment,
    Entity,
    EntityType,
    Quote,
    QuoteKind,
    RawArticle,
    Span,
    SpeakerType,
)
from schemas.ids import canonical_url, derive_article_id, normalise_text

__all__ = [
    "ArticleIn",
    "Dedup",
    "EnrichedArticle",
    "Enrichment",
    "Entity",
    "EntityType",
    "Quote",
    "QuoteKind",
    "RawArticle",
    "Span",
    "SpeakerType",
    "canonical_url",
    "derive_article_id",
    "normalise_text",
]
