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

LETTER = re.compile(r"[^\W\d_]")

WORD = re.compile(r"[\w’'-]+")


@cache
def _verbs() -> tuple[frozenset[str], frozenset[str]]:
    speech: set[str] = set()
    stance: set[str] = set()
    for verb, kind in read_rows("reporting_verbs.tsv", 2):
        if kind not in ("speech", "stance"):
            raise ValueError(f"reporting_verbs.tsv: verb {verb!r} has unknown class {kind!r}")
        (speech if kind == "speech" else stance).add(verb.lower())
    return frozenset(speech), frozenset(stance)


@cache
def verb_pattern(which: str) -> re.Pattern[str]:
    speech, stance = _verbs()
    verbs = speech if which == "speech" else speech | stance
    alternatives = "|".join(sorted((re.escape(v) for v in verbs), key=len, reverse=True))
    # Lower case only: "States" in "United States" is not a verb.
    return re.compile(rf"(?<![\w-])(?:{alternatives})\b(?!-)")


@cache
def speaker_nouns() -> dict[str, SpeakerType]:
    return {noun.lower(): SpeakerType(kind) for noun, kind in read_rows("speaker_nouns.tsv", 2)}
