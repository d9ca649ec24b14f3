"""Every field a saved object names (aggregations, queries, filters, columns, sort, data-view settings)
and whether the index template allows that use."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from newsflow.kibana.fields import OBJECT_TYPES, MappedField

_META_FIELDS = {"_id", "_index", "_score", "_source"}
#: Aggregations whose ``field`` is read from the hits (top_hits/top_metrics), not aggregated over.
_HIT_AGGS = {"top_hits", "top_metrics"}
_LENS_RECORDS = "___records___"

Need = Literal["any", "searchable", "aggregatable", "date"]


@dataclass(frozen=True)
class FieldUse:
    """One place a saved object names a field, and what that place needs of it."""

    object_type: str
    object_id: str
    where: str
    field: str
    need: Need = "any"
    #: A wildcard pattern (``sourceFilters``): it must match at least one field.
    pattern: bool = False


class BadJson(ValueError):
    pass


def json_attribute(attributes: Mapping[str, Any], *keys: str) -> Any:
    """A JSON-encoded attribute (``visState``, ``...searchSourceJSON``), decoded; None if absent."""
    value: Any = attributes
    for key in keys:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value) if value.strip() else None
    except json.JSONDecodeError as exc:
        raise BadJson(f"{'.'.join(keys)} is not valid JSON ({exc})") from exc


_KQL_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}()]|[:<>=]+|[^\s"{}():<>=]+')
_KQL_WORDS = {"and", "or", "not"}


def kql_fields(query: str) -> list[str]:
    """The field names a KQL query uses: ``a.b:x``, ``a >= 1``, nested ``quotes:{ speaker:x }`` (-> quotes.speaker)."""
    tokens = _KQL_TOKEN.findall(query)
    fields: list[str] = []
    scopes: list[str] = []  # the nested paths of the open ``field:{ ... }`` groups
    i = 0
    while i < len(tokens):
        token = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token == "}":
            if scopes:
                scopes.pop()
        elif token[0] not in '"{}():<>=' and following[:1] in {":", "<", ">"} and token.lower() not in _KQL_WORDS:
            name = ".".join([*scopes, token])
            fields.append(name)
            if following == ":" and i + 2 < len(tokens) and tokens[i + 2] == "{":
                scopes.append(token)
                i += 3
                continue
            i += 2
            continue
        i += 1
    return fields


def _query_uses(query: Any, where: str) -> Iterator[tuple[str, str]]:
    """(where, field) for a Kibana query object ``{"query": ..., "language": "kuery" | "lucene"}``."""
    if not isinstance(query, Mapping):
        return
    text = query.get("query")
    if isinstance(text, str) and text.strip() and query.get("language", "kuery") == "kuery":
        for name in kql_fields(text):
            yield where, name
    elif isinstance(text, Mapping):
        yield from _dsl_uses(text, where)


_FIELD_KEYED = {
    "match",
    "match_phrase",
    "match_phrase_prefix",
    "term",
    "terms",
    "range",
    "prefix",
    "wildcard",
    "regexp",
}


def _dsl_uses(node: Any, where: str) -> Iterator[tuple[str, str]]:
    """(where, field) for an Elasticsearch query DSL fragment (a filter's ``query``)."""
    if isinstance(node, list):
        for item in node:
            yield from _dsl_uses(item, where)
        return
    if not isinstance(node, Mapping):
        return
    for key, value in node.items():
        if key in _FIELD_KEYED and isinstance(value, Mapping):
            for name in value:
                if name != "boost":
                    yield where, name
        elif key == "exists" and isinstance(value, Mapping) and "field" in value:
            yield where, value["field"]
        elif key == "nested" and isinstance(value, Mapping):
            yield where, value.get("path", "")
            yield from _dsl_uses(value.get("query"), where)
        elif isinstance(value, Mapping | list):
            yield from _dsl_uses(value, where)


def _search_source_uses(source: Any, where: str) -> Iterator[tuple[str, str, Need]]:
    if not isinstance(source, Mapping):
        return
    for w, name in _query_uses(source.get("query"), f"{where}.query"):
        yield w, name, "searchable"
    for n, flt in enumerate(source.get("filter") or source.get("filters") or []):
        yield from _filter_uses(flt, f"{where}.filter[{n}]")
    for n, sort in enumerate(source.get("sort") or []):
        if isinstance(sort, Mapping):
            for name in sort:
                yield f"{where}.sort[{n}]", name, "aggregatable"


def _filter_uses(flt: Any, where: str) -> Iterator[tuple[str, str, Need]]:
    if not isinstance(flt, Mapping):
        return
    meta = flt.get("meta") or {}
    key = meta.get("key")
    if isinstance(key, str) and key != "query" and meta.get("type") != "custom":
        yield f"{where}.meta.key", key, "searchable"
    for w, name in _dsl_uses(flt.get("query"), f"{where}.query"):
        yield w, name, "searchable"


def _vis_uses(vis_state: Any) -> Iterator[tuple[str, str, Need]]:
    if not isinstance(vis_state, Mapping):
        return
    for agg in vis_state.get("aggs") or []:
        params = agg.get("params") or {}
        where = f"visState.aggs[{agg.get('id')}:{agg.get('type')}]"
        name = params.get("field")
        if isinstance(name, str):
            need: Need = "any" if agg.get("type") in _HIT_AGGS else "aggregatable"
            if agg.get("type") in {"date_histogram", "date_range"}:
                need = "date"
            yield f"{where}.params.field", name, need
        sort_field = params.get("sortField")
        if isinstance(sort_field, str):
            yield f"{where}.params.sortField", sort_field, "aggregatable"
        for n, flt in enumerate(params.get("filters") or []):
            for w, fname in _query_uses(
                flt.get("input") if isinstance(flt, Mapping) else None, f"{where}.filters[{n}]"
            ):
                yield w, fname, "searchable"


def _lens_uses(attributes: Mapping[str, Any]) -> Iterator[tuple[str, str, Need]]:
    state = attributes.get("state") or {}
    datasources = state.get("datasourceStates") or {}
    for ds_name in ("formBased", "indexpattern"):
        layers = (datasources.get(ds_name) or {}).get("layers") or {}
        for layer_id, layer in layers.items():
            for column_id, column in (layer.get("columns") or {}).items():
                source = column.get("sourceField")
                if isinstance(source, str) and source != _LENS_RECORDS:
                    need: Need = "date" if column.get("operationType") == "date_histogram" else "aggregatable"
                    yield f"state.{ds_name}.layers[{layer_id}].columns[{column_id}].sourceField", source, need
    for w, name in _query_uses(state.get("query"), "state.query"):
        yield w, name, "searchable"
    for n, flt in enumerate(state.get("filters") or []):
        yield from _filter_uses(flt, f"state.filters[{n}]")


def field_uses(obj: Mapping[str, Any]) -> list[FieldUse]:
    """Every field a saved object names, with where and what for; raises ``BadJson`` for an undecodable attribute."""
    attributes: Mapping[str, Any] = obj["attributes"]
    otype, oid = obj["type"], obj["id"]
    found: list[tuple[str, str, Need]] = []
    pattern_uses: list[tuple[str, str]] = []
    if otype == "index-pattern":
        time_field = attributes.get("timeFieldName")
        if time_field:
            found.append(("timeFieldName", time_field, "date"))
        for attr in ("fieldAttrs", "fieldFormatMap"):
            for name in json_attribute(attributes, attr) or {}:
                found.append((attr, name, "any"))
        for n, source_filter in enumerate(json_attribute(attributes, "sourceFilters") or []):
            pattern_uses.append((f"sourceFilters[{n}]", source_filter.get("value", "")))
    elif otype == "lens":
        found.extend(_lens_uses(attributes))
    else:
        if otype == "visualization":
            found.extend(_vis_uses(json_attribute(attributes, "visState")))
        if otype == "search":
            for n, column in enumerate(attributes.get("columns") or []):
                if column != "_source":
                    found.append((f"columns[{n}]", column, "any"))
            for n, sort in enumerate(attributes.get("sort") or []):
                if isinstance(sort, list) and sort and sort[0] not in _META_FIELDS:
                    found.append((f"sort[{n}]", sort[0], "aggregatable"))
        source = json_attribute(attributes, "kibanaSavedObjectMeta", "searchSourceJSON")
        found.extend(_search_source_uses(source, "searchSourceJSON"))
    uses = [FieldUse(otype, oid, where, name, need) for where, name, need in found]
    uses += [FieldUse(otype, oid, where, value, "any", pattern=True) for where, value in pattern_uses]
    return uses


def field_problem(use: FieldUse, fields: Mapping[str, MappedField]) -> str | None:
    if use.pattern:
        if not any(fnmatch.fnmatchcase(path, use.field) for path in fields):
            return f"{use.field!r} matches no field of the index template"
        return None
    if use.field in _META_FIELDS:
        return None
    mapped = fields.get(use.field)
    if mapped is None:
        return f"{use.field!r} is not a field of the index template"
    if mapped.type in OBJECT_TYPES and not (mapped.type == "nested" and use.need == "searchable"):
        return f"{use.field!r} is an object ({mapped.type}), not a field"
    if use.need == "date" and mapped.type not in {"date", "date_nanos"}:
        return f"{use.field!r} is a {mapped.type}, not a date"
    if use.need in {"aggregatable", "date"}:
        if mapped.nested:
            return (
                f"{use.field!r} is inside the nested field {mapped.nested!r}: Kibana cannot aggregate or sort on it "
                "(use a flattened field such as quote_speakers)"
            )
        if not mapped.aggregatable:
            return f"{use.field!r} ({mapped.type}) is not aggregatable"
    if use.need == "searchable" and mapped.type != "nested" and not mapped.searchable:
        return f"{use.field!r} is not indexed, so it cannot be searched"
    return None
