"""The subject of a speech verb in a sentence without quotation marks: an entity, a pronoun, a
description ("A senior official"), a name the NER missed, or the subject of the clause before the verb.
"""

from __future__ import annotations

import re

from enrich_service.domain.entities import strip_titles
from enrich_service.domain.quotes.attribution import described_speaker, resolve_pronoun
from enrich_service.domain.quotes.context import Context, Speaker
from enrich_service.domain.quotes.lexicon import (
    AGE_DESCRIPTION,
    ENTITY_SPEAKER,
    PHRASE_STARTS,
    PRONOUN_KINDS,
    TIME_WORDS,
    WORD,
    speaker_nouns,
)
from enrich_service.domain.quotes.speakers import (
    POSTMODIFIER,
    clean_phrase,
    description,
    group_of,
    listed_entities,
    looks_like_name,
    named_body,
    phrase_may_start,
)
from schemas.articles import EntityType, SpeakerType

# An aside closed by a comma (kept: asides follow one another, "X, 38, who ..., said").
_CLOSED_RELATIVE_CLAUSE = re.compile(r",\s+(?:who|which|whose|where|when|a|an|the|\d+)\b[^,]*(?=,)")


_CLAUSE_BREAK = re.compile(
    r"[,;—–]\s*(?:(?:though|although|while|but|and|as|because|since|when|after|before|until)\s+)?"
    r"|\s(?:though|although|while|but|as|because|since|when|after|before|until)\s+"
)


def _clause_subject(ctx: Context, start: int, end: int) -> Speaker | None:
    """ "X faces prison, though prosecutors said ...", "Shares fell after the carmaker said ...": the clause
    right before the verb has its own (described) subject."""
    breaks = list(_CLAUSE_BREAK.finditer(ctx.text, start, end))
    if not breaks:
        return None
    return _described_subject(ctx, breaks[-1].end(), end)


def _name_like_subject(ctx: Context, start: int, end: int) -> Speaker | None:
    """A subject the NER missed that reads as a name: capitalised words from the sentence start
    ("Chief Financial Officer Tomasz Wendel", "Ruvalde"); titles dropped, a known short form resolved."""
    phrase = clean_phrase(ctx.text[start:end])
    words = phrase.split()
    if not words or len(words) > 6 or not all(w[0].isupper() for w in words) or not looks_like_name(phrase):
        return None
    if words[0].lower() in PHRASE_STARTS or words[-1].lower() in speaker_nouns():
        return None
    known = ctx.index.lookup(phrase)
    if known is not None and known[1] in ENTITY_SPEAKER:
        return Speaker(known[0], ENTITY_SPEAKER[known[1]])
    name = strip_titles(phrase)
    return Speaker(name, SpeakerType.PERSON if name != phrase else SpeakerType.UNKNOWN)


def subject_before(ctx: Context, start: int, end: int, verb_start: int) -> Speaker | None:
    """The subject of a verb: an entity right before it (``end``), a pronoun, or the sentence's first
    person followed by an aside ("Varga, returning to Oslo ..., told")."""
    text = ctx.text
    words = WORD.findall(text[start:end])
    if not words:
        return None
    last_word = words[-1].lower()
    if len(words) <= 2 and last_word in PRONOUN_KINDS and words[0].lower() in (last_word, "but", "and"):
        return resolve_pronoun(ctx, last_word, start)
    # Asides closed before the verb are not the subject ("Varga, who met X in Oslo, said"); an aside
    # still open is ("..., which Brandt said"): the verb is inside it.
    described = _described_subject(ctx, start, end)
    if described is not None:
        return described
    masked = _CLOSED_RELATIVE_CLAUSE.sub(lambda m: " " * len(m.group()), text[start:verb_start])[: end - start]
    mentions = [
        m
        for m in ctx.narrator_mentions(start, end)
        if m.type in ENTITY_SPEAKER and masked[m.start - start : m.end - start].strip()
    ]
    if not mentions:
        return _name_like_subject(ctx, start, end) or _clause_subject(ctx, start, end)
    last = mentions[-1]
    if last.type != EntityType.PERSON:
        # "Detective Inspector X of the Westcombe Constabulary said": the person, not the body.
        for m in reversed(mentions[:-1]):
            if m.type == EntityType.PERSON and _PERSON_OF.fullmatch(text, m.end, last.start):
                return Speaker(m.name, SpeakerType.PERSON)
    if _SUBJECT_TAIL.fullmatch(masked[last.end - start :]):
        members = listed_entities(text, mentions)
        if members is not None and text[start : members[0].start].strip().lower() in ("", "the", "both", "but", "and"):
            return group_of(text, members)
        return Speaker(last.name, ENTITY_SPEAKER[last.type])
    own = _clause_subject(ctx, start, end)
    if own is not None:
        return own
    first = mentions[0]
    lead = text[start : first.start].strip()
    aside_follows = text[first.end : first.end + 1] == ","
    if lead.lower() in ("", "but", "and") and aside_follows and first.type == EntityType.PERSON:
        return Speaker(first.name, SpeakerType.PERSON)
    return None


