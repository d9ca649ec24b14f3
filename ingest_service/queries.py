"""Elasticsearch query bodies for analysts' questions. Pure: parameters in, request bodies out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

FACET_FIELDS = {
    "people": "people",
    "organizations": "organizations",
    "places": "places",
    "speakers": "quote_speakers",
    "sources": "source",
}


@dataclass(frozen=True)
class SearchParams:
    q: str | None = None
    person: list[str] = field(default_factory=list)
    org: list[str] = field(default_factory=list)
    place: list[str] = field(default_factory=list)
    speaker: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    date_from: datetime | None = None
    date_to: datetime | None = None
    collapse: bool = False
    page: int = 1
    size: int = 10
    #: Values per facet (terms aggregation size).
    facet_size: int = 10


def search_body(p: SearchParams) -> dict[str, Any]:
    must: list[dict[str, Any]] = []
    filters: list[dict[str, Any]] = []
    if p.q:
        must.append(
            {
                "multi_match": {
                    "query": p.q,
                    # title and clean_body are stemmed (english); their .exact subfields are not, so the
                    # words as typed add a little (tie_breaker) to the best field's score.
                    "fields": [
                        "title^3",
                        "title.exact^1.5",
                        "clean_body",
                        "clean_body.exact^0.5",
                        "entities.name.text^2",
                    ],
                    "type": "best_fields",
                    "tie_breaker": 0.3,
                }
            }
        )
    for values, fld in (
        (p.person, "people"),
        (p.org, "organizations"),
        (p.place, "places"),
        (p.speaker, "quote_speakers"),
        (p.source, "source"),
    ):
        # Each value is a filter of its own: person=A&person=B means articles naming both.
        filters.extend({"term": {fld: v}} for v in values)
    if p.date_from or p.date_to:
        rng: dict[str, str] = {}
        if p.date_from:
            rng["gte"] = p.date_from.isoformat()
        if p.date_to:
            rng["lte"] = p.date_to.isoformat()
        filters.append({"range": {"published_at": rng}})
    should: list[dict[str, Any]] = []
    if p.collapse:
        # A story is shown by its original: copies score a little lower, so collapse picks the original.
        should.append({"term": {"dedup.is_duplicate": {"value": False, "boost": 0.5}}})
    body: dict[str, Any] = {
        "query": {"bool": {"must": must or [{"match_all": {}}], "filter": filters, "should": should}},
        "from": (max(p.page, 1) - 1) * p.size,
        "size": p.size,
        "track_total_hits": True,
        "highlight": {
            "fields": {
                "title": {"number_of_fragments": 0},
                "clean_body": {"fragment_size": 160, "number_of_fragments": 2},
            }
        },
        "aggs": {name: {"terms": {"field": fld, "size": p.facet_size}} for name, fld in FACET_FIELDS.items()},
        "_source": {"excludes": ["body", "clean_body", "dedup.minhash_*", "entities.spans"]},
    }
    body["aggs"]["published"] = {
        "date_histogram": {"field": "published_at", "calendar_interval": "day", "min_doc_count": 1}
    }
    if not p.q:
        body["sort"] = [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
        if p.collapse:
            body["sort"].insert(0, "_score")
    if p.collapse:
        body["collapse"] = {"field": "dedup.cluster_id", "inner_hits": {"name": "copies", "size": 0}}
        body["aggs"]["stories"] = {"cardinality": {"field": "dedup.cluster_id"}}
        # Facet counts stay article counts; each bucket also says how many distinct stories that is.
        for name in FACET_FIELDS:
            body["aggs"][name]["aggs"] = {"stories": {"cardinality": {"field": "dedup.cluster_id"}}}
    return body


@dataclass(frozen=True)
class QuoteParams:
    speaker: str | None = None
    q: str | None = None
    page: int = 1
    size: int = 20


def quotes_body(p: QuoteParams) -> dict[str, Any]:
    """Articles with a quote matching speaker and text; the matching quotes come back as inner hits.

    ``speaker`` matches the canonical name or any word of it ("Okafor" finds "Lena Okafor").
    """
    inner: list[dict[str, Any]] = []
    if p.speaker:
        inner.append(
            {
                "bool": {
                    "should": [
                        {"term": {"quotes.speaker": p.speaker}},
                        {"match": {"quotes.speaker.text": {"query": p.speaker, "operator": "and"}}},
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    if p.q:
        inner.append({"match": {"quotes.text": {"query": p.q, "operator": "and"}}})
    return {
        "query": {
            "nested": {
                "path": "quotes",
                "query": {"bool": {"must": inner or [{"match_all": {}}]}},
                "inner_hits": {"size": 20, "_source": ["quotes.text", "quotes.speaker", "quotes.kind", "quotes.verb"]},
            }
        },
        "from": (max(p.page, 1) - 1) * p.size,
        "size": p.size,
        "track_total_hits": True,
        "_source": ["id", "title", "source", "url", "published_at", "dedup.duplicate_of"],
        "sort": [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
    }


def shape_quotes(body: dict[str, Any]) -> dict[str, Any]:
    """One row per matching quote, with its article, date and source."""
    rows = []
    for hit in body["hits"]["hits"]:
        article = hit["_source"]
        for inner in hit.get("inner_hits", {}).get("quotes", {}).get("hits", {}).get("hits", []):
            quote = inner["_source"]
            rows.append(
                {
                    "text": quote.get("text"),
                    "speaker": quote.get("speaker"),
                    "kind": quote.get("kind"),
                    "verb": quote.get("verb"),
                    "article_id": article["id"],
                    "title": article.get("title"),
                    "source": article.get("source"),
                    "published_at": article.get("published_at"),
                    "duplicate_of": article.get("dedup", {}).get("duplicate_of"),
                }
            )
    return {"articles": body["hits"]["total"]["value"], "quotes": rows}
