"""Within one article, short forms link to the full name: a person's short forms to the full name
used elsewhere ("Varga" -> "Elena Varga"), a lone head noun ("the Bank") to the organisation it heads.
"""

from __future__ import annotations

import re

from enrich_service.domain.entities.model import ResolvedMention
from enrich_service.domain.entities.names import name_tokens, person_for_short_name, strip_possessive
from enrich_service.domain.entities.wordclass import first_name_gender, is_first_name
from enrich_service.domain.resources import read_words
from schemas.articles import EntityType

#: (start, end, name, type) of a trimmed mention.
Trimmed = tuple[int, int, str, EntityType]
_NICKNAME_INSIDE = re.compile(r"(\S+(?:\s+\S+)*?)\s+[“\"‘'](\w[\w-]*)[”\"’']\s+(\S.*)")


def link_nicknames(text: str, trimmed: list[Trimmed]) -> list[Trimmed]:
    """Names within a person's name, and couples sharing a surname.

    * A quoted nickname inside a name ('Joko "Jojo" Wido') is left out of the name, which is a
      person's, and the nickname alone stands for that person.
    * "Ana and Bo Roe": the lone first name before "and" and a full name is "Ana Roe".
    """
    nicknames: dict[str, str] = {}
    result: list[Trimmed] = []
    for start, end, name, kind in trimmed:
        match = _NICKNAME_INSIDE.fullmatch(name)
        if match is not None:
            name, kind = f"{match.group(1)} {match.group(3)}", EntityType.PERSON
            nicknames[match.group(2)] = name
        result.append((start, end, name, kind))
    for i, (start, end, name, kind) in enumerate(result):
        if name in nicknames:
            result[i] = (start, end, nicknames[name], EntityType.PERSON)
        elif kind == EntityType.PERSON and " " not in name and i + 1 < len(result):
            n_start, _n_end, n_name, n_kind = result[i + 1]
            tokens = name_tokens(n_name)
            if (
                n_kind == EntityType.PERSON
                and len(tokens) == 2
                and text[end:n_start] == " and "
                and is_first_name(name)
                and is_first_name(tokens[0])
            ):
                result[i] = (start, end, f"{name} {tokens[-1]}", kind)
    return result


def link_short_names(text: str, trimmed: list[tuple[int, int, str, EntityType]]) -> list[ResolvedMention]:
    """Resolve a person's short forms to the full name the article uses, keeping everything else."""
    full_names: list[tuple[int, str]] = []  # (start, name) of multi-word person names
    for start, _end, name, entity_type in trimmed:
        if entity_type == EntityType.PERSON and len(name_tokens(name)) > 1:
            full_names.append((start, name))
    all_names = [n for _s, n in full_names]
    resolved: list[ResolvedMention] = []
    for start, end, name, entity_type in trimmed:
        canonical, final_type = name, entity_type
        if entity_type == EntityType.PERSON and len(name_tokens(name)) > 2:
            # "Mohamed bin Zayed" within "Mohamed bin Zayed Al Nahyan": the fullest form.
            canonical = person_for_short_name(name, all_names, first_name=False) or name
        elif len(name_tokens(name)) <= 2 and entity_type != EntityType.NORP:
            # The latest full name before the mention is the likeliest referent, then any later one; after
            # "Mrs"/"Mr", one of the same gender ("Mrs Roe" is Ana Roe, not her husband Bo Roe).
            gender = honorific_gender(text[max(0, start - 8) : start])
            # A first name alone links to the full name; a lone word the model tagged ORG or GPE only when
            # it is a known first name ("Najib" for "Najib Razak", not "Dale" of "Dale County").
            is_person = entity_type == EntityType.PERSON or (len(name_tokens(name)) == 1 and is_first_name(name))
            # After a gendered honorific, a name of that gender first, else any.
            match = (gender is not None and _referent(name, start, full_names, is_person, gender)) or _referent(
                name, start, full_names, is_person, None
            )
            # A model often tags a lone surname as ORG or GPE: a person's surname wins in this article.
            if match is not None and (entity_type == EntityType.PERSON or len(name_tokens(name)) == 1):
                canonical, final_type = match, EntityType.PERSON
                # The matched form may itself be part of a fuller one ("Ng" -> "Roger Ng" -> "Roger Ng Chong Hwa").
                canonical = person_for_short_name(canonical, all_names, first_name=False) or canonical
        resolved.append(ResolvedMention(start, end, text[start:end], canonical, final_type))
    return resolved


