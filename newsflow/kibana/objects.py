"""The saved-objects NDJSON: parse, load, write back, point the data view at another alias."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "infra" / "kibana" / "newsflow.ndjson"


class SavedObjectsError(ValueError):
    """The NDJSON is not a list of saved objects."""


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
