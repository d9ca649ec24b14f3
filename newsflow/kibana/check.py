"""The offline check of the saved objects: references resolve, fields exist and allow their use."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsflow.kibana.fields import MappedField, mapped_fields
from newsflow.kibana.uses import BadJson, FieldUse, field_problem, field_uses, json_attribute

logger = logging.getLogger(__name__)


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
                    names = [f"{len(json_attribute(obj['attributes'], 'panelsJSON') or [])} panels"]
                except BadJson:
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
            source = json_attribute(obj["attributes"], "kibanaSavedObjectMeta", "searchSourceJSON")
        except BadJson:
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
        panels = json_attribute(obj["attributes"], "panelsJSON") or []
    except BadJson as exc:
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
        except BadJson as exc:
            report.problems.append(f"{obj['type']} {obj['id']}: {exc}")
            continue
        except (AttributeError, TypeError) as exc:  # a part of the object is not of the shape Kibana writes
            report.problems.append(f"{obj['type']} {obj['id']}: unexpected structure ({exc})")
            continue
        report.uses.extend(uses)
        for use in uses:
            problem = field_problem(use, fields)
            if problem:
                report.problems.append(f"{use.object_type} {use.object_id} ({use.where}): {problem}")
    logger.debug("checked %s saved objects, %s field uses", len(report.objects), len(report.uses))
    return report
