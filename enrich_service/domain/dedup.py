"""Duplicate keys of an article and the choice of its original. Pure: no index, no I/O.

* ``content_hash`` — sha256 of the normalised title and clean text (``schemas.ids.normalise_text``:
  NFKC, typographic quotes and dashes folded, lower case, one space). Cleaning already dropped
  boilerplate and re-joined broken lines, so a re-post that differs only in those, in whitespace or
  in quote marks hashes the same.
* ``minhash_bands`` — LSH band keys of a 128-permutation MinHash of the same shingles: 32 bands of 4
  rows, each ``"bNN:<16 hex digits>"``. Two articles sharing a band key are candidates; with 32x4 the
  chance of sharing at least one band is ~0.5 at Jaccard 0.42 and ~0.99 at 0.65.

``resolve_duplicate`` then picks, among the candidates a lookup found, the original this article
copies: an exact ``content_hash`` match first, else the most similar one at or above the threshold;
ties go to the earliest ``received_at``, then the smallest id. Only candidates that came before the
article (by ``received_at``, then id) can be its original.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import numpy as np
from datasketch import MinHash

from schemas.articles import Dedup
from schemas.ids import normalise_text

SHINGLE_WORDS = 3
NUM_PERM = 128
LSH_BANDS = 32
LSH_ROWS = 4
#: Fixed: band keys must be the same in every worker and every release (they are stored in the index).
MINHASH_SEED = 1
MINHASH_SCHEME = "affine32"
#: Estimated Jaccard similarity (word 3-shingles) at or above which an article is a near-duplicate of
#: an earlier one. Measured on the samples and the demo corpus: different articles, also about the same
#: event, reach at most 0.06; a syndicated copy with a new headline and an edited first paragraph 0.78;
#: a copy with a new headline, the last paragraph dropped and six words changed 0.86-0.97. (SimHash,
#: also tried, separated worse: different articles reached 0.47. It was removed in 0.2.1.)
DUPLICATE_THRESHOLD = 0.5

_WORDS = re.compile(r"\w+")


def normalised_content(title: str, clean_text: str) -> str:
    """The text the keys are computed over: normalised title, a newline, normalised clean text."""
    return f"{normalise_text(title)}\n{normalise_text(clean_text)}"


def shingles(text: str, size: int = SHINGLE_WORDS) -> list[str]:
    """Word ``size``-shingles of normalised ``text`` (punctuation ignored), in order, repeats kept."""
    words = _WORDS.findall(normalise_text(text))
    if not words:
        return []
    if len(words) <= size:
        return [" ".join(words)]
    return [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]


def content_hash(title: str, clean_text: str) -> str:
    return hashlib.sha256(normalised_content(title, clean_text).encode("utf-8")).hexdigest()


def minhash_signature(features: Sequence[str]) -> list[int]:
    """The 128 MinHash values of ``features`` (empty when there are none)."""
    if not features:
        return []
    sketch = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME)
    sketch.update_batch([f.encode("utf-8") for f in set(features)])
    return [int(v) for v in sketch.hashvalues]


def minhash_bands(signature: Sequence[int]) -> list[str]:
    """LSH band keys of a MinHash signature: ``"bNN:<hex>"`` for each of the 32 bands of 4 rows."""
    if len(signature) != LSH_BANDS * LSH_ROWS:
        return []
    values = np.asarray(signature, dtype=">u8")
    keys = []
    for band in range(LSH_BANDS):
        chunk = values[band * LSH_ROWS : (band + 1) * LSH_ROWS].tobytes()
        keys.append(f"b{band:02d}:{hashlib.blake2b(chunk, digest_size=8).hexdigest()}")
    return keys


def minhash_similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of two MinHash signatures (share of equal values)."""
    if not a or len(a) != len(b):
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


def dedup_keys(article_id: str, title: str, clean_text: str) -> Dedup:
    """The duplicate keys of an article, before any original is known (``cluster_id`` is its own id)."""
    features = shingles(normalised_content(title, clean_text))
    signature = minhash_signature(features)
    return Dedup(
        content_hash=content_hash(title, clean_text),
        minhash_bands=minhash_bands(signature),
        minhash_signature=signature,
        duplicate_of=None,
        similarity=None,
        cluster_id=article_id,
    )


@dataclass(frozen=True, slots=True)
class DedupCandidate:
    """An earlier article a lookup (same hash, shared band key) found, with what is stored about it."""

    article_id: str
    received_at: datetime
    content_hash: str
    minhash: Sequence[int] | None = None
    cluster_id: str | None = None  # its own cluster (the id of its original), when it is a copy itself


class DuplicateDecision(NamedTuple):
    duplicate_of: str | None
    similarity: float | None
    cluster_id: str


def resolve_duplicate(
    article_id: str,
    received_at: datetime,
    keys: Dedup,
    candidates: Iterable[DedupCandidate],
    *,
    signature: Sequence[int] | None = None,
    threshold: float = DUPLICATE_THRESHOLD,
) -> DuplicateDecision:
    """Which earlier article, if any, this one copies (see the module docstring).

    Similarity is the MinHash estimate from this article's ``signature`` and the candidate's (a
    candidate stored without one can only match exactly). The cluster is the original's cluster (its
    own id unless it is a copy too), so copies of copies share one cluster.
    """
    signature = signature or keys.minhash_signature
    me = (received_at, article_id)
    earlier = [c for c in candidates if c.article_id != article_id and (c.received_at, c.article_id) < me]
    exact = [c for c in earlier if c.content_hash == keys.content_hash]
    if exact:
        original = min(exact, key=lambda c: (c.received_at, c.article_id))
        return DuplicateDecision(original.article_id, 1.0, original.cluster_id or original.article_id)
    scored: list[tuple[float, DedupCandidate]] = []
    for candidate in earlier:
        similarity = _similarity(keys, signature, candidate)
        if similarity is not None and similarity >= threshold:
            scored.append((similarity, candidate))
    if not scored:
        return DuplicateDecision(None, None, article_id)
    similarity, original = min(scored, key=lambda pair: (-pair[0], pair[1].received_at, pair[1].article_id))
    return DuplicateDecision(original.article_id, round(similarity, 4), original.cluster_id or original.article_id)


def _similarity(keys: Dedup, signature: Sequence[int] | None, candidate: DedupCandidate) -> float | None:
    if signature and candidate.minhash:
        return minhash_similarity(signature, candidate.minhash)
    return None


def with_decision(keys: Dedup, decision: DuplicateDecision) -> Dedup:
    """``keys`` with the resolver's decision filled in."""
    return keys.model_copy(
        update={
            "duplicate_of": decision.duplicate_of,
            "similarity": decision.similarity,
            "cluster_id": decision.cluster_id,
        }
    )
