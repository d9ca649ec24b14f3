"""Loading gold files: the format, missing or unfinished files, sources, dedup pairs (fictional data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.__main__ import main
from evaluation.gold import (
    EPOCH,
    ROLE_DEV,
    ROLE_TEST,
    SharedMissingError,
    load_corpus_split,
    load_gold,
    load_gold_file,
    read_source,
    require_shared,
)
from evaluation.report import CORPUS_COLUMNS, markdown_table, text_report
from evaluation.runner import check_dedup, evaluate

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


def _corpus(tmp_path: Path) -> Path:
    """A two-split corpus in the shared layout, with invented articles."""
    for split, speaker in (("dev", "Elena Varga"), ("test", "Tom Brandt")):
        folder = tmp_path / "corpus" / split
        folder.mkdir(parents=True)
        (folder / "a01_bridge.txt").write_text("Bridge to open in spring\n\n" + BODY + "\n", encoding="utf-8")
        _write(
            folder / "gold.json",
            [
                {
                    "file": "a01_bridge.txt",
                    "url": "https://news.example/a01",
                    "outlet": "Example",
                    "quotes": [{"text": "We will not wait another winter", "speaker": speaker, "kind": "direct"}],
                    "entities": [{"name": "Elena Varga", "type": "PERSON"}, {"name": "Norland", "type": "GPE"}],
                }
            ],
        )
    return tmp_path / "corpus"


def test_corpus_split_loads_in_the_common_shape(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    dev = load_corpus_split(corpus / "dev")
    assert (dev.name, dev.role, dev.notes) == ("corpus/dev", ROLE_DEV, [])
    (article,) = dev.articles
    assert article.source == "corpus:dev/a01_bridge.txt"
    assert article.article.title == "Bridge to open in spring"
    assert article.article.body.startswith("Harbour Minister")
    assert article.entities == {"PERSON": ("Elena Varga",), "ORG": (), "GPE": ("Norland",)}
    assert article.quotes[0].speakers == ("Elena Varga",)
    assert load_corpus_split(corpus / "test").role == ROLE_TEST


def test_a_missing_shared_folder_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SharedMissingError, match=r"\.\./shared beside the checkout"):
        require_shared(tmp_path / "nowhere")
    assert main(["--corpus", str(tmp_path / "nowhere"), "--no-throughput", "--out", str(tmp_path / "o.json")]) == 2
    assert "../shared beside the checkout" in capsys.readouterr().err


def test_the_test_split_is_scored_but_its_misses_are_never_shown(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    files = [load_corpus_split(corpus / "test"), load_corpus_split(corpus / "dev")]
    report = evaluate(files, measure_throughput=False)
    # The invented test gold gives the quote to the wrong person: scored, and a missed target...
    assert report["test"]["speaker_accuracy"] == 0.0
    assert any(m.startswith("speaker_accuracy") for m in report["missed_targets"])
    # ... but neither the text report nor the JSON says which quote or article.
    text = text_report(report, verbose=True)
    assert "corpus:dev/a01_bridge.txt" in text
    assert "corpus:test/" not in text
    assert report["sets"]["corpus/test"]["articles"] == []
    assert report["sets"]["corpus/dev"]["articles"]
    assert text.index("| corpus/test (1) |") < text.index("| corpus/dev (1) |")


def test_corpus_table_has_the_quote_marked_precision_and_loose_speaker_columns() -> None:
    table = markdown_table([("x", {"quote_precision_marked": 0.5})], CORPUS_COLUMNS)
    assert "precision (quote-marked)" in table and "speaker (surname ok)" in table
    assert "| x | — | — | 0.50 |" in table


def test_the_evaluation_finds_the_checkout_and_the_shared_folder_beside_it() -> None:
    from evaluation.gold import PROJECT_ROOT, SHARED_DIR

    assert (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "schemas").is_dir()
    assert PROJECT_ROOT.parent / "shared" == SHARED_DIR
