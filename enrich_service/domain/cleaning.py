"""Turning a scraped article body into clean text: boilerplate out, broken lines re-joined.

The boilerplate rules are data (``data/boilerplate.tsv``); the structural rules (headline repeated,
caption titles, re-joining lines a scraper broke apart, whitespace) are the code below. Quote marks
are kept as they are: entity and quote offsets refer to the clean text this returns.

Output: paragraphs separated by one blank line (``"\\n\\n"``), no other line breaks, single spaces.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal, cast

from enrich_service.domain.resources import read_rows
from enrich_service.domain.text import (
    ALL_DOUBLE_QUOTES,
    ends_sentence,
    ends_with_abbreviation,
)
from schemas.ids import normalise_text

Action = Literal["drop", "drop_rest", "caption"]
_ACTIONS: frozenset[str] = frozenset({"drop", "drop_rest", "caption"})

#: A paragraph following an image placeholder is taken as its caption only up to this many words.
MAX_CAPTION_WORDS = 60
#: A line this short (words / characters) without a sentence end is a fragment a scraper split off.
MAX_FRAGMENT_WORDS = 6
MAX_FRAGMENT_CHARS = 60
#: A line broken by a single newline (no blank line) and at least this long is a soft wrap.
MIN_WRAPPED_LINE_CHARS = 60

_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
_LOWER_START = re.compile(r"^[a-z][a-z'’-]*\b")
_LETTER = re.compile(r"[^\W\d_]")
# Words that cannot end a sentence: a line ending in one was cut mid-sentence.
_DANGLING_WORDS = frozenset(
    {"a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "with", "from", "and", "or", "but", "nor"}
    | {"as", "that", "than", "whose", "who", "whom", "which", "said", "says", "told", "added", "according"}
)


@dataclass(frozen=True, slots=True)
class BoilerplateRule:
    """One rule from ``data/boilerplate.tsv``."""

    name: str
    action: Action
    pattern: re.Pattern[str]


@cache
def boilerplate_rules() -> tuple[BoilerplateRule, ...]:
    """The rules of ``data/boilerplate.tsv``, compiled (once)."""
    rules = []
    for name, action, regex in read_rows("boilerplate.tsv", 3):
        if action not in _ACTIONS:
            raise ValueError(f"boilerplate.tsv: rule {name!r} has unknown action {action!r}")
        rules.append(BoilerplateRule(name, cast(Action, action), re.compile(regex, re.IGNORECASE)))
    return tuple(rules)


def match_boilerplate(line: str) -> BoilerplateRule | None:
    """The first boilerplate rule matching the (normalised) ``line``, or ``None``."""
    for rule in boilerplate_rules():
        if rule.pattern.search(line):
            return rule
    return None


def normalise_line(line: str) -> str:
    """One line with invisible characters removed and any run of spaces made one space."""
    line = _INVISIBLE.sub("", line)
    line = _CONTROL.sub(" ", line)
    return _SPACES.sub(" ", line).strip()


@dataclass(slots=True)
class _Line:
    text: str
    gap: int  # blank lines before it (0: it followed the previous line directly)
    keep: bool = True


def clean_body(title: str, body: str) -> str:
    """The clean text of an article body (see the module docstring)."""
    text = unicodedata.normalize("NFC", _LINE_BREAKS.sub("\n", body))
    lines = _split_lines(text)
    _drop_caption_titles(lines)
    lines = _drop_boilerplate(lines)
    _drop_repeated_headline(lines, title)
    return "\n\n".join(_rejoin(line for line in lines if line.keep))


def _split_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    gap = 0
    for raw in text.split("\n"):
        line = normalise_line(raw)
        if not line:
            gap += 1
            continue
        lines.append(_Line(line, gap))
        gap = 0
    return lines


def _drop_caption_titles(lines: list[_Line]) -> None:
    """A line repeated as the start of the very next line is an image's title over its caption."""
    for line, nxt in itertools.pairwise(lines):
        if (
            nxt.gap == 0
            and len(nxt.text) > len(line.text)
            and nxt.text.startswith(line.text)
            and not ends_sentence(line.text)
        ):
            line.keep = False


def _drop_boilerplate(lines: list[_Line]) -> list[_Line]:
    kept: list[_Line] = []
    skip_caption = False
    for line in lines:
        if skip_caption:
            skip_caption = False
            if len(line.text.split()) <= MAX_CAPTION_WORDS and match_boilerplate(line.text) is None:
                continue
        rule = match_boilerplate(line.text)
        if rule is None:
            kept.append(line)
        elif rule.action == "drop_rest":
            break
        elif rule.action == "caption":
            skip_caption = True
    return kept


def _drop_repeated_headline(lines: list[_Line], title: str) -> None:
    wanted = _headline_key(title)
    for line in lines:
        if line.keep:
            if wanted and _headline_key(line.text) == wanted:
                line.keep = False
            return


def _headline_key(text: str) -> str:
    return normalise_text(text).rstrip(" .!?:")


def _rejoin(lines: Iterable[_Line]) -> list[str]:
    paragraphs: list[str] = []
    for line in lines:
        if paragraphs and should_join(paragraphs[-1], line.text, gap=line.gap):
            paragraphs[-1] = f"{paragraphs[-1]} {line.text}"
        else:
            paragraphs.append(line.text)
    return paragraphs


def is_fragment(line: str) -> bool:
    """A short piece without a sentence end, like a name a scraper put on its own line."""
    stripped = line.strip()
    return (
        0 < len(stripped) <= MAX_FRAGMENT_CHARS
        and len(stripped.split()) <= MAX_FRAGMENT_WORDS
        and not ends_sentence(stripped)
        and stripped[0] not in ALL_DOUBLE_QUOTES + "•·*-–—"
        and _LETTER.search(stripped) is not None
    )


def should_join(previous: str, line: str, *, gap: int) -> bool:
    """Whether ``line`` continues the sentence ``previous`` ended with (the scraper broke it).

    A line continues the previous one when the previous one did not end a sentence and the line
    starts with a lower-case word, or is a short fragment (a name split off by a stripped link), or
    the previous one ends with a comma or a word that cannot end a sentence ("the", "of", "said"),
    or the break is a single newline inside a long line (a soft wrap). A previous line ending with
    an abbreviation ("U.S.", "Mr.") only counts as ending a sentence when the line starts upper case
    and the abbreviation is not a title.
    """
    starts_lower = _LOWER_START.match(line) is not None
    if ends_with_abbreviation(previous):
        last = previous.rsplit(maxsplit=1)[-1]
        is_title = last[:-1].isalpha() and len(last) > 2 and not last[:-1].isupper()
        return starts_lower or (is_title and is_fragment(line))
    if ends_sentence(previous):
        return False
    if starts_lower or is_fragment(line):
        return True
    last_word = previous.rsplit(maxsplit=1)[-1]
    if previous.endswith(",") or last_word.lower() in _DANGLING_WORDS:
        return line[0] not in "•·*"
    return gap == 0 and len(previous) >= MIN_WRAPPED_LINE_CHARS
