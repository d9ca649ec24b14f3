"""The steps together: NER mentions in, the article's entities (an ``EntityIndex``) out.

Each entity's type is the majority of its mentions' types, unless the type table overrides it, a lone
word is more often a place than a person, or the gazetteer knows a PERSON or ORG as a place.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from enrich_service.domain import places
from enrich_service.domain.entities.acronyms import link_acronyms
from enrich_service.domain.entities.context import (
    HONORIFIC_BEFORE,
    WORD_RIGHT_BEFORE,
    context_type,
    first_name_before_initial,
    person_words_in,
)
from enrich_service.domain.entities.datelines import caps_place, dateline_mentions, normal_case
from enrich_service.domain.entities.linking import link_head_nouns, link_nicknames, link_short_names
from enrich_service.domain.entities.model import LABEL_TYPES, EntityIndex, Mention, ResolvedMention
from enrich_service.domain.entities.names import (
    alias_table,
    bare,
    fold,
    is_false_positive,
    is_title_word,
    trim_mention,
    type_overrides,
)
from enrich_service.domain.entities.patterns import organisation_mentions
from enrich_service.domain.entities.retype import entity_type_correction, retype_lists
from enrich_service.domain.entities.spans import split_mentions
from enrich_service.domain.resources import read_words
from schemas.articles import Entity, EntityType, Span

#: When the mentions of one entity carry several types, the most frequent wins; ties go by this order.
_TYPE_PRIORITY = (
    EntityType.PERSON,
    EntityType.ORG,
    EntityType.GPE,
    EntityType.LOC,
    EntityType.NORP,
    EntityType.FAC,
    EntityType.EVENT,
)


def extract_entities(text: str, mentions: Iterable[Mention]) -> list[Entity]:
    """The article's entities (see the module docstring), in order of first mention."""
    return list(resolve_entities(text, mentions).entities)


def resolve_entities(text: str, mentions: Iterable[Mention]) -> EntityIndex:
    """Resolve NER ``mentions`` of ``text`` to canonical entities (see the module docstring)."""
    mentions = split_mentions(text, _join_adjacent_persons(text, list(mentions)))
    mentions = _with_datelines(text, organisation_mentions(text, mentions))
    person_words = person_words_in(text, mentions)
    trimmed: list[tuple[int, int, str, EntityType]] = []
    for mention in mentions:
        entity_type = LABEL_TYPES.get(mention.label.strip().upper())
        if entity_type is None or not (0 <= mention.start < mention.end <= len(text)):
            continue
        start = mention.start
        if entity_type == EntityType.PERSON:
            start = first_name_before_initial(text, start)
        span = trim_mention(text, start, mention.end, entity_type)
        if span is None:
            continue
        start, end = span
        surface = text[start:end]
        name = alias_table().get(fold(surface), surface)
        if name.isupper() and (entity_type == EntityType.GPE or mention.label == _DATELINE_LABEL):
            cased = normal_case(name) if mention.label == _DATELINE_LABEL else caps_place(name)
            name, entity_type = (cased, EntityType.GPE) if cased else (name, entity_type)
        if is_false_positive(name):
            continue
        new_type = context_type(text, start, name, entity_type, person_words)
        if new_type == EntityType.PERSON != entity_type:  # now a person: trim it as one ("Judge X")
            span = trim_mention(text, start, end, EntityType.PERSON)
            if span is None:
                continue
            start, end = span
            name = text[start:end]
        trimmed.append((start, end, name, _demonym_type(name, new_type)))
    trimmed = link_nicknames(text, link_acronyms(text, trimmed))
    linked = retype_lists(text, link_head_nouns(link_short_names(text, trimmed)))
    entities = _entities(text, linked)
    final_types = {e.name: e.type for e in entities}
    resolved = [
        ResolvedMention(m.start, m.end, m.surface, m.name, final_types[m.name]) for m in linked if m.name in final_types
    ]
    return EntityIndex.build(entities, resolved)


#: The label of a dateline's place (a GPE found by ``dateline_mentions``, not by the model).
_DATELINE_LABEL = "GPE "


def _with_datelines(text: str, mentions: list[Mention]) -> list[Mention]:
    """The model's mentions, with each dateline's place and agency in place of what overlaps them."""
    extra = [
        Mention(m.text, _DATELINE_LABEL if m.label == "GPE" else m.label, m.start, m.end)
        for m in dateline_mentions(text)
    ]
    if not extra:
        return mentions
    kept = [m for m in mentions if not any(m.start < e.end and e.start < m.end for e in extra)]
    return sorted(kept + extra, key=lambda m: (m.start, m.end))


