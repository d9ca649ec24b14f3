"""Quotes and who said them, from the clean text, its sentences and its resolved entities.

Pure. Three kinds of quote are found:

* **direct** — words in quotation marks that make a sentence (or follow "X said:"), straight or curly
  marks, several sentences long, or running over paragraphs (a paragraph left open whose next
  paragraph starts with an opening mark continues the quote);
* **partial** — a short fragment in quotation marks inside the narrator's sentence
  (``called the toll "a tax on workers"``);
* **indirect** — reported speech without marks, when a named speaker is attributed at the end of the
  sentence (``..., said Brandt.`` / ``..., the ministry said.``) or is the subject of a speech verb
  at its start (``Varga said the bridge would open ...``).

The speaker is looked for, in order: right after the closing mark (``"...," Varga said`` /
``"...," said Foreign Minister X``), after the sentence's last quote (shared by all its quotes), in
front of the quote (``Varga said: "..."``, ``She said she believes "..."``, ``Brandt called it
"..."``); an unattributed quote that is a whole sentence continues the previous quote's speaker when
that one is in the same or the previous paragraph. Pronouns (he/she/it/they) go to the most recent
fitting speaker or entity. A named speaker gets the canonical entity name; a body or group is kept as
written ("the ministry", "the G7 foreign ministers") with speaker type ORG or GROUP.

Nothing here raises on odd input: unbalanced marks, stray marks and unusual characters give fewer
quotes, not errors.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from enrich_service.domain.entities import EntityIndex, ResolvedMention
from enrich_service.domain.resources import read_rows
from enrich_service.domain.text import (
    ALL_DOUBLE_QUOTES,
    CLOSING_QUOTES,
    OPENING_QUOTES,
    SpanT,
    fix_sentence_spans,
    paragraph_spans,
    sentence_index,
    split_sentences,
)
from schemas.articles import EntityType, Quote, QuoteKind, SpeakerType

#: How many sentences back a pronoun may look for whom it refers to.
PRONOUN_LOOKBACK_SENTENCES = 5
#: Reported speech shorter than this many words is not taken as an indirect quote.
MIN_INDIRECT_WORDS = 4

_PRONOUN_KINDS: dict[str, frozenset[SpeakerType]] = {
    "he": frozenset({SpeakerType.PERSON}),
    "she": frozenset({SpeakerType.PERSON}),
    "it": frozenset({SpeakerType.ORG}),
    "they": frozenset({SpeakerType.GROUP, SpeakerType.ORG}),
    "we": frozenset({SpeakerType.GROUP, SpeakerType.ORG}),
}
_ENTITY_SPEAKER: dict[EntityType, SpeakerType] = {
    EntityType.PERSON: SpeakerType.PERSON,
    EntityType.ORG: SpeakerType.ORG,
    EntityType.GPE: SpeakerType.ORG,
    EntityType.NORP: SpeakerType.GROUP,
}
# Words a speaker phrase may start with when it is not capitalised.
_PHRASE_STARTS = frozenset(
    {"the", "a", "an", "his", "her", "its", "their", "our", "he", "she", "it", "they", "we", "one", "two", "three"}
    | {"several", "many", "some", "both", "another", "other", "each", "most"}
)
# Words allowed between a speaker and the verb ("Varga also said", "Norway has said").
_BETWEEN_WORDS = (
    r"(?:(?:also|has|have|had|later|then|again|earlier|previously|repeatedly|further|publicly|reportedly|"
    r"once|would|will)\s+)*"
)
_RELATIVE_CLAUSE = re.compile(r",\s+(?:who|which|whose|where|when)\b[^,]*(?:,|$)")
_CLOSED_RELATIVE_CLAUSE = re.compile(r",\s+(?:who|which|whose|where|when)\b[^,]*,")
_LEADING_CONJUNCTION = re.compile(r"\s*(?:(?:But|And|Yet|So|Still|However|Meanwhile),?\s+)+")
_TIME_WORDS = (
    r"(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday|earlier|later"
    r"|last week|this week)"
)
# What may come between a speech verb and the reported words: a time, an aside, "that".
_AFTER_SPEECH_VERB = re.compile(rf"\s*(?:{_TIME_WORDS}\s*)?(?:,[^,]{{1,30}},\s*)?(?:that\s+)?")
_AFTER_TOLD = re.compile(
    rf"\s+(?:reporters|journalists|the press|parliament|lawmakers|the \w+|[A-Z][\w.]+)\s*(?:{_TIME_WORDS}\s*)?"
    r"(?:,[^,]{1,30},\s*)?(?:that\s+)?"
)
# A trailing attribution ends its sentence: "..., Varga said", "... said in a statement on Monday",
# "..., Mr. Brandt said, without giving details".
_ATTRIBUTION_TAIL = re.compile(
    r"(?:\s+(?:in|on|at|during|after|before|while|when|from|via|through|following|late|early|last|this)\b[^,]*"
    rf"|\s+{_TIME_WORDS})?"
    r"(?:,\s+(?:without|adding|citing|noting|referring|according|but|as|speaking)\b.*)?[\s.!?]*$",
    re.DOTALL,
)
# "warned of", "spoke about": no reported words follow ("said on Monday that ..." still does).
_PREPOSITION_AFTER_VERB = re.compile(
    r"\s+(?:of|about|against|on|for|to|with|over|at|in)\b"
    r"(?!\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)"
)
_LETTER = re.compile(r"[^\W\d_]")

_WORD = re.compile(r"[\w’'-]+")


@dataclass(frozen=True, slots=True)
class QuotedSpan:
    """Text between quotation marks: one piece per paragraph it runs over."""

    pieces: tuple[SpanT, ...]
    open_mark: int
    close_mark: int | None  # None: the quote ran to the end of its paragraph without closing

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]

    @property
    def after(self) -> int:
        """Offset just after the quote (after its closing mark when it has one)."""
        return self.close_mark + 1 if self.close_mark is not None else self.end


@dataclass(frozen=True, slots=True)
class _Speaker:
    name: str | None
    type: SpeakerType


@dataclass(frozen=True, slots=True)
class _Attribution:
    speaker: _Speaker
    verb: str | None
    position: int  # where the speaker is named (for pronoun look-back)


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
def _verb_pattern(which: str) -> re.Pattern[str]:
    speech, stance = _verbs()
    verbs = speech if which == "speech" else speech | stance
    alternatives = "|".join(sorted((re.escape(v) for v in verbs), key=len, reverse=True))
    # Lower case only: "States" in "United States" is not a verb.
    return re.compile(rf"\b(?:{alternatives})\b")


@cache
def _speaker_nouns() -> dict[str, SpeakerType]:
    return {noun.lower(): SpeakerType(kind) for noun, kind in read_rows("speaker_nouns.tsv", 2)}


# ---------------------------------------------------------------------------------------------------
# Finding text in quotation marks


def find_quoted_spans(text: str) -> list[QuotedSpan]:
    """Every stretch of ``text`` in double quotation marks (see the module docstring)."""
    found: list[QuotedSpan] = []
    paragraphs = paragraph_spans(text)
    carried: list[SpanT] = []  # pieces of a quote continuing from earlier paragraphs
    carried_open = -1
    for number, (p_start, p_end) in enumerate(paragraphs):
        marks = [i for i in range(p_start, p_end) if text[i] in ALL_DOUBLE_QUOTES]
        open_at: int | None = None
        if carried and not (marks and marks[0] == p_start and _is_opening(text, p_start, inside=False)):
            found.append(QuotedSpan(tuple(carried), carried_open, None))
            carried = []
        for i in marks:
            if open_at is None:
                if _is_opening(text, i, inside=False):
                    open_at = i
                continue
            if _is_opening(text, i, inside=True):
                # An opening mark inside an open quote: the earlier one was never closed. Keep what was
                # carried over from earlier paragraphs; start again here.
                if carried:
                    found.append(QuotedSpan(tuple(carried), carried_open, None))
                carried = []
                open_at = i
                continue
            pieces = (*carried, *_content(text, open_at + 1, i))
            if pieces:
                found.append(QuotedSpan(pieces, carried_open if carried else open_at, i))
            carried, open_at = [], None
        if open_at is not None:
            piece = _content(text, open_at + 1, p_end)
            if not carried:
                carried_open = open_at
            carried = [*carried, *piece]
            next_starts_quote = number + 1 < len(paragraphs) and _is_opening(
                text, paragraphs[number + 1][0], inside=False
            )
            if not next_starts_quote and carried:
                found.append(QuotedSpan(tuple(carried), carried_open, None))
                carried = []
    if carried:
        found.append(QuotedSpan(tuple(carried), carried_open, None))
    return [q for q in found if any(_LETTER.search(text, s, e) for s, e in q.pieces)]


def _content(text: str, start: int, end: int) -> tuple[SpanT, ...]:
    """The trimmed span: no edge whitespace, no trailing comma ("...,” he said")."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;"):
        end -= 1
    return ((start, end),) if end > start else ()


