"""The words and patterns the quote rules share: speech verbs, speaker nouns, pronouns, time phrases.

The verb and noun tables are read once from ``data/reporting_verbs.tsv`` and ``data/speaker_nouns.tsv``.
"""

from __future__ import annotations

import re
from functools import cache

from enrich_service.domain.resources import read_rows
from schemas.articles import EntityType, SpeakerType

PRONOUN_KINDS: dict[str, frozenset[SpeakerType]] = {
    "he": frozenset({SpeakerType.PERSON}),
    "she": frozenset({SpeakerType.PERSON}),
    "it": frozenset({SpeakerType.ORG}),
    "they": frozenset({SpeakerType.GROUP, SpeakerType.ORG}),
    "we": frozenset({SpeakerType.GROUP, SpeakerType.ORG}),
    "_person": frozenset({SpeakerType.PERSON}),  # not a word: a person of either gender ("the 24-year-old")
}

ENTITY_SPEAKER: dict[EntityType, SpeakerType] = {
    EntityType.PERSON: SpeakerType.PERSON,
    EntityType.ORG: SpeakerType.ORG,
    EntityType.GPE: SpeakerType.ORG,
    EntityType.NORP: SpeakerType.GROUP,
}

# Words a speaker phrase may start with when it is not capitalised.
PHRASE_STARTS = frozenset(
    {"the", "a", "an", "his", "her", "its", "their", "our", "he", "she", "it", "they", "we", "one", "two", "three"}
    | {"several", "many", "some", "both", "another", "other", "each", "most"}
)

# A time phrase ("on Monday", "earlier this week") between a verb or a name and what follows it.
TIME_WORDS = (
    r"(?:(?:(?:on|late|early)\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"(?:\s+(?:morning|afternoon|evening|night))?"
    r"|on\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{1,2}"
    r"|today|yesterday|tonight|afterwards|(?:earlier|later)(?:\s+(?:this|last|that|on|in\s+the)\s+(?:week|month|year|day|"
    r"morning|afternoon|evening|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))?"
    r"|(?:last|this|next)\s+(?:week|month|year|night|morning|weekend))"
)

# An auxiliary or a past tense: the words after a verb read as a clause, not an object.
CLAUSE_MARK = re.compile(
    r"\b(?:would|will|could|can|should|may|might|must|is|are|was|were|had|has|have|did|does|do|[a-z]+ed)\b"
)

#: "the 72-year-old", "the 32-year-old forward": a person the text was just about.
AGE_DESCRIPTION = re.compile(r"(?:the|a|an)\s+\d+-year-old(?:\s+[a-z]+)?", re.IGNORECASE)

LETTER = re.compile(r"[^\W\d_]")

WORD = re.compile(r"[\w’'-]+")


_VERB_CLASSES = ("speech", "stance", "quote")

#: Which verb classes each pattern holds: "speech" (reported speech anywhere), "marked" (next to a quote:
#: also the verbs that introduce words only there), "all" (also stance verbs, for partial quotes).
_PATTERN_CLASSES = {"speech": ("speech",), "marked": ("speech", "quote"), "all": _VERB_CLASSES}


def inflections(base: str) -> tuple[str, str]:
    """The regular third-person and past forms of a verb: "insist" -> ("insists", "insisted"), "testify" ->
    ("testifies", "testified"), "argue" -> ("argues", "argued"), "stress" -> ("stresses", "stressed")."""
    if base.endswith("y") and len(base) > 2 and base[-2] not in "aeiou":
        return base[:-1] + "ies", base[:-1] + "ied"
    third = base + "es" if base.endswith(("s", "sh", "ch", "x", "z", "o")) else base + "s"
    past = base + "d" if base.endswith("e") else base + "ed"
    return third, past


@cache
def _verbs() -> dict[str, frozenset[str]]:
    """The verb forms of each class (``data/reporting_verbs.tsv``: base forms, "-" for the regular ones)."""
    forms: dict[str, set[str]] = {kind: set() for kind in _VERB_CLASSES}
    for base, kind, written in read_rows("reporting_verbs.tsv", 3):
        if kind not in forms:
            raise ValueError(f"reporting_verbs.tsv: verb {base!r} has unknown class {kind!r}")
        for form in (f.strip() for f in written.lower().split(",")):
            forms[kind].update(inflections(base.lower()) if form == "-" else (form,))
    return {kind: frozenset(found) for kind, found in forms.items()}


def verb_forms(which: str) -> frozenset[str]:
    """The verb forms of a pattern ("speech", "marked" or "all", see ``verb_pattern``)."""
    verbs = _verbs()
    return frozenset().union(*(verbs[kind] for kind in _PATTERN_CLASSES[which]))


@cache
def verb_pattern(which: str) -> re.Pattern[str]:
    """Speech verbs in text: "speech" (reported speech anywhere), "marked" (also verbs that introduce words
    only right next to quotation marks), "all" (also stance verbs, for partial quotes)."""
    alternatives = "|".join(
        sorted((re.escape(v).replace(r"\ ", r"\s+") for v in verb_forms(which)), key=len, reverse=True)
    )
    # Lower case only: "States" in "United States" is not a verb.
    return re.compile(rf"(?<![\w-])(?:{alternatives})\b(?!-)")


@cache
def speaker_nouns() -> dict[str, SpeakerType]:
    return {noun.lower(): SpeakerType(kind) for noun, kind in read_rows("speaker_nouns.tsv", 2)}
