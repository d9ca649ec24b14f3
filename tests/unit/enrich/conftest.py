"""Fixtures for the enrich unit tests."""

from __future__ import annotations

import pytest
from spacy.language import Language

from enrich_service.nlp import load_nlp


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The real model, trimmed as the worker loads it (loaded once for the whole session)."""
    return load_nlp()
