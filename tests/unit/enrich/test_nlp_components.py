"""Our spaCy components on hand-built docs: no model needed."""

from __future__ import annotations

import spacy
from spacy.tokens import Doc
from spacy.vocab import Vocab

from enrich_service.domain.entities import EntityIndex
from enrich_service.nlp import (
    ENTITIES_COMPONENT,
    EXT_ENTITIES,
    EXT_ENTITY_INDEX,
    EXT_QUOTES,
    QUOTES_COMPONENT,
    add_newsflow_components,
    doc_sentences,
    entities_component,
    quotes_component,
)
from schemas.articles import EntityType, QuoteKind

WORDS = ["“", "We", "are", "ready", ",", "”", "said", "Minister", "Elena", "Varga", ".", "Varga", "left", "Kiev", "."]
SPACES = [False, True, True, False, False, True, True, True, True, False, True, True, True, False, False]
ENTS = ["O", "O", "O", "O", "O", "O", "O", "B-PERSON", "I-PERSON", "I-PERSON", "O", "B-ORG", "O", "B-GPE", "O"]


def hand_built_doc(vocab: Vocab | None = None) -> Doc:
    return Doc(vocab or Vocab(), words=WORDS, spaces=SPACES, ents=ENTS)


def test_components_on_a_hand_built_doc() -> None:
    doc = quotes_component(entities_component(hand_built_doc()))
    assert doc.text == "“We are ready,” said Minister Elena Varga. Varga left Kiev."
    assert isinstance(doc._.get(EXT_ENTITY_INDEX), EntityIndex)
    assert [(e.name, e.type, e.mentions) for e in doc._.get(EXT_ENTITIES)] == [
        ("Elena Varga", EntityType.PERSON, 2),
        ("Kyiv", EntityType.GPE, 1),
    ]
    [quote] = doc._.get(EXT_QUOTES)
    assert (quote.text, quote.speaker, quote.kind) == ("We are ready", "Elena Varga", QuoteKind.DIRECT)


def test_quotes_component_alone_builds_the_entity_index_itself() -> None:
    doc = quotes_component(hand_built_doc())
    assert doc._.get(EXT_QUOTES)[0].speaker == "Elena Varga"


def test_components_in_a_blank_pipeline() -> None:
    nlp = add_newsflow_components(spacy.blank("en"))
    assert nlp.pipe_names == ["sentencizer", ENTITIES_COMPONENT, QUOTES_COMPONENT]
    doc = hand_built_doc(nlp.vocab)
    for _, component in nlp.pipeline:
        doc = component(doc)
    assert doc_sentences(doc) == [(0, 42), (43, 59)]
    assert doc._.get(EXT_QUOTES)[0].speaker == "Elena Varga"
    # Adding twice changes nothing.
    assert add_newsflow_components(nlp).pipe_names == nlp.pipe_names


def test_doc_without_sentences_uses_the_rule_based_split() -> None:
    doc = hand_built_doc()
    assert doc_sentences(doc) is None
    assert len(quotes_component(doc)._.get(EXT_QUOTES)) == 1
