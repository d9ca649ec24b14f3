"""What the quote rules read an article with: its text, sentences, paragraphs, quoted spans and entities,
the speakers attributed so far, and the gender the text gives each person (for "he"/"she").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cache

import gender_guesser.detector as gender

from enrich_service.domain.entities import EntityIndex, ResolvedMention
from enrich_service.domain.quotes.marks import QuotedSpan
from enrich_service.domain.text import SpanT, sentence_index
from schemas.articles import EntityType, SpeakerType


@dataclass(frozen=True, slots=True)
class Speaker:
    name: str | None
    type: SpeakerType


@dataclass(frozen=True, slots=True)
class Attribution:
    speaker: Speaker
    verb: str | None
    position: int  # where the speaker is named (for pronoun look-back)


@dataclass
class Context:
    text: str
    sentences: list[SpanT]
    paragraphs: list[SpanT]
    index: EntityIndex
    quoted: list[QuotedSpan]
    attributions: list[Attribution] = field(default_factory=list)
    paragraph_starts: list[int] = field(default_factory=list)
    quote_bounds: list[SpanT] = field(default_factory=list)  # (open mark, after) of each marked quote
    genders: dict[str, str] = field(default_factory=dict)  # person -> "he" / "she", when the text says
    name_genders: dict[str, str] = field(default_factory=dict)  # ... as the first name suggests

    def __post_init__(self) -> None:
        self.paragraph_starts = [p[0] for p in self.paragraphs]
        self.quote_bounds = [(q.open_mark, q.after) for q in self.quoted]
        self.genders = person_genders(self.text, self.index)
        self.name_genders = {
            e.name: g
            for e in self.index.entities
            if e.type == EntityType.PERSON and e.name not in self.genders and (g := first_name_gender(e.name))
        }

    def fits(self, pronoun: str, speaker: Speaker) -> bool:
        """Whether ``he``/``she`` can mean ``speaker`` (a person of the other known gender cannot)."""
        if pronoun not in ("he", "she") or speaker.name is None or speaker.type != SpeakerType.PERSON:
            return True
        return self.genders.get(speaker.name, pronoun) == pronoun

    def name_fits(self, pronoun: str, speaker: Speaker) -> bool:
        """Whether ``he``/``she`` fits the usual gender of the person's first name (``first_name_gender``)."""
        if pronoun not in ("he", "she") or speaker.name is None or speaker.type != SpeakerType.PERSON:
            return True
        return self.name_genders.get(speaker.name, pronoun) == pronoun

    def sentence_of(self, offset: int) -> SpanT:
        i = sentence_index(self.sentences, offset)
        if i >= 0 and self.sentences[i][0] <= offset < self.sentences[i][1]:
            return self.sentences[i]
        p = self.paragraph_of(offset)
        return self.paragraphs[p] if p >= 0 else (offset, offset)

    def paragraph_of(self, offset: int) -> int:
        return bisect.bisect_right(self.paragraph_starts, offset) - 1

    def in_quote(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` lies inside quotation marks (words quoted, not the narrator's)."""
        i = bisect.bisect_right(self.quote_bounds, (start, len(self.text))) - 1
        return i >= 0 and self.quote_bounds[i][0] <= start and end <= self.quote_bounds[i][1]

    def quoted_only(self, start: int, end: int) -> bool:
        """Whether the letters of ``[start, end)`` all lie inside one quotation."""
        letters = [m.start() for m in _LETTER.finditer(self.text, start, end)]
        return bool(letters) and self.in_quote(letters[0], letters[-1] + 1)

    def narrator_mentions(self, start: int, end: int) -> list[ResolvedMention]:
        """Entity mentions in ``[start, end)`` outside quotation marks."""
        return [m for m in self.index.in_range(start, end) if not self.in_quote(m.start, m.end)]


_LETTER = re.compile(r"[^\W\d_]")

_GENDER_CUES = (
    (
        "he",
        re.compile(
            r"\b(?:Mr|Mister|Sir|Lord|King|Prince|Father|Brother|Rev\.?\s+Mr|"
            r"(?:spokes|chair|congress|business|police|fisher|sales|council|fire|country)man|"
            r"husband|son|father|brother|uncle|nephew|grandfather|boyfriend)\.?\s+$",
            re.IGNORECASE,
        ),
    ),
    (
        "she",
        re.compile(
            r"\b(?:Ms|Mrs|Miss|Madam|Madame|Dame|Lady|Queen|Princess|Sister|"
            r"(?:spokes|chair|congress|business|police|sales|council|fire|country)woman|actress|"
            r"wife|daughter|mother|sister|aunt|niece|grandmother|girlfriend)\.?\s+$",
            re.IGNORECASE,
        ),
    ),
)


def person_genders(text: str, index: EntityIndex) -> dict[str, str]:
    """The pronoun (``he``/``she``) of each person the text marks: a title or noun right before a
    mention ("Mr. Varga", "Ms Berg", "spokeswoman Anna Berg"). Conflicting cues leave it unknown."""
    votes: dict[str, set[str]] = {}
    for m in index.mentions:
        if m.type != EntityType.PERSON:
            continue
        before = text[max(0, m.start - 30) : m.start]
        for pronoun, cue in _GENDER_CUES:
            if cue.search(before):
                votes.setdefault(m.name, set()).add(pronoun)
    return {name: next(iter(found)) for name, found in votes.items() if len(found) == 1}


_FIRST_NAME_GENDERS = {"male": "he", "mostly_male": "he", "female": "she", "mostly_female": "she"}


def first_name_gender(name: str) -> str | None:
    """The pronoun a person's first name suggests ("Maria Lopez" -> "she"), None when it is unclear."""
    first = name.split()[0] if name.split() else ""
    if len(first) < 2 or not first[0].isupper() or first.endswith("."):
        return None
    return _FIRST_NAME_GENDERS.get(_gender_detector().get_gender(first))


@cache
def _gender_detector() -> gender.Detector:
    return gender.Detector(case_sensitive=False)
