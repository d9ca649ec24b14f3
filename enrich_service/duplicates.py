"""Finding the original an article copies, against a registry of earlier articles' keys.

The registry maps each duplicate key — ``h:<content hash>`` and every MinHash band key — to the
first article that had it (``create`` only: first claim wins, later claims are refused). Looking keys
up by id is real-time in Elasticsearch, unlike search, so a copy arriving a moment after its original
is linked; the registry outlives restarts and replays, and a replayed article finds itself (never its
own duplicate) and the same original as before. The choice among candidates is the pure
``enrich_service.domain.dedup.resolve_duplicate``.

Only the ``h:`` claim stores the MinHash signature (128 values, ~1.1 KB of JSON); the 32 band-key
claims do not (``stored_claim``): an article's claims went from ~43 KB to ~6.6 KB of JSON (measured in
``tests/unit/enrich/test_registry.py``). The signature is a function
of the content hash, so when ``resolve_duplicate`` needs a band-key candidate's signature (it is earlier
than the article and no earlier candidate has the article's content hash) the resolver reads it from
the candidate's ``h:<content hash>`` claim, in one more lookup for the whole batch
(``DuplicateResolver._with_signatures``). Registries written before this keep working: a band-key
claim that carries a signature is used as it is. A candidate whose ``h:`` claim is missing (its create
failed; a lost race is harmless, the winner has the same hash and so the same signature) stays without
a signature, and ``resolve_duplicate`` then never takes it as a near-duplicate original (only an exact
hash match could link it): the article falls back to other candidates or becomes its own original.

``MemoryRegistry`` is the same thing in process memory, for ``newsflow enrich`` and tests.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from elasticsearch import AsyncElasticsearch

from adapters.retry import ES_UNREACHABLE, RetryPolicy
from enrich_service.domain.dedup import DedupCandidate, resolve_duplicate, with_decision
from schemas.articles import EnrichedArticle

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    """What the registry keeps about the first article that had a key."""

    article_id: str
    received_at: datetime
    content_hash: str
    cluster_id: str
    minhash: tuple[int, ...] = ()

    def candidate(self) -> DedupCandidate:
        return DedupCandidate(
            article_id=self.article_id,
            received_at=self.received_at,
            content_hash=self.content_hash,
            minhash=list(self.minhash) or None,
            cluster_id=self.cluster_id,
        )

    def to_source(self) -> dict[str, Any]:
        source: dict[str, Any] = {
            "article_id": self.article_id,
            "received_at": self.received_at.isoformat(),
            "content_hash": self.content_hash,
            "cluster_id": self.cluster_id,
        }
        if self.minhash:
            source["minhash"] = list(self.minhash)
        return source

    @classmethod
    def from_source(cls, src: dict[str, Any]) -> Claim:
        return cls(
            article_id=src["article_id"],
            received_at=datetime.fromisoformat(src["received_at"]),
            content_hash=src["content_hash"],
            cluster_id=src["cluster_id"],
            minhash=tuple(src.get("minhash") or ()),
        )


class Registry(Protocol):
    async def lookup(self, keys: Iterable[str]) -> dict[str, Claim]: ...

    async def claim(self, claims: dict[str, Claim]) -> set[str]:
        """Record each key's claim unless the key is taken; returns the keys that were taken."""
        ...


def hash_key(content_hash: str) -> str:
    return f"h:{content_hash}"


def keys_of(article: EnrichedArticle) -> list[str]:
    return [hash_key(article.dedup.content_hash), *article.dedup.minhash_bands]


def stored_claim(key: str, claim: Claim) -> Claim:
    """What a registry stores for ``key``: the signature only under the ``h:`` key (see the module doc)."""
    return claim if key.startswith("h:") or not claim.minhash else replace(claim, minhash=())


def claim_of(article: EnrichedArticle) -> Claim:
    d = article.dedup
    return Claim(article.id, article.received_at, d.content_hash, d.cluster_id, tuple(d.minhash_signature))


