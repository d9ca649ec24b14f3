"""Reading a speaker phrase: its head chunk and head noun, a description ("the pilot", "fishing crews"),
a list of entities speaking together, a body that refers to a named organisation, a name the NER missed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from enrich_service.domain.entities import ResolvedMention, is_title_word
from enrich_service.domain.quotes.context import Context, Speaker
from enrich_service.domain.quotes.lexicon import CLAUSE_MARK, PHRASE_STARTS, TIME_WORDS, WORD, speaker_nouns
from enrich_service.domain.text import SpanT
from schemas.articles import EntityType, SpeakerType

_RELATIVE_CLAUSE = re.compile(r",\s+(?:who|which|whose|where|when)\b[^,]*(?:,|$)")


def phrase_may_start(phrase: str) -> bool:
    """Whether a speaker phrase may start with this word: a capital, a determiner, a role or body noun
    ("agency spokeswoman Anna Berg", "analysts", "police")."""
    first = WORD.search(phrase)
    if first is None:
        return False
    word = first.group()
    lower = word.lower()
    if lower in NAME_PARTICLES and phrase[first.end() :].strip()[:1].isupper():
        return True  # "de Silva said"
    return word[0].isupper() or lower in PHRASE_STARTS or lower in speaker_nouns() or is_title_word(lower)


#: Lower-case words a surname may start with ("de Silva", "van der Berg", "al-Amin", "bin Zayed").
NAME_PARTICLES = frozenset({"de", "da", "di", "do", "dos", "das", "del", "della", "van", "von", "der", "al", "el"})


_DESCRIPTION = re.compile(
    r"(?:(?:the|a|an|one|another|that|this|these|those|two|three|several|some|many)\s+)?"
    r"(?:[\w’'-]+\s+){0,3}([a-z][\w-]*)",
    re.IGNORECASE,
)

POSTMODIFIER = re.compile(
    r"\s(?:of|from|at|in|on|for|who|which|whose|with|along|across|near|familiar|close|involved|based|aboard)\b"
)


def description(chunk: str) -> Speaker | None:
    """A short description as a speaker: "the pilot", "a Skyvance pilot", "fishing crews along the
    coast", "a person familiar with the talks". Without a determiner only a plural noun counts."""
    head = POSTMODIFIER.split(chunk, maxsplit=1)[0].strip()
    if not head or head.split()[0].lower() in _NOT_DESCRIPTION_STARTS:
        return None
    match = _DESCRIPTION.fullmatch(head)
    if match is None or match.group(1).lower() in _NOT_SPEAKERS or len(chunk.split()) > 10:
        return None
    if CLAUSE_MARK.search(head) or " that " in f" {chunk} ":
        return None  # "the figures were not ...": a clause, not someone
    noun = match.group(1).lower()
    has_determiner = head.split()[0].lower() in _DETERMINERS
    kind = speaker_nouns().get(noun)
    if kind is None:
        if noun.endswith("s") and not noun.endswith("ss") and _PERSON_NOUN.search(noun[:-1]):
            kind = SpeakerType.GROUP  # "fishers", "passengers" (not "estimates", "figures")
        elif has_determiner and _PERSON_NOUN.search(noun):
            kind = SpeakerType.PERSON
        else:
            return None
    return Speaker(chunk, kind)


#: Endings of nouns for people ("the builder", "a survivor", "the pharmacist", "a trainee", "the
#: chairperson"): an unknown singular noun is only taken as a speaker with one of them.
_PERSON_NOUN = re.compile(r"(?:er|or|ist|ian|ant|ent|man|woman|person|ee|ive)$")


_NOT_DESCRIPTION_STARTS = frozenset(
    {"for", "of", "in", "on", "at", "to", "with", "by", "from", "and", "but", "or", "as", "which", "who"}
    | {"after", "before", "than", "about", "into", "over", "under", "while", "when", "if", "because", "it"}
)

_DETERMINERS = frozenset(
    {"the", "a", "an", "one", "another", "that", "this", "these", "those", "two", "three", "several", "some", "many"}
)


