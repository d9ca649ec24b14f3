"""``newsflow enrich``: the worker's enrichment offline, one EnrichedArticle per line, dedup across files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsflow.cli import main
from schemas.articles import EnrichedArticle

DEMO = Path(__file__).resolve().parents[2] / "demo" / "articles"


def test_enrich_prints_one_enriched_article_per_file_and_links_copies(capsys: pytest.CaptureFixture[str]) -> None:
    files = [DEMO / "04_brennick_storm_flood.json", DEMO / "07_brennick_storm_flood_repost.json"]
    assert main(["enrich", *map(str, files)]) == 0
    lines = capsys.readouterr().out.splitlines()
    original, repost = (EnrichedArticle.model_validate(json.loads(line)) for line in lines)
    assert repost.dedup.duplicate_of == original.id and repost.dedup.similarity == 1.0
    assert any(e.type == "PERSON" for e in original.entities) and original.quotes


def test_enrich_reports_an_invalid_file_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"title": "", "body": "x"}))
    assert main(["enrich", str(bad)]) == 1
    assert "invalid article" in capsys.readouterr().err
