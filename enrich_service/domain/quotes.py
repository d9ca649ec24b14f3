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

Also: single quotation marks are read as the primary marks when the article uses them so (UK style,
``primary_marks_as_double``); "According to X, ..." credits X; reported words after a quote in the same
sentence (``"...," she said, adding that ...`` / ``... and said ...`` / ``... but that ...``) and
before it (``X told reporters ..., but called it "..."``) are indirect quotes by the same speaker;
", saying that ..." and "was quoted as saying ..." credit the sentence's subject; a subject may be a
description ("A senior official", "Fishing crews along the coast", "the pilot"), a name the NER missed
(capitalised words, titles dropped), or several entities together ("the U.K. and France", a GROUP kept
as written); "the union" / "the company" link to the named organisation; "he"/"she" skip people whose
title ("Mr.", "Ms.", "spokeswoman") shows the other gender.

Nothing here raises on odd input: unbalanced marks, stray marks and unusual characters give fewer
quotes, not errors.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from enrich_service.domain.entities import EntityIndex, ResolvedMention, is_title_word, strip_titles
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
#: ... but an explicit trailing attribution makes a short clause reported speech ("None had died, she said").
MIN_TRAILING_INDIRECT_WORDS = 3

_PRONOUN_KINDS: dict[str, frozenset[SpeakerType]] = {
    "he": frozenset({SpeakerType.PERSON}),
    "she": frozenset({SpeakerType.PERSON}),
    "it": frozenset({SpeakerType.ORG}),
    "they": frozenset({SpeakerType.GROUP, SpeakerType.ORG}),
    "we": frozenset({SpeakerType.GROUP, SpeakerType.ORG}),
    "_person": frozenset({SpeakerType.PERSON}),  # not a word: a person of either gender ("the 24-year-old")
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
# An aside closed by a comma (kept: asides follow one another, "X, 38, who ..., said").
_CLOSED_RELATIVE_CLAUSE = re.compile(r",\s+(?:who|which|whose|where|when|a|an|the|\d+)\b[^,]*(?=,)")
_LEADING_CONJUNCTION = re.compile(r"\s*(?:(?:But|And|Yet|So|Still|However|Meanwhile),?\s+)+")
_TIME_WORDS = (
    r"(?:(?:(?:on|late|early)\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"(?:\s+(?:morning|afternoon|evening|night))?"
    r"|on\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{1,2}"
    r"|today|yesterday|tonight|afterwards|(?:earlier|later)(?:\s+(?:this|last|that|on|in\s+the)\s+(?:week|month|year|day|"
    r"morning|afternoon|evening|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))?"
    r"|(?:last|this|next)\s+(?:week|month|year|night|morning|weekend))"
)
# What may come between a speech verb and the reported words: a time, an aside, "that".
_AFTER_SPEECH_VERB = re.compile(rf"\s*(?:{_TIME_WORDS}\s*)?(?:,[^,]{{1,30}},\s*)?(?:(?:[\w’'$.-]+\s+){{0,6}}?that\s+)?")
#: Verbs that introduce reported words in any clause; other speech verbs ("announced", "warned",
#: "confirmed") also take plain objects ("announced the cut"), so without "that" their content must
#: read like a clause (an auxiliary or a past tense in it).
_SAY_VERBS = frozenset({"said", "says", "say", "told", "tells"})
_CLAUSE_MARK = re.compile(
    r"\b(?:would|will|could|can|should|may|might|must|is|are|was|were|had|has|have|did|does|do|[a-z]+ed)\b"
)
_AFTER_TOLD = re.compile(
    rf"\s+(?:reporters|journalists|the press|parliament|lawmakers|the \w+|[A-Z][\w.]+)\s*(?:{_TIME_WORDS}\s*)?"
    r"(?:,[^,]{1,30},\s*)?(?:that\s+)?"
)
# A trailing attribution ends its sentence: "..., Varga said", "... said in a statement on Monday",
# "..., Mr. Brandt said, without giving details".
_ATTRIBUTION_TAIL = re.compile(
    r"(?:\s+(?:in|on|at|to|during|after|before|while|when|from|via|through|following|late|early|last|this)\b"
    r"(?:(?!\bthat\b)[^,])*"
    rf"|\s+{_TIME_WORDS})?"
    r"(?:,\s+(?:[a-z]+ing|without|according|but|as)\b.*)?[\s.!?]*$",
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
    return re.compile(rf"(?<![\w-])(?:{alternatives})\b(?!-)")


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
        marks = [m.start() for m in _DOUBLE_MARK.finditer(text, p_start, p_end)]
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
    genders: dict[str, str] = field(default_factory=dict)  # person -> "he" / "she", when the text says

    def __post_init__(self) -> None:
        self.paragraph_starts = [p[0] for p in self.paragraphs]
        self.quote_bounds = [(q.open_mark, q.after) for q in self.quoted]
        self.genders = person_genders(self.text, self.index)

    def fits(self, pronoun: str, speaker: _Speaker) -> bool:
        """Whether ``he``/``she`` can mean ``speaker`` (a person of the other known gender cannot)."""
        if pronoun not in ("he", "she") or speaker.name is None or speaker.type != SpeakerType.PERSON:
            return True
        return self.genders.get(speaker.name, pronoun) == pronoun

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
    original = text
    text = primary_marks_as_double(text)
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
        if s not in marked and not _DOUBLE_MARK.search(text, s[0], s[1])
    ]
    quotes: list[Quote] = []
    previous: tuple[Quote, int] | None = None  # last marked quote and its paragraph
    for _, what, n in sorted(work):
        if what == 0:
            quote = _marked_quote(ctx, quoted[n], n, previous, quotes)
            previous = (quote, ctx.paragraph_of(quoted[n].start))
            before = _indirect_before_quote(ctx, quoted, n)
            if before is not None:
                quotes.append(before)
            quotes.append(quote)
            after = _indirect_after_quote(ctx, quoted, n, quote)
            if after is not None:
                quotes.append(after)
        else:
            indirect = _indirect_quote(ctx, ctx.sentences[n])
            if indirect is not None:
                quotes.append(indirect)
    quotes.sort(key=lambda q: q.start)
    if text is original:
        return quotes
    return [q.model_copy(update={"text": _original_text(original, text, q)}) for q in quotes]


_CONTINUED_SPEECH = re.compile(
    r"(?:,?\s*(?:adding|saying)|\s+(?:and|but)\s+(?:also\s+)?(?:said|says|added|adds|warned|argued|insisted|"
    r"told\s+(?:reporters|journalists|\w+))|\s+(?:and|but)(?=\s+that\s))\s+(?:that\s+)?"
)


def _indirect_after_quote(ctx: _Context, quoted: Sequence[QuotedSpan], n: int, quote: Quote) -> Quote | None:
    """Reported words after a quote in the same sentence, by its speaker: ``"...," she said, adding that
    X`` / ``called it "a gamble" and said X`` / ``said it was "an improvement" but that X``."""
    if quote.speaker is None:
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
    return _indirect(text, content, _Attribution(_Speaker(quote.speaker, quote.speaker_type), "said", span.start))


_BEFORE_QUOTE_CUT = re.compile(r",?\s+(?:but|and|while|although|though)\s+")


def _indirect_before_quote(ctx: _Context, quoted: Sequence[QuotedSpan], n: int) -> Quote | None:
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


def _original_text(original: str, work: str, quote: Quote) -> str:
    """A quote's text as the article writes it (the work text has its quote marks swapped)."""
    pieces: list[str] = []
    pos = quote.start
    for piece in quote.text.split("\n\n"):
        at = work.find(piece, pos, quote.end + 1)
        if at < 0:
            return quote.text
        pieces.append(original[at : at + len(piece)])
        pos = at + len(piece)
    return "\n\n".join(pieces)


# ---------------------------------------------------------------------------------------------------
# Single quotation marks as the primary marks (UK style: ‘We will fight,’ she said.)

_SINGLE_OPEN = "‘'"
_SINGLE_CLOSE = {"‘": "’", "'": "'"}
_DOUBLE_TO_SINGLE = str.maketrans({"“": "‘", "„": "‘", "‟": "‘", "«": "‘", "”": "’", "»": "’", '"': "'"})
_OPEN_BEFORE = "([{—–-/:"


def _single_opens_at(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in _OPEN_BEFORE) and (after.isalnum() or after in "…$£€")


def _single_closes_at(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before.isspace() or after.isalnum():
        return False
    # "the workers’ union": a plural possessive, not the end of the quotation.
    return not (before in "sS" and after == " " and text[i + 2 : i + 3].islower())


def primary_marks_as_double(text: str) -> str:
    """``text`` with single quotation marks made double (and double ones single) when the article uses
    single marks as its primary quotation marks; else ``text`` itself. Same length, same offsets.

    Single marks are primary when more quotations open with one (‘ or a straight ' at a word start
    that a closing mark follows) than there are pairs of double marks (on a tie: when the first
    quotation opens with a single mark). Apostrophes (``don’t``, ``workers’``) stay: a closing mark is
    only taken inside an open quotation.
    """
    if "‘" not in text and "'" not in text:
        return text
    doubles = [m.start() for m in _DOUBLE_MARK.finditer(text)]
    chars = list(text)
    opened: str | None = None
    single_spans: list[SpanT] = []  # (open, close) of each single-marked quotation
    for match in _SINGLE_OR_BREAK.finditer(text):
        i, ch = match.start(), match.group()
        if ch == "\n\n":
            opened = None
        elif ch in _SINGLE_OPEN and opened is None and _single_opens_at(text, i):
            close = _SINGLE_CLOSE[ch]
            end = text.find(close, i + 2)
            while end >= 0 and not _single_closes_at(text, end):
                end = text.find(close, end + 1)
            paragraph_end = text.find("\n\n", i)
            if end < 0 or (0 <= paragraph_end < end and not _reopens(text, paragraph_end, ch)):
                continue
            opened = ch
            single_spans.append((i, end))
            chars[i] = "“"
        elif opened is not None and ch == _SINGLE_CLOSE[opened] and _single_closes_at(text, i):
            chars[i] = "”"
            opened = None
        elif opened is not None and ch == opened and _single_opens_at(text, i):
            chars[i] = "“"  # a new paragraph of the same quotation re-opening it
    if not single_spans:
        return text
    # The primary marks are the outer ones: count quotations not nested in one of the other kind.
    double_spans = [(q.open_mark, q.after) for q in find_quoted_spans(text)] if doubles else []
    singles = [a for a, _ in single_spans if not any(s <= a < e for s, e in double_spans)]
    outer_doubles = [s for s, _ in double_spans if not any(a <= s < b for a, b in single_spans)]
    if len(singles) < len(outer_doubles) or not singles:
        return text
    if len(singles) == len(outer_doubles) and outer_doubles[0] < singles[0]:
        return text
    for i in doubles:
        chars[i] = text[i].translate(_DOUBLE_TO_SINGLE)
    return "".join(chars)


_DOUBLE_MARK = re.compile(f"[{re.escape(ALL_DOUBLE_QUOTES)}]")
_SINGLE_OR_BREAK = re.compile(r"[‘’']|\n\n")


def _reopens(text: str, paragraph_end: int, mark: str) -> bool:
    """Whether the paragraph after the break at ``paragraph_end`` opens with ``mark`` (a quote going on)."""
    rest = text[paragraph_end:].lstrip()
    return rest.startswith(mark)


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
        # A later fragment: the sentence's own subject and verb ("X, whose head warned of "...", said "..."")
        attribution = _attribution_before(ctx, open_sentence[0], span.open_mark)
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
    if attribution is None:
        attribution = _leading_according_to(ctx, prefix_start, span.open_mark)
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
        following = _WORD.findall(text[who_start:end])
        if len(following) > 1 and following[0].lower() in _PRONOUN_KINDS:
            return None  # "said it had offered ...": reported words, not a speaker
        first_clause = text[who_start:end].split(",", 1)[0]
        if _CLAUSE_MARK.search(first_clause) or re.search(r"\bthat\b", first_clause):
            return None  # "said the figures were not in dispute": reported words
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
            # An appositive is fine: "Skyvance’s chief executive, Renata Oyelowo-Braga, said".
            has_person = any(m.type == EntityType.PERSON for m in ctx.narrator_mentions(offset, who_end))
            if not has_person or bare.count(",") > 2 or len(bare.split()) > 14:
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
        who_end = _strip_between_words(text, start, verb.start())
        if who_end <= start:
            continue
        whose = list(_OPEN_WHOSE.finditer(text, start, who_end))
        if whose and "," not in text[whose[-1].end() : verb.start()]:
            # "..., whose governor Anselm Rudd warned": the clause's own subject.
            speaker = _speaker_from_phrase(ctx, whose[-1].end(), who_end, prefer="last", head="end")
            if speaker is not None:
                return _Attribution(speaker, verb.group().lower(), whose[-1].end())
        speaker = _speaker_from_phrase(ctx, start, who_end, prefer="last", head="end", resolve_pronouns=not speech_only)
        if speaker is not None:
            return _Attribution(speaker, verb.group().lower(), start)
    return None


_CLOSED_RELATIVE = re.compile(r",\s+(?:who|whose|which)\b[^,]*,")
_OPEN_WHOSE = re.compile(r",\s+whose\s+")


def _according_to(ctx: _Context, start: int, end: int) -> _Attribution | None:
    match = re.compile(r"[\s,]*according to\s+", re.IGNORECASE).match(ctx.text, start, end)
    if match is None:
        return None
    speaker = _speaker_from_phrase(ctx, match.end(), end, prefer="first", head="start")
    return _Attribution(speaker, "according to", match.end()) if speaker else None


_LEADING_ACCORDING_TO = re.compile(r"\s*(?:(?:But|And|Yet|So)\s+)?according to\s+", re.IGNORECASE)


def _leading_according_to(ctx: _Context, start: int, end: int) -> _Attribution | None:
    """``According to Varga, the plan "is dead"`` / ``According to Varga, ...``: the phrase up to the comma."""
    match = _LEADING_ACCORDING_TO.match(ctx.text, start, end)
    if match is None:
        return None
    comma = ctx.text.find(",", match.end(), end)
    if comma < 0:
        return None
    speaker = _speaker_from_phrase(ctx, match.end(), comma, prefer="first", head="start")
    return _Attribution(speaker, "according to", match.end()) if speaker else None


def _strip_between_words(text: str, start: int, end: int) -> int:
    """End of the speaker phrase before a verb, without "also", "has", "on Monday" and the like."""
    match = re.search(rf"\s+{_BETWEEN_WORDS}$", text[start:end], re.IGNORECASE)
    end = start + match.start() if match else end
    while end > start and text[end - 1] in " ,":
        end -= 1
    return end


def _phrase_may_start(phrase: str) -> bool:
    """Whether a speaker phrase may start with this word: a capital, a determiner, a role or body noun
    ("agency spokeswoman Anna Berg", "analysts", "police")."""
    first = _WORD.search(phrase)
    if first is None:
        return False
    word = first.group()
    lower = word.lower()
    return word[0].isupper() or lower in _PHRASE_STARTS or lower in _speaker_nouns() or is_title_word(lower)


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
    members = _listed_entities(text, [m for m in mentions if chunk_start <= m.start and m.end <= chunk_end])
    if members is not None and _covers(text, members, chunk_start, chunk_end):
        return _group_of(text, members)
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
        phrase_text = _mask_relative_clauses(text[start:end]) if whole else text[chunk_start:chunk_end]
        return _Speaker(_clean_phrase(phrase_text), noun_type)
    covering = _covering_mention(text, chunk_mentions, chunk_start, chunk_end)
    if covering is not None:
        return _Speaker(covering.name, _ENTITY_SPEAKER[covering.type])
    if noun_type == SpeakerType.ORG:
        named = _named_body(ctx, text[chunk_start:chunk_end], start)
        return named or _Speaker(_clean_phrase(text[chunk_start:chunk_end]), SpeakerType.ORG)
    chunk = _clean_phrase(text[chunk_start:chunk_end])
    known = ctx.index.lookup(chunk) if chunk else None
    if known is not None and known[1] in _ENTITY_SPEAKER:
        return _Speaker(known[0], _ENTITY_SPEAKER[known[1]])
    if chunk and _looks_like_name(chunk):
        appositive = _head_noun_type(text[chunk_end:end].lstrip(" ,"))
        name = strip_titles(chunk)
        has_title = name != chunk
        kind = appositive or (
            SpeakerType.PERSON
            if has_title
            else (_ENTITY_SPEAKER[chunk_mentions[0].type] if chunk_mentions else SpeakerType.UNKNOWN)
        )
        return _Speaker(name, kind)
    return _description(chunk)


_DESCRIPTION = re.compile(
    r"(?:(?:the|a|an|one|another|that|this|these|those|two|three|several|some|many)\s+)?"
    r"(?:[\w’'-]+\s+){0,3}([a-z][\w-]*)",
    re.IGNORECASE,
)
_POSTMODIFIER = re.compile(
    r"\s(?:of|from|at|in|on|for|who|which|whose|with|along|across|near|familiar|close|involved|based|aboard)\b"
)


def _description(chunk: str) -> _Speaker | None:
    """A short description as a speaker: "the pilot", "a Skyvance pilot", "fishing crews along the
    coast", "a person familiar with the talks". Without a determiner only a plural noun counts."""
    head = _POSTMODIFIER.split(chunk, maxsplit=1)[0].strip()
    if not head or head.split()[0].lower() in _NOT_DESCRIPTION_STARTS:
        return None
    match = _DESCRIPTION.fullmatch(head)
    if match is None or match.group(1).lower() in _NOT_SPEAKERS or len(chunk.split()) > 10:
        return None
    if _CLAUSE_MARK.search(head) or " that " in f" {chunk} ":
        return None  # "the figures were not ...": a clause, not someone
    noun = match.group(1).lower()
    has_determiner = head.split()[0].lower() in _DETERMINERS
    kind = _speaker_nouns().get(noun)
    if kind is None:
        if noun.endswith("s") and not noun.endswith("ss") and _PERSON_NOUN.search(noun[:-1]):
            kind = SpeakerType.GROUP  # "fishers", "passengers" (not "estimates", "figures")
        elif has_determiner and _PERSON_NOUN.search(noun):
            kind = SpeakerType.PERSON
        else:
            return None
    return _Speaker(chunk, kind)


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


def _listed_entities(text: str, mentions: Sequence[ResolvedMention]) -> list[ResolvedMention] | None:
    """The last run of two or more entities listed with "and" / commas ("the U.K. and France"), if any."""
    run: list[ResolvedMention] = []
    for m in reversed(mentions):
        if run and not _LIST_SEPARATOR.fullmatch(text, m.end, run[0].start):
            break
        run.insert(0, m)
    names = {m.name for m in run}
    return run if len(names) > 1 and " and " in f" {text[run[0].end : run[-1].start]} ".replace("&", "and") else None


def _covers(text: str, members: Sequence[ResolvedMention], start: int, end: int) -> bool:
    lead = text[start : members[0].start].strip().lower()
    return lead in ("", "the", "both", "both the") and not text[members[-1].end : end].strip(" ,.’'s")


def _group_of(text: str, members: Sequence[ResolvedMention]) -> _Speaker:
    """One speaker for several entities speaking together, kept as written ("the U.K. and France")."""
    return _Speaker(_clean_phrase(text[members[0].start : members[-1].end]), SpeakerType.GROUP)


def _named_body(ctx: _Context, chunk: str, position: int) -> _Speaker | None:
    """The named organisation a description refers to: "the ministry" -> the article's "Foreign Ministry"
    (the most recent organisation before ``position`` whose name has the head noun, else the first after)."""
    words = _WORD.findall(chunk)
    if not words or any(w[0].isupper() for w in words[1:]) or words[0].lower() not in ("the", "this", "that"):
        return None
    noun = words[-1].lower()
    before: list[str] = []
    after: list[str] = []
    for m in ctx.index.mentions:
        if m.type == EntityType.ORG and noun in (w.lower() for w in _WORD.findall(m.name)):
            (before if m.start < position else after).append(m.name)
    candidates = before[::-1] + after
    if not candidates and noun in _ANY_ORG_NOUNS and len(words) == 2:
        # "The company added ...": the organisation the text last named.
        recent = [m for m in ctx.index.mentions if m.type == EntityType.ORG and m.end <= position]
        if recent and position - recent[-1].end <= MAX_ORG_REFERENCE_CHARS:
            return _Speaker(recent[-1].name, SpeakerType.ORG)
    return _Speaker(candidates[0], SpeakerType.ORG) if candidates else None


#: Nouns that refer back to whatever organisation the text named last ("the company", "the firm").
_ANY_ORG_NOUNS = frozenset(
    {"company", "firm", "group", "airline", "carrier", "maker", "carmaker", "lender", "insurer", "operator"}
    | {"retailer", "manufacturer", "miner", "supplier", "broadcaster", "publisher", "developer", "automaker"}
)
#: ... when it was named at most this far back.
MAX_ORG_REFERENCE_CHARS = 600


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
    # A relative clause at the end is not the head ("The Bank, whose governor ... warned"): cut it off.
    end = start + len(phrase.rstrip())
    phrase = phrase.rstrip()
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
    words = _WORD.findall(chunk.split(",", 1)[0])
    if len(words) > 1 and words[-2][:1].isupper() and _speaker_nouns().get(words[-1].lower()) == SpeakerType.PERSON:
        return SpeakerType.PERSON  # "a Department for Transport spokeswoman": the role after a name
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
        # "Ferry operator Caledon Marine", "the carmaker Voltra": a role or kind, then the name.
        lead = _WORD.findall(text[start : m.start])
        if (
            not text[m.end : end].strip(" ,.’'s")
            and 0 < len(lead) <= 3
            and (lead[-1].lower() in _speaker_nouns() or is_title_word(lead[-1]) or lead[-1].lower() in _KIND_NOUNS)
        ):
            return m
    return None


#: Nouns naming a kind of organisation right before its name ("the carmaker Voltra").
_KIND_NOUNS = frozenset(
    {"carmaker", "maker", "lender", "retailer", "insurer", "carrier", "operator", "firm", "company", "broadcaster"}
    | {"publisher", "developer", "manufacturer", "miner", "supplier", "charity", "club", "group", "airline"}
)


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
            if (
                s_start <= attribution.position < end
                and attribution.speaker.type in kinds
                and ctx.fits(pronoun, attribution.speaker)
            ):
                return attribution.speaker
        # 2. The subject of a speech verb in this sentence ("..., State Department spokesman X said").
        subject = _attribution_before(ctx, s_start, end, speech_only=True)
        if subject is not None and subject.speaker.type in kinds and ctx.fits(pronoun, subject.speaker):
            return subject.speaker
        # 3. The first fitting entity, unless the sentence's subject is itself a pronoun of this kind.
        if _starts_with_pronoun(ctx.text[s_start:end], kinds):
            continue
        for mention in ctx.narrator_mentions(s_start, end):
            speaker_type = _ENTITY_SPEAKER.get(mention.type)
            if speaker_type in kinds and not (pronoun == "it" and mention.type == EntityType.NORP):
                candidate = _Speaker(mention.name, speaker_type)
                if ctx.fits(pronoun, candidate):
                    return candidate
    return None


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


def _starts_with_pronoun(sentence: str, kinds: frozenset[SpeakerType]) -> bool:
    first = _WORD.search(sentence)
    return bool(first and first.group().lower() in _PRONOUN_KINDS and _PRONOUN_KINDS[first.group().lower()] == kinds)


# ---------------------------------------------------------------------------------------------------
# Reported speech without marks


def _indirect_quote(ctx: _Context, sentence: SpanT) -> Quote | None:
    return (
        _trailing_indirect(ctx, sentence)
        or _saying_indirect(ctx, sentence)
        or _leading_indirect(ctx, sentence)
        or _according_to_indirect(ctx, sentence)
    )


#: Who "according to" may credit with reported speech: people and groups (not a report or an agency,
#: which source facts rather than say things).
_ACCORDING_TO_SPEAKERS = frozenset({SpeakerType.PERSON, SpeakerType.GROUP})


def _according_to_indirect(ctx: _Context, sentence: SpanT) -> Quote | None:
    """``According to Varga, the plan is dead.`` / ``The plan is dead, according to officials.``"""
    text = ctx.text
    s_start, s_end = sentence
    leading = _leading_according_to(ctx, s_start, s_end)
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
    speaker = _speaker_from_phrase(ctx, who_start, s_end, prefer="first", head="start")
    if speaker is None or speaker.type not in _ACCORDING_TO_SPEAKERS:
        return None
    content = _trim_content(text, s_start, s_start + tail.start())
    if content is None:
        return None
    attribution = _Attribution(speaker, "according to", who_start)
    ctx.attributions.append(attribution)
    return _indirect(text, content, attribution)


_SAYING = re.compile(r"(?:,\s*|\s+as\s+)saying\s+(?:that\s+)?")


def _saying_indirect(ctx: _Context, sentence: SpanT) -> Quote | None:
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
    subject_end = _strip_between_words(text, s_start, s_start + verb.start())
    speaker = _subject_before(ctx, s_start, subject_end, s_start + verb.start())
    if speaker is None:
        return None
    content = _trim_content(text, match.end(), s_end)
    if content is None:
        return None
    attribution = _Attribution(speaker, "saying", s_start)
    ctx.attributions.append(attribution)
    return _indirect(text, content, attribution)


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
        content = _trim_content(text, s_start, s_start + comma, min_words=MIN_TRAILING_INDIRECT_WORDS)
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
        if verb.group() in ("saying", "adding"):
            continue
        if _PREPOSITION_AFTER_VERB.match(text, verb.end(), s_end) and not _THAT_SOON.match(text, verb.end(), s_end):
            continue  # "warned of ...", "spoke about ..." (but "said in a statement that ..." reports words)
        who_end = _strip_between_words(text, s_start, verb.start())
        subject = _subject_before(ctx, s_start, who_end, verb.start())
        if subject is None:
            continue
        pattern = _AFTER_TOLD if verb.group() in ("told", "tells") else _AFTER_SPEECH_VERB
        after = pattern.match(text, verb.end(), s_end)
        content = _trim_content(text, after.end() if after else verb.end(), s_end)
        if content is None:
            continue
        has_that = after is not None and after.group().rstrip().endswith("that")
        if verb.group() not in _SAY_VERBS and not has_that and not _CLAUSE_MARK.search(text, *content):
            continue  # "announced the cut on Wednesday": an object, not reported words
        attribution = _Attribution(subject, verb.group(), s_start)
        ctx.attributions.append(attribution)
        return _indirect(text, content, attribution)
    return None


_CLAUSE_BREAK = re.compile(
    r"[,;—–]\s*(?:(?:though|although|while|but|and|as|because|since|when|after|before|until)\s+)?"
    r"|\s(?:though|although|while|but|as|because|since|when|after|before|until)\s+"
)


def _clause_subject(ctx: _Context, start: int, end: int) -> _Speaker | None:
    """ "X faces prison, though prosecutors said ...", "Shares fell after the carmaker said ...": the clause
    right before the verb has its own (described) subject."""
    breaks = list(_CLAUSE_BREAK.finditer(ctx.text, start, end))
    if not breaks:
        return None
    return _described_subject(ctx, breaks[-1].end(), end)


def _name_like_subject(ctx: _Context, start: int, end: int) -> _Speaker | None:
    """A subject the NER missed that reads as a name: capitalised words from the sentence start
    ("Chief Financial Officer Tomasz Wendel", "Ruvalde"); titles dropped, a known short form resolved."""
    phrase = _clean_phrase(ctx.text[start:end])
    words = phrase.split()
    if not words or len(words) > 6 or not all(w[0].isupper() for w in words) or not _looks_like_name(phrase):
        return None
    if words[0].lower() in _PHRASE_STARTS or words[-1].lower() in _speaker_nouns():
        return None
    known = ctx.index.lookup(phrase)
    if known is not None and known[1] in _ENTITY_SPEAKER:
        return _Speaker(known[0], _ENTITY_SPEAKER[known[1]])
    name = strip_titles(phrase)
    return _Speaker(name, SpeakerType.PERSON if name != phrase else SpeakerType.UNKNOWN)


_THAT_SOON = re.compile(r"(?:\s+[\w’'$.-]+){1,7}?\s+that\s")


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
    described = _described_subject(ctx, start, end)
    if described is not None:
        return described
    masked = _CLOSED_RELATIVE_CLAUSE.sub(lambda m: " " * len(m.group()), text[start:verb_start])[: end - start]
    mentions = [
        m
        for m in ctx.narrator_mentions(start, end)
        if m.type in _ENTITY_SPEAKER and masked[m.start - start : m.end - start].strip()
    ]
    if not mentions:
        return _name_like_subject(ctx, start, end) or _clause_subject(ctx, start, end)
    last = mentions[-1]
    if last.type != EntityType.PERSON:
        # "Detective Inspector X of the Westcombe Constabulary said": the person, not the body.
        for m in reversed(mentions[:-1]):
            if m.type == EntityType.PERSON and _PERSON_OF.fullmatch(text, m.end, last.start):
                return _Speaker(m.name, SpeakerType.PERSON)
    if _SUBJECT_TAIL.fullmatch(masked[last.end - start :]):
        members = _listed_entities(text, mentions)
        if members is not None and text[start : members[0].start].strip().lower() in ("", "the", "both", "but", "and"):
            return _group_of(text, members)
        return _Speaker(last.name, _ENTITY_SPEAKER[last.type])
    own = _clause_subject(ctx, start, end)
    if own is not None:
        return own
    first = mentions[0]
    lead = text[start : first.start].strip()
    aside_follows = text[first.end : first.end + 1] == ","
    if lead.lower() in ("", "but", "and") and aside_follows and first.type == EntityType.PERSON:
        return _Speaker(first.name, SpeakerType.PERSON)
    return None


#: A described speaker at the start of a sentence is at most this many words ("A senior EU official").
MAX_DESCRIBED_SUBJECT_WORDS = 8
_LEADING_ADVERBIAL = re.compile(
    r"(?:(?:In|On|At|After|Before|During|For|From|By|With|Earlier|Later|Meanwhile|Elsewhere|Separately|Asked|"
    r"Interviewed|Questioned|Pressed|Reached|Contacted|[A-Z][a-z]+ing)\b[^,]{0,60},\s*)"
)
_AGE_DESCRIPTION = re.compile(r"(?:the|a|an)\s+\d+-year-old(?:\s+[a-z]+)?", re.IGNORECASE)


def _described_subject(ctx: _Context, start: int, end: int) -> _Speaker | None:
    """A subject that is a description, not a name: "A senior EU official", "Kremlin officials",
    "The Russian defense minister", "the union" (linked to the named organisation when there is one)."""
    text = ctx.text
    raw = text[start:end]
    adverbial = _LEADING_ADVERBIAL.match(raw)
    if adverbial:
        raw = raw[adverbial.end() :]
    phrase = " ".join(_CLOSED_RELATIVE_CLAUSE.sub(" ", raw + ",").split()).strip(" ,")
    words = _WORD.findall(phrase)
    if not words or len(words) > MAX_DESCRIBED_SUBJECT_WORDS or not (adverbial or _phrase_may_start(phrase)):
        return None
    if "," in phrase or any(w.lower() in _PRONOUN_KINDS for w in words):
        return None
    if _AGE_DESCRIPTION.fullmatch(phrase):
        # "The 24-year-old added ...": the person the text was just about.
        return _resolve_pronoun(ctx, "_person", start) or _Speaker(_clean_phrase(phrase), SpeakerType.PERSON)
    head_words = _WORD.findall(_POSTMODIFIER.split(phrase, maxsplit=1)[0])
    if not head_words:
        return None
    noun_type = _speaker_nouns().get(head_words[-1].lower())
    if noun_type is None:
        described = _description(phrase)
        if described is None or not head_words[-1].islower():
            return None
        noun_type = described.type
    trimmed_end = start + len(text[start:end].rstrip(" ,"))
    if ctx.index.at(trimmed_end - 1, trimmed_end) is not None:
        return None  # the head is itself an entity ("The Bank" of "Central Bank of Norland")
    if noun_type == SpeakerType.ORG:
        named = _named_body(ctx, phrase, start)
        if named is not None:
            return named
    return _Speaker(_clean_phrase(phrase), noun_type)


_PERSON_OF = re.compile(r"(?:,[^,]{1,40},)?\s+(?:of|at|from|for|with)\s+(?:the\s+)?")
#: What may follow the subject's name before its verb: a possessive, an acronym in brackets, a time,
#: the start of a relative clause (", which said ...").
_SUBJECT_TAIL = re.compile(
    rf"[\s’'s,]*(?:\([^()]{{1,20}}\)\s*)?(?:{_TIME_WORDS}\s*)?(?:,\s*(?:who|which)\s*)?", re.IGNORECASE
)


def _trim_content(text: str, start: int, end: int, *, min_words: int = MIN_INDIRECT_WORDS) -> SpanT | None:
    while start < end and (text[start].isspace() or text[start] in ",;:–—-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".!?;:,"):
        end -= 1
    if len(text[start:end].split()) < min_words:
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
