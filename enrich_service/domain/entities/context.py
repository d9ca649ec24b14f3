"""The words around a mention correct the model's label (``context_type``).

A name after a role or honorific, or whose surname is tagged PERSON elsewhere, is a PERSON; a "person"
ending in an organisation word or introduced by one is an ORG; a lone word after "in"/"at" or "the
mayor of" is a place; "Storm X" is an EVENT. Also: a first name the model cut off before a middle
initial is taken back (``first_name_before_initial``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from enrich_service.domain import places
from enrich_service.domain.entities.model import Mention
from enrich_service.domain.entities.names import (
    APOSTROPHES,
    alias_table,
    bare,
    is_title_word,
    strip_possessive,
    type_overrides,
)
from enrich_service.domain.entities.sport import is_club_name
from enrich_service.domain.entities.wordclass import is_common_word, is_first_name, is_rare_word
from enrich_service.domain.resources import read_words
from schemas.articles import EntityType

_INITIAL_START = re.compile(r"[A-Z]\.\s")
_WORD_BEFORE = re.compile(r"(?<![\w.])([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s+$")


def first_name_before_initial(text: str, start: int) -> int:
    """A person mention starting with a middle initial ("J. Austin") takes the first name the model left
    out right before it ("Lloyd J. Austin"), unless that word is a title."""
    if not _INITIAL_START.match(text, start):
        return start
    match = _WORD_BEFORE.search(text, max(0, start - 30), start)
    if match is None or is_title_word(match.group(1)) or match.group(1).lower() in ("the", "and", "of", "by", "with"):
        return start
    return match.start(1)


_HONORIFIC = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame)"
_AFTER_HONORIFIC = re.compile(rf"\b{_HONORIFIC}\.?\s+([A-Z][\w’'-]+)")
HONORIFIC_BEFORE = re.compile(rf"\b{_HONORIFIC}\.?\s+$")
WORD_RIGHT_BEFORE = re.compile(r"([\w’'-]+),?\s+$")
_NAME_TOKEN = re.compile(r"[A-Z][a-zà-ÿ’'-]*[a-zà-ÿ](?:-[A-Z][a-zà-ÿ’'-]+)*\.?|[A-Z]\.")
#: Nouns that introduce an organisation's name ("the airline Skyvance", "the software maker X").
_ORG_INTRODUCERS = frozenset(
    {"airline", "carrier", "company", "firm", "maker", "carmaker", "lender", "bank", "club", "group", "start-up"}
    | {"startup", "retailer", "insurer", "operator", "broadcaster", "newspaper", "publisher", "developer"}
    | {"manufacturer", "miner", "supplier", "charity", "union", "party", "team", "brand", "chain", "conglomerate"}
)


#: A lower-case noun right after a name tagged ORG ("former Brindle Sachs banker X"): the name is the employer.
_MODIFIERS = frozenset({"former", "acting", "senior", "top", "first", "then", "ex", "deputy", "vice"})
_ROLE_NOUN_AFTER = re.compile(r"['’]?s?\s+[a-z]")
_NAMED_STORM = re.compile(r"(?:Storm|Hurricane|Typhoon|Cyclone|Tropical Storm|Super Typhoon)\s+[A-Z]")
#: Prepositions after which a lone capitalised word is a place, not a person.
_PLACE_PREPOSITIONS = frozenset(
    {"in", "at", "near", "outside", "across", "around", "throughout", "inside", "through", "via"}
)
_PLACE_OF = re.compile(
    r"\b(?:mayor|governor|isle|island|islands|city|town|port|bay|gulf|republic|kingdom|province|county|state|"
    r"strait|people|residents|capital|centre|center|outskirts|north|south|east|west|streets|heart)\s+of\s+$",
    re.IGNORECASE,
)


@cache
def org_words() -> frozenset[str]:
    """``data/org_words.txt``: words that end organisations' names ("Town", "Advisers")."""
    return read_words("org_words.txt")


def person_words_in(text: str, mentions: Sequence[Mention]) -> frozenset[str]:
    """Single name words that name a person in this text: the last word of a mention the model tagged
    PERSON, and a capitalised word after "Mr."/"Ms."/"Dr." and the like."""
    words = {m.text.split()[-1] for m in mentions if m.label.upper() in ("PERSON", "PER") and m.text.split()}
    words |= {match.group(1) for match in _AFTER_HONORIFIC.finditer(text)}
    return frozenset(strip_possessive(w.translate(APOSTROPHES)) for w in words)


def _looks_like_person_name(name: str) -> bool:
    tokens = name.split()
    return (
        1 <= len(tokens) <= 4
        and all(_NAME_TOKEN.fullmatch(t) for t in tokens)
        and not any(bare(t) in org_words() for t in tokens)
    )