class DuplicateResolver:
    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    async def resolve(self, articles: list[EnrichedArticle]) -> list[EnrichedArticle]:
        """Each article with ``duplicate_of``/``similarity``/``cluster_id`` decided, in input order."""
        ordered = sorted(articles, key=lambda a: (a.received_at, a.id))
        known = await self._registry.lookup({k for a in ordered for k in keys_of(a)})
        known = await self._with_signatures(ordered, known)
        decided, wanted = self._decide(ordered, known)
        taken = await self._registry.claim(wanted)
        if taken:
            # Another worker claimed some keys at the same moment: decide those articles again
            # against what the registry now holds (first claim wins everywhere).
            known |= await self._registry.lookup(taken)
            again = [a for a in ordered if taken & set(keys_of(a))]
            known = await self._with_signatures(again, known)
            redecided, _ = self._decide(again, known, claim_new=False)
            decided |= redecided
        return [decided[a.id] for a in articles]

    async def _with_signatures(self, ordered: list[EnrichedArticle], known: dict[str, Claim]) -> dict[str, Claim]:
        """``known`` with the signatures ``resolve_duplicate`` will need filled in from ``h:`` claims.

        Needed: a candidate without one that is earlier than an article with a signature, when no
        earlier candidate has that article's content hash (an exact match decides without similarity).
        Candidates the batch itself claims are not counted, so this may read a little more than needed,
        never less. One lookup at most, none when nothing is needed.
        """
        signatures = {c.content_hash: c.minhash for c in known.values() if c.minhash}
        missing: set[str] = set()
        for article in ordered:
            if not article.dedup.minhash_signature:
                continue
            me = (article.received_at, article.id)
            earlier = [
                c
                for k in keys_of(article)
                if (c := known.get(k)) is not None and c.article_id != article.id and (c.received_at, c.article_id) < me
            ]
            if any(c.content_hash == article.dedup.content_hash for c in earlier):
                continue
            missing |= {c.content_hash for c in earlier if not c.minhash and c.content_hash not in signatures}
        if not missing:
            return known
        found = await self._registry.lookup(hash_key(h) for h in sorted(missing))
        signatures |= {key[2:]: c.minhash for key, c in found.items() if c.minhash}
        return {
            key: c if c.minhash or c.content_hash not in signatures else replace(c, minhash=signatures[c.content_hash])
            for key, c in known.items()
        }

    @staticmethod
    def _decide(
        ordered: list[EnrichedArticle], known: dict[str, Claim], *, claim_new: bool = True
    ) -> tuple[dict[str, EnrichedArticle], dict[str, Claim]]:
        known = dict(known)
        decided: dict[str, EnrichedArticle] = {}
        wanted: dict[str, Claim] = {}
        for article in ordered:
            keys = keys_of(article)
            candidates = {c.article_id: c for k in keys if (c := known.get(k)) is not None}
            decision = resolve_duplicate(
                article.id, article.received_at, article.dedup, [c.candidate() for c in candidates.values()]
            )
            done = article.model_copy(update={"dedup": with_decision(article.dedup, decision)})
            decided[article.id] = done
            if claim_new:
                mine = claim_of(done)
                for key in keys:
                    if key not in known:  # first seen here: this article claims it (later ones see it)
                        known[key] = wanted[key] = mine
        return decided, wanted


class MemoryRegistry:
    def __init__(self) -> None:
        self._claims: dict[str, Claim] = {}

    async def lookup(self, keys: Iterable[str]) -> dict[str, Claim]:
        return {k: self._claims[k] for k in keys if k in self._claims}

    async def claim(self, claims: dict[str, Claim]) -> set[str]:
        stored = {key: stored_claim(key, claim) for key, claim in claims.items()}
        taken = {k for k in stored if k in self._claims and self._claims[k] != stored[k]}
        for key, claim in stored.items():
            self._claims.setdefault(key, claim)
        return taken


#: The registry is only read by ``_id`` (real-time ``mget``) and counted (``newsflow status``): no field
#: is ever searched, sorted or aggregated, so nothing is parsed, indexed or doc-valued; ``_source`` keeps
#: the claims. Applies to new registry indices only: an existing one keeps the mapping it was created
#: with (keyword ``article_id``/``content_hash``/``cluster_id``, date ``received_at``), is not reindexed,
#: and still accepts claims without ``minhash``.
REGISTRY_MAPPING: dict[str, Any] = {"enabled": False}


class ElasticsearchRegistry:
    """The registry as an Elasticsearch index (``<alias>-dedup``): real-time gets, ``create`` claims."""

    def __init__(
        self,
        es: AsyncElasticsearch,
        index: str,
        policy: RetryPolicy,
        replicas: Mapping[str, str | int] | None = None,
    ) -> None:
        """``replicas``: ``ElasticsearchSettings.replica_settings()`` (a replica keeps the registry when a
        node of a cluster dies); None: no replica."""
        self._es = es
        self._index = index
        self._policy = policy
        self._settings: dict[str, Any] = {"number_of_shards": 1, **(replicas or {"number_of_replicas": 0})}
        self._ready = False

    async def _prepare(self) -> None:
        if not await self._es.indices.exists(index=self._index):
            await self._es.options(ignore_status=400).indices.create(
                index=self._index, mappings=REGISTRY_MAPPING, settings=self._settings
            )

    async def _retrying(self, what: str, call: Callable[[], Awaitable[Any]]) -> Any:
        if not self._ready:
            await self._policy.call(self._prepare, what=f"creating {self._index}", transient=ES_UNREACHABLE)
            self._ready = True
        return await self._policy.call(call, what=f"{what} in {self._index}", transient=ES_UNREACHABLE)

    async def lookup(self, keys: Iterable[str]) -> dict[str, Claim]:
        ids = sorted(set(keys))
        if not ids:
            return {}
        resp = await self._retrying("lookup", lambda: self._es.mget(index=self._index, ids=ids, realtime=True))
        return {d["_id"]: Claim.from_source(d["_source"]) for d in resp.body["docs"] if d.get("found")}

    async def claim(self, claims: dict[str, Claim]) -> set[str]:
        if not claims:
            return set()
        operations: list[dict[str, Any]] = []
        for key, claim in claims.items():
            operations.append({"create": {"_index": self._index, "_id": key}})
            operations.append(stored_claim(key, claim).to_source())
        resp = await self._retrying("claim", lambda: self._es.bulk(operations=operations))
        taken: set[str] = set()
        for item in resp.body["items"]:
            result = item["create"]
            if result.get("status") == 409:
                taken.add(result["_id"])
            elif result.get("status", 500) >= 300:
                # Not fatal: the key stays unclaimed and a later article claims it.
                logger.warning(
                    "could not claim dedup key %s in %s: %s", result["_id"], self._index, result.get("error")
                )
        return taken