def _is_opening(text: str, i: int, *, inside: bool) -> bool:
    """Whether the double quotation mark at ``i`` opens a quote (else it closes one or is stray)."""
    if i >= len(text) or text[i] not in ALL_DOUBLE_QUOTES:
        return False
    before = text[i - 1] if i > 0 else "\n"
    after = text[i + 1] if i + 1 < len(text) else "\n"
    looks_open = (before.isspace() or before in "([{—–-/:") and not after.isspace()
    looks_close = not before.isspace() and (after.isspace() or after in ".,;:!?)]}—–-'’\"”»")
    ch = text[i]
    if ch in OPENING_QUOTES:
        return not (inside and looks_close and not looks_open)
    if ch in CLOSING_QUOTES:
        return not inside and looks_open and not looks_close
    if inside:
        return looks_open and not looks_close
    return not looks_close or looks_open


# ---------------------------------------------------------------------------------------------------
# The context quotes are read in


@dataclass
class _Context:
    text: str
    sentences: list[SpanT]
    paragraphs: list[SpanT]
    index: EntityIndex
    quoted: list[QuotedSpan]
    attributions: list[_Attribution] = field(default_factory=list)
    paragraph_starts: list[int] = field(default_factory=list)
    quote_bounds: list[SpanT] = field(default_factory=list)  # (open mark, after) of each marked quote

    def __post_init__(self) -> None:
        self.paragraph_starts = [p[0] for p in self.paragraphs]
        self.quote_bounds = [(q.open_mark, q.after) for q in self.quoted]

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

    def narrator_mentions(self, start: int, end: int) -> list[ResolvedMention]:
        """Entity mentions in ``[start, end)`` outside quotation marks."""
        return [m for m in self.index.in_range(start, end) if not self.in_quote(m.start, m.end)]


