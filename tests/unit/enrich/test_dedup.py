"""Duplicate keys and the choice of an original."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from enrich_service.domain.cleaning import clean_body
from enrich_service.domain.dedup import (
    DedupCandidate,
    DuplicateDecision,
    dedup_keys,
    minhash_signature,
    normalised_content,
    resolve_duplicate,
    shingles,
    with_decision,
)
from schemas.articles import Dedup

TITLE = "Norvik bridge opens after four years"
BODY = (
    "The new bridge over the Norvik harbour opened on Monday after four years of work and two strikes.\n\n"
    "“It is a good day for the town,” said Harbour Minister Elena Varga, who cut the ribbon at noon.\n\n"
    "Tolls will be collected from the first of June, the port board said in a statement. Cyclists and "
    "pedestrians will cross for free, and the old ferry will keep running until the end of the summer.\n\n"
    "Local traders welcomed the opening but warned that parking near the quay was still scarce."
)
OTHER_BODY = (
    "Fishing crews in the northern fjords voted on Friday to end a three-week strike over new quotas.\n\n"
    "The union said catches would be landed again from Monday, and the ministry promised talks in autumn.\n\n"
    "Prices at the fish market fell by a fifth within hours of the announcement, traders said."
)
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def keys_of(title: str, body: str, article_id: str = "a1") -> Dedup:
    return dedup_keys(article_id, title, clean_body(title, body))


@pytest.mark.parametrize(
    "variant",
    [
        BODY.replace("\n\n", "\n\n\n").replace(" ", "  "),  # whitespace
        BODY.replace("“", '"').replace("”", '"'),  # quote marks
        # boilerplate
        f"Reading Time: 3 minutes\n\n{BODY}\n\nShare this article\n\nLeave a Reply\n\nYour email address",
        BODY.replace("Harbour Minister Elena Varga, who", "Harbour Minister\n\nElena Varga,\n\nwho"),  # line breaks
        f"{TITLE}\n\n{BODY}",  # headline repeated in the body
        BODY.replace("\u0020", "\u00a0", 3),  # no-break spaces
    ],
)
def test_content_hash_is_equal_for_reposts(variant: str) -> None:
    assert keys_of(TITLE, variant).content_hash == keys_of(TITLE, BODY).content_hash


def test_content_hash_differs_for_different_articles() -> None:
    assert keys_of(TITLE, BODY).content_hash != keys_of(TITLE, OTHER_BODY).content_hash
    assert keys_of(TITLE, BODY).content_hash != keys_of("Another title", BODY).content_hash
    assert keys_of(TITLE, BODY).content_hash != keys_of(TITLE, BODY.replace("Monday", "Tuesday")).content_hash


def test_key_formats_and_determinism() -> None:
    keys = keys_of(TITLE, BODY, "article-1")
    assert re.fullmatch(r"[0-9a-f]{64}", keys.content_hash)
    assert len(keys.minhash_bands) == 32
    assert all(re.fullmatch(r"b\d\d:[0-9a-f]{16}", band) for band in keys.minhash_bands)
    assert [band[:3] for band in keys.minhash_bands] == [f"b{i:02d}" for i in range(32)]
    assert (keys.cluster_id, keys.duplicate_of, keys.similarity) == ("article-1", None, None)
    assert keys_of(TITLE, BODY, "article-1") == keys  # same input, same keys (bands are stored: must be stable)


def test_near_duplicate_shares_bands_and_an_unrelated_article_does_not() -> None:
    original = keys_of(TITLE, BODY)
    edited = keys_of(TITLE, BODY.replace("two strikes", "a strike") + "\n\nThe mayor did not attend.")
    unrelated = keys_of("Fishing strike ends", OTHER_BODY)
    assert set(original.minhash_bands) & set(edited.minhash_bands)
    assert not set(original.minhash_bands) & set(unrelated.minhash_bands)


def test_minhash_estimates_jaccard() -> None:
    a = shingles(normalised_content(TITLE, BODY))
    b = shingles(normalised_content(TITLE, BODY + " The mayor did not attend."))
    exact = len(set(a) & set(b)) / len(set(a) | set(b))
    sig_a, sig_b = minhash_signature(a), minhash_signature(b)
    estimate = sum(x == y for x, y in zip(sig_a, sig_b, strict=True)) / 128
    assert abs(estimate - exact) < 0.15


def test_empty_text_has_no_bands() -> None:
    keys = dedup_keys("empty", "", "")
    assert keys.minhash_bands == []
    assert keys.minhash_signature == []


def candidate(article_id: str, minutes: int, body: str = BODY, **extra: object) -> DedupCandidate:
    keys = keys_of(TITLE, body, article_id)
    return DedupCandidate(
        article_id=article_id,
        received_at=T0 + timedelta(minutes=minutes),
        content_hash=keys.content_hash,
        **({"minhash": keys.minhash_signature} | extra),  # type: ignore[arg-type]
    )


def test_exact_copy_resolves_to_the_earliest_original() -> None:
    me = keys_of(TITLE, BODY, "copy")
    decision = resolve_duplicate(
        "copy", T0 + timedelta(hours=1), me, [candidate("b-later", 20), candidate("a-first", 10)]
    )
    assert decision == DuplicateDecision("a-first", 1.0, "a-first")


def test_exact_hash_beats_a_closer_received_near_duplicate() -> None:
    me = keys_of(TITLE, BODY, "copy")
    near = candidate("near", 50, BODY + "\n\nOne more line at the end.")
    decision = resolve_duplicate("copy", T0 + timedelta(hours=1), me, [near, candidate("exact", 40)])
    assert decision.duplicate_of == "exact"


def test_near_duplicate_resolves_to_the_most_similar_original() -> None:
    me = keys_of(TITLE, BODY + "\n\nThe mayor did not attend.", "edited")
    decision = resolve_duplicate(
        "edited",
        T0 + timedelta(hours=1),
        me,
        [candidate("unrelated", 5, OTHER_BODY), candidate("original", 10)],
    )
    assert decision.duplicate_of == "original"
    assert decision.similarity is not None and 0.8 <= decision.similarity < 1.0
    assert decision.cluster_id == "original"


def test_ties_go_to_the_earliest_then_the_smallest_id() -> None:
    me = keys_of(TITLE, BODY + "\n\nThe mayor did not attend.", "edited")
    now = T0 + timedelta(hours=1)
    assert resolve_duplicate("edited", now, me, [candidate("b", 10), candidate("a", 20)]).duplicate_of == "b"
    assert resolve_duplicate("edited", now, me, [candidate("b", 10), candidate("a", 10)]).duplicate_of == "a"


def test_nothing_similar_enough_keeps_the_article_its_own_original() -> None:
    me = keys_of(TITLE, BODY, "mine")
    decision = resolve_duplicate("mine", T0 + timedelta(hours=1), me, [candidate("fish", 10, OTHER_BODY)])
    assert decision == DuplicateDecision(None, None, "mine")


def test_later_articles_and_itself_are_never_the_original() -> None:
    me = keys_of(TITLE, BODY, "mine")
    decision = resolve_duplicate(
        "mine", T0 + timedelta(minutes=30), me, [candidate("later", 40), candidate("mine", 10)]
    )
    assert decision == DuplicateDecision(None, None, "mine")


def test_copy_of_a_copy_joins_the_original_cluster() -> None:
    me = keys_of(TITLE, BODY, "third")
    decision = resolve_duplicate("third", T0 + timedelta(hours=1), me, [candidate("second", 10, cluster_id="first")])
    assert decision == DuplicateDecision("second", 1.0, "first")
    assert with_decision(me, decision).cluster_id == "first"
    assert with_decision(me, decision).duplicate_of == "second"


def test_minhash_signatures_are_used_when_both_sides_have_them() -> None:
    me_body = BODY + "\n\nThe mayor did not attend."
    me = keys_of(TITLE, me_body, "edited")
    signature = minhash_signature(shingles(normalised_content(TITLE, clean_body(TITLE, me_body))))
    stored = minhash_signature(shingles(normalised_content(TITLE, clean_body(TITLE, BODY))))
    decision = resolve_duplicate(
        "edited",
        T0 + timedelta(hours=1),
        me,
        [candidate("original", 10, minhash=stored)],
        signature=signature,
    )
    assert decision.duplicate_of == "original"
    assert decision.similarity == pytest.approx(
        sum(x == y for x, y in zip(signature, stored, strict=True)) / 128, abs=1e-4
    )
    # A threshold above the estimate: no original.
    strict = resolve_duplicate(
        "edited",
        T0 + timedelta(hours=1),
        me,
        [candidate("original", 10, minhash=stored)],
        signature=signature,
        threshold=0.99,
    )
    assert strict.duplicate_of is None
