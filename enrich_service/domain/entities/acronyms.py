"""Acronyms and the names they stand for, within one article.

An acronym defined in the text ("the Clay Health Alliance (CHA)") and its later bare uses ("CHA said")
are one entity under the full name; an acronym never defined still joins a longer organisation name
in the article whose initials it spells ("AP" and "Associated Press", "DOH" and "Department of
Health"). When the model missed the full name, the capitalised words before the bracket whose initials
spell the acronym are taken as the name.
"""

from __future__ import annotations

import re

from schemas.articles import EntityType

#: (start, end, name, type) of a trimmed mention, as ``resolve`` passes them around.
Trimmed = tuple[int, int, str, EntityType]

_ACRONYM = re.compile(r"[A-Z][A-Z&]{1,7}s?")
_BRACKETED = re.compile(r"\s*\(\s*([A-Z][A-Za-z&]{1,7})\s*\)")
_FUNCTION_WORDS = frozenset({"of", "and", "for", "the", "&", "on", "in", "de", "du", "des", "la", "le", "del"})
_CAP_WORD = re.compile(r"[\w’'&-]+")


def is_acronym(name: str) -> bool:
    """A single all-capitals word of two to eight letters ("NHS", "EMGL")."""
    return bool(_ACRONYM.fullmatch(name))


def initials(name: str) -> set[str]:
    """The acronyms a name's words spell: first letters, with and without the function words, and with
    every capital of a word ("ExxonMobil" -> "EM", "NZ" -> "NZ")."""
    words = [w for w in re.split(r"[\s-]+", name) if w]
    plain, full, caps = [], [], []
    for w in words:
        if w.lower() in _FUNCTION_WORDS:
            full.append(w[0].upper())
            continue
        if not w[0].isupper() and not w[0].isdigit():
            return set()
        plain.append(w[0])
        full.append(w[0])
        caps.append("".join(ch for ch in w if ch.isupper()) or w[0])
    return {"".join(plain), "".join(full), "".join(caps)} - {""}


def _name_before(text: str, end: int, acronym: str) -> tuple[int, str] | None:
    """The capitalised words ending at ``end`` whose initials spell ``acronym`` (a name the model missed)."""
    words = list(_CAP_WORD.finditer(text, max(0, end - 120), end))
    line_start = text.rfind("\n", 0, end) + 1
    for k in range(1, min(len(words), 10) + 1):
        first = words[-k]
        if first.start() < line_start:
            break
        candidate = text[first.start() : end]
        if not first.group()[0].isupper():
            continue
        if acronym.rstrip("s") in initials(candidate) and len(candidate.split()) > 1:
            return first.start(), candidate
    return None


def link_acronyms(text: str, trimmed: list[Trimmed]) -> list[Trimmed]:
    """Acronyms resolved to the full names they stand for (see the module docstring)."""
    expansions: dict[str, tuple[str, EntityType]] = {}
    added: list[Trimmed] = []
    by_end = {end: (start, name, kind) for start, end, name, kind in trimmed}
    covered: set[Trimmed] = set()
    for match in _BRACKETED.finditer(text):
        acronym = match.group(1)
        if not is_acronym(acronym) and acronym != acronym.upper():
            continue
        before = by_end.get(match.start())
        spelled = _name_before(text, match.start(), acronym)
        if spelled is not None and (before is None or len(spelled[1]) > len(before[1])):
            before = None  # the model cut the name short ("X and [Correctional Services] (XPCS)")
        if before is not None and before[2] != EntityType.PERSON and len(before[1].split()) > 1:
            expansions.setdefault(acronym, (before[1], EntityType.ORG if before[2] != EntityType.GPE else before[2]))
            continue
        found = spelled
        if found is not None and found[1].split()[0].lower() not in _FUNCTION_WORDS:
            start, name = found
            expansions.setdefault(acronym, (name, EntityType.ORG))
            added.append((start, match.start(), name, EntityType.ORG))
            covered.update(m for m in trimmed if start <= m[0] and m[1] <= match.start())
    long_orgs = [(name, kind) for _s, _e, name, kind in trimmed + added if kind == EntityType.ORG and " " in name]
    resolved: list[Trimmed] = []
    for start, end, name, kind in [m for m in trimmed if m not in covered] + added:
        if is_acronym(name):
            expansion = expansions.get(name) or expansions.get(name.rstrip("s"))
            if expansion is None:
                spelled_by = [n for n, _k in long_orgs if name in initials(n)]
                expansion = (spelled_by[0], EntityType.ORG) if len(set(spelled_by)) == 1 else None
            if expansion is not None:
                name, kind = expansion
        resolved.append((start, end, name, kind))
    resolved.sort(key=lambda m: (m[0], m[1]))
    return resolved
