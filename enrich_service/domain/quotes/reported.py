"""Reported speech without quotation marks (indirect quotes): ``..., said Brandt.``, ``Varga said the
bridge would open ...``, ``..., saying that ...``, ``According to X, ...``, and reported words in the
same sentence as a quote (``"...," she said, adding that ...``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from enrich_service.domain.quotes.attribution import (
    attribution_after,
    leading_according_to,
    speaker_from_phrase,
    strip_between_words,
)
from enrich_service.domain.quotes.context import Attribution, Context, Speaker
from enrich_service.domain.quotes.lexicon import CLAUSE_MARK, TIME_WORDS, verb_pattern
from enrich_service.domain.quotes.marks import QuotedSpan
from enrich_service.domain.quotes.subjects import subject_before
from enrich_service.domain.text import ALL_DOUBLE_QUOTES, SpanT
from schemas.articles import Quote, QuoteKind, SpeakerType

#: Reported speech shorter than this many words is not taken as an indirect quote.
MIN_INDIRECT_WORDS = 4

#: ... but an explicit trailing attribution makes a short clause reported speech ("None had died, she said").
MIN_TRAILING_INDIRECT_WORDS = 3

# What may come between a speech verb and the reported words: a time, an aside, "that".
_AFTER_SPEECH_VERB = re.compile(rf"\s*(?:{TIME_WORDS}\s*)?(?:,[^,]{{1,30}},\s*)?(?:(?:[\w’'$.-]+\s+){{0,6}}?that\s+)?")

#: Verbs that introduce reported words in any clause; other speech verbs ("announced", "warned",
#: "confirmed") also take plain objects ("announced the cut"), so without "that" their content must
#: read like a clause (an auxiliary or a past tense in it).
_SAY_VERBS = frozenset({"said", "says", "say", "told", "tells"})

_AFTER_TOLD = re.compile(
    rf"\s+(?:reporters|journalists|the press|parliament|lawmakers|the \w+|[A-Z][\w.]+)\s*(?:{TIME_WORDS}\s*)?"
    r"(?:,[^,]{1,30},\s*)?(?:that\s+)?"
)

# "warned of", "spoke about": no reported words follow ("said on Monday that ..." still does).
_PREPOSITION_AFTER_VERB = re.compile(
    r"\s+(?:of|about|against|on|for|to|with|over|at|in)\b"
    r"(?!\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)"
)


_CONTINUED_SPEECH = re.compile(
    r"(?:,?\s*(?:adding|saying)|\s+(?:and|but)\s+(?:also\s+)?(?:said|says|added|adds|warned|argued|insisted|"
    r"told\s+(?:reporters|journalists|\w+))|\s+(?:and|but)(?=\s+that\s))\s+(?:that\s+)?"
)


def indirect_after_quote(ctx: Context, quoted: Sequence[QuotedSpan], n: int, quote: Quote) -> Quote | None:
    """Reported words after a quote in the same sentence, by its speaker: ``"...," she said, adding that
    X`` / ``called it "a gamble" and said X`` / ``said it was "an improvement" but that X``."""
    if quote.speaker is None and quote.speaker_type == SpeakerType.UNKNOWN:
        return None
    text, span = ctx.text, quoted[n]
    sentence = ctx.sentence_of(span.close_mark if span.close_mark is not None else span.end - 1)
    limit = min(sentence[1], quoted[n + 1].open_mark if n + 1 < len(quoted) else len(text))
    if limit <= span.after:
        return None
    match = _CONTINUED_SPEECH.search(text, span.after, limit)
    if match is None:
        return None
    content = _trim_content(text, match.end(), limit)
    if content is None or any(ch in ALL_DOUBLE_QUOTES for ch in text[content[0] : content[1]]):
        return None
    return _indirect(text, content, Attribution(Speaker(quote.speaker, quote.speaker_type), "said", span.start))


_BEFORE_QUOTE_CUT = re.compile(r",?\s+(?:but|and|while|although|though)\s+")


def indirect_before_quote(ctx: Context, quoted: Sequence[QuotedSpan], n: int) -> Quote | None:
    """``Varga told reporters the port was safe, but called the delay "a scandal"``: reported words at
    the start of a sentence whose quote comes later, up to the conjunction before the quote."""
    text, span = ctx.text, quoted[n]
    s_start, _ = ctx.sentence_of(span.open_mark)
    if n > 0 and quoted[n - 1].open_mark >= s_start:
        return None  # only for the sentence's first quote
    cuts = list(_BEFORE_QUOTE_CUT.finditer(text, s_start, span.open_mark))
    if not cuts:
        return None
    return _leading_indirect(ctx, (s_start, cuts[-1].start()))


def indirect_quote(ctx: Context, sentence: SpanT) -> Quote | None:
    return (
        _trailing_indirect(ctx, sentence)
        or _saying_indirect(ctx, sentence)
        or _leading_indirect(ctx, sentence)
        or _according_to_indirect(ctx, sentence)
    )


#: Who "according to" may credit with reported speech: people and groups (not a report or an agency,
#: which source facts rather than say things).
_ACCORDING_TO_SPEAKERS = frozenset({SpeakerType.PERSON, SpeakerType.GROUP})


def _according_to_indirect(ctx: Context, sentence: SpanT) -> Quote | None:
    """``According to Varga, the plan is dead.`` / ``The plan is dead, according to officials.``"""
    text = ctx.text
    s_start, s_end = sentence
    leading = leading_according_to(ctx, s_start, s_end)
    if leading is not None and leading.speaker.type in _ACCORDING_TO_SPEAKERS:
        comma = text.find(",", leading.position, s_end)
        content = _trim_content(text, comma + 1, s_end)
        if content is not None:
            ctx.attributions.append(leading)
            return _indirect(text, content, leading)
    tail = re.search(r",\s*according to\s+", text[s_start:s_end], re.IGNORECASE)
    if tail is None:
        return None
    who_start = s_start + tail.end()
    speaker = speaker_from_phrase(ctx, who_start, s_end, prefer="first", head="start")
    if speaker is None or speaker.type not in _ACCORDING_TO_SPEAKERS:
        return None
    content = _trim_content(text, s_start, s_start + tail.start())
    if content is None:
        return None
    attribution = Attribution(speaker, "according to", who_start)
    ctx.attributions.append(attribution)
    return _indirect(text, content, attribution)


_SAYING = re.compile(r"(?:,\s*|\s+as\s+)saying\s+(?:that\s+)?")


def _saying_indirect(ctx: Context, sentence: SpanT) -> Quote | None:
    """``Officials warned Kyiv against it, saying that Russia may intervene.`` / ``Varga was quoted as
    saying that ...``: the words after "saying", credited to the sentence's subject."""
    text = ctx.text
    s_start, s_end = sentence
    match = _SAYING.search(text, s_start, s_end)
    if match is None:
        return None
    verb = re.search(r"\s(?:[a-z]+ed|was|were|is|are|has|have|had)\b", text[s_start : match.start()])
    if verb is None:
        return None
    subject_end = strip_between_words(text, s_start, s_start + verb.start())
    speaker = subject_before(ctx, s_start, subject_end, s_start + verb.start())
    if speaker is None:
        return None
    content = _trim_content(text, match.end(), s_end)
    if content is None:
        return None
    attribution = Attribution(speaker, "saying", s_start)
    ctx.attributions.append(attribution)
    return _indirect(text, content, attribution)


