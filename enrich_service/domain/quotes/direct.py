"""Quotes in quotation marks: whether each is direct or partial, and who said it (after the quote, after
the sentence's last quote, before the quote, or continuing the previous quote's speaker).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from enrich_service.domain.quotes.attribution import (
    according_to,
    attribution_after,
    attribution_before,
    leading_according_to,
    sentence_attribution,
)
from enrich_service.domain.quotes.context import Attribution, Context, Speaker
from enrich_service.domain.quotes.lexicon import ENTITY_SPEAKER, LETTER, verb_pattern
from enrich_service.domain.quotes.marks import DOUBLE_MARK, QuotedSpan
from enrich_service.domain.text import SpanT, sentence_index
from schemas.articles import EntityType, Quote, QuoteKind, SpeakerType


def marked_quote(
    ctx: Context,
    span: QuotedSpan,
    number: int,
    previous: tuple[Quote, int] | None,
    done: Sequence[Quote],
) -> Quote:
    text, quoted = ctx.text, ctx.quoted
    open_sentence = ctx.sentence_of(span.open_mark)
    close_sentence = ctx.sentence_of(span.close_mark if span.close_mark is not None else span.end - 1)
    prefix_start = open_sentence[0]
    # Only the sentence's own text before the mark, not an earlier quote in it.
    earlier_in_sentence: list[int] = []
    n = number - 1
    while n >= 0 and quoted[n].open_mark >= open_sentence[0]:
        if quoted[n].after <= span.open_mark:
            prefix_start = max(prefix_start, quoted[n].after)
            earlier_in_sentence.insert(0, n)
        n -= 1
    next_mark = quoted[number + 1].open_mark if number + 1 < len(quoted) else len(text)
    suffix_end = max(span.after, min(close_sentence[1], next_mark))
    prefix = text[open_sentence[0] : span.open_mark]
    suffix = text[span.after : suffix_end]

    kind = QuoteKind.DIRECT if _starts_sentence(prefix) else QuoteKind.PARTIAL
    attribution = attribution_after(ctx, span.after, suffix_end)
    if attribution is None:
        attribution = sentence_attribution(ctx, number, close_sentence)
    if attribution is None:
        attribution = attribution_before(ctx, prefix_start, span.open_mark)
    if attribution is None and not prefix.strip():
        attribution = _introduced_by_previous_sentence(ctx, open_sentence)
    if attribution is None and earlier_in_sentence:
        # A later fragment: the sentence's own subject and verb ("X, whose head warned of "...", said "..."")
        attribution = attribution_before(ctx, open_sentence[0], span.open_mark)
    if attribution is None and earlier_in_sentence:
        # A second fragment in the same sentence: same speaker as the first.
        first = _quote_at(done, quoted[earlier_in_sentence[-1]].start)
        if first is not None and first.speaker_type != SpeakerType.UNKNOWN:
            attribution = Attribution(Speaker(first.speaker, first.speaker_type), first.verb, span.start)
    if attribution is None and not earlier_in_sentence:
        # "... is “very dire” and must be faced, said Omar Salama.": the sentence's closing attribution.
        attribution = _closing_attribution(ctx, span.after, close_sentence[1])
    if attribution is None and kind == QuoteKind.DIRECT and not LETTER.search(suffix):
        # A quote that is a whole sentence with no attribution continues who spoke or was written about.
        attribution = _bare_quote_attribution(ctx, span.open_mark, previous)
    if attribution is None:
        attribution = according_to(ctx, span.after, suffix_end)
    if attribution is None:
        attribution = leading_according_to(ctx, prefix_start, span.open_mark)
    if attribution is not None:
        ctx.attributions.append(attribution)
    speaker = attribution.speaker if attribution else Speaker(None, SpeakerType.UNKNOWN)
    return Quote(
        text="\n\n".join(text[s:e] for s, e in span.pieces),
        speaker=speaker.name,
        speaker_type=speaker.type,
        kind=kind,
        verb=attribution.verb if attribution else None,
        start=span.start,
        end=span.end,
    )


#: How many paragraphs back a quote without attribution looks for its speaker.
BARE_QUOTE_LOOKBACK_PARAGRAPHS = 3


def _closing_attribution(ctx: Context, start: int, end: int) -> Attribution | None:
    """``..., said X.`` ending the sentence after the quote (the last comma-clause, all attribution)."""
    if any(q.open_mark < end for q in ctx.quoted if q.open_mark >= start):
        return None
    for comma in reversed([start + m.start() for m in re.finditer(",", ctx.text[start:end])]):
        found = attribution_after(ctx, comma + 1, end, to_end=True)
        if found is not None:
            return found if found.speaker.type != SpeakerType.UNKNOWN else None
    return None


def _bare_quote_attribution(ctx: Context, position: int, previous: tuple[Quote, int] | None) -> Attribution | None:
    """The speaker of a quote standing alone: the last speaker attributed, or failing that the person or
    body the narrator last wrote about, in its paragraph or the few before (a quote continuing the previous
    one, or after "Roe said the plan was dead." / "Roe, the party's leader, told the rally:")."""
    paragraph = ctx.paragraph_of(position)
    lookback = range(paragraph, max(paragraph - BARE_QUOTE_LOOKBACK_PARAGRAPHS - 1, -1), -1)
    # People first: an organisation the narrator names in passing seldom speaks in a bare quote.
    for types in ((EntityType.PERSON,), (EntityType.ORG,)):
        silent = 0  # narrator paragraphs crossed that name nobody (page chrome, not sentences, is skipped)
        for p in lookback:
            p_start, p_end = ctx.paragraphs[p]
            end = min(p_end, position)
            if p != paragraph and _names_nobody(ctx, p_start, end):
                silent += 1
                if silent > MAX_SILENT_PARAGRAPHS:
                    break
            said = [
                a for a in ctx.attributions if p_start <= a.position < end and a.speaker.type != SpeakerType.UNKNOWN
            ]
            if said:
                return Attribution(said[-1].speaker, None, position)
            if previous is not None and previous[1] == p and previous[0].speaker_type != SpeakerType.UNKNOWN:
                prev = previous[0]
                return Attribution(Speaker(prev.speaker, prev.speaker_type), None, position)
            subject = _last_subject(ctx, p_start, end, types)
            if subject is not None:
                return Attribution(subject, None, position)
    return None


#: A quote without attribution does not reach past more than this many narrator paragraphs naming nobody.
MAX_SILENT_PARAGRAPHS = 1


def _names_nobody(ctx: Context, start: int, end: int) -> bool:
    """A narrator paragraph of sentences that names no person or organisation and attributes nothing."""
    body = ctx.text[start:end].rstrip()
    if not body or body[-1] not in ".!?" or DOUBLE_MARK.search(body):
        return False
    return not any(m.type in (EntityType.PERSON, EntityType.ORG) for m in ctx.index.in_range(start, end))


def _last_subject(ctx: Context, start: int, end: int, types: tuple[EntityType, ...]) -> Speaker | None:
    """The first entity of ``types`` named in the last sentence of ``[start, end)`` that names one."""
    i = sentence_index(ctx.sentences, max(start, end - 1))
    while i >= 0 and ctx.sentences[i][1] > start:
        s_start, s_end = ctx.sentences[i]
        named = [m for m in ctx.narrator_mentions(max(s_start, start), min(s_end, end)) if m.type in types]
        if named:
            return Speaker(named[0].name, ENTITY_SPEAKER[named[0].type])
        i -= 1
    return None


def _introduced_by_previous_sentence(ctx: Context, sentence: SpanT) -> Attribution | None:
    """``Varga said:`` ending the sentence (or paragraph) right before a quote introduces it."""
    i = sentence_index(ctx.sentences, sentence[0] - 1)
    if i < 0:
        return None
    start, end = ctx.sentences[i]
    if not ctx.text[start:end].rstrip().endswith(":") or ctx.paragraph_of(sentence[0]) - ctx.paragraph_of(start) > 1:
        return None
    return attribution_before(ctx, start, end)


def _quote_at(quotes: Sequence[Quote], start: int) -> Quote | None:
    for quote in reversed(quotes):
        if quote.start == start:
            return quote
    return None


def _starts_sentence(prefix: str) -> bool:
    """Whether a quote preceded (in its sentence) by ``prefix`` starts its sentence or follows "X said:"."""
    stripped = prefix.strip()
    if not stripped or stripped[-1] in ".!?:":
        return True
    if stripped.endswith(","):
        verb = verb_pattern("marked").search(stripped)
        return verb is not None and len(stripped[verb.end() :].split()) <= 3
    return False
