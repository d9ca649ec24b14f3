"""boilerplate: name lines (bylines, outlet and widget labels), doubled captions, mojibake quote marks."""

from __future__ import annotations

import pytest

from enrich_service.domain.boilerplate import (
    collapse_doubled,
    is_given_name,
    is_name_line,
    repair_mojibake,
    starts_with_given_name,
)


@pytest.mark.parametrize(
    "line",
    [
        "Anna Berg",
        "• Tomas Brandt",
        "Anna Berg and Tomas Brandt",
        "The Norvik Herald",
        "Norvik News",
        "Placeholder Image",
        "Staff Correspondent",
        "Ludmila van der Berg",
    ],
)
def test_name_lines(line: str) -> None:
    assert is_name_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Norvik",  # one word: a dateline or a label, not a byline
        "NORVIK CITY",  # all capitals: a dateline
        "Harbour talks resume",  # lower-case words: a crosshead
        "Top Stories",  # a stop word
        "Anna Berg said.",
        "Anna Berg, Norvik",
        "“Anna Berg”",
        "Published 12 May 2024",
        "Read More",
        "One Two Three Four Five Six Seven",
    ],
)
def test_not_name_lines(line: str) -> None:
    assert not is_name_line(line)


def test_given_names() -> None:
    assert is_given_name("Elena") and is_given_name("Mark")
    assert not is_given_name("News") and not is_given_name("elena") and not is_given_name("Varga")
    assert starts_with_given_name("• Elena Varga") and not starts_with_given_name("Harbour Desk")


@pytest.mark.parametrize(
    ("line", "collapsed"),
    [
        ("The ferry terminal at dawn The ferry terminal at dawn", "The ferry terminal at dawn"),
        ("Elena Varga, who chairs the boardElena Varga, who chairs the board", "Elena Varga, who chairs the board"),
        ("Ha ha Ha ha", "Ha ha Ha ha"),  # too short to be a caption printed twice
        ("The ferry terminal at dawn", "The ferry terminal at dawn"),
    ],
)
def test_collapse_doubled(line: str, collapsed: str) -> None:
    assert collapse_doubled(line) == collapsed


@pytest.mark.parametrize(
    ("text", "repaired"),
    [
        ("â€œWe will be back,â€\x9d she said.", "“We will be back,” she said."),
        ("â€œWe will be back,â€ she said.", "“We will be back,” she said."),
        ("'€œWe will be back,'€ the mayor'€™s aide said.", "“We will be back,” the mayor’s aide said."),
        ("the 2019â€“2020 season", "the 2019–2020 season"),
        ("a '€5bn' deal", "a '€5bn' deal"),
        ("It cost €5 and 'more'.", "It cost €5 and 'more'."),
    ],
)
def test_repair_mojibake(text: str, repaired: str) -> None:
    assert repair_mojibake(text) == repaired


def test_a_long_repeating_line_is_not_taken_for_a_doubled_caption() -> None:
    line = "word " * 400
    assert collapse_doubled(line.strip()) == line.strip()
