"""Speakers given as a description, resolved to the named person or organisation they refer to.

Under the corpus conventions a speaker is a name or nothing: "the minister" is the person the article
introduced as minister, "the statement" is the organisation that issued it, "a resident" is nobody named.

* a definite description of a person ("the judge", "the veteran coach", "the Oilers captain", "the
  72-year-old") -> the person whose mention carries that role (a title before it, "Energy Minister X", or
  an appositive after it, "X, the minister who ..."), else, for a role noun or an age, the person the text
  was just about (as for a pronoun);
* a spokesperson of a named body ("a Ministry of Health spokeswoman") -> the body;
* a group of a named body ("party officials" with the article's "Labour Party") -> the body;
* "the statement" / "the report" -> the organisation last quoted or named;
* anything else (indefinite "a resident", "another neighbour", "one witness"; "officials"; "the man") ->
  no name, the speaker type kept (a person, unnamed).

An organisation described ("the ministry", "the company") is resolved in ``speakers.named_body``; when it
names none it is kept as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from enrich_service.domain.quotes.context import Context, Speaker
from enrich_service.domain.quotes.lexicon import WORD, speaker_nouns
from enrich_service.domain.resources import read_words
from schemas.articles import EntityType, SpeakerType

_DEFINITE = frozenset({"the", "this", "that"})

_AGE = re.compile(r"\d+-year-old")

#: Heads of a document that speaks for whoever issued it.
_DOCUMENT_NOUNS = frozenset({"statement", "report", "release", "readout", "read-out", "letter", "notice", "post"})

#: How far before a person's mention a role word may stand ("Energy Minister Daryl Vaz") ...
_ROLE_BEFORE_CHARS = 40
#: ... and after it, in an appositive ("Vivian Balakrishnan, the minister who oversees ...").
_ROLE_AFTER_CHARS = 80

_POSTMODIFIER = re.compile(r"\s(?:of|from|at|in|on|for|with|who|which|whose|familiar|close|based)\b")

#: Resolves a pronoun-like reference to the person the text was just about: (ctx, position) -> speaker.
PersonBefore = Callable[[Context, int], Speaker | None]


def resolve_description(ctx: Context, speaker: Speaker, start: int, end: int, person_before: PersonBefore) -> Speaker:
    """The named entity a described ``speaker`` (written at ``[start, end)``) refers to, else no name."""
    if speaker.name is None:
        return speaker
    words = WORD.findall(speaker.name)
    if not words:
        return speaker
    head_words = WORD.findall(_POSTMODIFIER.split(speaker.name, maxsplit=1)[0]) or words
    head = head_words[-1].lower()
    if head in _DOCUMENT_NOUNS:
        return _issuer(ctx, start, end) or speaker
    if speaker.type == SpeakerType.ORG:
        return speaker  # "the ministry" naming no ministry: kept as written
    body = _body_of(ctx, start, end, head, head_words)
    if body is not None:
        return body
    if speaker.type == SpeakerType.PERSON and words[0].lower() in _DEFINITE:
        nationality = [w.lower() for w in head_words if w.lower() in read_words("demonyms.txt")]
        role = head if speaker_nouns().get(head) == SpeakerType.PERSON else None
        named = _person_with_role(ctx, role, nationality, start) if role else None
        if named is not None:
            return named
        anaphoric = role is not None or any(_AGE.fullmatch(w) for w in words) or _has_name_modifier(head_words)
        if anaphoric and not nationality:
            found = person_before(ctx, start)
            if found is not None and found.name is not None:
                return found
    return Speaker(None, speaker.type)


def _has_name_modifier(head_words: list[str]) -> bool:
    """ "the Oilers captain", "the BNP leader": a name in the description."""
    return any(w[:1].isupper() for w in head_words[1:-1])


def _body_of(ctx: Context, start: int, end: int, head: str, head_words: list[str]) -> Speaker | None:
    """A spokesperson of a named body, or a group of one ("party officials" -> the named party)."""
    is_group = speaker_nouns().get(head) == SpeakerType.GROUP
    if head.startswith("spokes") or is_group:
        # "a Pellingham Trust spokeswoman", "Kremlin officials": the body named in the phrase.
        orgs = [m for m in ctx.narrator_mentions(start, end) if m.type == EntityType.ORG]
        if orgs:
            return Speaker(orgs[0].name, SpeakerType.ORG)
    if is_group and len(head_words) >= 2:
        kind = head_words[-2].lower()
        if head_words[-2].islower() and speaker_nouns().get(kind) == SpeakerType.ORG:
            named = [m for m in ctx.index.mentions if m.type == EntityType.ORG and kind in m.name.lower().split()]
            before = [m for m in named if m.start < start]
            if named:
                return Speaker((before[-1] if before else named[0]).name, SpeakerType.ORG)
    return None


def _person_with_role(ctx: Context, role: str, nationality: list[str], position: int) -> Speaker | None:
    """The person introduced with ``role`` nearest before ``position`` (else the first after it); a
    nationality in the description ("the Russian minister") must be in the introduction too."""
    text = ctx.text
    word = re.compile(rf"\b(?i:{re.escape(role)})s?\b")
    # The role right before the name, only capitalised words between: "Energy Minister Ann Roe".
    title = re.compile(rf"\b(?i:{re.escape(role)})\b(?:\s+[A-Z][\w.'’-]*)*\s*$")
    before: list[str] = []
    after: list[str] = []
    for m in ctx.index.mentions:
        if m.type != EntityType.PERSON or ctx.in_quote(m.start, m.end):
            continue
        lead = text[max(0, m.start - _ROLE_BEFORE_CHARS) : m.start]
        lead = re.split(r"[.;:!?\n]", lead)[-1]
        tail = text[m.end : m.end + _ROLE_AFTER_CHARS]
        appositive = re.match(r"\s*,\s*([^,.;\n]*)", tail)
        found = lead if title.search(lead) else None
        if found is None and appositive and word.search(appositive.group(1)):
            found = appositive.group(1)
        if found is not None and all(n in found.lower() for n in nationality):
            (before if m.start < position else after).append(m.name)
    if before:
        return Speaker(before[-1], SpeakerType.PERSON)
    return Speaker(after[0], SpeakerType.PERSON) if after else None


_ISSUERS = frozenset({SpeakerType.ORG, SpeakerType.PERSON})


def _issuer(ctx: Context, start: int, end: int) -> Speaker | None:
    """Who "the statement" speaks for: an organisation in the phrase ("a statement from X"), else the one
    last quoted, else the one last named."""
    orgs = [m for m in ctx.narrator_mentions(start, end) if m.type == EntityType.ORG]
    if orgs:
        return Speaker(orgs[0].name, SpeakerType.ORG)
    for attribution in reversed(ctx.attributions):
        if attribution.position < start and attribution.speaker.name and attribution.speaker.type in _ISSUERS:
            return attribution.speaker
    for m in reversed(ctx.index.mentions):
        if m.end <= start and m.type == EntityType.ORG and not ctx.in_quote(m.start, m.end):
            return Speaker(m.name, SpeakerType.ORG)
    return None
