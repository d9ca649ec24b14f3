"""The index template as Kibana sees it: every mapped field path, its type, and what it allows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
OBJECT_TYPES = {"object", "nested"}


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
        if ftype in OBJECT_TYPES:
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
