"""Kibana saved objects for the articles index: load them, check them against the index template, import them.

The saved objects (``infra/kibana/newsflow.ndjson``: a data view on the alias, saved searches,
visualizations and a dashboard) are checked offline, because no Kibana runs in CI: every line is a saved
object, every reference resolves to an object in the file, and every field an object names (aggregations,
queries, filters, columns, sort, the data view's time field and field settings) is mapped by the index
template (``schemas.search_document.index_definition()``) in a way that use allows (a terms aggregation
needs an aggregatable, non-nested field; a query needs a searchable one). ``import_saved_objects`` sends
the file to Kibana's saved-objects import API.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import logging
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx

logger = logging.getLogger(__name__)

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "infra" / "kibana" / "newsflow.ndjson"
DEFAULT_URL = "http://localhost:5601"

#: Types whose fields are aggregatable when doc values are on (everything else: text, object, nested is not).
_AGGREGATABLE_TYPES = {
    "keyword",
    "constant_keyword",
    "wildcard",
    "boolean",
    "date",
    "date_nanos",
    "long",
    "integer",
    "short",
    "byte",
    "double",
    "float",
    "half_float",
    "scaled_float",
    "unsigned_long",
    "ip",
    "version",
}
_OBJECT_TYPES = {"object", "nested"}
_META_FIELDS = {"_id", "_index", "_score", "_source"}
#: Aggregations whose ``field`` is read from the hits (top_hits/top_metrics), not aggregated over.
_HIT_AGGS = {"top_hits", "top_metrics"}
_LENS_RECORDS = "___records___"
#: Pause between attempts while waiting for Kibana to start.
_RETRY_S = 2.0

Need = Literal["any", "searchable", "aggregatable", "date"]


class SavedObjectsError(ValueError):
    """The NDJSON is not a list of saved objects."""


class KibanaImportError(RuntimeError):
    """Kibana refused the import, or could not be reached; ``errors`` holds Kibana's per-object errors."""

    def __init__(self, message: str, errors: Sequence[Mapping[str, Any]] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors)


# ---- the index template ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MappedField:
    path: str
    type: str
    searchable: bool
    aggregatable: bool
    #: The path of the enclosing ``nested`` field (``quotes`` for ``quotes.speaker``), if any.
    nested: str | None = None


def mapped_fields(definition: Mapping[str, Any] | None = None) -> dict[str, MappedField]:
    """Every field path of the index template, objects, nested fields and multi-fields (``title.raw``) included."""
    if definition is None:
        from schemas.search_document import index_definition

        definition = index_definition()
    found: dict[str, MappedField] = {}
    _walk(definition["mappings"].get("properties", {}), "", None, True, found)
    return found


def _walk(
    properties: Mapping[str, Any], prefix: str, nested: str | None, enabled: bool, found: dict[str, MappedField]
) -> None:
    for name, spec in properties.items():
        path = prefix + name
        ftype = spec.get("type", "object")
        on = enabled and spec.get("enabled", True) is not False
        if ftype in _OBJECT_TYPES:
            found[path] = MappedField(path, ftype, searchable=False, aggregatable=False, nested=nested)
            inner_nested = path if ftype == "nested" else nested
            _walk(spec.get("properties", {}), path + ".", inner_nested, on, found)
            continue
        found[path] = _leaf(path, ftype, spec, nested, on)
        for sub, sub_spec in spec.get("fields", {}).items():
            sub_path = f"{path}.{sub}"
            found[sub_path] = _leaf(sub_path, sub_spec.get("type", "keyword"), sub_spec, nested, on)


def _leaf(path: str, ftype: str, spec: Mapping[str, Any], nested: str | None, enabled: bool) -> MappedField:
    searchable = enabled and spec.get("index", True) is not False
    aggregatable = enabled and ftype in _AGGREGATABLE_TYPES and spec.get("doc_values", True) is not False
    return MappedField(path, ftype, searchable, aggregatable, nested)


# ---- the NDJSON ------------------------------------------------------------------------------------------


