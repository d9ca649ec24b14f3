"""Request bodies as JSON values: the one place bytes from a client become Python values.

Hostile bytes get a 400 that names the problem, never a 5xx:

* the body must be UTF-8 (RFC 8259); a leading byte-order mark is ignored;
* arrays and objects nest at most ``MAX_DEPTH`` deep (Python's parser would recurse past its limit);
* ``NaN``/``Infinity`` are not JSON numbers, and a key twice in one object is ambiguous: both refused;
* a number longer than ``MAX_NUMBER_CHARS`` is read as infinity rather than parsed digit by digit, so
  the field it stands in is refused by validation with a 422 that names it (no field takes one);
* trailing garbage, an empty or whitespace-only body: not JSON.

Lone surrogates and control characters inside strings are the schema's business
(``schemas.articles``): a lone surrogate is a 422 naming the field, control characters are removed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ingest_service.errors import MalformedBody

#: Arrays and objects nest at most this deep (an article needs 2: the body object, its authors list).
MAX_DEPTH = 32
#: A JSON number longer than this is no value any field takes.
MAX_NUMBER_CHARS = 40

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def load_json(raw: bytes, what: str = "the request body") -> Any:
    """``raw`` parsed as one JSON value, or ``MalformedBody`` saying what is wrong with it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedBody(f"{what} is not UTF-8 ({exc.reason} at byte {exc.start}): send JSON as UTF-8") from exc
    text = text.removeprefix("\ufeff")
    try:
        value = json.loads(
            text,
            parse_int=_number,
            parse_float=_number,
            parse_constant=_constant,
            object_pairs_hook=_object,
        )
    except RecursionError:
        # Nested past the C parser's recursion limit: only then count the brackets (slow, hostile input only).
        raise MalformedBody(_too_deep(what, nesting_depth(text))) from None
    except json.JSONDecodeError as exc:
        raise MalformedBody(f"{what} is not valid JSON: {exc}") from exc
    depth = value_depth(value)
    if depth > MAX_DEPTH:
        raise MalformedBody(_too_deep(what, depth))
    return value


def _too_deep(what: str, depth: int) -> str:
    return f"{what} nests arrays or objects {depth} deep; at most {MAX_DEPTH} are taken"


def value_depth(value: Any) -> int:
    """How deep arrays and objects nest in a parsed JSON value (iterative: no recursion of our own)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in ``text`` (brackets inside strings do not count)."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub('""', text)):
        if bracket.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _number(literal: str) -> int | float:
    if len(literal) > MAX_NUMBER_CHARS:
        return float("inf")
    if any(c in literal for c in ".eE"):
        return float(literal)
    return int(literal)


def _constant(name: str) -> float:
    raise MalformedBody(f"{name} is not a JSON number")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise MalformedBody(f"the key {key!r} appears twice in one object")
        found[key] = value
    return found
