"""Loading gold and the articles it refers to.

Two formats:

* the project's own (``tests/gold/README.md``): ``tests/gold/*.gold.json``, ``demo/expected.json`` and
  ``../shared/samples/gold.json`` (the seed articles' gold, kept beside the texts it quotes);
* the corpus of real-world articles (``../shared/corpus/{dev,test}``, ``CONVENTIONS.md`` there): a
  ``gold.json`` list with one entry per ``.txt`` file (headline line, blank line, body).

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

from evaluation.scoring import ENTITY_TYPES, GoldQuote
from schemas.articles import ArticleIn, RawArticle

PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: Material shared by the team beside the checkout, read at run time only (never copied into the project).
SHARED_DIR = PROJECT_ROOT.parent / "shared"
SEEDS_DIR = SHARED_DIR / "samples" / "seeds"
SAMPLES_GOLD = SHARED_DIR / "samples" / "gold.json"
CORPUS_DIR = SHARED_DIR / "corpus"
#: The corpus splits: rules are written reading ``dev`` misses only; ``test`` is scored, never read.
CORPUS_SPLITS = ("test", "dev")
SEEDS_PREFIX = "seeds:"
CORPUS_PREFIX = "corpus:"
ROLE_TEST, ROLE_DEV, ROLE_REGRESSION = "test", "dev", "regression"
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
    #: ``test`` (scored, its misses never shown), ``dev`` (read for misses) or ``regression`` (our own gold).
    role: str = ROLE_REGRESSION


def default_gold_paths(root: Path = PROJECT_ROOT, shared: Path = SHARED_DIR) -> list[Path]:
    """The regression sets: the seeds' gold in ``../shared/samples``, ``tests/gold/*.gold.json`` (sorted)
    and ``demo/expected.json``, whether or not they exist yet."""
    return [
        shared / "samples" / "gold.json",
        *sorted((root / "tests" / "gold").glob("*.gold.json")),
        root / "demo" / "expected.json",
    ]


class SharedMissingError(FileNotFoundError):
    """``../shared`` (the corpus, the seed articles) is not beside the checkout."""


def require_shared(path: Path) -> Path:
    """``path`` if it exists, else a ``SharedMissingError`` that says what is missing and why it matters."""
    if not path.exists():
        raise SharedMissingError(
            f"{path} is missing: the evaluation corpus and the seed articles live in ../shared beside the "
            "checkout (CI always has it); clone the project next to the team's shared/ folder"
        )
    return path


def load_corpus_split(split_dir: Path, start: int = 0) -> GoldFile:
    """One split of the corpus (``../shared/corpus/dev`` or ``test``) as a ``GoldFile`` in the common shape."""
    role = split_dir.name if split_dir.name in (ROLE_TEST, ROLE_DEV) else ROLE_REGRESSION
    gold = GoldFile(split_dir / "gold.json", f"corpus/{split_dir.name}", role=role)
    try:
        entries = json.loads(require_shared(split_dir / "gold.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        gold.notes.append(f"{gold.name}: {exc}")
        return gold
    for n, entry in enumerate(entries):
        source = f"{CORPUS_PREFIX}{split_dir.name}/{entry.get('file', '?')}"
        try:
            article = _read_headline_file(split_dir / str(entry["file"]), EPOCH + timedelta(seconds=start + n))
            quotes = tuple(GoldQuote.from_json(q) for q in entry.get("quotes", []))
            entities: dict[str, list[str]] = {t: [] for t in ENTITY_TYPES}
            for e in entry.get("entities", []):
                entities.setdefault(str(e["type"]), []).append(str(e["name"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            gold.notes.append(f"{gold.name}: {source}: {type(exc).__name__}: {exc}, skipped")
            continue
        gold.articles.append(
            GoldArticle(source, article, {t: tuple(entities.get(t, [])) for t in ENTITY_TYPES}, quotes)
        )
    return gold


def _read_headline_file(path: Path, received_at: datetime) -> RawArticle:
    """A text file as a scraper delivers it: the headline on the first line, then the body."""
    text = path.read_text(encoding="utf-8")
    title, _, body = text.lstrip().partition("\n")
    return ArticleIn(title=title.strip(), body=body.strip() or title.strip()).to_raw(received_at)


def read_source(source: str, received_at: datetime, root: Path = PROJECT_ROOT, seeds: Path = SEEDS_DIR) -> RawArticle:
    """The article a gold ``source`` names: ``seeds:<file>`` (headline line, then body) or an ArticleIn JSON."""
    if source.startswith(SEEDS_PREFIX):
        return _read_headline_file(seeds / source[len(SEEDS_PREFIX) :], received_at)
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
    """``path`` relative to the project (``tests/gold/x.gold.json``) or beside it (``../shared/...``)."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(root.resolve()))
    except ValueError:
        pass
    try:
        return str(Path("..") / resolved.relative_to(root.resolve().parent))
    except ValueError:
        return str(path)