_HONORIFIC_GENDER = re.compile(r"\b(?:(Mr|Sir|Lord)|(Mrs|Ms|Miss|Dame|Lady))\.?\s+$")


def honorific_gender(before: str) -> str | None:
    """``"he"``/``"she"`` when ``before`` ends with a gendered honorific ("Mrs ", "Mr. "), else ``None``."""
    match = _HONORIFIC_GENDER.search(before)
    if match is None:
        return None
    return "he" if match.group(1) else "she"


def _referent(
    name: str, start: int, full_names: list[tuple[int, str]], is_person: bool, gender: str | None
) -> str | None:
    """The full name a short form at ``start`` stands for: the latest fitting one before it, else after."""
    before = [n for s, n in full_names if s < start and _gender_fits(n, gender)]
    after = [n for s, n in full_names if s >= start and _gender_fits(n, gender)]
    return person_for_short_name(name, before, first_name=is_person) or person_for_short_name(
        name, after, first_name=is_person
    )


def _gender_fits(full_name: str, gender: str | None) -> bool:
    if gender is None:
        return True
    found = first_name_gender(full_name.split()[0])
    return found is None or found == gender


def _head_word(name: str) -> str:
    """The head noun of an organisation's name: the word before "of" ("Central Bank of Norland" -> "Bank"),
    else the last word ("Norland Fishermen's Union" -> "Union")."""
    tokens = [strip_possessive(t) for t in name.split()]
    for i, token in enumerate(tokens[1:], start=1):
        if token.lower() == "of":
            return tokens[i - 1]
    return tokens[-1]


def link_head_nouns(mentions: list[ResolvedMention]) -> list[ResolvedMention]:
    """A lone generic word ("the Bank", "the Union", "the Ministry") that is the head of a longer
    organisation's name in the same article is that organisation (the latest one before it, else the
    first after) — unless the word is also tagged a place or person in the article."""
    orgs = [(m.start, m.name) for m in mentions if m.type == EntityType.ORG and len(m.name.split()) > 1]
    if not orgs:
        return mentions
    resolved: list[ResolvedMention] = []
    for m in mentions:
        if len(m.name.split()) == 1 and m.type != EntityType.PERSON and not _is_place_like(m, mentions):
            containing = [(s, n) for s, n in orgs if _head_word(n) == m.name]
        elif len(m.name.split()) == 1 and m.type == EntityType.PERSON and m.name == m.surface:
            # "Marrowfield" tagged PERSON where the article names "Marrowfield Town": the organisation.
            containing = [(s, n) for s, n in orgs if n.split()[0] == m.name]
        elif m.type == EntityType.ORG and len(m.name.split()) > 1:
            # "Norvia's Foreign Ministry" or "the Foreign Ministry" where the article also says "the
            # Norvian Foreign Ministry": one body, under its nationality form.
            containing = [(s, n) for s, n in orgs if n.split()[1:] == m.name.split() and _is_demonym(n.split()[0])]
        else:
            containing = []
        if containing:
            before = [n for s, n in containing if s < m.start]
            name = before[-1] if before else containing[0][1]
            m = ResolvedMention(m.start, m.end, m.surface, name, EntityType.ORG)
        resolved.append(m)
    return resolved


def _is_demonym(word: str) -> bool:
    return word.lower() in read_words("demonyms.txt")


def _is_place_like(mention: ResolvedMention, mentions: list[ResolvedMention]) -> bool:
    """Whether a single word is tagged a place or person somewhere in the article (not a generic head)."""
    kinds = (EntityType.GPE, EntityType.LOC, EntityType.PERSON)
    return any(m.name == mention.name and m.type in kinds for m in mentions)
