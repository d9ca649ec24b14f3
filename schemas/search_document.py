"""The Elasticsearch document for an enriched article, and the index definition it must fit.

The document is the ``EnrichedArticle`` plus flat keyword facets (people, organisations, places, ...)
derived from its entities and quotes, so a facet is one terms aggregation.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from schemas.articles import EnrichedArticle, EntityType

# Which entity types feed which facet field.
FACETS: dict[str, tuple[EntityType, ...]] = {
    "people": (EntityType.PERSON,),
    "organizations": (EntityType.ORG,),
    "places": (EntityType.GPE, EntityType.LOC, EntityType.FAC),
    "groups": (EntityType.NORP,),
    "events": (EntityType.EVENT,),
}


@cache
def index_definition() -> dict[str, Any]:
    """Settings and mappings of an articles index (``schemas/elasticsearch/articles.index.json``).

    ``mappings._meta.definition`` is a fingerprint of the file, so an index made from an older
    definition (other analyzers, other fields) can be told apart from one made from this one.
    """
    text = resources.files("schemas").joinpath("elasticsearch/articles.index.json").read_text("utf-8")
    definition: dict[str, Any] = json.loads(text)
    fingerprint = hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()[:16]
    definition["mappings"].setdefault("_meta", {})["definition"] = fingerprint
    return definition


def to_search_document(article: EnrichedArticle, *, indexed_at: datetime | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = article.model_dump(mode="json")
    for field, types in FACETS.items():
        doc[field] = sorted({e.name for e in article.entities if e.type in types})
    doc["quote_speakers"] = sorted({q.speaker for q in article.quotes if q.speaker})
    doc["dedup"]["is_duplicate"] = article.dedup.duplicate_of is not None
    if indexed_at is not None:
        doc["indexed_at"] = indexed_at.isoformat()
    return doc