def _join_adjacent_persons(text: str, mentions: list[Mention]) -> list[Mention]:
    """Two person mentions one space apart are one name the model split ("Roger Ng" "Chong Hwa")."""
    joined: list[Mention] = []
    for m in mentions:
        prev = joined[-1] if joined else None
        if (
            prev is not None
            and prev.label == m.label == "PERSON"
            and text[prev.end : m.start] == " "
            and not prev.text.endswith(("'s", "’s"))
        ):
            joined[-1] = Mention(text[prev.start : m.end], "PERSON", prev.start, m.end)
        else:
            joined.append(m)
    return joined


def _demonym_type(name: str, entity_type: EntityType) -> EntityType:
    if entity_type in (EntityType.GPE, EntityType.PERSON, EntityType.ORG, EntityType.LOC):
        singular = name[:-1] if name.endswith("s") else name
        if name.lower() in read_words("demonyms.txt") or singular.lower() in read_words("demonyms.txt"):
            return EntityType.NORP
    return entity_type


def _entities(text: str, mentions: list[ResolvedMention]) -> list[Entity]:
    order: list[str] = []
    types: dict[str, Counter[EntityType]] = defaultdict(Counter)
    spans: dict[str, list[Span]] = defaultdict(list)
    surfaces: dict[str, list[str]] = defaultdict(list)
    for m in mentions:
        if m.name not in types:
            order.append(m.name)
        types[m.name][m.type] += 1
        spans[m.name].append(Span(start=m.start, end=m.end))
        surface = text[m.start : m.end]
        if surface not in surfaces[m.name]:
            surfaces[m.name].append(surface)
    overrides = type_overrides()
    entities = []
    for name in order:
        entity_type = overrides.get(name) or _majority_type(types[name])
        if entity_type == EntityType.LOC and places.is_known_place(name, large=True):
            entity_type = EntityType.GPE  # "Cardiff" tagged LOC: a large city is a GPE (a small town may be a range)
        if entity_type == EntityType.PERSON and len(name.split()) == 1:
            entity_type = _place_over_person(types[name]) or entity_type
        if name not in overrides and _known_place_mislabelled(text, name, entity_type, spans[name]):
            entity_type = EntityType.GPE
        if name not in overrides:
            corrected = entity_type_correction(name, entity_type, _has_person_evidence(text, name, spans[name]))
            if corrected is None:
                continue
            entity_type = corrected
        entities.append(
            Entity(
                name=name,
                type=entity_type,
                mentions=len(spans[name]),
                surface_forms=surfaces[name],
                spans=spans[name],
            )
        )
    return entities


def _has_person_evidence(text: str, name: str, spans: list[Span]) -> bool:
    """Whether some mention of ``name`` is a short form of it or follows an honorific ("Ms. Roe")."""
    for span in spans:
        if text[span.start : span.end] != name or HONORIFIC_BEFORE.search(text[max(0, span.start - 8) : span.start]):
            return True
    return False


def _known_place_mislabelled(text: str, name: str, entity_type: EntityType, spans: list[Span]) -> bool:
    """A name the model labelled PERSON or ORG that the gazetteer knows as a place, with nothing in the
    text marking it a person (no honorific or title before any mention): "Kyiv", "Minsk", "Georgia".
    A PERSON label is overruled only for a country, a US state or a large city."""
    if entity_type not in (EntityType.PERSON, EntityType.ORG):
        return False
    if not places.is_known_place(name, large=entity_type == EntityType.PERSON):
        return False
    for span in spans:
        before = text[max(0, span.start - 40) : span.start]
        word_before = WORD_RIGHT_BEFORE.search(before)
        if HONORIFIC_BEFORE.search(before) or (word_before and is_title_word(bare(word_before.group(1)))):
            return False
    return True


def _place_over_person(counts: Counter[EntityType]) -> EntityType | None:
    """A lone word tagged a person and a place in one article is the place when the place votes are at
    least half the person votes: people are introduced by full name, a town is named alone."""
    places = [t for t in (EntityType.GPE, EntityType.LOC) if counts[t]]
    if not places:
        return None
    best = max(places, key=lambda t: counts[t])
    return best if 2 * sum(counts[t] for t in places) >= counts[EntityType.PERSON] else None


def _majority_type(counts: Counter[EntityType]) -> EntityType:
    """The most frequent type; GPE and LOC vote together as "a place" against the others ("Dunmara" tagged
    GPE, LOC and ORG once each is a place), then the more frequent of the two wins."""
    best = max(counts, key=lambda t: (counts[t], -_TYPE_PRIORITY.index(t)))
    place_votes = counts[EntityType.GPE] + counts[EntityType.LOC]
    if best not in (EntityType.GPE, EntityType.LOC) and place_votes > counts[best]:
        return EntityType.GPE if counts[EntityType.GPE] >= counts[EntityType.LOC] else EntityType.LOC
    return best
