"""Small text helpers shared by the domain modules: quote marks, paragraphs, sentence spans.

Everything here is pure and works on character offsets into the clean text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence

#: Double quotation marks, by the direction they have in typography.
OPENING_QUOTES = "“„«‟"
CLOSING_QUOTES = "”»"
STRAIGHT_QUOTE = '"'
ALL_DOUBLE_QUOTES = OPENING_QUOTES + CLOSING_QUOTES + STRAIGHT_QUOTE
#: Characters that may close a sentence after its final punctuation (closing quotes, brackets).
TRAILING_CLOSERS = "”»\"'’)]"
SENTENCE_END = ".!?…"

SpanT = tuple[int, int]

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# A fallback sentence splitter: terminal punctuation (plus closing quotes/brackets), then space and
# an upper-case letter, digit or opening quote. Used when no sentence spans are given.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[\"”’')\]]*\s+(?=[\"“„‘'(\[A-Z0-9])")
_ABBREVIATION_END = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|Lt|Col|Capt|Sgt|St|Rev|Hon|Maj|Adm|No|vs|etc|Inc|Corp|Co|Jan|Feb|"
    r"Mar|Apr|Aug|Sept?|Oct|Nov|Dec)\.|\b[A-Z]\.|\b(?:[A-Z]\.){2,})$"
)


def paragraph_spans(text: str) -> list[SpanT]:
    """``(start, end)`` of each paragraph (text between blank lines), whitespace trimmed."""
    spans: list[SpanT] = []
    pos = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        spans.extend(_trimmed(text, pos, match.start()))
        pos = match.end()
    spans.extend(_trimmed(text, pos, len(text)))
    return spans


def _trimmed(text: str, start: int, end: int) -> list[SpanT]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [(start, end)] if end > start else []


def split_sentences(text: str) -> list[SpanT]:
    """A rule-based sentence split of ``text`` (used when the NLP pipeline gives no sentences)."""
    spans: list[SpanT] = []
    for p_start, p_end in paragraph_spans(text):
        pos = p_start
        for match in _SENTENCE_BREAK.finditer(text, p_start, p_end):
            if _ABBREVIATION_END.search(text, p_start, match.start()) and not _quote_closed(text, match):
                continue
            spans.extend(_trimmed(text, pos, match.start()))
            pos = match.end()
        spans.extend(_trimmed(text, pos, p_end))
    return spans


def _quote_closed(text: str, match: re.Match[str]) -> bool:
    return any(ch in CLOSING_QUOTES + STRAIGHT_QUOTE for ch in match.group())


def fix_sentence_spans(text: str, spans: Iterable[SpanT]) -> list[SpanT]:
    """Sentence spans made safe to use for quotes.

    Splits sentences at paragraph breaks (a rule-based sentencizer runs over them), moves an opening
    quote mark left dangling at the end of a sentence to the start of the next one, and trims
    whitespace. The result is sorted, non-overlapping and covers no blank text.
    """
    pieces: list[SpanT] = []
    paragraphs = paragraph_spans(text)
    paragraph_ends = [p_end for _, p_end in paragraphs]
    for start, end in sorted(spans):
        i = bisect.bisect_right(paragraph_ends, start)
        while i < len(paragraphs) and paragraphs[i][0] < end:
            s, e = max(start, paragraphs[i][0]), min(end, paragraphs[i][1])
            if s < e:
                pieces.extend(_trimmed(text, s, e))
            i += 1
    fixed: list[SpanT] = []
    for start, end in pieces:
        if fixed:
            prev_start, prev_end = fixed[-1]
            # "... he said. “" + "Next ..." -> "... he said." + "“Next ..."
            cut = prev_end
            while cut > prev_start and text[cut - 1] in OPENING_QUOTES + STRAIGHT_QUOTE and _opens(text, cut - 1):
                cut -= 1
            if cut < prev_end and "\n" not in text[cut:start]:
                fixed.pop()
                fixed.extend(_trimmed(text, prev_start, cut))
                start = cut
        fixed.extend(_trimmed(text, start, end))
    return [span for span in fixed if span[1] > span[0]]


def _opens(text: str, index: int) -> bool:
    """Whether the quote mark at ``index`` opens a quotation (judged by its neighbours)."""
    ch = text[index]
    if ch in OPENING_QUOTES:
        return True
    if ch in CLOSING_QUOTES:
        return False
    before = text[index - 1] if index > 0 else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    if after.isspace():
        return False
    return before.isspace() or before in "([{—–-/:" or index == 0


def ends_sentence(line: str) -> bool:
    """Whether ``line`` ends a sentence (ignoring closing quotes and brackets after the stop)."""
    stripped = line.rstrip().rstrip(TRAILING_CLOSERS)
    if not stripped:
        return False
    if stripped[-1] == ":":
        return True
    return stripped[-1] in SENTENCE_END


def ends_with_abbreviation(line: str) -> bool:
    """Whether ``line`` ends with an abbreviation ("Mr.", "U.S.", "J.") rather than a full stop."""
    return bool(_ABBREVIATION_END.search(line.rstrip()))


def sentence_index(sentences: Sequence[SpanT], offset: int) -> int:
    """Index of the sentence containing ``offset`` (or the last one starting before it); -1 if none."""
    lo, hi = 0, len(sentences)
    while lo < hi:
        mid = (lo + hi) // 2
        if sentences[mid][0] <= offset:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1
