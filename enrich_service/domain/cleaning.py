"""Turning a scraped article body into clean text: boilerplate out, broken lines re-joined.

The boilerplate rules are data (``data/boilerplate.tsv``); the structural rules (headline repeated,
caption titles, captions printed twice, bylines and labels standing alone (``boilerplate.is_name_line``),
re-joining lines a scraper broke apart, whitespace) are the code below. Photo captions stay (their
names and quotes are content) with their credits cut off. Quote marks are kept as they are, except
mojibake ones repaired: entity and quote offsets refer to the clean text this returns.

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

from enrich_service.domain.boilerplate import (
    collapse_doubled,
    is_given_name,
    is_name_line,
    repair_mojibake,
    starts_with_given_name,
)
from enrich_service.domain.resources import read_rows
from enrich_service.domain.text import (
    ALL_DOUBLE_QUOTES,
    TRAILING_CLOSERS,
    ends_sentence,
    ends_with_abbreviation,
)
from schemas.ids import normalise_text

Action = Literal["drop", "drop_rest", "caption", "credit"]
_ACTIONS: frozenset[str] = frozenset({"drop", "drop_rest", "caption", "credit"})

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
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z][a-z'’-]*\b")
_CREDIT_SEPARATORS = " |-–—:,;/"
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


@cache
def _any_rule() -> re.Pattern[str]:
    """All rules in one pattern: most lines match none, and one search says so (the rules use no
    backreferences or inline flags, so they combine)."""
    return re.compile("|".join(f"(?:{rule.pattern.pattern})" for rule in boilerplate_rules()), re.IGNORECASE)


def match_boilerplate(line: str) -> BoilerplateRule | None:
    """The first boilerplate rule matching the (normalised) ``line``, or ``None``."""
    if not _any_rule().search(line):
        return None
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
    text = repair_mojibake(unicodedata.normalize("NFC", _LINE_BREAKS.sub("\n", body)))
    lines = _split_lines(text)
    _drop_caption_titles(lines)
    lines = _drop_boilerplate(lines)
    _drop_repeated_headline(lines, title)
    _drop_name_lines([line for line in lines if line.keep])
    return "\n\n".join(_rejoin(line for line in lines if line.keep))


def _split_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    gap = 0
    for raw in text.split("\n"):
        line = normalise_line(raw)
        if not line:
            gap += 1
            continue
        lines.append(_Line(collapse_doubled(line), gap))
        gap = 0
    return lines


def _drop_caption_titles(lines: list[_Line]) -> None:
    """A line repeated as the start of the very next line is an image's title over its caption; a
    line (not a sentence) printed twice in a row is a caption too."""
    for line, nxt in itertools.pairwise(lines):
        if nxt.gap == 0 and nxt.text.startswith(line.text) and not ends_sentence(line.text):
            line.keep = len(nxt.text) == len(line.text) and any(c in line.text for c in ALL_DOUBLE_QUOTES)


def strip_credit(line: str, rule: BoilerplateRule) -> str | None:
    """``line`` with the credit ``rule`` matches cut off, or ``None`` when no caption is left (the
    rest has no lower-case word: a name or tag list such as "Jane Roe - Example Press")."""
    match = rule.pattern.search(line)
    rest = line if match is None else line[: match.start()].rstrip(_CREDIT_SEPARATORS)
    return rest if _LOWER_WORD.search(rest) else None


def _drop_boilerplate(lines: list[_Line]) -> list[_Line]:
    kept: list[_Line] = []
    skip_caption = False
    for n, line in enumerate(lines):
        if skip_caption:
            skip_caption = False
            if len(line.text.split()) <= MAX_CAPTION_WORDS and match_boilerplate(line.text) is None:
                continue
        rule = match_boilerplate(line.text)
        continued = n + 1 < len(lines) and _LOWER_START.match(lines[n + 1].text) is not None
        while rule is not None and rule.action == "credit" and not continued:
            rest = strip_credit(line.text, rule)
            if rest is None or rest == line.text:
                break
            line.text = rest
            rule = match_boilerplate(rest)
        if rule is not None and rule.action == "credit" and not continued:
            continue
        if rule is None or rule.action == "credit":
            kept.append(line)
        elif rule.action == "drop_rest":
            break
        elif rule.action == "caption":
            skip_caption = True
    return kept


def _drop_name_lines(lines: list[_Line]) -> None:
    """Drop bylines and labels standing alone: a name line (``is_name_line``) that neither continues
    the line before it (that one ends with a comma, a title or a word that cannot end a sentence, or
    is a quote the name attributes) nor runs on into the next one (it starts lower case)."""
    for n, line in enumerate(lines):
        if not is_name_line(line.text):
            continue
        previous = lines[n - 1].text if n else ""
        nxt = lines[n + 1] if n + 1 < len(lines) else None
        if nxt is not None and (
            _LOWER_START.match(nxt.text.lstrip(",;:)"))
            or (should_join(line.text, nxt.text, gap=nxt.gap) and not is_name_line(nxt.text))
        ):
            continue
        attributes_quote = previous[-1:] in tuple(ALL_DOUBLE_QUOTES + "’'") and starts_with_given_name(line.text)
        if previous and (_continues_into_name(previous) or attributes_quote):
            continue
        line.keep = False


def _continues_into_name(previous: str) -> bool:
    if ends_sentence(previous) and not ends_with_abbreviation(previous):
        return False
    last = previous.rsplit(maxsplit=1)[-1]
    return (
        previous.endswith((",", ":"))
        or last.lower() in _DANGLING_WORDS
        or ends_with_abbreviation(previous)
        or (last[0].isupper() and not is_name_line(previous) and len(previous.split()) > 1)
    )


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


def _splits_name(previous: str, line: str) -> bool:
    """A fragment ending with a first name, then a line opening with a capitalised word and a lower-case
    one ("... Secretary Ana Maria" + "Cruz said ..."): a name broken by a stripped link."""
    words = line.split(maxsplit=2)
    return (
        len(previous.split()) > 1
        and is_given_name(previous.rsplit(maxsplit=1)[-1])
        and len(words) > 1
        and words[0][:1].isupper()
        and words[0].lower() not in _DANGLING_WORDS | {"the", "this", "that", "it", "he", "she", "they", "we"}
        and _LOWER_START.match(words[1]) is not None
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
    if previous.rstrip(TRAILING_CLOSERS).endswith(",") and previous[-1] in TRAILING_CLOSERS:
        return True  # '"We will be back,"' + 'she said.': the attribution follows the comma
    if is_fragment(previous) and _splits_name(previous, line):
        return True
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