#: Nouns that can head a subject before "said" without being a speaker.
_NOT_SPEAKERS = frozenset(
    {"it", "this", "that", "there", "time", "day", "week", "year", "month", "way", "end", "case", "fact", "idea"}
    | {"people", "plan", "move", "deal", "law", "bill", "rule", "decision", "news", "result", "results"}
    | {"so", "also", "has", "was", "is", "data", "figures", "numbers", "documents", "records", "reports"}
)


_LIST_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s(?:and|&)\s+)(?:the\s+)?", re.IGNORECASE)


def listed_entities(text: str, mentions: Sequence[ResolvedMention]) -> list[ResolvedMention] | None:
    """The last run of two or more entities listed with "and" / commas ("the U.K. and France"), if any."""
    run: list[ResolvedMention] = []
    for m in reversed(mentions):
        if run and not _LIST_SEPARATOR.fullmatch(text, m.end, run[0].start):
            break
        run.insert(0, m)
    names = {m.name for m in run}
    return run if len(names) > 1 and " and " in f" {text[run[0].end : run[-1].start]} ".replace("&", "and") else None


def covers(text: str, members: Sequence[ResolvedMention], start: int, end: int) -> bool:
    lead = text[start : members[0].start].strip().lower()
    return lead in ("", "the", "both", "both the") and not text[members[-1].end : end].strip(" ,.’'s")


def group_of(text: str, members: Sequence[ResolvedMention]) -> Speaker:
    """One speaker for several entities speaking together, kept as written ("the U.K. and France")."""
    return Speaker(clean_phrase(text[members[0].start : members[-1].end]), SpeakerType.GROUP)


def named_body(ctx: Context, chunk: str, position: int) -> Speaker | None:
    """The named organisation a description refers to: "the ministry" -> the article's "Foreign Ministry"
    (the most recent organisation before ``position`` whose name has the head noun, else the first after)."""
    words = WORD.findall(chunk)
    if not words or any(w[0].isupper() for w in words[1:]) or words[0].lower() not in ("the", "this", "that"):
        return None
    noun = words[-1].lower()
    before: list[str] = []
    after: list[str] = []
    for m in ctx.index.mentions:
        if m.type == EntityType.ORG and noun in (w.lower() for w in WORD.findall(m.name)):
            (before if m.start < position else after).append(m.name)
    candidates = before[::-1] + after
    if not candidates and noun in _ANY_ORG_NOUNS and len(words) == 2:
        # "The company added ...": the organisation the text last named.
        recent = [m for m in ctx.index.mentions if m.type == EntityType.ORG and m.end <= position]
        if recent and position - recent[-1].end <= MAX_ORG_REFERENCE_CHARS:
            return Speaker(recent[-1].name, SpeakerType.ORG)
    return Speaker(candidates[0], SpeakerType.ORG) if candidates else None


#: Nouns that refer back to whatever organisation the text named last ("the company", "the firm").
_ANY_ORG_NOUNS = frozenset(
    {"company", "firm", "group", "airline", "carrier", "maker", "carmaker", "lender", "insurer", "operator"}
    | {"retailer", "manufacturer", "miner", "supplier", "broadcaster", "publisher", "developer", "automaker"}
)

#: ... when it was named at most this far back.
MAX_ORG_REFERENCE_CHARS = 600


def mask_relative_clauses(phrase: str) -> str:
    """Blank out ", who ... ," clauses (same length, so offsets still hold)."""
    return _RELATIVE_CLAUSE.sub(lambda m: " " * len(m.group()), phrase)


