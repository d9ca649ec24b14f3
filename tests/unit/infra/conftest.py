"""Unit tests of infra/local: no network, only short-lived child processes of our own, files only under tmp_path."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _clean_infra_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings must come from the test, not from the developer's NEWSFLOW_INFRA_* variables."""
    for name in list(os.environ):
        if name.startswith("NEWSFLOW_INFRA_"):
            monkeypatch.delenv(name)
