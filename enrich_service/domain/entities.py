"""From NER mentions to the article's entities: one per real-world entity, under a canonical name.

Pure: the input is the clean text and the mentions an NER model found in it (``Mention``); nothing
here knows about spaCy. Steps, for each mention:

1. its label is mapped to an ``EntityType`` (other labels are dropped);
2. its span is trimmed to the name proper: leading "the", titles ("Mr.", "Foreign Minister",
   "Norwegian Foreign Minister"), a possessive ("Varga's") and stray punctuation go;
3. obvious false positives go (pronouns, lone titles, no letters, lower-case words, stop list);
4. the alias table maps variants to one name ("Kiev" -> "Kyiv", "U.S." -> "United States");
5. the words around a mention correct the model's label (``_context_type``): a name after a role or
   honorific ("coach Saskia Dromgo", "chief executive, Ana Pellow,", "Ms. Ruvaldo") or whose surname
   is tagged PERSON elsewhere is a PERSON; a "person" ending in an organisation word
   (``data/org_words.txt``: "Marrowby Town", "X Advisers") or introduced by one ("the airline X") is an
   ORG; a lone word after "in"/"at" or "the mayor of" is a place; "Storm X" is an EVENT; a first name
   the model cut off before a middle initial ("J. Austin") is taken back;
6. within the article, a person's short forms map to the full name used elsewhere ("Varga",
   "Mr. Varga" -> "Elena Varga"), even when the model gave the short form another label; a lone
   head word ("the Bank") or a first word tagged PERSON ("Marrowby") maps to the organisation it
   heads or starts ("Central Bank of Norvia", "Marrowby Town").

The result is an ``EntityIndex``: the entities plus every mention resolved to its entity, so later
steps (quotes) can map any span or name back to its canonical entity.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from enrich_service.domain import places
from enrich_service.domain.resources import read_rows, read_words
from schemas.articles import Entity, EntityType, Span

#: NER labels we keep, and the entity type each becomes (spaCy's OntoNotes labels, plus CoNLL's PER/LOC/ORG).
LABEL_TYPES: dict[str, EntityType] = {
    "PERSON": EntityType.PERSON,
    "PER": EntityType.PERSON,
    "ORG": EntityType.ORG,
    "GPE": EntityType.GPE,
    "LOC": EntityType.LOC,
    "NORP": EntityType.NORP,
    "EVENT": EntityType.EVENT,
    "FAC": EntityType.FAC,
}
#: When the mentions of one entity carry several types, the most frequent wins; ties go by this order.
_TYPE_PRIORITY = (
    EntityType.PERSON,
    EntityType.ORG,
    EntityType.GPE,
    EntityType.LOC,
    EntityType.NORP,
    EntityType.FAC,
    EntityType.EVENT,
)
_NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_TOKEN = re.compile(r"\S+")
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")
_EDGE_PUNCT = "\"'“”‘’«»()[]{},;:!?*•|/\\-–—"
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})
_PLURAL_ROLE_SUFFIX = re.compile(
    r"\s+(?:ministers|officials|leaders|diplomats|members|allies|troops|forces|spokesman|spokeswoman)$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Mention:
    """One named-entity mention as an NER model found it: ``text == clean_text[start:end]``."""

    text: str
    label: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ResolvedMention:
    """A mention trimmed to the name proper and resolved to its entity."""

    start: int
    end: int
    surface: str
    name: str
    type: EntityType


@dataclass(frozen=True)
class EntityIndex:
    """The article's entities and every mention resolved to one of them, in text order."""

    entities: tuple[Entity, ...] = ()
    mentions: tuple[ResolvedMention, ...] = ()
    _starts: tuple[int, ...] = field(default=(), repr=False, compare=False)
    _types: dict[str, EntityType] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, entities: Iterable[Entity], mentions: Iterable[ResolvedMention]) -> EntityIndex:
        ordered = tuple(sorted(mentions, key=lambda m: (m.start, m.end)))
        ents = tuple(entities)
        return cls(ents, ordered, tuple(m.start for m in ordered), {e.name: e.type for e in ents})

    def type_of(self, name: str) -> EntityType | None:
        """The type of the entity called ``name`` (canonical), if it is one of the article's."""
        return self._types.get(name)

    def in_range(self, start: int, end: int) -> list[ResolvedMention]:
        """Mentions lying entirely within ``[start, end)``, in text order."""
        i = bisect.bisect_left(self._starts, start)
        found = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            if self.mentions[i].end <= end:
                found.append(self.mentions[i])
            i += 1
        return found

    def at(self, start: int, end: int) -> ResolvedMention | None:
        """The first mention overlapping ``[start, end)``, if any."""
        i = max(bisect.bisect_left(self._starts, start) - 1, 0)
        while i < len(self.mentions) and self.mentions[i].start < end:
            m = self.mentions[i]
            if m.end > start and m.start < end:
                return m
            i += 1
        return None

    def lookup(self, text: str) -> tuple[str, EntityType] | None:
        """The canonical entity a bare name refers to ("Mr. Varga's" -> Elena Varga), if any.

        Tries the name as an entity name (after trimming and aliases), then as a person's first or last
        name.
        """
        core = _strip_title_words(_strip_determiner(_strip_possessive(text.strip().strip(_EDGE_PUNCT))))
        if not core:
            return None
        core = alias_table().get(_fold(core), core)
        if core in self._types:
            return core, self._types[core]
        persons = [e.name for e in self.entities if e.type == EntityType.PERSON]
        match = _person_for_short_name(core, persons)
        if match is not None:
            return match, EntityType.PERSON
        return None


