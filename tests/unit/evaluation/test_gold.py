"""Loading gold files: the format, missing or unfinished files, sources, dedup pairs (fictional data)."""

from __future__ import annotations

import json
from pathlib import Path

from enrich_service.evaluation.gold import EPOCH, load_gold, load_gold_file, read_source
from enrich_service.evaluation.runner import check_dedup, markdown_table

BODY = (
    "Harbour Minister Elena Varga said on Monday that the new bridge in Port Calden would open in spring.\n\n"
    "“We will not wait another winter,” Varga said. The Harbour Authority called the plan “a start”.\n\n"
    "Opposition leader Tom Brandt said the money would be better spent on the ferry to Norland, which "
    "has run at a loss since the storm closed the old pier and the town council cut its grant last year."
)


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _project(tmp_path: Path) -> tuple[Path, Path]:
    root, seeds = tmp_path / "project", tmp_path / "seeds"
    (root / "articles").mkdir(parents=True)
    seeds.mkdir()
    (seeds / "a.txt").write_text("Bridge to open in spring\n" + BODY + "\n", encoding="utf-8")
    _write(root / "articles" / "b.json", {"title": "Bridge to open in spring", "body": BODY})
    _write(root / "articles" / "c.json", {"title": "Ferry loses money", "body": BODY.split("\n\n")[2]})
    return root, seeds


def test_read_source_seed_and_json(tmp_path: Path) -> None:
    root, seeds = _project(tmp_path)
    seed = read_source("seeds:a.txt", EPOCH, root, seeds)
    assert seed.title == "Bridge to open in spring"
    assert seed.body.startswith("Harbour Minister")
    assert read_source("articles/b.json", EPOCH, root, seeds).body == BODY


def test_load_gold_file(tmp_path: Path) -> None:
    root, seeds = _project(tmp_path)
    gold = {
        "description": "fictional",
        "articles": [
            {
                "source": "seeds:a.txt",
                "entities": {"PERSON": ["Elena Varga", "Tom Brandt"], "GPE": ["Port Calden|Calden"]},
                "quotes": [
                    {"text": "not wait another winter", "speaker": ["Elena Varga", "Varga"], "kind": "direct"},
                    {"text": "a start", "speaker": None, "kind": "partial"},
                ],
            },
            {"source": "seeds:missing.txt"},
        ],
        "dedup": {
            "same_event_not_duplicates": [["articles/b.json", "articles/c.json"]],
            "duplicates": [["articles/b.json", "seeds:a.txt", "exact"]],
        },
    }
    loaded = load_gold_file(_write(root / "x.gold.json", gold), root, seeds)
    assert [a.source for a in loaded.articles] == ["seeds:a.txt"]
    assert loaded.articles[0].entities["ORG"] == ()
    assert loaded.articles[0].quotes[1].speakers is None
    assert any("missing.txt" in note for note in loaded.notes)
    assert [(p.copy, p.original, p.expect_duplicate, p.kind) for p in loaded.dedup] == [
        ("articles/c.json", "articles/b.json", False, None),
        ("articles/b.json", "seeds:a.txt", True, "exact"),
    ]
    assert [check_dedup(p, root, seeds).ok for p in loaded.dedup] == [True, True]


def test_missing_and_unfinished_files_are_skipped_with_a_note(tmp_path: Path) -> None:
    root, seeds = _project(tmp_path)
    old = _write(root / "old.json", {"articles": {"01.json": {}}})
    files = load_gold([root / "nope.gold.json", old], root, seeds)
    assert [f.articles for f in files] == [[], []]
    assert "missing" in files[0].notes[0]
    assert "not in the gold format" in files[1].notes[0]


def test_markdown_table_has_a_row_per_label_and_targets() -> None:
    table = markdown_table([("all", {"quote_precision": 0.5, "PERSON_f1": None})])
    lines = table.splitlines()
    assert len(lines) == 4
    assert "| all | — | — | — | 0.50 |" in lines[2]
    assert lines[3].startswith("| target |")
