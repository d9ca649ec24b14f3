"""Pure scoring of enrichment output against gold: quotes, speakers, entities, targets.

Matching rules (the gold format is described in ``tests/gold/README.md``):

* a gold quote is **found** when an extracted quote's text contains the gold substring, both compared
  after ``normalise_quote_text`` (quote marks and apostrophes folded, whitespace collapsed, lower case);
  quote **precision** is the share of extracted quotes that contain some gold quote's substring;
* **precision on quote-marked spans** counts only the extracted quotes in quotation marks (direct and
  partial): gold that annotates quote-marked spans only (the corpus) says nothing of reported speech;
* a gold text that occurs in several gold entries of one article (a partial whose words recur in a
  later full quote) is matched by order: the n-th such entry to the n-th extracted quote containing it;
* the **speaker** of a found quote is judged on the tightest extracted quote containing it (the shortest):
  it is correct when it equals one of the acceptable gold names after ``normalise_name`` (case, "the ",
  possessives, dots); a ``null`` gold speaker is correct only when the extracted speaker is ``None``.
  **Loosely** correct (``speaker_matches_loosely``): also when the last words agree ("Varga" for
  "Elena Varga", "Mr Varga");
* **entities** are scored per type (PERSON, ORG, GPE): a predicted name matches a gold entity of the same
  type when it equals any of its ``|`` variants after ``normalise_name``. Recall = gold entities matched /
  gold entities; precision = gold entities matched / predicted entities, so a gold entity predicted under
  two names (an alias not merged) costs precision.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ENTITY_TYPES = ("PERSON", "ORG", "GPE")
QUOTE_KINDS = ("direct", "partial", "indirect")

#: Targets over all gold files together: metric key -> minimum.
TARGETS: dict[str, float] = {  # the regression sets (our own gold, in-sample)
    "quote_recall_direct": 0.95,
    "quote_recall_partial": 0.85,
    "quote_precision": 0.9,
    "speaker_accuracy": 0.9,
    "PERSON_f1": 0.9,
    "ORG_f1": 0.8,
    "GPE_f1": 0.8,
}

#: Targets on the corpus of real-world articles (``../shared/corpus``), checked on its frozen test split.
CORPUS_TARGETS: dict[str, float] = {
    "quote_recall_direct": 0.95,
    "quote_precision_marked": 0.95,
    "speaker_accuracy": 0.85,
    "PERSON_f1": 0.85,
    "ORG_f1": 0.7,
    "GPE_f1": 0.85,
}
MARKED_KINDS = frozenset({"direct", "partial"})

_QUOTE_FOLD = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "`": "'",
        "´": "'",
        "–": "-",
        "—": "-",
    }
)
_SPACES = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"(?:'s|(?<=s)')$")


def normalise_quote_text(text: str) -> str:
    """Text for quote matching: NFKC, quote marks and dashes folded, no quote marks, one space, lower case."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTE_FOLD).replace('"', " ")
    return _SPACES.sub(" ", text).strip().lower()


def normalise_name(name: str) -> str:
    """A name for comparison: folded apostrophes, lower case, no leading "the", no possessive, no dots."""
    text = unicodedata.normalize("NFKC", name).translate(_QUOTE_FOLD).lower()
    text = _SPACES.sub(" ", text.replace(".", " ").replace('"', " ")).strip(" ,;:'")
    text = _POSSESSIVE.sub("", text).strip()
    if text.startswith("the "):
        text = text[4:]
    return text


def name_variants(gold: str) -> frozenset[str]:
    """The normalised acceptable names of one gold entity (``"Kyiv|Kiev"``)."""
    return frozenset(v for v in (normalise_name(part) for part in gold.split("|")) if v)


# ---------------------------------------------------------------------------------------------------
# Quotes


@dataclass(frozen=True, slots=True)
class GoldQuote:
    text: str
    speakers: tuple[str, ...] | None  # None: the article does not say who
    kind: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GoldQuote:
        speaker = data.get("speaker")
        if isinstance(speaker, str):
            speakers: tuple[str, ...] | None = (speaker,)
        elif speaker is None:
            speakers = None
        else:
            speakers = tuple(str(s) for s in speaker)
        return cls(str(data["text"]), speakers, str(data.get("kind", "direct")))


@dataclass(frozen=True, slots=True)
class PredictedQuote:
    text: str
    speaker: str | None
    kind: str = "direct"


@dataclass(frozen=True, slots=True)
class QuoteMatch:
    gold: GoldQuote
    found: bool
    predicted: PredictedQuote | None  # the tightest extracted quote containing it
    speaker_correct: bool | None  # None when not found


