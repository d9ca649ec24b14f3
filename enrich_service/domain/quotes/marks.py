"""Finding text in quotation marks: straight or curly double marks, quotes running over paragraphs, and
single marks read as the primary marks when the article uses them so (UK style).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from enrich_service.domain.quotes.lexicon import LETTER
from enrich_service.domain.text import ALL_DOUBLE_QUOTES, CLOSING_QUOTES, OPENING_QUOTES, SpanT, paragraph_spans


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


def find_quoted_spans(text: str) -> list[QuotedSpan]:
    """Every stretch of ``text`` in double quotation marks (see the module docstring)."""
    found: list[QuotedSpan] = []
    paragraphs = paragraph_spans(text)
    carried: list[SpanT] = []  # pieces of a quote continuing from earlier paragraphs
    carried_open = -1
    for number, (p_start, p_end) in enumerate(paragraphs):
        marks = [m.start() for m in DOUBLE_MARK.finditer(text, p_start, p_end)]
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
    return [q for q in found if any(LETTER.search(text, s, e) for s, e in q.pieces)]


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


_SINGLE_OPEN = "‘'"

_SINGLE_CLOSE = {"‘": "’", "'": "'"}

_DOUBLE_TO_SINGLE = str.maketrans({"“": "‘", "„": "‘", "‟": "‘", "«": "‘", "”": "’", "»": "’", '"': "'"})

_OPEN_BEFORE = "([{—–-/:"


def _single_opens_at(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in _OPEN_BEFORE) and (after.isalnum() or after in "…$£€")


def _single_closes_at(text: str, i: int, *, possessive_ok: bool = False) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before.isspace() or after.isalnum():
        return False
    # "the workers’ union": a plural possessive, not the end of the quotation.
    return possessive_ok or not (before in "sS" and after == " " and text[i + 2 : i + 3].islower())


def _single_close(text: str, i: int, close: str, paragraph_end: int) -> int:
    """Where the single-marked quotation opened at ``i`` closes (-1: nowhere). A mark that reads as a
    plural possessive ("‘hard choices’ will") closes it when no other mark in the paragraph does."""
    end = text.find(close, i + 2)
    while end >= 0 and not _single_closes_at(text, end):
        end = text.find(close, end + 1)
    if end < 0 or 0 <= paragraph_end < end:
        limit = paragraph_end if paragraph_end >= 0 else len(text)
        weak = text.find(close, i + 2, limit)
        while weak >= 0 and not _single_closes_at(text, weak, possessive_ok=True):
            weak = text.find(close, weak + 1, limit)
        if weak >= 0:
            return weak
    return end


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
    doubles = [m.start() for m in DOUBLE_MARK.finditer(text)]
    chars = list(text)
    opened: str | None = None
    close_at = -1
    single_spans: list[SpanT] = []  # (open, close) of each single-marked quotation
    for match in _SINGLE_OR_BREAK.finditer(text):
        i, ch = match.start(), match.group()
        if ch == "\n\n":
            opened = None
        elif ch in _SINGLE_OPEN and opened is None and _single_opens_at(text, i):
            close = _SINGLE_CLOSE[ch]
            paragraph_end = text.find("\n\n", i)
            end = _single_close(text, i, close, paragraph_end)
            if end < 0 or (0 <= paragraph_end < end and not _reopens(text, paragraph_end, ch)):
                continue
            opened, close_at = ch, end
            single_spans.append((i, end))
            chars[i] = "“"
        elif opened is not None and ch == _SINGLE_CLOSE[opened] and (i == close_at or _single_closes_at(text, i)):
            chars[i] = "”"
            opened = None
        elif opened is not None and ch == opened and _single_opens_at(text, i):
            chars[i] = "“"  # a new paragraph of the same quotation re-opening it
    if not single_spans:
        return text
    # The primary marks are the outer ones: count quotations not nested in one of the other kind.
    double_quoted = find_quoted_spans(text) if doubles else []
    double_spans = [(q.open_mark, q.after) for q in double_quoted]
    singles = [a for a, _ in single_spans if not any(s <= a < e for s, e in double_spans)]
    # A quotation in double marks over several paragraphs counts once a paragraph (as the speech it holds).
    outer_doubles = [
        s for q in double_quoted if not any(a <= q.open_mark < b for a, b in single_spans) for s, _ in q.pieces
    ]
    if len(singles) < len(outer_doubles) or not singles:
        return text
    if len(singles) == len(outer_doubles) and outer_doubles[0] < singles[0]:
        return text
    for i in doubles:
        chars[i] = text[i].translate(_DOUBLE_TO_SINGLE)
    return "".join(chars)


DOUBLE_MARK = re.compile(f"[{re.escape(ALL_DOUBLE_QUOTES)}]")

_SINGLE_OR_BREAK = re.compile(r"[‘’']|\n\n")


def _reopens(text: str, paragraph_end: int, mark: str) -> bool:
    """Whether the paragraph after the break at ``paragraph_end`` opens with ``mark`` (a quote going on)."""
    rest = text[paragraph_end:].lstrip()
    return rest.startswith(mark)