def head_chunk(text: str, start: int, end: int, head: str) -> SpanT:
    """The part of a phrase its head noun is in: up to the first comma or "of", or the last comma-chunk."""
    phrase = mask_relative_clauses(text[start:end])
    if head == "start":
        cut = re.search(r",|\s(?:of|from|at|in|on|for|who|which|according|adding|following|after)\s", phrase)
        # "United for Hungary": a capitalised name may hold "for"/"of"; cut at the comma then.
        if cut and cut.group().strip() in ("of", "for") and looks_like_name(phrase.split(",")[0].strip()):
            cut = re.search(r",", phrase)
        chunk_end = start + (cut.start() if cut else len(phrase))
        return _trim(text, start, chunk_end)
    # A relative clause at the end is not the head ("The Bank, whose governor ... warned"): cut it off.
    end = start + len(phrase.rstrip())
    phrase = phrase.rstrip()
    last_comma = max(phrase.rfind(","), phrase.rfind("–"), phrase.rfind("—"), phrase.rfind("("), phrase.rfind(")"))
    chunk_start = start + last_comma + 1 if last_comma >= 0 else start
    return _trim(text, chunk_start, end)


def second_chunk_end(text: str, start: int, end: int) -> int:
    commas = [m.start() for m in re.finditer(",", text[start:end])]
    return start + commas[1] if len(commas) > 1 else end


def _trim(text: str, start: int, end: int) -> SpanT:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def head_noun_type(chunk: str) -> SpeakerType | None:
    """The speaker type of a descriptive phrase's head noun ("the foreign ministers of ..." -> GROUP)."""
    words = WORD.findall(chunk.split(",", 1)[0])
    if len(words) > 1 and words[-2][:1].isupper() and speaker_nouns().get(words[-1].lower()) == SpeakerType.PERSON:
        return SpeakerType.PERSON  # "a Department for Transport spokeswoman": the role after a name
    head_part = re.split(r"\s(?:of|from|at|in|on|for|who|which)\s|,", chunk, maxsplit=1)[0]
    words = WORD.findall(head_part)
    if not words:
        return None
    return speaker_nouns().get(words[-1].lower())


def covering_mention(text: str, mentions: Sequence[ResolvedMention], start: int, end: int) -> ResolvedMention | None:
    """An entity mention naming the whole chunk (give or take "the" and a nationality adjective)."""
    for m in mentions:
        rest = (text[start : m.start] + " " + text[m.end : end]).strip(" ,.’'s")
        if not rest or all(w.lower() in PHRASE_STARTS or w.lower() == "’s" for w in rest.split()):
            return m
        # "Ferry operator Caledon Marine", "the carmaker Voltra": a role or kind, then the name.
        lead = WORD.findall(text[start : m.start])
        if (
            not text[m.end : end].strip(" ,.’'s")
            and 0 < len(lead) <= 3
            and (lead[-1].lower() in speaker_nouns() or is_title_word(lead[-1]) or lead[-1].lower() in _KIND_NOUNS)
        ):
            return m
    return None


#: Nouns naming a kind of organisation right before its name ("the carmaker Voltra").
_KIND_NOUNS = frozenset(
    {"carmaker", "maker", "lender", "retailer", "insurer", "carrier", "operator", "firm", "company", "broadcaster"}
    | {"publisher", "developer", "manufacturer", "miner", "supplier", "charity", "club", "group", "airline"}
)


_TRAILING_TIME = re.compile(rf"(?:,?\s+{TIME_WORDS})+$", re.IGNORECASE)
_PLACE_POSSESSIVE = re.compile(
    r"^([A-Z][\w-]+(?:\s[A-Z][\w-]+)*)['’]s\s+"
    r"(?=(?:government|administration|authorities|police|army|military|parliament|cabinet|regime)$)"
)


def clean_phrase(phrase: str) -> str:
    """A speaker phrase as a name: one space, no edge punctuation, no time phrase at its end ("the
    government on Friday"), and a place's possessive before its government made plain ("Tarrow's
    government" -> "Tarrow government"; "Roe's office" stays)."""
    text = _TRAILING_TIME.sub("", " ".join(phrase.split()).strip(" ,;:"))
    return _PLACE_POSSESSIVE.sub(r"\1 ", text).strip(" ,;:")


def looks_like_name(chunk: str) -> bool:
    words = chunk.split()
    if not 1 <= len(words) <= 6 or not words[0][0].isupper():
        return False
    return all(w[0].isupper() or w in ("of", "for", "and", "the", "de", "van", "von", "al") for w in words)