def canonical_entity(index: EntityIndex, start: int, end: int) -> tuple[str, EntityType] | None:
    """The canonical entity (name, type) of whatever mention overlaps ``[start, end)``, if any."""
    mention = index.at(start, end)
    return (mention.name, mention.type) if mention else None


@cache
def alias_table() -> dict[str, str]:
    """``data/aliases.tsv`` as {variant: canonical}, variants with apostrophes folded to straight ones."""
    return {_fold(variant): canonical for variant, canonical in read_rows("aliases.tsv", 2)}


@cache
def type_overrides() -> dict[str, EntityType]:
    """``data/entity_types.tsv`` as {canonical name: type}."""
    return {name: EntityType(kind) for name, kind in read_rows("entity_types.tsv", 2)}


def _fold(text: str) -> str:
    return " ".join(text.translate(_APOSTROPHES).split())


def extract_entities(text: str, mentions: Iterable[Mention]) -> list[Entity]:
    """The article's entities (see the module docstring), in order of first mention."""
    return list(resolve_entities(text, mentions).entities)


def resolve_entities(text: str, mentions: Iterable[Mention]) -> EntityIndex:
    """Resolve NER ``mentions`` of ``text`` to canonical entities (see the module docstring)."""
    mentions = list(mentions)
    person_words = _person_words(text, mentions)
    trimmed: list[tuple[int, int, str, EntityType]] = []
    for mention in mentions:
        entity_type = LABEL_TYPES.get(mention.label.upper())
        if entity_type is None or not (0 <= mention.start < mention.end <= len(text)):
            continue
        start = mention.start
        if entity_type == EntityType.PERSON:
            start = _first_name_before_initial(text, start)
        span = trim_mention(text, start, mention.end, entity_type)
        if span is None:
            continue
        start, end = span
        surface = text[start:end]
        name = alias_table().get(_fold(surface), surface)
        if is_false_positive(name):
            continue
        entity_type = _context_type(text, start, name, entity_type, person_words)
        trimmed.append((start, end, name, _demonym_type(name, entity_type)))
    linked = _link_head_nouns(_link_short_names(text, trimmed))
    entities = _entities(text, linked)
    final_types = {e.name: e.type for e in entities}
    resolved = [ResolvedMention(m.start, m.end, m.surface, m.name, final_types[m.name]) for m in linked]
    return EntityIndex.build(entities, resolved)


_INITIAL_START = re.compile(r"[A-Z]\.\s")
_WORD_BEFORE = re.compile(r"(?<![\w.])([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s+$")


def _first_name_before_initial(text: str, start: int) -> int:
    """A person mention starting with a middle initial ("J. Austin") takes the first name the model left
    out right before it ("Lloyd J. Austin"), unless that word is a title."""
    if not _INITIAL_START.match(text, start):
        return start
    match = _WORD_BEFORE.search(text, max(0, start - 30), start)
    if match is None or _is_title(match.group(1)) or match.group(1).lower() in ("the", "and", "of", "by", "with"):
        return start
    return match.start(1)


_HONORIFIC = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame)"
_AFTER_HONORIFIC = re.compile(rf"\b{_HONORIFIC}\.?\s+([A-Z][\w’'-]+)")
_HONORIFIC_BEFORE = re.compile(rf"\b{_HONORIFIC}\.?\s+$")
_WORD_RIGHT_BEFORE = re.compile(r"([\w’'-]+),?\s+$")
_NAME_TOKEN = re.compile(r"[A-Z][a-zà-ÿ’'-]*[a-zà-ÿ](?:-[A-Z][a-zà-ÿ’'-]+)*\.?|[A-Z]\.")
#: Nouns that introduce an organisation's name ("the airline Skyvance", "the software maker X").
_ORG_INTRODUCERS = frozenset(
    {"airline", "carrier", "company", "firm", "maker", "carmaker", "lender", "bank", "club", "group", "start-up"}
    | {"startup", "retailer", "insurer", "operator", "broadcaster", "newspaper", "publisher", "developer"}
    | {"manufacturer", "miner", "supplier", "charity", "union", "party", "team", "brand", "chain", "conglomerate"}
)


