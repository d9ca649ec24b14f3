"""Helpers for the enrich unit tests: build NER mentions for fictional texts by hand."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from enrich_service.domain.entities import EntityIndex, Mention, extract_entities, resolve_entities
from schemas.articles import EntityType

PROJECT_ROOT = Path(__file__).resolve().parents[3]
#: Real articles shared by the team (test material only; never copied into the project).
SAMPLES_DIR = PROJECT_ROOT.parent / "shared" / "samples" / "seeds"


def mentions(text: str, names: Iterable[tuple[str, str]]) -> list[Mention]:
    """A ``Mention`` for every whole-word occurrence of each ``(surface, label)`` in ``text``."""
    found = []
    for surface, label in names:
        for match in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text):
            found.append(Mention(surface, label, match.start(), match.end()))
    return sorted(found, key=lambda m: (m.start, -m.end))


def at(text: str, surface: str, label: str, occurrence: int = 0) -> Mention:
    """A mention of the ``occurrence``-th (0: first) ``surface`` in ``text``, labelled ``label``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(surface, start + 1)
    return Mention(surface, label, start, start + len(surface))


def types(text: str, found: list[Mention]) -> dict[str, EntityType]:
    """The article's entities from hand-made mentions, as {name: type}."""
    return {e.name: e.type for e in extract_entities(text, found)}


def index_for(text: str, names: Iterable[tuple[str, str]]) -> EntityIndex:
    """The resolved entities of ``text`` given hand-made NER mentions."""
    return resolve_entities(text, _outermost(mentions(text, names)))


def _outermost(found: list[Mention]) -> list[Mention]:
    """Drop mentions nested in longer ones (an NER model never returns overlapping entities)."""
    kept: list[Mention] = []
    for m in found:
        if kept and m.start < kept[-1].end:
            continue
        kept.append(m)
    return kept


def sample_files() -> list[Path]:
    return sorted(SAMPLES_DIR.glob("*.txt")) if SAMPLES_DIR.is_dir() else []