def parse_ndjson(text: str) -> list[dict[str, Any]]:
    """The saved objects of an NDJSON export, one per non-blank line; raises ``SavedObjectsError`` naming the line."""
    objects: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SavedObjectsError(f"line {number}: not JSON ({exc})") from exc
        if not isinstance(obj, dict):
            raise SavedObjectsError(f"line {number}: not a JSON object")
        if "exportedCount" in obj and "type" not in obj:  # the summary line Kibana appends to an export
            continue
        missing = [key for key in ("id", "type", "attributes") if key not in obj]
        if missing:
            raise SavedObjectsError(f"line {number}: a saved object needs {', '.join(missing)}")
        if (
            not isinstance(obj["id"], str)
            or not isinstance(obj["type"], str)
            or not isinstance(obj["attributes"], dict)
        ):
            raise SavedObjectsError(f"line {number}: id and type must be strings, attributes an object")
        if not isinstance(obj.get("references", []), list):
            raise SavedObjectsError(f"line {number}: references must be a list")
        objects.append(obj)
    if not objects:
        raise SavedObjectsError("no saved objects in the file")
    return objects


def load_saved_objects(path: Path = DEFAULT_FILE) -> list[dict[str, Any]]:
    return parse_ndjson(Path(path).read_text(encoding="utf-8"))


