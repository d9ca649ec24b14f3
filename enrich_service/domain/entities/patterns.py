"""Organisations the model missed, found by their shape: a run of capitalised words ending in a word that
heads organisations' names ("the Tarrow County Roads Department", "the Coastal Safety Authority").

The small model misses many multi-word organisations or tags only a part of them ("Tarrow County" GPE +
"Roads Department" ORG). A run of capitalised words (with "of", "and", "for", "the" inside) whose last
word heads an organisation's name (``data/org_words.txt`` and ``data/org_heads.txt``) is an ORG mention;
it replaces the model's mentions inside it, never one that reaches beyond it. Leading stop words
("In", "The") are not part of it, and it never crosses a sentence end.
"""

from __future__ import annotations

import re
from functools import cache

from spacy.lang.en.stop_words import STOP_WORDS

from enrich_service.domain.entities.model import Mention
from enrich_service.domain.entities.names import bare
from enrich_service.domain.resources import read_words

_CAP = r"[A-ZÀ-ÖØ-ÞĀ-Ž][\w’'&-]*"
_CONNECTOR = r"(?:of|and|for|the|on|&)"
_RUN = re.compile(rf"{_CAP}(?:[ ](?:{_CONNECTOR}[ ])*{_CAP})*")
#: A run needs this many capitalised words (the head included) to be taken as a name.
MIN_WORDS = 2


@cache
def org_heads() -> frozenset[str]:
    """Words that end organisations' names: ``org_words.txt`` plus ``org_heads.txt`` (words that end
    organisations' names but may end a person's too, so only a run of capitalised words counts)."""
    return read_words("org_words.txt") | read_words("org_heads.txt")


@cache
def _head_pattern() -> re.Pattern[str]:
    heads = sorted(org_heads() | _OF_HEADS, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(h) for h in heads) + r")\b", re.IGNORECASE)


def organisation_mentions(text: str, mentions: list[Mention]) -> list[Mention]:
    """``mentions`` with the organisations found by shape added (see the module docstring)."""
    found: list[Mention] = []
    has_head = _head_pattern()
    for run in _RUN.finditer(text):
        if not has_head.search(run.group()):
            continue  # most runs are names without a head word: one search says so
        words = _name_words(run.group())
        capitalised = [w for w in words if run.group()[w[0]].isupper()]
        if len(capitalised) < MIN_WORDS:
            continue
        start, end = run.start() + words[0][0], run.start() + words[-1][1]
        if any(m.start < end and start < m.end and (m.start < start or m.end > end) for m in mentions):
            continue  # the model's mention reaches beyond it: keep the model's
        found.append(Mention(text[start:end], "ORG", start, end))
    if not found:
        return mentions
    kept = [m for m in mentions if not any(f.start <= m.start and m.end <= f.end for f in found)]
    return sorted(kept + found, key=lambda m: (m.start, m.end))


def _name_words(run: str) -> list[tuple[int, int]]:
    """The words of a run that may make an organisation's name: after a possessive ("Roe’s Coastal Party"),
    after "of" when what comes before it heads no organisation ("Ana Roe of the Tarrow Council", "Shares
    of X"; but "Bank of Norland"), and without leading stop words ("In", "The")."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", run)]
    for i in range(len(words) - 1, -1, -1):
        token = run[words[i][0] : words[i][1]]
        if token.endswith(("’s", "'s", "’S", "'S")):
            words = words[i + 1 :]
            break
    for i, (a, b) in enumerate(words[1:-1], start=1):
        if run[a:b] == "of":
            if bare(run[words[i - 1][0] : words[i - 1][1]]) not in org_heads() | _OF_HEADS:
                words = words[i + 1 :]
            break
    while words and run[words[0][0] : words[0][1]].lower() in STOP_WORDS:
        words.pop(0)
    # The name ends at its last head word ("the Tarrow Council on Monday": not "on Monday").
    heads = [i for i, (a, b) in enumerate(words) if bare(run[a:b]) in org_heads()]
    if not heads:
        return []
    end = heads[-1] + 1
    if end < len(words) and run[slice(*words[end])] == "of":
        # "the Bank of Norland", "Ministry of Ports and Harbours": "of" and what follows, up to another
        # connector ("... of Norland on Monday").
        end += 1
        while end < len(words) and run[slice(*words[end])] not in ("on", "for", "of", "&"):
            end += 1
    return words[:end]


#: Words before "of" in organisations' names that end no name themselves ("Chamber of Commerce").
_OF_HEADS = frozenset({"chamber", "house", "bank", "university", "ministry", "department", "court", "office"})
