"""Duplicates: copies of the real samples are linked to them, different articles never are.

The samples are read at run time from ../shared/samples/seeds (test material, not shipped); the
copies are built here. Cleaning, keys and the resolver are the worker's own; the registry is the
in-memory one the offline CLI uses.
"""

from __future__ import annotations

import itertools
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from enrich_service.domain.cleaning import clean_body
from enrich_service.domain.dedup import dedup_keys
from enrich_service.duplicates import Claim, DuplicateResolver, MemoryRegistry
from schemas.articles import EnrichedArticle, Enrichment

SEEDS = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples" / "seeds"
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def samples() -> dict[str, tuple[str, str]]:
    if not SEEDS.is_dir():
        pytest.fail(
            "../shared/samples/seeds is missing: the real sample articles live in ../shared beside the checkout"
        )
    out = {}
    for path in sorted(SEEDS.glob("*.txt")):
        title, body = path.read_text(encoding="utf-8").split("\n", 1)
        out[path.name[:3]] = (title.strip(), body)
    return out


def article(article_id: str, title: str, body: str, minutes: int) -> EnrichedArticle:
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


def reformatted(body: str) -> str:
    """The same text re-posted: other line breaks and spacing, curly quotes, a share widget, a footer."""
    text = body.replace('"', "\u201c").replace("\n\n", "\n \n\n").replace(". ", ".  ")
    return "Share this article\n\n" + text + "\n\nCopyright 2026 Some Aggregator. All rights reserved."


def rewritten(body: str, seed: int) -> str:
    """A syndicated rewrite: the last paragraph dropped and six words changed."""
    paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip()][:-1]
    words = "\n\n".join(paragraphs).split(" ")
    rng = random.Random(seed)
    for _ in range(6):
        words[rng.randrange(len(words))] = "reportedly"
    return " ".join(words)


async def resolve(*articles: EnrichedArticle, registry: MemoryRegistry | None = None) -> list[EnrichedArticle]:
    return await DuplicateResolver(registry or MemoryRegistry()).resolve(list(articles))


def test_a_reformatted_repost_has_the_same_content_hash() -> None:
    for key, (title, body) in samples().items():
        original = article("o" + key, title, body, 0)
        copy = article("c" + key, title, reformatted(body), 1)
        assert copy.dedup.content_hash == original.dedup.content_hash, key


async def test_a_rewritten_copy_under_a_new_headline_is_linked_to_the_original() -> None:
    for n, (key, (title, body)) in enumerate(samples().items()):
        original = article("o" + key, title, body, 0)
        copy = article("c" + key, "A new headline for a syndicated copy", rewritten(body, n), 5)
        _, linked = await resolve(original, copy)
        assert linked.dedup.duplicate_of == original.id, key
        assert linked.dedup.cluster_id == original.id
        assert linked.dedup.similarity is not None and 0.5 <= linked.dedup.similarity < 1


async def test_different_samples_are_never_duplicates_also_about_the_same_event() -> None:
    items = [article(k, t, b, n) for n, (k, (t, b)) in enumerate(samples().items())]
    for a, b in itertools.combinations(items, 2):
        _, second = await resolve(a, b)
        assert second.dedup.duplicate_of is None, (a.id, b.id)
        assert second.dedup.cluster_id == second.id


async def test_copies_in_one_batch_and_across_batches_share_the_original_s_cluster() -> None:
    (title, body), *_ = samples().values()
    original = article("orig", title, body, 0)
    exact = article("exact", title, reformatted(body), 1)
    near = article("near", "Another headline", rewritten(body, 3), 2)
    registry = MemoryRegistry()
    first = await resolve(exact, original, registry=registry)  # input order is not arrival order
    assert [a.dedup.duplicate_of for a in first] == ["orig", None]
    (later,) = await resolve(near, registry=registry)
    assert later.dedup.duplicate_of == "orig" and later.dedup.cluster_id == "orig"


async def test_replaying_gives_the_same_answer_and_an_article_is_never_its_own_duplicate() -> None:
    (title, body), *_ = samples().values()
    original = article("orig", title, body, 0)
    copy = article("copy", title, reformatted(body), 1)
    registry = MemoryRegistry()
    before = await resolve(original, copy, registry=registry)
    again = await resolve(original, copy, registry=registry)
    assert [a.dedup for a in again] == [a.dedup for a in before]
    assert again[0].dedup.duplicate_of is None and again[1].dedup.duplicate_of == "orig"


async def test_a_key_claimed_concurrently_by_another_worker_wins() -> None:
    (title, body), *_ = samples().values()
    mine = article("mine", title, body, 5)
    theirs = article("theirs", title, body, 1)

    class RacingRegistry(MemoryRegistry):
        async def lookup(self, keys):  # type: ignore[no-untyped-def]
            found = await super().lookup(keys)
            if not found:  # the other worker claims right after our first lookup
                await super().claim(
                    {k: Claim("theirs", theirs.received_at, theirs.dedup.content_hash, "theirs") for k in keys}
                )
            return found

    (decided,) = await DuplicateResolver(RacingRegistry()).resolve([mine])
    assert decided.dedup.duplicate_of == "theirs"
