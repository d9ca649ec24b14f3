"""The mentions and the index of resolved entities that the other steps pass around.

``Mention`` is what an NER model found; ``ResolvedMention`` is a mention trimmed to the name proper and
resolved to its entity; ``EntityIndex`` holds the article's entities and all its resolved mentions, so
later steps (quotes) can map any span or name back to its canonical entity.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

from enrich_service.domain.entities.names import (
    EDGE_PUNCT,
    alias_table,
    fold,
    person_for_short_name,
    strip_determiner,
    strip_possessive,
    strip_title_words,
)
from schemas.articles import Entity, EntityType

#: NER labels we keep, and the entity type each becomes (spaCy's OntoNotes labels, plus CoNLL's PER/LOC/ORG).
LABEL_TYPES: dict[str, EntityType] = {
    "PERSON": EntityType.PERSON,
    "PER": EntityType.PERSON,
    "ORG": EntityType.ORG,
    "GPE": EntityType.GPE,
    "LOC": EntityType.LOC,
    "NORP": EntityType.NORP,
    "EVENT": EntityType.EVENT,
    "FAC": EntityType.FAC,
}


@dataclass(frozen=True, slots=True)
class Mention:
    """One named-entity mention as an NER model found it: ``text == clean_text[start:end]``."""

    text: str
    label: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ResolvedMention:
    """A mention trimmed to the name proper and resolved to its entity."""

    start: int
    end: int
    surface: str
    name: str
    type: EntityType


@dataclass(frozen=True)
class EntityIndex:
    """The article's entities and every mention resolved to one of them, in text order."""

    entities: tuple[Entity, ...] = ()
    mentions: tuple[ResolvedMention, ...] = ()
    _starts: tuple[int, ...] = field(default=(), repr=False, compare=False)
    _types: dict[str, EntityType] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, entities: Iterable[Entity], mentions: Iterable[ResolvedMention]) -> EntityIndex:
        ordered = tuple(sorted(mentions, key=lambda m: (m.start, m.end)))
        ents = tuple(entities)
        return cls(ents, ordered, tuple(m.start for m in ordered), {e.name: e.type for e in ents})

    def type_of(self, name: str) -> EntityType | None:
        """The type of the entity called ``name`` (canonical), if it is one of the article's."""
        return self._types.get(name)

    def in_range(self, start: int, end: int) -> list[ResolvedMention]:
        """Mentions lying entirely within ``[start, end)``, in text order."""
        i = bisect.bisect_left(self._starts, start)
        found = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            if self.mentions[i].end <= end:
                found.append(self.mentions[i])
            i += 1
        return found

    def at(self, start: int, end: int) -> ResolvedMention | None:
        """The first mention overlapping ``[start, end)``, if any."""
        i = max(bisect.bisect_left(self._starts, start) - 1, 0)
        while i < len(self.mentions) and self.mentions[i].start < end:
            m = self.mentions[i]
            if m.end > start and m.start < end:
                return m
            i += 1
        return None

    def lookup(self, text: str) -> tuple[str, EntityType] | None:
        """The canonical entity a bare name refers to ("Mr. Varga's" -> Elena Varga), if any.

        Tries the name as an entity name (after trimming and aliases), then as a person's first or last
        name.
        """
        core = strip_title_words(strip_determiner(strip_possessive(text.strip().strip(EDGE_PUNCT))))
        if not core:
            return None
        core = alias_table().get(fold(core), core)
        if core in self._types:
            return core, self._types[core]
        persons = [e.name for e in self.entities if e.type == EntityType.PERSON]
        match = person_for_short_name(core, persons)
        if match is not None:
            return match, EntityType.PERSON
        return None


def canonical_entity(index: EntityIndex, start: int, end: int) -> tuple[str, EntityType] | None:
    """The canonical entity (name, type) of whatever mention overlaps ``[start, end)``, if any."""
    mention = index.at(start, end)
    return (mention.name, mention.type) if mention else None