@dataclass(slots=True)
class QuoteScore:
    """Counts for quote recall by kind, precision and speaker accuracy (summable over articles)."""

    gold_by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(QUOTE_KINDS, 0))
    found_by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(QUOTE_KINDS, 0))
    predicted: int = 0
    predicted_matching: int = 0
    predicted_marked: int = 0
    predicted_marked_matching: int = 0
    speaker_judged: int = 0
    speaker_correct: int = 0
    speaker_loose: int = 0

    def add(self, other: QuoteScore) -> None:
        for kind in set(self.gold_by_kind) | set(other.gold_by_kind):
            self.gold_by_kind[kind] = self.gold_by_kind.get(kind, 0) + other.gold_by_kind.get(kind, 0)
            self.found_by_kind[kind] = self.found_by_kind.get(kind, 0) + other.found_by_kind.get(kind, 0)
        self.predicted += other.predicted
        self.predicted_matching += other.predicted_matching
        self.predicted_marked += other.predicted_marked
        self.predicted_marked_matching += other.predicted_marked_matching
        self.speaker_judged += other.speaker_judged
        self.speaker_correct += other.speaker_correct
        self.speaker_loose += other.speaker_loose

    @property
    def gold(self) -> int:
        return sum(self.gold_by_kind.values())

    @property
    def found(self) -> int:
        return sum(self.found_by_kind.values())

    def recall(self, kind: str | None = None) -> float | None:
        if kind is None:
            return ratio(self.found, self.gold)
        return ratio(self.found_by_kind.get(kind, 0), self.gold_by_kind.get(kind, 0))

    @property
    def precision(self) -> float | None:
        return ratio(self.predicted_matching, self.predicted)

    @property
    def precision_marked(self) -> float | None:
        return ratio(self.predicted_marked_matching, self.predicted_marked)

    @property
    def speaker_accuracy(self) -> float | None:
        return ratio(self.speaker_correct, self.speaker_judged)

    @property
    def speaker_accuracy_loose(self) -> float | None:
        return ratio(self.speaker_loose, self.speaker_judged)


