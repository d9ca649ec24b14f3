"""The worker's metrics: sinks wrapped, enricher stages timed, retries counted, page text parses."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from prometheus_client.parser import text_string_to_metric_families
from spacy.language import Language

from adapters.retry import RetryPolicy
from enrich_service.dead_letters import DeadLetter, Incoming
from enrich_service.enricher import Enricher
from enrich_service.indexer import Rejected
from enrich_service.metrics import EnrichMetrics, metered_dead, metered_index
from enrich_service.nlp import model_label
from schemas.articles import EnrichedArticle, RawArticle

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def values(metrics: EnrichMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = metrics.exposition().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def enrich_two(nlp: Language, metrics: EnrichMetrics) -> list[EnrichedArticle]:
    enricher = Enricher(nlp, model_label=model_label(nlp))
    enricher.observe = metrics.observe_stage
    articles = [
        RawArticle(
            id=f"a{i}",
            title="Bridge opens",
            body='"It is a good day," said Harbour Minister Elena Varga on Monday.',
            url=f"https://n.example/{i}",
            received_at=NOW,
        )
        for i in range(2)
    ]
    out = enricher.enrich_batch(articles, NOW)
    assert all(isinstance(a, EnrichedArticle) for a in out), out
    return [a for a in out if isinstance(a, EnrichedArticle)]


def test_the_enricher_times_clean_nlp_and_quotes_once_per_batch_and_still_finds_quotes(nlp: Language) -> None:
    metrics = EnrichMetrics()
    enriched = enrich_two(nlp, metrics)
    assert all(a.quotes for a in enriched), "quotes run apart from nlp.pipe and must still be found"
    found = values(metrics)
    for stage in ("clean", "nlp", "quotes"):
        assert found[("newsflow_enrich_stage_seconds_count", (("stage", stage),))] == 1, stage


async def test_indexed_articles_count_as_enriched_and_dead_letters_by_stage(nlp: Language) -> None:
    metrics = EnrichMetrics()
    enriched = enrich_two(nlp, metrics)

    async def index(articles: list[EnrichedArticle]) -> list[Rejected]:
        return [Rejected(articles[0].id, "mapper_parsing_exception")]

    async def write(letters: list[DeadLetter]) -> None:
        return None

    assert await metered_index(index, metrics)(enriched) == [Rejected("a0", "mapper_parsing_exception")]
    incoming = Incoming(value=b"{}", key=None, topic="articles.raw", partition=0, offset=1, headers=())
    await metered_dead(write, metrics)([DeadLetter(incoming, "index", "x"), DeadLetter(incoming, "decode", "y")])
    found = values(metrics)
    assert found[("newsflow_enrich_articles_enriched_total", ())] == 1
    assert found[("newsflow_enrich_stage_seconds_count", (("stage", "index"),))] == 1
    assert found[("newsflow_enrich_dead_letters_total", (("stage", "index"),))] == 1
    assert found[("newsflow_enrich_dead_letters_total", (("stage", "decode"),))] == 1


async def test_a_policy_with_on_retry_counts_each_retry() -> None:
    metrics = EnrichMetrics()
    policy = dataclasses.replace(RetryPolicy(initial_s=0.001, max_s=0.001), on_retry=metrics.count_bulk_retry)
    calls = 0

    async def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise ConnectionError("es down")
        return "ok"

    assert await policy.call(flaky, what="bulk", transient=(ConnectionError,)) == "ok"
    assert values(metrics)[("newsflow_es_bulk_retries_total", ())] == 2


def test_enrichment_info_and_two_registries_side_by_side() -> None:
    first, second = EnrichMetrics(), EnrichMetrics()  # no "Duplicated timeseries": a registry each
    first.info.labels(version="0.2.1", model="en_x-1").set(1)
    assert values(first)[("newsflow_enrichment_info", (("model", "en_x-1"), ("version", "0.2.1")))] == 1
    assert not any(name == "newsflow_enrichment_info" for name, _ in values(second))


@pytest.fixture
def nlp() -> Language:
    from enrich_service.nlp import load_nlp

    return load_nlp()