def _trailing_indirect(ctx: Context, sentence: SpanT) -> Quote | None:
    """``..., said Brandt.`` / ``..., the ministry said in a statement.``"""
    text = ctx.text
    s_start, s_end = sentence
    for comma in reversed([m.start() for m in re.finditer(",", text[s_start:s_end])]):
        attribution = attribution_after(ctx, s_start + comma + 1, s_end, to_end=True)
        if attribution is None or attribution.speaker.type == SpeakerType.UNKNOWN:
            if attribution is not None and attribution.speaker.name is not None:
                return None
            continue
        content = _trim_content(text, s_start, s_start + comma, min_words=MIN_TRAILING_INDIRECT_WORDS)
        if content is None:
            return None
        ctx.attributions.append(attribution)
        return _indirect(text, content, attribution)
    return None


def _leading_indirect(ctx: Context, sentence: SpanT) -> Quote | None:
    """``Varga said the bridge would open ...`` / ``He told reporters that ...``"""
    text = ctx.text
    s_start, s_end = sentence
    for verb in verb_pattern("speech").finditer(text, s_start, s_end):
        if verb.group() in ("saying", "adding"):
            continue
        if _PREPOSITION_AFTER_VERB.match(text, verb.end(), s_end) and not _THAT_SOON.match(text, verb.end(), s_end):
            continue  # "warned of ...", "spoke about ..." (but "said in a statement that ..." reports words)
        who_end = strip_between_words(text, s_start, verb.start())
        subject = subject_before(ctx, s_start, who_end, verb.start())
        if subject is None:
            continue
        pattern = _AFTER_TOLD if verb.group() in ("told", "tells") else _AFTER_SPEECH_VERB
        after = pattern.match(text, verb.end(), s_end)
        content = _trim_content(text, after.end() if after else verb.end(), s_end)
        if content is None:
            continue
        has_that = after is not None and after.group().rstrip().endswith("that")
        if verb.group() not in _SAY_VERBS and not has_that and not CLAUSE_MARK.search(text, *content):
            continue  # "announced the cut on Wednesday": an object, not reported words
        attribution = Attribution(subject, verb.group(), s_start)
        ctx.attributions.append(attribution)
        return _indirect(text, content, attribution)
    return None


_THAT_SOON = re.compile(r"(?:\s+[\w’'$.-]+){1,7}?\s+that\s")


def _trim_content(text: str, start: int, end: int, *, min_words: int = MIN_INDIRECT_WORDS) -> SpanT | None:
    while start < end and (text[start].isspace() or text[start] in ",;:–—-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".!?;:,"):
        end -= 1
    if len(text[start:end].split()) < min_words:
        return None
    return start, end


def _indirect(text: str, content: SpanT, attribution: Attribution) -> Quote:
    return Quote(
        text=text[content[0] : content[1]],
        speaker=attribution.speaker.name,
        speaker_type=attribution.speaker.type,
        kind=QuoteKind.INDIRECT,
        verb=attribution.verb,
        start=content[0],
        end=content[1],
    )
