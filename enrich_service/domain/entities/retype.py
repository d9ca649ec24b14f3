"""Types from the article as a whole: lists of like names, facilities, and names that are not names.

* A list ("Galway, Mayo and Sligo", "Ana Roe, Bo Doe and Guru") holds names of one kind: a lone word
  the model typed otherwise takes the type the list's other names share (a place when any of them is
  a place and the word is no known first name; a person when all the others are people).
* A name ending in a facility word ("X Boulevard", "Y Hospital") is a facility, not an entity.
* A lone word typed PERSON that never joins a full name is no person when it is a common English word
  and no first name ("Match", "Tons"); when the gazetteer knows it as a town and it is no first name,
  it is that town ("volunteers from as far as Monett").
"""

from __future__ import annotations

import re

from enrich_service.domain import places
from enrich_service.domain.entities.model import ResolvedMention
from enrich_service.domain.entities.wordclass import (
    is_common_word_name,
    is_facility_name,
    is_first_name,
    is_rare_word,
)
from schemas.articles import EntityType

_LIST_GLUE = re.compile(r"(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+)")
_CORE = (EntityType.PERSON, EntityType.ORG, EntityType.GPE)


def _lists(text: str, mentions: list[ResolvedMention]) -> list[list[int]]:
    """Runs of mentions (indexes) joined only by commas, "and" or "or"."""
    runs: list[list[int]] = []
    current: list[int] = []
    for i, m in enumerate(mentions):
        if current:
            prev = mentions[current[-1]]
            if m.start >= prev.end and _LIST_GLUE.fullmatch(text, prev.end, m.start):
                current.append(i)
                continue
            if len(current) > 1:
                runs.append(current)
        current = [i]
    if len(current) > 1:
        runs.append(current)
    return runs


def retype_lists(text: str, mentions: list[ResolvedMention]) -> list[ResolvedMention]:
    """Lone words in a list of like names take the list's type (see the module docstring)."""
    result = list(mentions)
    for run in _lists(text, mentions):
        if len(run) < 2:
            continue
        for i in run:
            m = mentions[i]
            if m.type not in _CORE or " " in m.name or m.name != m.surface:
                continue
            others = [mentions[j].type for j in run if j != i]
            places_around, persons_around = others.count(EntityType.GPE), others.count(EntityType.PERSON)
            if m.type != EntityType.GPE and places_around > others.count(m.type) and places_around >= persons_around:
                result[i] = ResolvedMention(m.start, m.end, m.surface, m.name, EntityType.GPE)
            elif (
                m.type != EntityType.PERSON
                and persons_around >= 2
                and persons_around > len(others) - persons_around
                and not places.is_known_place(m.name)
            ):
                result[i] = ResolvedMention(m.start, m.end, m.surface, m.name, EntityType.PERSON)
    return result


def entity_type_correction(name: str, entity_type: EntityType, linked: bool) -> EntityType | None:
    """The corrected type of a whole entity, ``None`` when it is no entity (see the module docstring).

    ``linked``: some mention of it is a short form of a longer name, or it carries an honorific.
    """
    if entity_type in _CORE and is_facility_name(name):
        return EntityType.FAC
    if entity_type != EntityType.PERSON or linked:
        return entity_type
    if " " not in name and not is_first_name(name) and is_rare_word(name) and places.town_population(name) >= 5_000:
        return EntityType.GPE
    if is_common_word_name(name):
        return None
    return entity_type
