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
    end = _cut(text, start, end)
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


_CUT = re.compile(r"\s*\(|\s*\n|[^\x00-\u024f\u1e00-\u1eff’‘“”–—]")


def _cut(text: str, start: int, end: int) -> int:
    """The end of a mention cut before a bracket ("Alliance (CHA"), a line break or another script."""
    match = _CUT.search(text, start, end)
    if match is None or match.start() == start:
        return end
    cut = match.start()
    return cut - 1 if text[cut - 1] == "." and not text[cut - 2 : cut - 1].isupper() else cut


def _strip_leading_titles(text: str, tokens: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop title words (and a nationality before them) from the front of a person's name."""
    demonyms = read_words("demonyms.txt")
    words = [text[slice(*t)] for t in tokens]
    i = 0
    while i < len(tokens):
        word = bare(words[i])
        nxt = bare(words[i + 1]) if i + 1 < len(tokens) else ""
        if title_at(words, i) > 1:
            i += title_at(words, i)
            continue
        is_title_word = word in ("the", "a", "an") or _is_title(word) or (word == "of" and i > 0 and _is_title(nxt))
        is_nationality = word in demonyms and bool(nxt) and (_is_title(nxt) or nxt == "the")
        if not (is_title_word or is_nationality) or _title_is_first_name(words, i):
            break
        i += 1
    # "Harbour Minister Elena Varga", "EU Trade Commissioner X": capitalised words, then a title, then a
    # name of at least two words. (Two, so that "Martin Luther King Jr." keeps its "King".)
    for j in range(min(len(tokens) - 2, i + 4) - 1, i - 1, -1):
        before = words[i:j]
        if _is_title(words[j]) and all(w[:1].isupper() for w in before):
            return tokens[j + 1 :]
    return tokens[i:]


@cache
def _multiword_titles() -> frozenset[tuple[str, ...]]:
    """Titles of several words ("tan sri", "datuk seri"), as tuples of words."""
    return frozenset(tuple(t.split()) for t in read_words("titles.txt") if " " in t)


def title_at(words: Sequence[str], i: int) -> int:
    """How many words of ``words`` from ``i`` on form a title: a multi-word honorific ("Tan Sri",
    "Datuk Seri") or a single title word; 0 when none starts there."""
    for size in (3, 2):
        if i + size <= len(words) and tuple(bare(w) for w in words[i : i + size]) in _multiword_titles():
            return size
    return 1 if i < len(words) and _is_title(words[i]) else 0


def _title_is_first_name(words: Sequence[str], i: int) -> bool:
    """A title word that is also a first name ("Dean", "Major") followed by just a surname: a name."""
    return i == 0 and len(words) == 2 and bare(words[0]) in read_words("title_names.txt") and not _is_title(words[1])


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
    while len(words) > 1 and (title_at(words, 0) or (bare(words[0]) in demonyms and _is_title(words[1]))):
        if _title_is_first_name(words, 0):
            break
        words = words[max(title_at(words, 0), 1) :]
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
    words = name.split()
    i = 0
    while i < len(words):
        size = title_at(words, i) or (1 if words[i].lower() == "of" else 0)
        if not size:
            return False
        i += size
    return True


def name_tokens(name: str) -> list[str]:
    """The words of a person's name without a suffix ("Jr.", "III")."""
    tokens = name.split()
    while len(tokens) > 1 and tokens[-1].lower() in _NAME_SUFFIXES:
        tokens = tokens[:-1]
    return tokens


def person_for_short_name(short: str, full_names: Sequence[str], *, first_name: bool = True) -> str | None:
    """The full name (from ``full_names``, latest last) a short form stands for, if any.

    A short form is the end of a full name ("Varga", "Elena Varga"), a contiguous part of it of two
    words or more ("Ana Maria" or "Maria Lopez" of "Ana Maria Lopez Reyes") or, when ``first_name``, a
    single first token ("Wang" for "Wang Yi": some names put the family name first) or a single middle
    one. The end of a name ranks first, then a part of it, then a single middle word; within a rank the
    longest name, then the latest.
    """
    short_tokens = name_tokens(short)
    k = len(short_tokens)
    if not k:
        return None
    best: tuple[int, int, int] | None = None
    chosen = None
    for order, full in enumerate(reversed(full_names)):
        tokens = name_tokens(full)
        n = len(tokens)
        if n <= k:
            continue
        if tokens[-k:] == short_tokens:
            rank = 0
        elif (k == 1 and first_name and tokens[0] == short_tokens[0]) or (
            k >= 2 and any(tokens[i : i + k] == short_tokens for i in range(n - k))
        ):
            rank = 1
        elif k == 1 and first_name and short_tokens[0] in tokens[1:-1] and short_tokens[0][:1].isupper():
            rank = 2
        else:
            continue
        key = (rank, -n, order)
        if best is None or key < best:
            best, chosen = key, full
    return chosen