def ratio(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator``, or ``None`` when there is nothing to divide by."""
    return numerator / denominator if denominator else None


def speaker_matches(predicted: str | None, acceptable: Sequence[str] | None) -> bool:
    """Whether an extracted speaker is right: one of the acceptable names, or ``None`` when none is."""
    if acceptable is None:
        return predicted is None
    if predicted is None:
        return False
    wanted = {normalise_name(name) for name in acceptable}
    return normalise_name(predicted) in wanted


def speaker_matches_loosely(predicted: str | None, acceptable: Sequence[str] | None) -> bool:
    """Right, or a name whose last word is the last word of an acceptable one ("Varga" for "Elena Varga")."""
    if speaker_matches(predicted, acceptable):
        return True
    if predicted is None or acceptable is None:
        return False
    last = normalise_name(predicted).rsplit(" ", 1)[-1]
    return bool(last) and any(normalise_name(name).rsplit(" ", 1)[-1] == last for name in acceptable)


def match_quotes(gold: Sequence[GoldQuote], predicted: Sequence[PredictedQuote]) -> tuple[list[QuoteMatch], QuoteScore]:
    """Each gold quote matched against the extracted ones (``predicted`` in text order), and the counts."""
    texts = [normalise_quote_text(p.text) for p in predicted]
    keys = [normalise_quote_text(g.text) for g in gold]
    repeats = Counter(keys)
    seen: Counter[str] = Counter()
    matches: list[QuoteMatch] = []
    score = QuoteScore()
    for g, key in zip(gold, keys, strict=True):
        containing = [i for i, t in enumerate(texts) if key and key in t]
        score.gold_by_kind[g.kind] = score.gold_by_kind.get(g.kind, 0) + 1
        if not containing:
            matches.append(QuoteMatch(g, False, None, None))
            continue
        if repeats[key] > 1:  # the same words in several gold entries: the n-th entry, the n-th quote
            chosen = containing[min(seen[key], len(containing) - 1)]
            seen[key] += 1
        else:
            chosen = min(containing, key=lambda i: (len(texts[i]), i))
        best = predicted[chosen]
        correct = speaker_matches(best.speaker, g.speakers)
        score.found_by_kind[g.kind] = score.found_by_kind.get(g.kind, 0) + 1
        score.speaker_judged += 1
        score.speaker_correct += int(correct)
        score.speaker_loose += int(speaker_matches_loosely(best.speaker, g.speakers))
        matches.append(QuoteMatch(g, True, best, correct))
    matching = [any(key and key in t for key in keys) for t in texts]
    score.predicted = len(predicted)
    score.predicted_matching = sum(matching)
    marked = [i for i, p in enumerate(predicted) if p.kind in MARKED_KINDS]
    score.predicted_marked = len(marked)
    score.predicted_marked_matching = sum(1 for i in marked if matching[i])
    return matches, score


def unmatched_predictions(gold: Sequence[GoldQuote], predicted: Sequence[PredictedQuote]) -> list[PredictedQuote]:
    """Extracted quotes that contain no gold quote (the false positives, for the report)."""
    keys = [normalise_quote_text(g.text) for g in gold]
    return [p for p in predicted if not any(k and k in normalise_quote_text(p.text) for k in keys)]


# ---------------------------------------------------------------------------------------------------
# Entities


@dataclass(slots=True)
class EntityScore:
    """Per-type counts: gold entities, gold entities matched, predicted entities."""

    gold: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ENTITY_TYPES, 0))
    matched: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ENTITY_TYPES, 0))
    predicted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ENTITY_TYPES, 0))

    def add(self, other: EntityScore) -> None:
        for t in ENTITY_TYPES:
            self.gold[t] += other.gold[t]
            self.matched[t] += other.matched[t]
            self.predicted[t] += other.predicted[t]

    def recall(self, entity_type: str) -> float | None:
        return ratio(self.matched[entity_type], self.gold[entity_type])

    def precision(self, entity_type: str) -> float | None:
        return ratio(self.matched[entity_type], self.predicted[entity_type])

    def f1(self, entity_type: str) -> float | None:
        p, r = self.precision(entity_type), self.recall(entity_type)
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class EntityDiff:
    """What went wrong for one type: gold entities missed, predicted names matching nothing."""

    missed: tuple[str, ...]
    spurious: tuple[str, ...]


def score_entities(
    gold: Mapping[str, Iterable[str]], predicted: Iterable[tuple[str, str]]
) -> tuple[EntityScore, dict[str, EntityDiff]]:
    """Score predicted ``(name, type)`` pairs against gold ``{type: ["Canonical|Variant", ...]}``."""
    score = EntityScore()
    diffs: dict[str, EntityDiff] = {}
    by_type: dict[str, list[str]] = {t: [] for t in ENTITY_TYPES}
    for name, entity_type in predicted:
        if entity_type in by_type and name not in by_type[entity_type]:
            by_type[entity_type].append(name)
    for t in ENTITY_TYPES:
        gold_entities = [(g, name_variants(g)) for g in gold.get(t, [])]
        names = by_type[t]
        normalised = [normalise_name(n) for n in names]
        matched = [g for g, variants in gold_entities if any(n in variants for n in normalised)]
        spurious = [n for n, nn in zip(names, normalised, strict=True) if not any(nn in v for _, v in gold_entities)]
        score.gold[t] = len(gold_entities)
        score.matched[t] = len(matched)
        score.predicted[t] = len(names)
        missed = [g for g, _ in gold_entities if g not in matched]
        diffs[t] = EntityDiff(tuple(missed), tuple(spurious))
    return score, diffs


# ---------------------------------------------------------------------------------------------------
# Metrics and targets


def metrics(quotes: QuoteScore, entities: EntityScore) -> dict[str, float | None]:
    """The flat metric dict the report and the targets use."""
    out: dict[str, float | None] = {
        "quote_recall": quotes.recall(),
        "quote_recall_direct": quotes.recall("direct"),
        "quote_recall_partial": quotes.recall("partial"),
        "quote_recall_indirect": quotes.recall("indirect"),
        "quote_precision": quotes.precision,
        "quote_precision_marked": quotes.precision_marked,
        "speaker_accuracy": quotes.speaker_accuracy,
        "speaker_accuracy_loose": quotes.speaker_accuracy_loose,
    }
    for t in ENTITY_TYPES:
        out[f"{t}_precision"] = entities.precision(t)
        out[f"{t}_recall"] = entities.recall(t)
        out[f"{t}_f1"] = entities.f1(t)
    return out


def missed_targets(values: Mapping[str, float | None], targets: Mapping[str, float] = TARGETS) -> list[str]:
    """The targets not met (a metric with nothing to measure is not a miss), as readable lines."""
    return [
        f"{key} = {values[key]:.3f} < {minimum}"
        for key, minimum in targets.items()
        if values.get(key) is not None and (values[key] or 0.0) < minimum
    ]