def extract_quotes(text: str, sentences: Sequence[SpanT] | None, index: EntityIndex | None = None) -> list[Quote]:
    """The quotes of ``text`` with their speakers (see the module docstring), in text order.

    ``sentences`` are sentence ``(start, end)`` offsets (from the NLP pipeline; ``None`` splits by rule);
    ``index`` is the article's resolved entities (``entities.resolve_entities``).
    """
    index = index or EntityIndex()
    spans = fix_sentence_spans(text, sentences if sentences is not None else split_sentences(text))
    quoted = find_quoted_spans(text)
    ctx = _Context(text, spans, paragraph_spans(text), index, quoted)
    # Marked quotes and unmarked sentences are read in text order, so a pronoun can refer back to any
    # speaker found before it.
    marked = {ctx.sentence_of(q.open_mark) for q in quoted}
    work: list[tuple[int, int, int]] = [(q.open_mark, 0, n) for n, q in enumerate(quoted)]
    work += [
        (s[0], 1, n)
        for n, s in enumerate(ctx.sentences)
        if s not in marked and not any(ch in ALL_DOUBLE_QUOTES for ch in text[s[0] : s[1]])
    ]
    quotes: list[Quote] = []
    previous: tuple[Quote, int] | None = None  # last marked quote and its paragraph
    for _, what, n in sorted(work):
        if what == 0:
            quote = _marked_quote(ctx, quoted[n], n, previous, quotes)
            previous = (quote, ctx.paragraph_of(quoted[n].start))
            quotes.append(quote)
        else:
            indirect = _indirect_quote(ctx, ctx.sentences[n])
            if indirect is not None:
                quotes.append(indirect)
    return sorted(quotes, key=lambda q: q.start)


