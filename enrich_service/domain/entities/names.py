"""A mention's name proper, and what a name alone tells.

Trimming a span to the name (leading "the", titles, a nationality before a title, a possessive, stray
punctuation), false positives, the alias and type-override tables, and a person's short forms ("Varga"
for "Elena Varga").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from enrich_service.domain.resources import read_rows, read_words
from schemas.articles import EntityType

_NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_TOKEN = re.compile(r"\S+")
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")
EDGE_PUNCT = "\"'“”‘’«»()[]{},;:!?*•|/\\-–—"
APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})
_PLURAL_ROLE_SUFFIX = re.compile(
    r"\s+(?:ministers|officials|leaders|diplomats|members|allies|troops|forces|spokesman|spokeswoman)$",
    re.IGNORECASE,
)


@cache
def alias_table() -> dict[str, str]:
    """``data/aliases.tsv`` as {variant: canonical}, variants with apostrophes folded to straight ones."""
    return {fold(variant): canonical for variant, canonical in read_rows("aliases.tsv", 2)}


@cache
def type_overrides() -> dict[str, EntityType]:
    """``data/entity_types.tsv`` as {canonical name: type}."""
    return {name: EntityType(kind) for name, kind in read_rows("entity_types.tsv", 2)}


def fold(text: str) -> str:
    """``text`` with curly apostrophes made straight and its whitespace collapsed to single spaces."""
    return " ".join(text.translate(APOSTROPHES).split())


def trim_mention(text: str, start: int, end: int, entity_type: EntityType) -> tuple[int, int] | None:
    """The span of the name proper inside a mention, or ``None`` when nothing of it is left."""
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]
    # A trailing title word belongs to a title continuing after the mention ("the EU's Trade"
    # + " Commissioner"): cut it.
    while len(tokens) > 1 and _is_title(text[slice(*tokens[-1])]) and _title_follows(text, end):
        tokens.pop()
        end = tokens[-1][1]
    if entity_type == EntityType.PERSON:
        tokens = _strip_leading_titles(text, tokens)
    elif tokens and text[slice(*tokens[0])].lower() == "the" and len(tokens) > 1:
        tokens = tokens[1:]
    if not tokens:
        return None
    start, end = tokens[0][0], tokens[-1][1]
    # Possessives and punctuation at the edges.
    for _ in range(3):
        piece = text[start:end]
        match = _POSSESSIVE.search(piece)
        if match and match.start() > 0:
            end = start + match.start()
        while start < end and text[start] in EDGE_PUNCT:
            start += 1
        while end > start and text[end - 1] in EDGE_PUNCT:
            end -= 1
    if entity_type == EntityType.ORG:
        match = _PLURAL_ROLE_SUFFIX.search(text, start, end)
        if match and match.start() > start:
            end = match.start()
    return (start, end) if end > start else None


def _strip_leading_titles(text: str, tokens: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop title words (and a nationality before them) from the front of a person's name."""
    demonyms = read_words("demonyms.txt")
    i = 0
    while i < len(tokens):
        word = bare(text[slice(*tokens[i])])
        nxt = bare(text[slice(*tokens[i + 1])]) if i + 1 < len(tokens) else ""
        is_title_word = word in ("the", "a", "an") or _is_title(word) or (word == "of" and i > 0 and _is_title(nxt))
        is_nationality = word in demonyms and bool(nxt) and (_is_title(nxt) or nxt == "the")
        if not (is_title_word or is_nationality):
            break
        i += 1
    # "Harbour Minister Elena Varga", "EU Trade Commissioner X": capitalised words, then a title, then a
    # name of at least two words. (Two, so that "Martin Luther King Jr." keeps its "King".)
    for j in range(min(len(tokens) - 2, i + 4) - 1, i - 1, -1):
        before = [text[slice(*t)] for t in tokens[i:j]]
        if _is_title(text[slice(*tokens[j])]) and all(w[:1].isupper() for w in before):
            return tokens[j + 1 :]
    return tokens[i:]


def bare(token: str) -> str:
    """A token lower-cased, without trailing full stops and commas, apostrophes straight."""
    return token.lower().rstrip(".,").translate(APOSTROPHES)


def _is_title(word: str) -> bool:
    return bare(word) in read_words("titles.txt")


def _title_follows(text: str, end: int) -> bool:
    match = re.match(r"\s+([\w.-]+)", text[end : end + 40])
    return bool(match and _is_title(match.group(1)))


def strip_possessive(text: str) -> str:
    """``text`` without a possessive ending ("Varga's" -> "Varga")."""
    match = _POSSESSIVE.search(text)
    return text[: match.start()] if match and match.start() > 0 else text


def strip_determiner(text: str) -> str:
    """``text`` without a leading "the", "a" or "an"."""
    head, _, rest = text.partition(" ")
    return rest if head.lower() in ("the", "a", "an") and rest else text


def is_title_word(word: str) -> bool:
    """Whether ``word`` is a title or role word ("minister", "Mr.", "spokeswoman")."""
    return _is_title(word)


def strip_titles(name: str) -> str:
    """``name`` without the titles in front ("Chief Financial Officer Ana Ruvalde" -> "Ana Ruvalde"):
    everything up to the last title word that has only capitalised words before it."""
    words = strip_title_words(name).split()
    for j in range(len(words) - 2, -1, -1):
        if _is_title(words[j]) and all(w[:1].isupper() for w in words[:j]):
            return " ".join(words[j + 1 :])
    return " ".join(words)


def strip_title_words(text: str) -> str:
    """``text`` without the title words (and a nationality before one) at its front ("Mr. Varga")."""
    words = text.split()
    demonyms = read_words("demonyms.txt")
    while len(words) > 1 and (_is_title(words[0]) or (bare(words[0]) in demonyms and _is_title(words[1]))):
        words = words[1:]
    if len(words) > 1 and words[0].lower() == "of":
        words = words[1:]
    return " ".join(words)


def is_false_positive(name: str) -> bool:
    """Whether a trimmed mention is not an entity: pronoun, stop word, lone title, no capital, no letter."""
    if not any(ch.isalpha() for ch in name):
        return True
    first = name[0]
    if not (first.isupper() or first.isdigit()):
        return True
    if name.lower().translate(APOSTROPHES) in read_words("entity_stoplist.txt"):
        return True
    return all(_is_title(word) or word.lower() == "of" for word in name.split())


def name_tokens(name: str) -> list[str]:
    """The words of a person's name without a suffix ("Jr.", "III")."""
    tokens = name.split()
    while len(tokens) > 1 and tokens[-1].lower() in _NAME_SUFFIXES:
        tokens = tokens[:-1]
    return tokens


def person_for_short_name(short: str, full_names: Sequence[str], *, first_name: bool = True) -> str | None:
    """The full name (from ``full_names``; on a tie the latest) a short form stands for, if any.

    A short form is the end of a full name ("Varga", "Elena Varga") or, when ``first_name``, a
    single first token ("Wang" for "Wang Yi": some names put the family name first).
    """
    short_tokens = name_tokens(short)
    if not short_tokens:
        return None
    candidates = []
    for full in reversed(full_names):
        tokens = name_tokens(full)
        if len(tokens) <= len(short_tokens):
            continue
        if tokens[-len(short_tokens) :] == short_tokens or (
            first_name and len(short_tokens) == 1 and tokens[0] == short_tokens[0]
        ):
            candidates.append(full)
    if not candidates:
        return None
    # The longest form that the short one is a suffix of ("Elena Varga" -> "Anna Elena Varga").
    return max(candidates, key=lambda c: len(name_tokens(c)))
