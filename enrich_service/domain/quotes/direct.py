"""Quotes in quotation marks: whether each is direct or partial, and who said it (after the quote, after
the sentence's last quote, before the quote, or continuing the previous quote's speaker).
"""

from __future__ import annotations

from collections.abc import Sequence

from enrich_service.domain.quotes.attribution import (
    according_to,
    attribution_after,
    attribution_before,
    leading_according_to,
    sentence_attribution,
)
from enrich_service.domain.quotes.context import Attribution, Context, Speaker
from enrich_service.domain.quotes.lexicon import LETTER, verb_pattern
from enrich_service.domain.quotes.marks import QuotedSpan
from enrich_service.domain.text import SpanT, sentence_index
from schemas.articles import Quote, QuoteKind, SpeakerType


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
    if attribution is None and kind == QuoteKind.DIRECT and not LETTER.search(suffix) and previous is not None:
        # A quote that is a whole sentence with no attribution continues the previous quote's speaker.
        prev_quote, prev_paragraph = previous
        if prev_quote.speaker_type != SpeakerType.UNKNOWN and ctx.paragraph_of(span.start) - prev_paragraph <= 1:
            attribution = Attribution(Speaker(prev_quote.speaker, prev_quote.speaker_type), None, span.start)
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