def _marked_quote(
    ctx: _Context,
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
    attribution = _attribution_after(ctx, span.after, suffix_end)
    if attribution is None:
        attribution = _sentence_attribution(ctx, number, close_sentence)
    if attribution is None:
        attribution = _attribution_before(ctx, prefix_start, span.open_mark)
    if attribution is None and not prefix.strip():
        attribution = _introduced_by_previous_sentence(ctx, open_sentence)
    if attribution is None and earlier_in_sentence:
        # A second fragment in the same sentence: same speaker as the first.
        first = _quote_at(done, quoted[earlier_in_sentence[-1]].start)
        if first is not None and first.speaker_type != SpeakerType.UNKNOWN:
            attribution = _Attribution(_Speaker(first.speaker, first.speaker_type), first.verb, span.start)
    if attribution is None and kind == QuoteKind.DIRECT and not _LETTER.search(suffix) and previous is not None:
        # A quote that is a whole sentence with no attribution continues the previous quote's speaker.
        prev_quote, prev_paragraph = previous
        if prev_quote.speaker_type != SpeakerType.UNKNOWN and ctx.paragraph_of(span.start) - prev_paragraph <= 1:
            attribution = _Attribution(_Speaker(prev_quote.speaker, prev_quote.speaker_type), None, span.start)
    if attribution is None:
        attribution = _according_to(ctx, span.after, suffix_end)
    if attribution is not None:
        ctx.attributions.append(attribution)
    speaker = attribution.speaker if attribution else _Speaker(None, SpeakerType.UNKNOWN)
    return Quote(
        text="\n\n".join(text[s:e] for s, e in span.pieces),
        speaker=speaker.name,
        speaker_type=speaker.type,
        kind=kind,
        verb=attribution.verb if attribution else None,
        start=span.start,
        end=span.end,
    )


def _introduced_by_previous_sentence(ctx: _Context, sentence: SpanT) -> _Attribution | None:
    """``Varga said:`` ending the sentence (or paragraph) right before a quote introduces it."""
    i = sentence_index(ctx.sentences, sentence[0] - 1)
    if i < 0:
        return None
    start, end = ctx.sentences[i]
    if not ctx.text[start:end].rstrip().endswith(":") or ctx.paragraph_of(sentence[0]) - ctx.paragraph_of(start) > 1:
        return None
    return _attribution_before(ctx, start, end)


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
        verb = _verb_pattern("speech").search(stripped)
        return verb is not None and len(stripped[verb.end() :].split()) <= 3
    return False


# ---------------------------------------------------------------------------------------------------
# Attributions


def _attribution_after(ctx: _Context, start: int, end: int, *, to_end: bool = False) -> _Attribution | None:
    """``"...," Varga said`` / ``"...," said Foreign Minister X`` / ``"..." he said``: right after a quote.

    With ``to_end`` the attribution must take up the rest of ``[start, end)`` (a sentence's last clause).
    """
    text = ctx.text
    window = text[start:end]
    lead = re.match(r"[\s,]*", window)
    offset = start + (lead.end() if lead else 0)
    verbs = _verb_pattern("speech")
    # Verb first: said Harbour Minister Elena Varga, according to local radio.
    verb = verbs.match(text, offset, end)
    if verb is not None:
        who_start = verb.end()
        if to_end and len(text[who_start:end].split()) > 12:
            return None
        speaker = _speaker_from_phrase(ctx, who_start, end, prefer="first", head="start")
        if speaker is not None:
            return _Attribution(speaker, verb.group().lower(), who_start)
        return None
    # Speaker first: Varga said / the foreign ministers of ... said / he said.
    for verb in verbs.finditer(text, offset, end):
        who_end = _strip_between_words(text, offset, verb.start())
        if who_end <= offset or text[offset:who_end].count(" ") > 25:
            return None
        who = text[offset:who_end]
        if not _phrase_may_start(who):
            return None
        # Commas in a speaker phrase only around an aside ("Varga, who ..., said") or in a list of
        # members ("the ministers of Canada, France ... said").
        bare = _mask_relative_clauses(who).strip(" ,")
        if "," in bare and _head_noun_type(who) not in (SpeakerType.GROUP, SpeakerType.ORG):
            return None
        if to_end and not _ATTRIBUTION_TAIL.match(text, verb.end(), end):
            return None
        speaker = _speaker_from_phrase(ctx, offset, who_end, prefer="last", head="start", bounded=True)
        return _Attribution(speaker, verb.group().lower(), offset) if speaker else None
    return None


def _sentence_attribution(ctx: _Context, number: int, sentence: SpanT) -> _Attribution | None:
    """The attribution after the last quote of the sentence, shared by its earlier quotes."""
    quoted = ctx.quoted
    last = number
    while last + 1 < len(quoted) and quoted[last + 1].open_mark < sentence[1]:
        last += 1
    if last == number:
        return None
    end = min(sentence[1], quoted[last + 1].open_mark if last + 1 < len(quoted) else len(ctx.text))
    return _attribution_after(ctx, quoted[last].after, max(end, quoted[last].after))


def _attribution_before(ctx: _Context, start: int, end: int, *, speech_only: bool = False) -> _Attribution | None:
    """``Varga said: "..."`` / ``She said she believes "..."`` / ``Brandt called it "..."``.

    The first verb with a speaker before it wins; with ``speech_only`` (looking for whom a pronoun means
    in an earlier sentence) only speech verbs count, pronouns are not followed, and the last one wins
    ("During the visit, Varga thanked ..., spokeswoman Anna Berg said").
    """
    text = ctx.text
    pattern = _verb_pattern("speech" if speech_only else "all")
    verbs = [v for v in pattern.finditer(text, start, end) if not ctx.in_quote(v.start(), v.end())]
    if speech_only:
        verbs.reverse()
    for verb in verbs:
        who_end = _strip_between_words(text, start, verb.start())
        if who_end <= start:
            continue
        speaker = _speaker_from_phrase(ctx, start, who_end, prefer="last", head="end", resolve_pronouns=not speech_only)
        if speaker is not None:
            return _Attribution(speaker, verb.group().lower(), start)
    return None


def _according_to(ctx: _Context, start: int, end: int) -> _Attribution | None:
    match = re.compile(r"[\s,]*according to\s+", re.IGNORECASE).match(ctx.text, start, end)
    if match is None:
        return None
    speaker = _speaker_from_phrase(ctx, match.end(), end, prefer="first", head="start")
    return _Attribution(speaker, "according to", match.end()) if speaker else None


def _strip_between_words(text: str, start: int, end: int) -> int:
    """End of the speaker phrase before a verb, without "also", "has", "on Monday" and the like."""
    match = re.search(rf"\s+{_BETWEEN_WORDS}$", text[start:end], re.IGNORECASE)
    end = start + match.start() if match else end
    while end > start and text[end - 1] in " ,":
        end -= 1
    return end


def _phrase_may_start(phrase: str) -> bool:
    first = _WORD.search(phrase)
    if first is None:
        return False
    word = first.group()
    return word[0].isupper() or word.lower() in _PHRASE_STARTS


# ---------------------------------------------------------------------------------------------------
# Who a phrase names


def _speaker_from_phrase(
    ctx: _Context,
    start: int,
    end: int,
    *,
    prefer: str,
    head: str,
    resolve_pronouns: bool = True,
    bounded: bool = False,
) -> _Speaker | None:
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
    phrase = _mask_relative_clauses(text[start:end])
    if not _LETTER.search(phrase):
        return None
    words = _WORD.findall(phrase)
    if len(words) == 1 and words[0].lower() in _PRONOUN_KINDS:
        if not resolve_pronouns:
            return None
        return _resolve_pronoun(ctx, words[0].lower(), start)
    mentions = [
        m
        for m in ctx.narrator_mentions(start, end)
        if phrase[m.start - start : m.end - start].strip() and m.type in _ENTITY_SPEAKER
    ]
    persons = [m for m in mentions if m.type == EntityType.PERSON]
    chunk_start, chunk_end = _head_chunk(text, start, end, head)
    if head == "start":
        # After a verb the speaker is near: do not pick a person from a trailing clause.
        persons = [m for m in persons if m.start < _second_chunk_end(text, start, end)]
    if persons:
        chosen = persons[0] if prefer == "first" else persons[-1]
        return _Speaker(chosen.name, SpeakerType.PERSON)
    noun_type = _head_noun_type(text[chunk_start:chunk_end])
    chunk_mentions = [m for m in mentions if m.start >= chunk_start and m.end <= chunk_end]
    if noun_type in (SpeakerType.GROUP, SpeakerType.PERSON):
        whole = bounded and len(phrase.split()) <= 15
        return _Speaker(_clean_phrase(text[start:end] if whole else text[chunk_start:chunk_end]), noun_type)
    covering = _covering_mention(text, chunk_mentions, chunk_start, chunk_end)
    if covering is not None:
        return _Speaker(covering.name, _ENTITY_SPEAKER[covering.type])
    if noun_type == SpeakerType.ORG:
        return _Speaker(_clean_phrase(text[chunk_start:chunk_end]), SpeakerType.ORG)
    chunk = _clean_phrase(text[chunk_start:chunk_end])
    known = ctx.index.lookup(chunk) if chunk else None
    if known is not None and known[1] in _ENTITY_SPEAKER:
        return _Speaker(known[0], _ENTITY_SPEAKER[known[1]])
    if chunk and _looks_like_name(chunk):
        appositive = _head_noun_type(text[chunk_end:end].lstrip(" ,"))
        kind = appositive or (_ENTITY_SPEAKER[chunk_mentions[0].type] if chunk_mentions else SpeakerType.UNKNOWN)
        return _Speaker(chunk, kind)
    return None


def _mask_relative_clauses(phrase: str) -> str:
    """Blank out ", who ... ," clauses (same length, so offsets still hold)."""
    return _RELATIVE_CLAUSE.sub(lambda m: " " * len(m.group()), phrase)


def _head_chunk(text: str, start: int, end: int, head: str) -> SpanT:
    """The part of a phrase its head noun is in: up to the first comma or "of", or the last comma-chunk."""
    phrase = _mask_relative_clauses(text[start:end])
    if head == "start":
        cut = re.search(r",|\s(?:of|from|at|in|on|for|who|which|according|adding|following|after)\s", phrase)
        # "United for Hungary": a capitalised name may hold "for"/"of"; cut at the comma then.
        if cut and cut.group().strip() in ("of", "for") and _looks_like_name(phrase.split(",")[0].strip()):
            cut = re.search(r",", phrase)
        chunk_end = start + (cut.start() if cut else len(phrase))
        return _trim(text, start, chunk_end)
    last_comma = max(phrase.rfind(","), phrase.rfind("–"), phrase.rfind("—"), phrase.rfind("("), phrase.rfind(")"))
    chunk_start = start + last_comma + 1 if last_comma >= 0 else start
    return _trim(text, chunk_start, end)


def _second_chunk_end(text: str, start: int, end: int) -> int:
    commas = [m.start() for m in re.finditer(",", text[start:end])]
    return start + commas[1] if len(commas) > 1 else end


def _trim(text: str, start: int, end: int) -> SpanT:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def _head_noun_type(chunk: str) -> SpeakerType | None:
    """The speaker type of a descriptive phrase's head noun ("the foreign ministers of ..." -> GROUP)."""
    head_part = re.split(r"\s(?:of|from|at|in|on|for|who|which)\s|,", chunk, maxsplit=1)[0]
    words = _WORD.findall(head_part)
    if not words:
        return None
    return _speaker_nouns().get(words[-1].lower())


def _covering_mention(text: str, mentions: Sequence[ResolvedMention], start: int, end: int) -> ResolvedMention | None:
    """An entity mention naming the whole chunk (give or take "the" and a nationality adjective)."""
    for m in mentions:
        rest = (text[start : m.start] + " " + text[m.end : end]).strip(" ,.’'s")
        if not rest or all(w.lower() in _PHRASE_STARTS or w.lower() == "’s" for w in rest.split()):
            return m
    return None


def _clean_phrase(phrase: str) -> str:
    return " ".join(phrase.split()).strip(" ,;:")


def _looks_like_name(chunk: str) -> bool:
    words = chunk.split()
    if not 1 <= len(words) <= 6 or not words[0][0].isupper():
        return False
    return all(w[0].isupper() or w in ("of", "for", "and", "the", "de", "van", "von", "al") for w in words)


# ---------------------------------------------------------------------------------------------------
# Pronouns


def _resolve_pronoun(ctx: _Context, pronoun: str, position: int) -> _Speaker | None:
    """The most recent fitting speaker or entity before ``position``, sentence by sentence backwards."""
    kinds = _PRONOUN_KINDS[pronoun]
    current = sentence_index(ctx.sentences, position)
    for i in range(current, max(current - PRONOUN_LOOKBACK_SENTENCES, -1), -1):
        s_start, s_end = ctx.sentences[i]
        end = min(s_end, position)
        if end <= s_start:
            continue
        # 1. A quote attributed in this sentence.
        for attribution in reversed(ctx.attributions):
            if s_start <= attribution.position < end and attribution.speaker.type in kinds:
                return attribution.speaker
        # 2. The subject of a speech verb in this sentence ("..., State Department spokesman X said").
        subject = _attribution_before(ctx, s_start, end, speech_only=True)
        if subject is not None and subject.speaker.type in kinds:
            return subject.speaker
        # 3. The first fitting entity, unless the sentence's subject is itself a pronoun of this kind.
        if _starts_with_pronoun(ctx.text[s_start:end], kinds):
            continue
        for mention in ctx.narrator_mentions(s_start, end):
            speaker_type = _ENTITY_SPEAKER.get(mention.type)
            if speaker_type in kinds and not (pronoun == "it" and mention.type == EntityType.NORP):
                return _Speaker(mention.name, speaker_type)
    return None


def _starts_with_pronoun(sentence: str, kinds: frozenset[SpeakerType]) -> bool:
    first = _WORD.search(sentence)
    return bool(first and first.group().lower() in _PRONOUN_KINDS and _PRONOUN_KINDS[first.group().lower()] == kinds)


# ---------------------------------------------------------------------------------------------------
# Reported speech without marks


def _indirect_quote(ctx: _Context, sentence: SpanT) -> Quote | None:
    return _trailing_indirect(ctx, sentence) or _leading_indirect(ctx, sentence)


def _trailing_indirect(ctx: _Context, sentence: SpanT) -> Quote | None:
    """``..., said Brandt.`` / ``..., the ministry said in a statement.``"""
    text = ctx.text
    s_start, s_end = sentence
    for comma in reversed([m.start() for m in re.finditer(",", text[s_start:s_end])]):
        attribution = _attribution_after(ctx, s_start + comma + 1, s_end, to_end=True)
        if attribution is None or attribution.speaker.name is None:
            continue
        if attribution.speaker.type == SpeakerType.UNKNOWN:
            return None
        content = _trim_content(text, s_start, s_start + comma)
        if content is None:
            return None
        ctx.attributions.append(attribution)
        return _indirect(text, content, attribution)
    return None


def _leading_indirect(ctx: _Context, sentence: SpanT) -> Quote | None:
    """``Varga said the bridge would open ...`` / ``He told reporters that ...``"""
    text = ctx.text
    s_start, s_end = sentence
    for verb in _verb_pattern("speech").finditer(text, s_start, s_end):
        if verb.group() in ("saying", "adding") or _PREPOSITION_AFTER_VERB.match(text, verb.end(), s_end):
            continue
        who_end = _strip_between_words(text, s_start, verb.start())
        subject = _subject_before(ctx, s_start, who_end, verb.start())
        if subject is None:
            continue
        pattern = _AFTER_TOLD if verb.group() in ("told", "tells") else _AFTER_SPEECH_VERB
        after = pattern.match(text, verb.end(), s_end)
        content = _trim_content(text, after.end() if after else verb.end(), s_end)
        if content is None:
            continue
        attribution = _Attribution(subject, verb.group(), s_start)
        ctx.attributions.append(attribution)
        return _indirect(text, content, attribution)
    return None


def _subject_before(ctx: _Context, start: int, end: int, verb_start: int) -> _Speaker | None:
    """The subject of a verb: an entity right before it (``end``), a pronoun, or the sentence's first
    person followed by an aside ("Varga, returning to Oslo ..., told")."""
    text = ctx.text
    words = _WORD.findall(text[start:end])
    if not words:
        return None
    last_word = words[-1].lower()
    if len(words) <= 2 and last_word in _PRONOUN_KINDS and words[0].lower() in (last_word, "but", "and"):
        return _resolve_pronoun(ctx, last_word, start)
    # Asides closed before the verb are not the subject ("Varga, who met X in Oslo, said"); an aside
    # still open is ("..., which Brandt said"): the verb is inside it.
    masked = _CLOSED_RELATIVE_CLAUSE.sub(lambda m: " " * len(m.group()), text[start:verb_start])[: end - start]
    mentions = [
        m
        for m in ctx.narrator_mentions(start, end)
        if m.type in _ENTITY_SPEAKER and masked[m.start - start : m.end - start].strip()
    ]
    if not mentions:
        return None
    last = mentions[-1]
    if not masked[last.end - start :].strip(" ’'s,"):
        return _Speaker(last.name, _ENTITY_SPEAKER[last.type])
    first = mentions[0]
    lead = text[start : first.start].strip()
    aside_follows = text[first.end : first.end + 1] == ","
    if lead.lower() in ("", "but", "and") and aside_follows and first.type == EntityType.PERSON:
        return _Speaker(first.name, SpeakerType.PERSON)
    return None


def _trim_content(text: str, start: int, end: int) -> SpanT | None:
    while start < end and (text[start].isspace() or text[start] in ",;:–—-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".!?;:,"):
        end -= 1
    if len(text[start:end].split()) < MIN_INDIRECT_WORDS:
        return None
    return start, end


def _indirect(text: str, content: SpanT, attribution: _Attribution) -> Quote:
    return Quote(
        text=text[content[0] : content[1]],
        speaker=attribution.speaker.name,
        speaker_type=attribution.speaker.type,
        kind=QuoteKind.INDIRECT,
        verb=attribution.verb,
        start=content[0],
        end=content[1],
    )