#: A described speaker at the start of a sentence is at most this many words ("A senior EU official").
MAX_DESCRIBED_SUBJECT_WORDS = 8

_LEADING_ADVERBIAL = re.compile(
    r"(?:(?:In|On|At|After|Before|During|For|From|By|With|Earlier|Later|Meanwhile|Elsewhere|Separately|Asked|"
    r"Interviewed|Questioned|Pressed|Reached|Contacted|[A-Z][a-z]+ing)\b[^,]{0,60},\s*)"
)


def _described_subject(ctx: Context, start: int, end: int) -> Speaker | None:
    """A subject that is a description, not a name: "A senior EU official", "Kremlin officials",
    "The Russian defense minister", "the union" (linked to the named organisation when there is one)."""
    text = ctx.text
    raw = text[start:end]
    adverbial = _LEADING_ADVERBIAL.match(raw)
    if adverbial:
        raw = raw[adverbial.end() :]
    phrase = " ".join(_CLOSED_RELATIVE_CLAUSE.sub(" ", raw + ",").split()).strip(" ,")
    words = WORD.findall(phrase)
    if not words or len(words) > MAX_DESCRIBED_SUBJECT_WORDS or not (adverbial or phrase_may_start(phrase)):
        return None
    if "," in phrase or any(w.lower() in PRONOUN_KINDS for w in words):
        return None
    if AGE_DESCRIPTION.fullmatch(phrase):
        # "The 24-year-old added ...": the person the text was just about.
        return resolve_pronoun(ctx, "_person", start) or Speaker(None, SpeakerType.PERSON)
    head_words = WORD.findall(POSTMODIFIER.split(phrase, maxsplit=1)[0])
    if not head_words:
        return None
    noun_type = speaker_nouns().get(head_words[-1].lower())
    if noun_type is None:
        described = description(phrase)
        if described is None or not head_words[-1].islower():
            return None
        noun_type = described.type
    trimmed_end = start + len(text[start:end].rstrip(" ,"))
    head_entity = ctx.index.at(trimmed_end - 1, trimmed_end)
    if head_entity is not None:
        # The head is itself an entity: "the Harrowden Cup Board" speaks as that body; "The Bank" of a
        # name that began before the phrase is left to the caller.
        lead = text[start : max(start, head_entity.start)]
        is_named = (
            head_entity.start >= start
            and lead.rsplit(",", 1)[-1].strip().lower() in ("", "the")
            and not _RELATIVE_WORD.search(lead)
        )
        kind = ENTITY_SPEAKER.get(head_entity.type)
        return Speaker(head_entity.name, kind) if is_named and kind is not None else None
    if noun_type == SpeakerType.ORG:
        named = named_body(ctx, phrase, start)
        if named is not None:
            return named
    return described_speaker(ctx, Speaker(clean_phrase(phrase), noun_type), start, end)


_RELATIVE_WORD = re.compile(r"\b(?:which|who|whose|where|when)\b")

_PERSON_OF = re.compile(r"(?:,[^,]{1,40},)?\s+(?:of|at|from|for|with)\s+(?:the\s+)?")

#: What may follow the subject's name before its verb: a possessive, an acronym in brackets, a time,
#: the start of a relative clause (", which said ...").
_SUBJECT_TAIL = re.compile(
    rf"[\s’'s,]*(?:\([^()]{{1,20}}\)\s*)?(?:{TIME_WORDS}\s*)?(?:,\s*(?:who|which)\s*)?", re.IGNORECASE
)