_NAMED_STORM = re.compile(r"(?:Storm|Hurricane|Typhoon|Cyclone|Tropical Storm|Super Typhoon)\s+[A-Z]")
#: Prepositions after which a lone capitalised word is a place, not a person.
_PLACE_PREPOSITIONS = frozenset(
    {"in", "at", "near", "outside", "across", "around", "throughout", "inside", "through", "via"}
)
_PLACE_OF = re.compile(
    r"\b(?:mayor|governor|isle|island|islands|city|town|port|bay|gulf|republic|kingdom|province|county|state|"
    r"strait|people|residents|capital|centre|center|outskirts|north|south|east|west|streets|heart)\s+of\s+$",
    re.IGNORECASE,
)


@cache
def org_words() -> frozenset[str]:
    return read_words("org_words.txt")


def _person_words(text: str, mentions: Sequence[Mention]) -> frozenset[str]:
    """Single name words that name a person in this text: the last word of a mention the model tagged
    PERSON, and a capitalised word after "Mr."/"Ms."/"Dr." and the like."""
    words = {m.text.split()[-1] for m in mentions if m.label.upper() in ("PERSON", "PER") and m.text.split()}
    words |= {match.group(1) for match in _AFTER_HONORIFIC.finditer(text)}
    return frozenset(_strip_possessive(w.translate(_APOSTROPHES)) for w in words)


def _looks_like_person_name(name: str) -> bool:
    tokens = name.split()
    return (
        1 <= len(tokens) <= 4
        and all(_NAME_TOKEN.fullmatch(t) for t in tokens)
        and not any(_bare(t) in org_words() for t in tokens)
    )


def _context_type(
    text: str, start: int, name: str, entity_type: EntityType, person_words: frozenset[str]
) -> EntityType:
    """The type the words around a mention show, when the model's label contradicts them.

    * PERSON -> ORG: its last word only ends organisations' names ("Marrowfield Town", "X Advisers"), or
      an organisation noun introduces it ("the airline Skyvance");
    * ORG or GPE -> PERSON: a person's name (capitalised words, no organisation word) after a title or
      role ("coach Saskia Dromgoole", "chief executive, Ana Ruvalde,") or an honorific ("Ms. Ruvalde"), or
      whose last word names a person elsewhere in the text ("Renata Oyelowo-Braga" ... "Oyelowo-Braga").
    """
    if _NAMED_STORM.match(name):
        return EntityType.EVENT  # "Storm Ilse", "Hurricane Maria": weather, not an organisation or person
    before = text[max(0, start - 40) : start]
    word_before = _WORD_RIGHT_BEFORE.search(before)
    previous = _bare(word_before.group(1)) if word_before else ""
    if entity_type == EntityType.PERSON:
        last = _bare(name.split()[-1]) if name.split() else ""
        if last in org_words() or previous in _ORG_INTRODUCERS:
            return EntityType.ORG
        place_cue = previous in _PLACE_PREPOSITIONS or _PLACE_OF.search(before)
        if len(name.split()) == 1 and place_cue and not _HONORIFIC_BEFORE.search(before):
            return EntityType.GPE  # "a meeting in Brennick", "the mayor of Brennick": a place
        return entity_type
    if entity_type not in (EntityType.ORG, EntityType.GPE) or not _looks_like_person_name(name):
        return entity_type
    if name in type_overrides() or name in alias_table().values():
        return entity_type
    tokens = name.split()
    if _HONORIFIC_BEFORE.search(before):
        return EntityType.PERSON
    if len(tokens) >= 2 and (
        _is_title(previous) or _strip_possessive(tokens[-1].translate(_APOSTROPHES)) in person_words
    ):
        return EntityType.PERSON
    return entity_type


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
        while start < end and text[start] in _EDGE_PUNCT:
            start += 1
        while end > start and text[end - 1] in _EDGE_PUNCT:
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
        word = _bare(text[slice(*tokens[i])])
        nxt = _bare(text[slice(*tokens[i + 1])]) if i + 1 < len(tokens) else ""
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


def _bare(token: str) -> str:
    return token.lower().rstrip(".,").translate(_APOSTROPHES)


