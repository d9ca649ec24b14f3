"""Loading gold files and the articles they refer to (format: ``tests/gold/README.md``).

A gold file that is missing or not (yet) in the gold format is skipped with a note, so the evaluation
runs while gold is still being written. An article whose source cannot be read is skipped the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from enrich_service.evaluation.scoring import ENTITY_TYPES, GoldQuote
from schemas.articles import ArticleIn, RawArticle

PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: Real articles shared by the team, read at run time only (never copied into the project).
SEEDS_DIR = PROJECT_ROOT.parent / "shared" / "samples" / "seeds"
SEEDS_PREFIX = "seeds:"
#: ``received_at`` of the first article; later ones a second apart, in gold order.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class GoldArticle:
    source: str
    article: RawArticle
    entities: Mapping[str, tuple[str, ...]]
    quotes: tuple[GoldQuote, ...]


@dataclass(frozen=True, slots=True)
class DedupPair:
    """Two sources and whether ``copy`` must be found a duplicate of ``original`` (``kind``: exact/near)."""

    copy: str
    original: str
    expect_duplicate: bool
    kind: str | None = None


@dataclass(slots=True)
class GoldFile:
    path: Path
    name: str
    articles: list[GoldArticle] = field(default_factory=list)
    dedup: list[DedupPair] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def default_gold_paths(root: Path = PROJECT_ROOT) -> list[Path]:
    """``tests/gold/*.gold.json`` (sorted) and ``demo/expected.json``, whether or not they exist yet."""
    return [*sorted((root / "tests" / "gold").glob("*.gold.json")), root / "demo" / "expected.json"]


def read_source(source: str, received_at: datetime, root: Path = PROJECT_ROOT, seeds: Path = SEEDS_DIR) -> RawArticle:
    """The article a gold ``source`` names: ``seeds:<file>`` (headline line, then body) or an ArticleIn JSON."""
    if source.startswith(SEEDS_PREFIX):
        text = (seeds / source[len(SEEDS_PREFIX) :]).read_text(encoding="utf-8")
        title, _, body = text.lstrip().partition("\n")
        return ArticleIn(title=title.strip(), body=body.strip() or title.strip()).to_raw(received_at)
    data = json.loads((root / source).read_text(encoding="utf-8"))
    return ArticleIn.model_validate(data).to_raw(received_at)


def load_gold_file(path: Path, root: Path = PROJECT_ROOT, seeds: Path = SEEDS_DIR, start: int = 0) -> GoldFile:
    """One gold file with its articles read (``start``: index for ``received_at`` spacing)."""
    name = _display_name(path, root)
    gold = GoldFile(path, name)
    if not path.is_file():
        gold.notes.append(f"{name}: missing, skipped")
        return gold
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        gold.notes.append(f"{name}: unreadable ({exc}), skipped")
        return gold
    articles = data.get("articles") if isinstance(data, dict) else None
    if not isinstance(articles, list):
        gold.notes.append(f"{name}: not in the gold format (no 'articles' list), skipped")
        return gold
    for n, entry in enumerate(articles):
        if not isinstance(entry, dict) or "source" not in entry:
            gold.notes.append(f"{name}: article #{n} has no source, skipped")
            continue
        source = str(entry["source"])
        try:
            article = read_source(source, EPOCH + timedelta(seconds=start + n), root, seeds)
            quotes = tuple(GoldQuote.from_json(q) for q in entry.get("quotes", []))
        except (OSError, ValueError, KeyError, TypeError) as exc:  # a broken entry is a note, never a crash
            gold.notes.append(f"{name}: {source}: {type(exc).__name__}: {exc}, skipped")
            continue
        entities = entry.get("entities") or {}
        gold.articles.append(
            GoldArticle(
                source=source,
                article=article,
                entities={t: tuple(str(e) for e in entities.get(t, [])) for t in ENTITY_TYPES},
                quotes=quotes,
            )
        )
    gold.dedup = _dedup_pairs(data.get("dedup"), gold.notes, name)
    return gold


def load_gold(paths: Iterable[Path], root: Path = PROJECT_ROOT, seeds: Path = SEEDS_DIR) -> list[GoldFile]:
    files: list[GoldFile] = []
    count = 0
    for path in paths:
        gold = load_gold_file(path, root, seeds, start=count)
        count += len(gold.articles) + 100
        files.append(gold)
    return files


def _dedup_pairs(data: Any, notes: list[str], name: str) -> list[DedupPair]:
    if not isinstance(data, dict):
        return []
    pairs: list[DedupPair] = []
    for pair in data.get("same_event_not_duplicates", []) or []:
        if isinstance(pair, list | tuple) and len(pair) >= 2:
            pairs.append(DedupPair(str(pair[1]), str(pair[0]), expect_duplicate=False))
        else:
            notes.append(f"{name}: dedup pair {pair!r} not understood, skipped")
    for pair in data.get("duplicates", []) or []:
        if isinstance(pair, list | tuple) and len(pair) >= 2:
            kind = str(pair[2]) if len(pair) > 2 else None
            pairs.append(DedupPair(str(pair[0]), str(pair[1]), expect_duplicate=True, kind=kind))
        else:
            notes.append(f"{name}: dedup pair {pair!r} not understood, skipped")
    return pairs


def _display_name(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
