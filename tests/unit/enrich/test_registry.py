"""The duplicate registry: the same scenarios on ``MemoryRegistry`` and on ``ElasticsearchRegistry`` over a
fake async Elasticsearch (real-time ``mget``, ``bulk`` ``create`` answering 409 on an existing id).

Only the ``h:`` claim carries the MinHash signature; a band-key hit reads it from there with one more
lookup, only when ``resolve_duplicate`` needs it. Invented sentences only.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.retry import RetryPolicy
from enrich_service.domain.cleaning import clean_body
from enrich_service.domain.dedup import DedupCandidate, dedup_keys, resolve_duplicate
from enrich_service.duplicates import (
    REGISTRY_MAPPING,
    Claim,
    DuplicateResolver,
    ElasticsearchRegistry,
    MemoryRegistry,
    Registry,
    claim_of,
    keys_of,
)
from schemas.articles import EnrichedArticle, Enrichment

T0 = datetime(2026, 4, 1, tzinfo=UTC)
TITLE = "Lantern festival returns to the old canal quarter"
BODY = (
    "The lantern festival of the canal quarter returned on Saturday after a pause of three winters, and "
    "thousands of visitors walked the towpaths until well after midnight.\n\n"
    "Organisers said about four hundred paper lanterns were floated from the stone steps near the mill, "
    "each one folded by pupils of the two local schools during the autumn term.\n\n"
    "Boat owners moored their barges along the eastern bank so that the water stayed clear, and a brass "
    "band from the neighbouring village played on the footbridge for most of the evening.\n\n"
    "The council said the festival would be held again next year if the volunteers could be found."
)
NEAR_BODY = BODY.replace("four hundred", "five hundred").replace("Saturday", "Sunday")
OTHER_BODIES = [
    "A small bakery on the hill road won the regional prize for rye bread, beating forty other entries "
    "from across the valley after a blind tasting held in the town library.",
    "The ferry between the two islands will run an extra crossing on weekday mornings from May, the "
    "harbour office announced, after commuters asked for an earlier boat.",
    "Volunteers counted more than two hundred nesting pairs of terns on the gravel spit this spring, "
    "the highest number since the reserve was founded twenty years ago.",
]


def article(article_id: str, body: str, minutes: int, title: str = TITLE) -> EnrichedArticle:
    text = clean_body(title, body)
    return EnrichedArticle(
        id=article_id,
        title=title,
        body=body,
        received_at=T0 + timedelta(minutes=minutes),
        clean_body=text,
        dedup=dedup_keys(article_id, title, text),
        enrichment=Enrichment(version="t", model="none", processed_at=T0),
    )


@dataclass
class Response:
    body: dict[str, Any]


class FakeIndices:
    def __init__(self) -> None:
        self.created: list[dict[str, Any]] = []

    async def exists(self, *, index: str) -> bool:
        return bool(self.created)

    async def create(self, *, index: str, mappings: dict[str, Any], settings: dict[str, Any]) -> Response:
        self.created.append({"index": index, "mappings": mappings, "settings": settings})
        return Response({"acknowledged": True})


@dataclass
class FakeElasticsearch:
    """Documents by id, kept as the JSON the client would send; every mget and bulk is recorded."""

    docs: dict[str, str] = field(default_factory=dict)
    mgets: list[list[str]] = field(default_factory=list)
    bulks: list[list[dict[str, Any]]] = field(default_factory=list)
    indices: FakeIndices = field(default_factory=FakeIndices)

    def options(self, **_: Any) -> FakeElasticsearch:
        return self

    async def mget(self, *, index: str, ids: list[str], realtime: bool) -> Response:
        assert realtime, "registry reads must be real-time"
        self.mgets.append(list(ids))
        docs = [
            {"_id": i, "found": True, "_source": json.loads(self.docs[i])}
            if i in self.docs
            else {"_id": i, "found": False}
            for i in ids
        ]
        return Response({"docs": docs})

    async def bulk(self, *, operations: list[dict[str, Any]]) -> Response:
        self.bulks.append(operations)
        items = []
        for action, source in zip(operations[::2], operations[1::2], strict=True):
            doc_id = action["create"]["_id"]
            if doc_id in self.docs:
                items.append({"create": {"_id": doc_id, "status": 409, "error": {"type": "version_conflict"}}})
            else:
                self.docs[doc_id] = compact(source)
                items.append({"create": {"_id": doc_id, "status": 201}})
        return Response({"items": items})


def compact(source: dict[str, Any]) -> str:
    return json.dumps(source, separators=(",", ":"), ensure_ascii=False)


class Counting:
    """A registry that counts its lookups (one ``mget`` each for the Elasticsearch one)."""

    def __init__(self, inner: Registry) -> None:
        self.inner = inner
        self.lookups: list[set[str]] = []

    async def lookup(self, keys: Iterable[str]) -> dict[str, Claim]:
        wanted = set(keys)
        self.lookups.append(wanted)
        return await self.inner.lookup(wanted)

    async def claim(self, claims: dict[str, Claim]) -> set[str]:
        return await self.inner.claim(claims)


class HashClaimsFail(Counting):
    """The ``h:`` creates fail (not a lost race: nothing is stored under them), band keys are claimed."""

    async def claim(self, claims: dict[str, Claim]) -> set[str]:
        return await self.inner.claim({k: c for k, c in claims.items() if not k.startswith("h:")})


def new_registry(kind: str) -> tuple[Registry, FakeElasticsearch | None]:
    if kind == "memory":
        return MemoryRegistry(), None
    es = FakeElasticsearch()
    return ElasticsearchRegistry(es, "articles-dedup", RetryPolicy(initial_s=0.001, max_s=0.001)), es  # type: ignore[arg-type]


KINDS = ["memory", "elasticsearch"]


def expected_similarity(original: EnrichedArticle, copy: EnrichedArticle) -> float | None:
    """What the old registry (signature on every key) gave: the full candidate, straight from the domain."""
    c = claim_of(original)
    candidate = DedupCandidate(c.article_id, c.received_at, c.content_hash, list(c.minhash), c.cluster_id)
    return resolve_duplicate(copy.id, copy.received_at, copy.dedup, [candidate]).similarity


@pytest.mark.parametrize("kind", KINDS)
async def test_a_band_hit_reads_the_signature_from_the_hash_claim_in_one_more_lookup(kind: str) -> None:
    inner, es = new_registry(kind)
    registry = Counting(inner)
    original, near = article("orig", BODY, 0), article("near", NEAR_BODY, 5, title="Lanterns float again")
    assert original.dedup.content_hash != near.dedup.content_hash
    await DuplicateResolver(registry).resolve([original])
    registry.lookups.clear()

    (linked,) = await DuplicateResolver(registry).resolve([near])

    assert linked.dedup.duplicate_of == "orig" and linked.dedup.cluster_id == "orig"
    assert linked.dedup.similarity == expected_similarity(original, near)
    assert linked.dedup.similarity is not None and 0.5 <= linked.dedup.similarity < 1
    assert len(registry.lookups) == 2 and registry.lookups[1] == {f"h:{original.dedup.content_hash}"}
    if es is not None:
        assert len(es.mgets) == 3 and es.mgets[-1] == [f"h:{original.dedup.content_hash}"]
        # The near copy's new keys were claimed; only its h: doc carries the signature.
        stored = {k: json.loads(v) for k, v in es.docs.items() if json.loads(v)["article_id"] == "near"}
        assert [k for k, v in stored.items() if "minhash" in v] == [f"h:{near.dedup.content_hash}"]


@pytest.mark.parametrize("kind", KINDS)
async def test_distinct_articles_and_exact_copies_need_no_second_lookup(kind: str) -> None:
    inner, _ = new_registry(kind)
    registry = Counting(inner)
    original = article("orig", BODY, 0)
    await DuplicateResolver(registry).resolve([original])
    registry.lookups.clear()

    others = [article(f"o{n}", body, 10 + n, title=f"Local news {n}") for n, body in enumerate(OTHER_BODIES)]
    decided = await DuplicateResolver(registry).resolve(others)
    assert [a.dedup.duplicate_of for a in decided] == [None, None, None]
    assert len(registry.lookups) == 1

    (exact,) = await DuplicateResolver(registry).resolve([article("exact", BODY.replace("\n\n", "\n\n\n"), 20)])
    assert exact.dedup.duplicate_of == "orig" and exact.dedup.similarity == 1.0
    assert len(registry.lookups) == 2  # one for the distinct batch, one for the exact copy


@pytest.mark.parametrize("kind", KINDS)
async def test_a_candidate_whose_hash_claim_is_missing_is_never_a_near_duplicate_original(kind: str) -> None:
    inner, _ = new_registry(kind)
    original = article("orig", BODY, 0)
    await DuplicateResolver(HashClaimsFail(inner)).resolve([original])  # band keys only, no signature anywhere
    registry = Counting(inner)

    (near,) = await DuplicateResolver(registry).resolve([article("near", NEAR_BODY, 5, title="Lanterns float again")])

    assert near.dedup.duplicate_of is None and near.dedup.similarity is None and near.dedup.cluster_id == "near"
    assert len(registry.lookups) == 2  # it looked for the signature and found none: no crash


async def test_old_registries_with_signatures_on_band_keys_keep_working() -> None:
    registry, es = new_registry("elasticsearch")
    assert es is not None
    original = article("orig", BODY, 0)
    old = claim_of(original)
    old_source = {**old.to_source(), "minhash": list(old.minhash)}
    for key in keys_of(original)[1:]:  # band keys as the old registry wrote them; its h: doc is gone
        es.docs[key] = compact(old_source)
    near = article("near", NEAR_BODY, 5, title="Lanterns float again")

    (linked,) = await DuplicateResolver(registry).resolve([near])

    assert linked.dedup.duplicate_of == "orig" and linked.dedup.similarity == expected_similarity(original, near)
    assert len(es.mgets) == 1  # the signature came with the band-key doc


@dataclass
class Race:
    """Both workers look up before either claims; worker ``first`` claims first."""

    first: str
    looked: dict[str, asyncio.Event] = field(default_factory=dict)
    claimed: asyncio.Event = field(default_factory=asyncio.Event)


class Worker(Counting):
    def __init__(self, inner: Registry, name: str, race: Race) -> None:
        super().__init__(inner)
        self.name, self.race = name, race
        race.looked[name] = asyncio.Event()

    async def lookup(self, keys: Iterable[str]) -> dict[str, Claim]:
        found = await super().lookup(keys)
        self.race.looked[self.name].set()
        return found

    async def claim(self, claims: dict[str, Claim]) -> set[str]:
        async with asyncio.timeout(5):
            for event in self.race.looked.values():
                await event.wait()
            if self.name != self.race.first:
                await self.race.claimed.wait()
        try:
            return await super().claim(claims)
        finally:
            self.race.claimed.set()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("near", [False, True], ids=["exact", "near"])
async def test_two_workers_racing_first_claim_wins(kind: str, near: bool) -> None:
    inner, es = new_registry(kind)
    race = Race(first="a")
    theirs = article("theirs", BODY, 1)
    mine = article("mine", NEAR_BODY if near else BODY, 5)
    worker_a, worker_b = Worker(inner, "a", race), Worker(inner, "b", race)

    (first,), (second,) = await asyncio.gather(
        DuplicateResolver(worker_a).resolve([theirs]), DuplicateResolver(worker_b).resolve([mine])
    )

    assert first.dedup.duplicate_of is None
    assert second.dedup.duplicate_of == "theirs" and second.dedup.cluster_id == "theirs"
    assert second.dedup.similarity == (expected_similarity(theirs, mine) if near else 1.0)
    # b: the first lookup, the taken keys again, then (near copy only) the signature of "theirs".
    assert len(worker_b.lookups) == (3 if near else 2)
    shared = set(keys_of(theirs)) & set(keys_of(mine))
    owners = await inner.lookup(shared)
    assert shared and {c.article_id for c in owners.values()} == {"theirs"}
    if es is not None:
        assert all(json.loads(es.docs[k])["article_id"] == "theirs" for k in shared)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_later_batch_sees_the_same_as_one_batch(kind: str) -> None:
    """In one batch the copy sees the original's claim in memory (with its signature); later, from the registry."""
    original, near = article("orig", BODY, 0), article("near", NEAR_BODY, 5, title="Lanterns float again")
    together = await DuplicateResolver(new_registry(kind)[0]).resolve([near, original])
    registry = new_registry(kind)[0]
    apart = [*await DuplicateResolver(registry).resolve([original]), *await DuplicateResolver(registry).resolve([near])]
    assert [a.dedup for a in together] == [apart[1].dedup, apart[0].dedup]


async def test_claim_bytes_per_article_are_under_a_fifth_of_the_old_format(capsys: pytest.CaptureFixture[str]) -> None:
    registry, es = new_registry("elasticsearch")
    assert es is not None
    original = article("orig", BODY, 0)
    full = claim_of(original)
    keys = keys_of(original)
    old_bytes = sum(len(compact({**full.to_source(), "minhash": list(full.minhash)}).encode()) for _ in keys)

    await DuplicateResolver(registry).resolve([original])

    (bulk,) = es.bulks
    assert [a["create"]["_id"] for a in bulk[::2]] == keys
    new_bytes = sum(len(compact(source).encode()) for source in bulk[1::2])
    with capsys.disabled():
        print(f"\nregistry claim bytes per article ({len(keys)} docs): old {old_bytes}, new {new_bytes}")
    assert new_bytes * 5 < old_bytes
    assert es.indices.created[0]["mappings"] == REGISTRY_MAPPING == {"enabled": False}