def _is_title(word: str) -> bool:
    return _bare(word) in read_words("titles.txt")


def _title_follows(text: str, end: int) -> bool:
    match = re.match(r"\s+([\w.-]+)", text[end : end + 40])
    return bool(match and _is_title(match.group(1)))


def _strip_possessive(text: str) -> str:
    match = _POSSESSIVE.search(text)
    return text[: match.start()] if match and match.start() > 0 else text


def _strip_determiner(text: str) -> str:
    head, _, rest = text.partition(" ")
    return rest if head.lower() in ("the", "a", "an") and rest else text


def is_title_word(word: str) -> bool:
    """Whether ``word`` is a title or role word ("minister", "Mr.", "spokeswoman")."""
    return _is_title(word)


def strip_titles(name: str) -> str:
    """``name`` without the titles in front ("Chief Financial Officer Ana Ruvalde" -> "Ana Ruvalde"):
    everything up to the last title word that has only capitalised words before it."""
    words = _strip_title_words(name).split()
    for j in range(len(words) - 2, -1, -1):
        if _is_title(words[j]) and all(w[:1].isupper() for w in words[:j]):
            return " ".join(words[j + 1 :])
    return " ".join(words)


def _strip_title_words(text: str) -> str:
    words = text.split()
    demonyms = read_words("demonyms.txt")
    while len(words) > 1 and (_is_title(words[0]) or (_bare(words[0]) in demonyms and _is_title(words[1]))):
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
    if name.lower().translate(_APOSTROPHES) in read_words("entity_stoplist.txt"):
        return True
    return all(_is_title(word) or word.lower() == "of" for word in name.split())


def _demonym_type(name: str, entity_type: EntityType) -> EntityType:
    if entity_type in (EntityType.GPE, EntityType.PERSON, EntityType.ORG, EntityType.LOC):
        singular = name[:-1] if name.endswith("s") else name
        if name.lower() in read_words("demonyms.txt") or singular.lower() in read_words("demonyms.txt"):
            return EntityType.NORP
    return entity_type


def _name_tokens(name: str) -> list[str]:
    tokens = name.split()
    while len(tokens) > 1 and tokens[-1].lower() in _NAME_SUFFIXES:
        tokens = tokens[:-1]
    return tokens


def _person_for_short_name(short: str, full_names: Sequence[str], *, first_name: bool = True) -> str | None:
    """The full name (from ``full_names``; on a tie the latest) a short form stands for, if any.

    A short form is the end of a full name ("Varga", "Elena Varga") or, when ``first_name``, a
    single first token ("Wang" for "Wang Yi": some names put the family name first).
    """
    short_tokens = _name_tokens(short)
    if not short_tokens:
        return None
    candidates = []
    for full in reversed(full_names):
        tokens = _name_tokens(full)
        if len(tokens) <= len(short_tokens):
            continue
        if tokens[-len(short_tokens) :] == short_tokens or (
            first_name and len(short_tokens) == 1 and tokens[0] == short_tokens[0]
        ):
            candidates.append(full)
    if not candidates:
        return None
    # The longest form that the short one is a suffix of ("Elena Varga" -> "Anna Elena Varga").
    return max(candidates, key=lambda c: len(_name_tokens(c)))


def _link_short_names(text: str, trimmed: list[tuple[int, int, str, EntityType]]) -> list[ResolvedMention]:
    """Resolve a person's short forms to the full name the article uses, keeping everything else."""
    full_names: list[tuple[int, str]] = []  # (start, name) of multi-word person names
    for start, _end, name, entity_type in trimmed:
        if entity_type == EntityType.PERSON and len(_name_tokens(name)) > 1:
            full_names.append((start, name))
    resolved: list[ResolvedMention] = []
    for start, end, name, entity_type in trimmed:
        canonical, final_type = name, entity_type
        if len(_name_tokens(name)) <= 2 and entity_type != EntityType.NORP:
            # The latest full name before the mention is the likeliest referent, then any later one.
            before = [n for s, n in full_names if s < start]
            after = [n for s, n in full_names if s >= start]
            is_person = entity_type == EntityType.PERSON
            match = _person_for_short_name(name, before, first_name=is_person) or _person_for_short_name(
                name, after, first_name=is_person
            )
            # A model often tags a lone surname as ORG or GPE: a person's surname wins in this article.
            if match is not None and (entity_type == EntityType.PERSON or len(_name_tokens(name)) == 1):
                canonical, final_type = match, EntityType.PERSON
        resolved.append(ResolvedMention(start, end, text[start:end], canonical, final_type))
    return resolved


