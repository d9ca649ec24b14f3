"""Datelines and place names written in capitals.

A line opening with a place in capitals, then a dash, a colon, a comma and a state or country, or a
wire agency in brackets ("NEW YORK (AP) —", "LAGOS, Nigeria —", "AMMAN:") names a place; the agency in
brackets is an organisation. A place in capitals is named in its normal casing ("Kuala Lumpur").
"""

from __future__ import annotations

import re

from enrich_service.domain import places
from enrich_service.domain.entities.model import Mention

_DATELINE = re.compile(
    r"^[ \t]*(?P<place>[A-Z][A-Z’'.-]+(?:[ ][A-Z][A-Z’'.-]+){0,3})"
    r"(?P<rest>,[ ]+(?P<region>[A-Z][\w.]*(?:[ ][A-Z][\w.]*)?)(?=[ ]*[(—–:-])"
    r"|(?=[ ]*\((?P<agency>[A-Za-z][\w .&-]{0,30})\)[ ]*[—–:-])|(?=[ ]*[—–:]|[ ]+-[ ]))",
    re.MULTILINE,
)


def normal_case(name: str) -> str:
    """A name in capitals in its normal casing ("KUALA LUMPUR" -> "Kuala Lumpur", "O'NEILL" -> "O'Neill")."""
    return re.sub(r"[A-Za-z]+", lambda m: m.group().capitalize(), name.lower())


def caps_place(name: str) -> str | None:
    """The normal casing of a place written in capitals ("SPAIN" -> "Spain"), when the gazetteer knows it."""
    letters = [ch for ch in name if ch.isalpha()]
    if len(letters) < 4 or not name.isupper():
        return None
    cased = normal_case(name)
    return cased if places.is_known_place(cased) else None


def dateline_mentions(text: str) -> list[Mention]:
    """The place (GPE) and the wire agency (ORG) of each dateline in ``text``."""
    found: list[Mention] = []
    for match in _DATELINE.finditer(text):
        place = match.group("place").rstrip(".")
        cased = normal_case(place)
        if match.group("region") is None and match.group("agency") is None and not places.is_known_place(cased):
            continue  # "WATCH:", "UPDATE —": a capitalised label, not a place
        start = match.start("place")
        found.append(Mention(place, "GPE", start, start + len(place)))
        if match.group("agency"):
            a_start = match.start("agency")
            found.append(Mention(match.group("agency"), "ORG", a_start, match.end("agency")))
    return found