def context_type(text: str, start: int, name: str, entity_type: EntityType, person_words: frozenset[str]) -> EntityType:
    """The type the words around a mention show, when the model's label contradicts them.

    * PERSON -> ORG: its last word only ends organisations' names ("Marrowfield Town", "X Advisers"), or
      an organisation noun introduces it ("the airline Skyvance");
    * ORG or GPE -> PERSON: a person's name (capitalised words, no organisation word) after a title or
      role ("coach Saskia Dromgoole", "chief executive, Ana Ruvalde,") or an honorific ("Ms. Ruvalde"), or
      whose last word names a person elsewhere in the text ("Renata Oyelowo-Braga" ... "Oyelowo-Braga").
    """
    if _NAMED_STORM.match(name):
        return EntityType.EVENT  # "Storm Ilse", "Hurricane Maria": weather, not an organisation or person
    if entity_type != EntityType.ORG and is_club_name(name, text):
        return EntityType.ORG  # "Dunmara City" in a match report: the club
    before = text[max(0, start - 40) : start]
    word_before = WORD_RIGHT_BEFORE.search(before)
    previous = bare(word_before.group(1)) if word_before else ""
    if entity_type == EntityType.PERSON:
        last = bare(name.split()[-1]) if name.split() else ""
        if last in org_words() or previous in _ORG_INTRODUCERS:
            return EntityType.ORG
        if len(name.split()) == 1 and place_cue(before) and not HONORIFIC_BEFORE.search(before):
            return EntityType.GPE  # "a meeting in Brennick", "the mayor of Brennick": a place
        return entity_type
    single_word_org = entity_type == EntityType.ORG and len(name.split()) == 1
    single_town = single_word_org and places.is_place_name(name)
    if single_town and (place_cue(before) or previous in ("to", "from", "of")):
        return EntityType.GPE  # "services to Brennick": a town the gazetteer knows, named as a place
    if single_word_org and _unknown_place(name, before, previous, text[start + len(name) : start + len(name) + 20]):
        return EntityType.GPE  # "schools in Dunmara", "Co Tarrow": a place no gazetteer here lists
    if entity_type not in (EntityType.ORG, EntityType.GPE) or not _looks_like_person_name(name):
        return entity_type
    if name in type_overrides() or name in alias_table().values():
        return entity_type
    tokens = name.split()
    if HONORIFIC_BEFORE.search(before):
        return EntityType.PERSON
    first_name = is_first_name(tokens[0]) and not places.is_known_place(name)
    if len(tokens) >= 2 and (
        (
            is_title_word(previous)
            and (first_name or previous not in _MODIFIERS or not _ROLE_NOUN_AFTER.match(text, start + len(name)))
        )
        or strip_possessive(tokens[-1].translate(APOSTROPHES)) in person_words
    ):
        return EntityType.PERSON
    titled = [i for i, t in enumerate(tokens[:-2]) if is_title_word(t)]
    if titled and is_first_name(tokens[titled[-1] + 1]):
        return EntityType.PERSON  # "Dunmoor Magistrate Ilse Varrow": a place, a title, then a name
    if 2 <= len(tokens) <= 3 and first_name and not is_common_word(tokens[-1]):
        return EntityType.PERSON  # "Janice Roe" tagged ORG: a first name, then a name word
    return entity_type


#: Words right before a county's or district's name ("Co Tarrow", "County Tarrow").
_COUNTY_WORDS = frozenset({"co", "county", "district", "province", "state"})


_PLACE_NOUN_AFTER = re.compile(
    r"\s+(?:district|county|province|region|village|town|city|municipality|canton|parish|island|state)\b"
)


def _unknown_place(name: str, before: str, previous: str, after: str) -> bool:
    """A lone word tagged ORG that reads as a place: after "in"/"near"/"Co"/"County" or before "district",
    "province" and the like; not an acronym, no organisation's last word, and rare in English (a common
    word after "in" is a body: "in Parliament")."""
    if name.isupper() or bare(name) in org_words() or not is_rare_word(name):
        return False
    return previous in _COUNTY_WORDS or (previous != "at" and place_cue(before)) or bool(_PLACE_NOUN_AFTER.match(after))


def place_cue(before: str) -> bool:
    """Whether the words before a mention introduce a place ("in", "near", "the mayor of")."""
    word_before = WORD_RIGHT_BEFORE.search(before)
    previous = bare(word_before.group(1)) if word_before else ""
    return previous in _PLACE_PREPOSITIONS or bool(_PLACE_OF.search(before))