def _head_word(name: str) -> str:
    """The head noun of an organisation's name: the word before "of" ("Central Bank of Norland" -> "Bank"),
    else the last word ("Norland Fishermen's Union" -> "Union")."""
    tokens = [_strip_possessive(t) for t in name.split()]
    for i, token in enumerate(tokens[1:], start=1):
        if token.lower() == "of":
            return tokens[i - 1]
    return tokens[-1]


def _link_head_nouns(mentions: list[ResolvedMention]) -> list[ResolvedMention]:
    """A lone generic word ("the Bank", "the Union", "the Ministry") that is the head of a longer
    organisation's name in the same article is that organisation (the latest one before it, else the
    first after) — unless the word is also tagged a place or person in the article."""
    orgs = [(m.start, m.name) for m in mentions if m.type == EntityType.ORG and len(m.name.split()) > 1]
    if not orgs:
        return mentions
    resolved: list[ResolvedMention] = []
    for m in mentions:
        if len(m.name.split()) == 1 and m.type != EntityType.PERSON and not _is_place_like(m, mentions):
            containing = [(s, n) for s, n in orgs if _head_word(n) == m.name]
        elif len(m.name.split()) == 1 and m.type == EntityType.PERSON and m.name == m.surface:
            # "Marrowfield" tagged PERSON where the article names "Marrowfield Town": the organisation.
            containing = [(s, n) for s, n in orgs if n.split()[0] == m.name]
        else:
            containing = []
        if containing:
            before = [n for s, n in containing if s < m.start]
            name = before[-1] if before else containing[0][1]
            m = ResolvedMention(m.start, m.end, m.surface, name, EntityType.ORG)
        resolved.append(m)
    return resolved


def _is_place_like(mention: ResolvedMention, mentions: list[ResolvedMention]) -> bool:
    """Whether a single word is tagged a place or person somewhere in the article (not a generic head)."""
    kinds = (EntityType.GPE, EntityType.LOC, EntityType.PERSON)
    return any(m.name == mention.name and m.type in kinds for m in mentions)


def _entities(text: str, mentions: list[ResolvedMention]) -> list[Entity]:
    order: list[str] = []
    types: dict[str, Counter[EntityType]] = defaultdict(Counter)
    spans: dict[str, list[Span]] = defaultdict(list)
    surfaces: dict[str, list[str]] = defaultdict(list)
    for m in mentions:
        if m.name not in types:
            order.append(m.name)
        types[m.name][m.type] += 1
        spans[m.name].append(Span(start=m.start, end=m.end))
        surface = text[m.start : m.end]
        if surface not in surfaces[m.name]:
            surfaces[m.name].append(surface)
    overrides = type_overrides()
    entities = []
    for name in order:
        entity_type = overrides.get(name) or _majority_type(types[name])
        if entity_type == EntityType.PERSON and len(name.split()) == 1:
            entity_type = _place_over_person(types[name]) or entity_type
        if name not in overrides and _known_place_mislabelled(text, name, entity_type, spans[name]):
            entity_type = EntityType.GPE
        entities.append(
            Entity(
                name=name,
                type=entity_type,
                mentions=len(spans[name]),
                surface_forms=surfaces[name],
                spans=spans[name],
            )
        )
    return entities


def _known_place_mislabelled(text: str, name: str, entity_type: EntityType, spans: list[Span]) -> bool:
    """A name the model labelled PERSON or ORG that the gazetteer knows as a place, with nothing in the
    text marking it a person (no honorific or title before any mention): "Kyiv", "Minsk", "Georgia".
    A PERSON label is overruled only for a country, a US state or a large city."""
    if entity_type not in (EntityType.PERSON, EntityType.ORG):
        return False
    if not places.is_known_place(name, large=entity_type == EntityType.PERSON):
        return False
    for span in spans:
        before = text[max(0, span.start - 40) : span.start]
        word_before = _WORD_RIGHT_BEFORE.search(before)
        if _HONORIFIC_BEFORE.search(before) or (word_before and _is_title(_bare(word_before.group(1)))):
            return False
    return True


def _place_over_person(counts: Counter[EntityType]) -> EntityType | None:
    """A lone word tagged a person and a place in one article is the place when the place votes are at
    least half the person votes: people are introduced by full name, a town is named alone."""
    places = [t for t in (EntityType.GPE, EntityType.LOC) if counts[t]]
    if not places:
        return None
    best = max(places, key=lambda t: counts[t])
    return best if 2 * sum(counts[t] for t in places) >= counts[EntityType.PERSON] else None


def _majority_type(counts: Counter[EntityType]) -> EntityType:
    return max(counts, key=lambda t: (counts[t], -_TYPE_PRIORITY.index(t)))
