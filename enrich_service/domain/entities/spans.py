"""Mentions the model ran past the name: split or cut before anything else reads them.

* A possessive inside a mention joins two names ("the Norvik Harbour Board’s Coastal Survey Unit"):
  the owner is one mention, and the owned part another when it reads as a name of its own (two or more
  words, capitalised at both ends), else it is dropped ("the Harbour Board’s March" -> a month).
* An organisation or place runs on into lower-case words that are no part of a name ("the Ministry of
  Ports a notice of closure"): the mention ends before the first lower-case word that is not a name
  connector ("of", "and", "for", "de", ...).
"""

from __future__ import annotations

import re
from functools import cache

from enrich_service.domain.entities.model import Mention
from enrich_service.domain.entities.names import bare
from enrich_service.domain.resources import read_words

#: Lower-case words that may stand inside an organisation's or place's name.
NAME_CONNECTORS = frozenset(
    {"of", "and", "for", "the", "on", "in", "at", "to", "de", "du", "des", "la", "le", "les", "del", "di", "da"}
    | {"y", "e", "van", "von", "der", "den", "bin", "al", "el", "&"}
)
_INNER_POSSESSIVE = re.compile(r"['’]s\s+(?=[A-Z])")
_LOWER_WORD = re.compile(r"\s([a-z][\w’'-]*)")
_SPLIT_LABELS = frozenset({"ORG", "GPE", "FAC", "LOC", "EVENT"})


def split_mentions(text: str, mentions: list[Mention]) -> list[Mention]:
    """``mentions`` with inner possessives split and run-on organisation names cut (see above)."""
    out: list[Mention] = []
    for m in mentions:
        if m.label.strip() not in _SPLIT_LABELS:
            out.append(m)
            continue
        for piece in _split_possessive(text, m):
            out.append(_cut_run_on(text, piece))
    return out


def _split_possessive(text: str, m: Mention) -> list[Mention]:
    match = _INNER_POSSESSIVE.search(text, m.start, m.end)
    if match is None or match.start() <= m.start:
        return [m]
    owned_start = match.end()
    owned = text[owned_start : m.end]
    words = owned.split("(", 1)[0].split()
    if len(words) == 1 and bare(words[0]) in _name_endings():
        return [m]  # "St Mary’s Hospital", "the Women’s Council": the possessive is inside the name
    owner = Mention(text[m.start : match.start()], m.label, m.start, match.start())
    if len(words) >= 2 and words[0][:1].isupper() and words[-1][:1].isupper():
        return [owner, Mention(owned, m.label, owned_start, m.end)]
    return [owner]


@cache
def _name_endings() -> frozenset[str]:
    """Words that end an organisation's or a facility's name (``data/org_words.txt``, ``facility_words.txt``)."""
    return read_words("org_words.txt") | read_words("facility_words.txt")


def _cut_run_on(text: str, m: Mention) -> Mention:
    for word in _LOWER_WORD.finditer(text, m.start, m.end):
        if word.group(1) not in NAME_CONNECTORS:
            end = word.start()
            while end > m.start and text[end - 1] in " ,;:":
                end -= 1
            return Mention(text[m.start : end], m.label, m.start, end) if end > m.start else m
    return m
