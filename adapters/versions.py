"""Which enrichment versions produced the documents of an index: one terms aggregation, read one way.

``newsflow status`` shows the counts; ``newsflow replay`` chooses between in-place and a new index by them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from elasticsearch import AsyncElasticsearch

#: Terms buckets shown for ``enrichment.version``; more than this are summed under ``OTHER_VERSIONS``.
MAX_VERSIONS = 100
NO_VERSION = "(none)"
OTHER_VERSIONS = "(other)"


def versions_aggregation() -> dict[str, Any]:
    return {"versions": {"terms": {"field": "enrichment.version", "size": MAX_VERSIONS, "missing": NO_VERSION}}}


def version_counts(search_response: Mapping[str, Any]) -> dict[str, int]:
    """``{enrichment version: documents}`` from a search with the ``versions`` terms aggregation."""
    agg = search_response.get("aggregations", {}).get("versions", {})
    counts = {str(b["key"]): int(b["doc_count"]) for b in agg.get("buckets", [])}
    if agg.get("sum_other_doc_count"):
        counts[OTHER_VERSIONS] = int(agg["sum_other_doc_count"])
    return counts


async def enrichment_versions(es: AsyncElasticsearch, index: str) -> dict[str, int]:
    resp = await es.search(index=index, size=0, aggs=versions_aggregation())
    return version_counts(resp.body)
