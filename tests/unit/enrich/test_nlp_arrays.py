"""``doc_mentions`` / ``doc_sentences`` read token arrays: they must equal ``doc.ents`` / ``doc.sents``."""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from enrich_service.nlp import doc_mentions, doc_sentences

TEXTS = [
    "Harbour Minister Elena Varga opened the bridge in Port Calden on Monday. “It is ready,” she said.\n\n"
    "The Norvik Port Authority said the first ships would arrive in May.",
    "",
    "One.",
    "No entities here at all, just words.",
]


def test_same_as_ents_and_sents(nlp: Language) -> None:
    for doc in nlp.pipe(TEXTS):
        assert [(m.text, m.label, m.start, m.end) for m in doc_mentions(doc)] == [
            (e.text, e.label_, e.start_char, e.end_char) for e in doc.ents
        ]
        assert doc_sentences(doc) == [(s.start_char, s.end_char) for s in doc.sents]


def test_hand_built_docs() -> None:
    doc = Doc(
        Vocab(),
        words=["Elena", "Varga", "met", "Tom", "in", "Oslo", "."],
        ents=["B-PERSON", "I-PERSON", "O", "B-PERSON", "O", "B-GPE", "O"],
    )
    assert [(m.text, m.label) for m in doc_mentions(doc)] == [
        ("Elena Varga", "PERSON"),
        ("Tom", "PERSON"),
        ("Oslo", "GPE"),
    ]
    assert doc_sentences(doc) is None
    blank = spacy.blank("en")
    blank.add_pipe("sentencizer")
    assert doc_sentences(blank("One. Two.")) == [(0, 4), (5, 9)]