def to_ndjson(objects: Sequence[Mapping[str, Any]]) -> str:
    return "".join(json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n" for obj in objects)


def with_alias(objects: Sequence[Mapping[str, Any]], alias: str) -> list[dict[str, Any]]:
    """A copy of the objects whose data views (``index-pattern``) read ``alias`` instead."""
    changed = [copy.deepcopy(dict(obj)) for obj in objects]
    for obj in changed:
        if obj["type"] == "index-pattern":
            obj["attributes"]["title"] = alias
    return changed


# ---- what the objects reference ---------------------------------------------------------------------------


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


class _BadJson(ValueError):
    pass


def _json_attr(attributes: Mapping[str, Any], *keys: str) -> Any:
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
        raise _BadJson(f"{'.'.join(keys)} is not valid JSON ({exc})") from exc


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
    """Every field a saved object names, with where and what for; raises ``_BadJson`` for an undecodable attribute."""
    attributes: Mapping[str, Any] = obj["attributes"]
    otype, oid = obj["type"], obj["id"]
    found: list[tuple[str, str, Need]] = []
    pattern_uses: list[tuple[str, str]] = []
    if otype == "index-pattern":
        time_field = attributes.get("timeFieldName")
        if time_field:
            found.append(("timeFieldName", time_field, "date"))
        for attr in ("fieldAttrs", "fieldFormatMap"):
            for name in _json_attr(attributes, attr) or {}:
                found.append((attr, name, "any"))
        for n, source_filter in enumerate(_json_attr(attributes, "sourceFilters") or []):
            pattern_uses.append((f"sourceFilters[{n}]", source_filter.get("value", "")))
    elif otype == "lens":
        found.extend(_lens_uses(attributes))
    else:
        if otype == "visualization":
            found.extend(_vis_uses(_json_attr(attributes, "visState")))
        if otype == "search":
            for n, column in enumerate(attributes.get("columns") or []):
                if column != "_source":
                    found.append((f"columns[{n}]", column, "any"))
            for n, sort in enumerate(attributes.get("sort") or []):
                if isinstance(sort, list) and sort and sort[0] not in _META_FIELDS:
                    found.append((f"sort[{n}]", sort[0], "aggregatable"))
        source = _json_attr(attributes, "kibanaSavedObjectMeta", "searchSourceJSON")
        found.extend(_search_source_uses(source, "searchSourceJSON"))
    uses = [FieldUse(otype, oid, where, name, need) for where, name, need in found]
    uses += [FieldUse(otype, oid, where, value, "any", pattern=True) for where, value in pattern_uses]
    return uses


def _field_problem(use: FieldUse, fields: Mapping[str, MappedField]) -> str | None:
    if use.pattern:
        if not any(fnmatch.fnmatchcase(path, use.field) for path in fields):
            return f"{use.field!r} matches no field of the index template"
        return None
    if use.field in _META_FIELDS:
        return None
    mapped = fields.get(use.field)
    if mapped is None:
        return f"{use.field!r} is not a field of the index template"
    if mapped.type in _OBJECT_TYPES and not (mapped.type == "nested" and use.need == "searchable"):
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


# ---- the check ---------------------------------------------------------------------------------------------


@dataclass
class CheckReport:
    objects: list[dict[str, Any]]
    uses: list[FieldUse] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def fields(self) -> list[str]:
        return sorted({use.field for use in self.uses})

    def lines(self) -> list[str]:
        """A human summary: one line per object, then the verdict."""
        out = []
        for obj in self.objects:
            names = sorted({u.field for u in self.uses if u.object_id == obj["id"] and u.object_type == obj["type"]})
            title = obj["attributes"].get("title", "")
            if obj["type"] == "dashboard" and not names:
                try:
                    names = [f"{len(_json_attr(obj['attributes'], 'panelsJSON') or [])} panels"]
                except _BadJson:
                    names = ["panelsJSON is not valid JSON"]
            out.append(f"  {obj['type']:<14} {obj['id']:<34} {title!r}: {', '.join(names) or 'no fields'}")
        if self.ok:
            out.append(
                f"{len(self.objects)} saved objects, {len(self.uses)} field references ({len(self.fields())} fields): "
                "every reference resolves and every field is in the index template: ok"
            )
        else:
            out.extend(f"problem: {p}" for p in self.problems)
            out.append(f"{len(self.problems)} problem(s) in {len(self.objects)} saved objects")
        return out


def _reference_problems(objects: Sequence[Mapping[str, Any]]) -> list[str]:
    problems = []
    ids = {(o["type"], o["id"]) for o in objects}
    seen: set[tuple[str, str]] = set()
    for obj in objects:
        key = (obj["type"], obj["id"])
        label = f"{obj['type']} {obj['id']}"
        if key in seen:
            problems.append(f"{label}: appears twice")
        seen.add(key)
        refs = obj.get("references") or []
        names = {ref.get("name") for ref in refs}
        for ref in refs:
            if (ref.get("type"), ref.get("id")) not in ids:
                problems.append(
                    f"{label}: reference {ref.get('name')!r} -> {ref.get('type')} {ref.get('id')} not in the file"
                )
        try:
            source = _json_attr(obj["attributes"], "kibanaSavedObjectMeta", "searchSourceJSON")
        except _BadJson:
            source = None  # reported by the field check
        if isinstance(source, Mapping):
            wanted = [source.get("indexRefName")]
            wanted += [
                (f.get("meta") or {}).get("indexRefName") for f in source.get("filter") or [] if isinstance(f, Mapping)
            ]
            for name in wanted:
                if name and name not in names:
                    problems.append(f"{label}: no reference named {name!r}")
        saved_search = obj["attributes"].get("savedSearchRefName")
        if saved_search and saved_search not in names:
            problems.append(f"{label}: no reference named {saved_search!r}")
        if obj["type"] == "dashboard":
            problems.extend(_panel_problems(obj, names, label))
        if obj["type"] == "lens":
            layers = ((obj["attributes"].get("state") or {}).get("datasourceStates") or {}).get("formBased") or {}
            for layer_id in layers.get("layers") or {}:
                if f"indexpattern-datasource-layer-{layer_id}" not in names:
                    problems.append(f"{label}: no reference named 'indexpattern-datasource-layer-{layer_id}'")
    return problems


def _panel_problems(obj: Mapping[str, Any], names: set[Any], label: str) -> list[str]:
    try:
        panels = _json_attr(obj["attributes"], "panelsJSON") or []
    except _BadJson as exc:
        return [f"{label}: {exc}"]
    problems = []
    for panel in panels:
        ref_name = panel.get("panelRefName")
        if ref_name is None:
            if "attributes" not in (panel.get("embeddableConfig") or {}):
                problems.append(f"{label}: panel {panel.get('panelIndex')!r} has neither panelRefName nor attributes")
            continue
        if f"{panel.get('panelIndex')}:{ref_name}" not in names:
            problems.append(
                f"{label}: panel {panel.get('panelIndex')!r} has no reference named '<panelIndex>:{ref_name}'"
            )
    return problems


def check_saved_objects(
    objects: Sequence[Mapping[str, Any]], fields: Mapping[str, MappedField] | None = None
) -> CheckReport:
    """Checks references and every field use against the index template (``fields``: ``mapped_fields()``)."""
    fields = mapped_fields() if fields is None else fields
    report = CheckReport([dict(o) for o in objects])
    report.problems.extend(_reference_problems(objects))
    for obj in objects:
        try:
            uses = field_uses(obj)
        except _BadJson as exc:
            report.problems.append(f"{obj['type']} {obj['id']}: {exc}")
            continue
        except (AttributeError, TypeError) as exc:  # a part of the object is not of the shape Kibana writes
            report.problems.append(f"{obj['type']} {obj['id']}: unexpected structure ({exc})")
            continue
        report.uses.extend(uses)
        for use in uses:
            problem = _field_problem(use, fields)
            if problem:
                report.problems.append(f"{use.object_type} {use.object_id} ({use.where}): {problem}")
    logger.debug("checked %s saved objects, %s field uses", len(report.objects), len(report.uses))
    return report


# ---- the import --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    success_count: int
    #: (type, id, title) of each imported object.
    imported: list[tuple[str, str, str]]
    url: str

    def summary(self) -> str:
        return f"imported {self.success_count} saved objects into {self.url}"


def _kibana_client(
    kibana_url: str,
    *,
    api_key: str | None,
    username: str | None,
    password: str | None,
    timeout_s: float,
    transport: httpx.BaseTransport | None,
) -> httpx.Client:
    headers = {"kbn-xsrf": "true"}
    if api_key:
        headers["Authorization"] = f"ApiKey {api_key}"
    auth = httpx.BasicAuth(username, password or "") if username and not api_key else None
    return httpx.Client(
        base_url=kibana_url.rstrip("/"), headers=headers, auth=auth, timeout=timeout_s, transport=transport
    )


def _error_line(error: Mapping[str, Any]) -> str:
    title = (error.get("meta") or {}).get("title") or error.get("title") or ""
    detail = error.get("error") or {}
    kind = detail.get("type", "error")
    extra = ""
    if kind == "missing_references":
        extra = ": " + ", ".join(f"{r.get('type')} {r.get('id')}" for r in detail.get("references") or [])
    elif detail.get("message"):
        extra = f": {detail['message']}"
    return f"{error.get('type')} {error.get('id')} {title!r}: {kind}{extra}"


def import_saved_objects(
    kibana_url: str,
    saved_objects: Path | str | Sequence[Mapping[str, Any]] = DEFAULT_FILE,
    *,
    overwrite: bool = True,
    space: str | None = None,
    api_key: str | None = None,
    username: str | None = None,
    password: str | None = None,
    alias: str | None = None,
    wait_s: float = 0.0,
    timeout_s: float = 60.0,
    transport: httpx.BaseTransport | None = None,
) -> ImportResult:
    """POSTs the objects to ``{kibana}[/s/{space}]/api/saved_objects/_import`` (multipart, ``kbn-xsrf``).

    ``alias`` points the data views at another index alias. While Kibana cannot be reached or answers 503
    (starting), retries for up to ``wait_s`` seconds. Raises ``KibanaImportError`` with Kibana's message,
    and its per-object errors when some objects were refused.
    """
    if isinstance(saved_objects, str | Path):
        objects = load_saved_objects(Path(saved_objects))
    else:
        objects = [dict(obj) for obj in saved_objects]
    if alias:
        objects = with_alias(objects, alias)
    body = to_ndjson(objects).encode("utf-8")
    path = (f"/s/{space}" if space else "") + "/api/saved_objects/_import"
    params = {"overwrite": "true"} if overwrite else {}
    deadline = time.monotonic() + wait_s
    with _kibana_client(
        kibana_url, api_key=api_key, username=username, password=password, timeout_s=timeout_s, transport=transport
    ) as client:
        while True:
            try:
                response = client.post(
                    path, params=params, files={"file": ("newsflow.ndjson", body, "application/ndjson")}
                )
            except httpx.HTTPError as exc:
                if time.monotonic() < deadline:
                    logger.info("Kibana at %s not reachable yet (%s); retrying", kibana_url, exc)
                    time.sleep(_RETRY_S)
                    continue
                raise KibanaImportError(f"cannot reach Kibana at {kibana_url}: {exc}") from exc
            if response.status_code == 503 and time.monotonic() < deadline:
                logger.info("Kibana at %s is not ready yet; retrying", kibana_url)
                time.sleep(_RETRY_S)
                continue
            break
    return _import_result(response, kibana_url)


def _import_result(response: httpx.Response, kibana_url: str) -> ImportResult:
    try:
        payload: Any = response.json()
    except ValueError:
        payload = None
    if response.status_code >= 400 or not isinstance(payload, Mapping):
        message = payload.get("message") if isinstance(payload, Mapping) else None
        hint = " (check the Kibana credentials)" if response.status_code in (401, 403) else ""
        raise KibanaImportError(
            f"POST {response.request.url.path} -> {response.status_code}: {message or response.text[:500]}{hint}"
        )
    errors: list[Mapping[str, Any]] = payload.get("errors") or []
    if not payload.get("success", False) or errors:
        lines = "\n".join(f"  {_error_line(e)}" for e in errors)
        raise KibanaImportError(
            f"Kibana imported {payload.get('successCount', 0)} objects and refused {len(errors)}:\n{lines}", errors
        )
    imported = [
        (r.get("type", ""), r.get("id", ""), (r.get("meta") or {}).get("title", ""))
        for r in payload.get("successResults") or []
    ]
    logger.info("imported %s saved objects into %s", payload.get("successCount", 0), kibana_url)
    return ImportResult(int(payload.get("successCount", 0)), imported, kibana_url)
