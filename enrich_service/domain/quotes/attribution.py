"""Who said it: the speaker named by a speech verb after or before a quote, "according to", the speaker a
phrase names, and whom a pronoun refers to.

A pronoun's referent may be the subject of a speech verb in an earlier sentence, and a speaker phrase may
be a pronoun, so phrase reading and pronoun resolution live here together.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from enrich_service.domain.entities import strip_titles
from enrich_service.domain.quotes.anaphora import resolve_description
from enrich_service.domain.quotes.context import Attribution, Context, Speaker
from enrich_service.domain.quotes.lexicon import (
    AGE_DESCRIPTION,
    CLAUSE_MARK,
    ENTITY_SPEAKER,
    LETTER,
    PRONOUN_KINDS,
    TIME_WORDS,
    WORD,
    verb_pattern,
)
from enrich_service.domain.quotes.speakers import (
    clean_phrase,
    covering_mention,
    covers,
    description,
    group_of,
    head_chunk,
    head_noun_type,
    listed_entities,
    looks_like_name,
    mask_relative_clauses,
    named_body,
    phrase_may_start,
    second_chunk_end,
)
from enrich_service.domain.text import SpanT, sentence_index
from schemas.articles import EntityType, SpeakerType

#: How many sentences back a pronoun may look for whom it refers to.
PRONOUN_LOOKBACK_SENTENCES = 5

# Words allowed between a speaker and the verb ("Varga also said", "Norway has said").
_BETWEEN_WORDS = (
    r"(?:(?:also|has|have|had|later|then|again|earlier|previously|repeatedly|further|publicly|reportedly|"
    r"once|would|will)\s+)*"
)

_LEADING_CONJUNCTION = re.compile(r"\s*(?:(?:But|And|Yet|So|Still|However|Meanwhile),?\s+)+")

# A trailing attribution ends its sentence: "..., Varga said", "... said in a statement on Monday",
# "..., Mr. Brandt said, without giving details".
_ATTRIBUTION_TAIL = re.compile(
    r"(?:\s+(?:in|on|at|to|during|after|before|while|when|from|via|through|following|late|early|last|this)\b"
    r"(?:(?!\bthat\b)[^,])*"
    rf"|\s+{TIME_WORDS})?"
    r"(?:,\s+(?:[a-z]+ing|without|according|but|as)\b.*)?[\s.!?]*$",
    re.DOTALL,
)


def attribution_after(ctx: Context, start: int, end: int, *, to_end: bool = False) -> Attribution | None:
    """``"...," Varga said`` / ``"...," said Foreign Minister X`` / ``"..." he said``: right after a quote.

    With ``to_end`` the attribution must take up the rest of ``[start, end)`` (a sentence's last clause).
    """
    text = ctx.text
    window = text[start:end]
    lead = re.match(r"[\s,]*", window)
    offset = start + (lead.end() if lead else 0)
    # Next to a quote also the verbs that introduce words only there ("agreed X", "X directed:").
    verbs = verb_pattern("speech" if to_end else "marked")
    # Verb first: said Harbour Minister Elena Varga, according to local radio.
    verb = verbs.match(text, offset, end)
    if verb is not None:
        who_start = verb.end()
        if to_end and len(text[who_start:end].split()) > 12:
            return None
        following = WORD.findall(text[who_start:end])
        if len(following) > 1 and following[0].lower() in PRONOUN_KINDS:
            return None  # "said it had offered ...": reported words, not a speaker
        first_clause = text[who_start:end].split(",", 1)[0]
        if CLAUSE_MARK.search(first_clause) or re.search(r"\bthat\b", first_clause):
            return None  # "said the figures were not in dispute": reported words
        speaker = speaker_from_phrase(ctx, who_start, end, prefer="first", head="start")
        if speaker is not None:
            return Attribution(speaker, verb.group().lower(), who_start)
        return None
    # Speaker first: Varga said / the foreign ministers of ... said / he said.
    for verb in verbs.finditer(text, offset, end):
        who_end = strip_between_words(text, offset, verb.start())
        if who_end <= offset or text[offset:who_end].count(" ") > 25:
            return None
        who = text[offset:who_end]
        if not phrase_may_start(who):
            return None
        # Commas in a speaker phrase only around an aside ("Varga, who ..., said") or in a list of
        # members ("the ministers of Canada, France ... said").
        bare = mask_relative_clauses(who).strip(" ,")
        if "," in bare and head_noun_type(who) not in (SpeakerType.GROUP, SpeakerType.ORG):
            # An appositive is fine: "Skyvance’s chief executive, Renata Oyelowo-Braga, said".
            has_person = any(m.type == EntityType.PERSON for m in ctx.narrator_mentions(offset, who_end))
            if not has_person or bare.count(",") > 2 or len(bare.split()) > 14:
                return None
        if to_end and not _ATTRIBUTION_TAIL.match(text, verb.end(), end):
            return None
        speaker = speaker_from_phrase(ctx, offset, who_end, prefer="last", head="start", bounded=True)
        return Attribution(speaker, verb.group().lower(), offset) if speaker else None
    return None


def sentence_attribution(ctx: Context, number: int, sentence: SpanT) -> Attribution | None:
    """The attribution after the last quote of the sentence, shared by its earlier quotes."""
    quoted = ctx.quoted
    last = number
    while last + 1 < len(quoted) and quoted[last + 1].open_mark < sentence[1]:
        last += 1
    if last == number:
        return None
    end = min(sentence[1], quoted[last + 1].open_mark if last + 1 < len(quoted) else len(ctx.text))
    return attribution_after(ctx, quoted[last].after, max(end, quoted[last].after))


def attribution_before(ctx: Context, start: int, end: int, *, speech_only: bool = False) -> Attribution | None:
    """``Varga said: "..."`` / ``She said she believes "..."`` / ``Brandt called it "..."``.

    The first verb with a speaker before it wins; with ``speech_only`` (looking for whom a pronoun means
    in an earlier sentence) only speech verbs count, pronouns are not followed, and the last one wins
    ("During the visit, Varga thanked ..., spokeswoman Anna Berg said").
    """
    text = ctx.text
    pattern = verb_pattern("speech" if speech_only else "all")
    # A verb inside a closed aside (", whose governor X warned ...,") is not the sentence's.
    closed = [(start + m.start(), start + m.end()) for m in _CLOSED_RELATIVE.finditer(text[start:end])]
    verbs = [
        v
        for v in pattern.finditer(text, start, end)
        if not ctx.in_quote(v.start(), v.end()) and not any(a <= v.start() < b for a, b in closed)
    ]
    if speech_only:
        verbs.reverse()
    for verb in verbs:
        who_end = strip_between_words(text, start, verb.start())
        if who_end <= start:
            continue
        whose = list(_OPEN_WHOSE.finditer(text, start, who_end))
        if whose and "," not in text[whose[-1].end() : verb.start()]:
            # "..., whose governor Anselm Rudd warned": the clause's own subject.
            speaker = speaker_from_phrase(ctx, whose[-1].end(), who_end, prefer="last", head="end")
            if speaker is not None:
                return Attribution(speaker, verb.group().lower(), whose[-1].end())
        speaker = speaker_from_phrase(ctx, start, who_end, prefer="last", head="end", resolve_pronouns=not speech_only)
        if speaker is not None:
            return Attribution(speaker, verb.group().lower(), start)
    return None


_CLOSED_RELATIVE = re.compile(r",\s+(?:who|whose|which)\b[^,]*,")

_OPEN_WHOSE = re.compile(r",\s+whose\s+")


def according_to(ctx: Context, start: int, end: int) -> Attribution | None:
    match = re.compile(r"[\s,]*according to\s+", re.IGNORECASE).match(ctx.text, start, end)
    if match is None:
        return None
    speaker = speaker_from_phrase(ctx, match.end(), end, prefer="first", head="start")
    return Attribution(speaker, "according to", match.end()) if speaker else None


_LEADING_ACCORDING_TO = re.compile(r"\s*(?:(?:But|And|Yet|So)\s+)?according to\s+", re.IGNORECASE)


def leading_according_to(ctx: Context, start: int, end: int) -> Attribution | None:
    """``According to Varga, the plan "is dead"`` / ``According to Varga, ...``: the phrase up to the comma."""
    match = _LEADING_ACCORDING_TO.match(ctx.text, start, end)
    if match is None:
        return None
    comma = ctx.text.find(",", match.end(), end)
    if comma < 0:
        return None
    speaker = speaker_from_phrase(ctx, match.end(), comma, prefer="first", head="start")
    return Attribution(speaker, "according to", match.end()) if speaker else None


def strip_between_words(text: str, start: int, end: int) -> int:
    """End of the speaker phrase before a verb, without "also", "has", "on Monday" and the like."""
    match = re.search(rf"\s+{_BETWEEN_WORDS}$", text[start:end], re.IGNORECASE)
    end = start + match.start() if match else end
    while end > start and text[end - 1] in " ,":
        end -= 1
    return end


def speaker_from_phrase(
    ctx: Context,
    start: int,
    end: int,
    *,
    prefer: str,
    head: str,
    resolve_pronouns: bool = True,
    bounded: bool = False,
) -> Speaker | None:
    """The speaker a phrase names: a person in it, a body or group it describes, an entity, a pronoun.

    ``prefer`` says which entity wins when several are named ("first" after a verb, "last" before one);
    ``head`` where the phrase's head noun is ("start": the phrase starts at the speaker, "end": it ends
    there, as the subject before a verb does); a ``bounded`` phrase is all speaker (it runs from a quote
    to its verb), so a group keeps all of it ("the foreign ministers of Canada, ... and Britain").
    """
    text = ctx.text
    lead = _LEADING_CONJUNCTION.match(text, start, end)
    if lead:
        start = lead.end()
    phrase = mask_relative_clauses(text[start:end])
    if not LETTER.search(phrase):
        return None
    words = WORD.findall(phrase)
    if len(words) == 1 and words[0].lower() in PRONOUN_KINDS:
        if not resolve_pronouns:
            return None
        return resolve_pronoun(ctx, words[0].lower(), start)
    chunk_start, chunk_end = head_chunk(text, start, end, head)
    head_words = WORD.findall(text[chunk_start:chunk_end])
    if head == "end" and len(head_words) == 1 and head_words[0].lower() in PRONOUN_KINDS:
        # "Speaking to The Herald, he said": the pronoun is the subject, not a name in the aside.
        return resolve_pronoun(ctx, head_words[0].lower(), chunk_start) if resolve_pronouns else None
    mentions = [
        m
        for m in ctx.narrator_mentions(start, end)
        if phrase[m.start - start : m.end - start].strip() and m.type in ENTITY_SPEAKER
    ]
    persons = [m for m in mentions if m.type == EntityType.PERSON]
    members = listed_entities(text, [m for m in mentions if chunk_start <= m.start and m.end <= chunk_end])
    if members is not None and covers(text, members, chunk_start, chunk_end):
        return group_of(text, members)
    if head == "start":
        # After a verb the speaker is near: do not pick a person from a trailing clause.
        persons = [m for m in persons if m.start < second_chunk_end(text, start, end)]
    if persons:
        chosen = persons[0] if prefer == "first" else persons[-1]
        return Speaker(chosen.name, SpeakerType.PERSON)
    noun_type = head_noun_type(text[chunk_start:chunk_end])
    chunk_mentions = [m for m in mentions if m.start >= chunk_start and m.end <= chunk_end]
    if noun_type in (SpeakerType.GROUP, SpeakerType.PERSON):
        whole = bounded and len(phrase.split()) <= 15
        phrase_text = mask_relative_clauses(text[start:end]) if whole else text[chunk_start:chunk_end]
        return described_speaker(ctx, Speaker(clean_phrase(phrase_text), noun_type), start, end)
    covering = covering_mention(text, chunk_mentions, chunk_start, chunk_end)
    if covering is not None:
        return Speaker(covering.name, ENTITY_SPEAKER[covering.type])
    if noun_type == SpeakerType.ORG:
        named = named_body(ctx, text[chunk_start:chunk_end], start)
        org = Speaker(clean_phrase(text[chunk_start:chunk_end]), SpeakerType.ORG)
        return named or described_speaker(ctx, org, start, end)
    chunk = clean_phrase(text[chunk_start:chunk_end])
    known = ctx.index.lookup(chunk) if chunk else None
    if known is not None and known[1] in ENTITY_SPEAKER:
        return Speaker(known[0], ENTITY_SPEAKER[known[1]])
    if chunk and looks_like_name(chunk):
        appositive = head_noun_type(text[chunk_end:end].lstrip(" ,"))
        name = strip_titles(chunk)
        has_title = name != chunk
        kind = appositive or (
            SpeakerType.PERSON
            if has_title
            else (ENTITY_SPEAKER[chunk_mentions[0].type] if chunk_mentions else SpeakerType.UNKNOWN)
        )
        return Speaker(name, kind)
    if AGE_DESCRIPTION.fullmatch(chunk):
        return described_speaker(ctx, Speaker(chunk, SpeakerType.PERSON), start, end)
    described = description(chunk)
    return described_speaker(ctx, described, start, end) if described is not None else None


def described_speaker(ctx: Context, speaker: Speaker, start: int, end: int) -> Speaker:
    """A speaker given as a description (at ``[start, end)``) as the named entity it refers to, else
    unnamed (``anaphora.resolve_description``)."""
    return resolve_description(ctx, speaker, start, end, _person_before)


def _person_before(ctx: Context, position: int) -> Speaker | None:
    return resolve_pronoun(ctx, "_person", position)


def resolve_pronoun(ctx: Context, pronoun: str, position: int) -> Speaker | None:
    """The most recent fitting speaker or entity before ``position``, sentence by sentence backwards.

    A first name's usual gender (``Context.name_fits``) only passes over a person for a later named one
    that fits: names are a weaker cue than titles ("Vivian" is mostly a woman's name, not always).
    """
    passed_over: Speaker | None = None
    for candidate in _pronoun_candidates(ctx, pronoun, position):
        if candidate.name is not None and not ctx.name_fits(pronoun, candidate):
            passed_over = passed_over or candidate
            continue
        return candidate if candidate.name is not None or passed_over is None else passed_over
    return passed_over


def _pronoun_candidates(ctx: Context, pronoun: str, position: int) -> Iterator[Speaker]:
    """Whom a pronoun may mean, nearest first: per sentence the speaker attributed in it, the subject of
    its speech verb, then its entities (not past a sentence whose subject is the same pronoun)."""
    kinds = PRONOUN_KINDS[pronoun]
    current = sentence_index(ctx.sentences, position)
    looked = 0
    for i in range(current, -1, -1):
        s_start, s_end = ctx.sentences[i]
        end = min(s_end, position)
        if end <= s_start or ctx.quoted_only(s_start, end):
            continue  # a sentence of quoted words names nobody the narrator refers to
        looked += 1
        if looked > PRONOUN_LOOKBACK_SENTENCES:
            return
        # 1. A quote attributed in this sentence.
        for attribution in reversed(ctx.attributions):
            if (
                s_start <= attribution.position < end
                and attribution.speaker.type in kinds
                and ctx.fits(pronoun, attribution.speaker)
            ):
                yield attribution.speaker
        # 2. The subject of a speech verb in this sentence ("..., State Department spokesman X said").
        subject = attribution_before(ctx, s_start, end, speech_only=True)
        if subject is not None and subject.speaker.type in kinds and ctx.fits(pronoun, subject.speaker):
            yield subject.speaker
        # 3. The first fitting entity, unless the sentence's subject is itself a pronoun of this kind.
        if _starts_with_pronoun(ctx.text[s_start:end], kinds):
            continue
        for mention in ctx.narrator_mentions(s_start, end):
            speaker_type = ENTITY_SPEAKER.get(mention.type)
            if speaker_type in kinds and not (pronoun == "it" and mention.type == EntityType.NORP):
                candidate = Speaker(mention.name, speaker_type)
                if ctx.fits(pronoun, candidate):
                    yield candidate


def _starts_with_pronoun(sentence: str, kinds: frozenset[SpeakerType]) -> bool:
    first = WORD.search(sentence)
    return bool(first and first.group().lower() in PRONOUN_KINDS and PRONOUN_KINDS[first.group().lower()] == kinds)
