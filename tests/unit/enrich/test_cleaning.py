"""clean_body: boilerplate rules (one example each), headline/caption removal, re-joining broken lines."""

from __future__ import annotations

import pytest

from enrich_service.domain.cleaning import boilerplate_rules, clean_body, match_boilerplate, should_join

BODY = "The new bridge over the Norvik harbour opened on Monday after four years of work."
TAIL = "Tolls will be collected from the first of June, the port board said."

#: One line per boilerplate rule that it (and no earlier rule) must catch.
EXAMPLES = {
    "reading_time": "Reading Time: 4 minutes",
    "reading_time_label": "Reading time",
    "share_widget": "Facebook Twitter WhatsApp Email",
    "share_on": "Share on Facebook",
    "follow_us": "Follow us on Twitter for live updates",
    "comments_widget": "• 12 Comments",
    "loading_comments": "Loading comments...",
    "leave_a_reply": "Leave a Reply",
    "email_not_published": "Your email address will not be published. Required fields are marked *",
    "related_posts": "Related Posts",
    "read_more": "Read more: Harbour talks stall again",
    "video_player": "Harbour tour video: Embed share. Link copied to clipboard",
    "media_timecodes": "0:00 0:02:15 0:00",
    "image_placeholder": "Im 123456",
    "photo_credit": "Ferries wait at the pier on Sunday. Jane Roe/Reuters",
    "photo_via_credit": "Fishermen unload their catch at dawn via Getty Images",
    "photo_label": "Crowds gather at the harbour. Photo: Jan Novak",
    "photo_caption_marker": "Harbour Minister Elena Varga (file photo)",
    "copyright": "Copyright ©2024 Example Media Ltd. All Rights Reserved.",
    "write_to_footer": "Write to Anna Berg at anna.berg@example.com",
    "content_protected": "error: Content is protected !!",
    "source_link": "News in partnership with Source link",
    "reporting_credit": "With reporting by Reuters and AP",
    "see_below": "For more coverage from Reuters, see below.",
    "live_promo": "Live Blog: Harbour strike, day three",
    "check_out_promo": "Check out our weekly newsletter on coastal politics",
    "subscribe_prompt": "Sign up for our morning briefing",
    "advertisement": "Advertisement",
}


def test_every_rule_has_an_example() -> None:
    assert set(EXAMPLES) == {rule.name for rule in boilerplate_rules()}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_boilerplate_rule_drops_its_line(name: str) -> None:
    line = EXAMPLES[name]
    rule = match_boilerplate(line)
    assert rule is not None and rule.name == name
    cleaned = clean_body("Bridge opens", f"{BODY}\n\n{line}\n\n{TAIL}")
    assert line not in cleaned
    assert cleaned.startswith(BODY)
    if rule.action in ("drop_rest", "caption"):  # a caption rule takes the next (short) paragraph too
        assert cleaned == BODY
    else:
        assert cleaned == f"{BODY}\n\n{TAIL}"


@pytest.mark.parametrize(
    "line",
    [
        "She shared the findings on Twitter with reporters on Monday.",
        "Comments from the minister drew criticism in parliament.",
        "The photo, taken in 2019, shows the old harbour wall.",
        "He said the copyright law would change next year.",
        "Share prices of the ferry company rose 4% on the news.",
        "Readers can write to the board at its harbour office.",
        "The ferry takes 20 minutes to cross the bay.",
    ],
)
def test_ordinary_sentences_are_kept(line: str) -> None:
    assert match_boilerplate(line) is None
    assert clean_body("Bridge opens", f"{BODY}\n\n{line}") == f"{BODY}\n\n{line}"


def test_image_placeholder_drops_its_caption_but_not_the_next_paragraph() -> None:
    body = f"{BODY}\n\nIm 4455\n\nThe bridge lit up at night.\n\n{TAIL}"
    assert clean_body("Bridge opens", body) == f"{BODY}\n\n{TAIL}"


def test_drop_rest_removes_everything_after_a_footer() -> None:
    body = f"{BODY}\n\nRelated Posts\n\nFerry prices rise again\n\nStorm closes the port"
    assert clean_body("Bridge opens", body) == BODY


def test_headline_repeated_as_first_line_is_dropped() -> None:
    body = f"Bridge Opens in Norvik\n\n{BODY}"
    assert clean_body("Bridge opens in Norvik", body) == BODY
    # ... but only as the first line.
    assert clean_body("Other title", body).startswith("Bridge Opens in Norvik\n\n")


def test_headline_after_reading_time_badge_is_dropped() -> None:
    assert clean_body("Bridge opens in Norvik", f"3 minutes\nBridge opens in Norvik\n\n{BODY}") == BODY


def test_caption_title_repeated_at_start_of_caption_is_dropped() -> None:
    body = (
        f"{BODY}\n\nElena Varga\nElena Varga cuts the ribbon in Norvik on Monday. "
        f"John Doe/AFP via Getty Images\n\n{TAIL}"
    )
    assert clean_body("Bridge opens", body) == f"{BODY}\n\n{TAIL}"


def test_name_broken_onto_its_own_lines_is_rejoined() -> None:
    body = "Work began when Harbour Minister\n\nElena Varga\n\nsigned the contract in 2021."
    assert clean_body("Bridge", body) == "Work began when Harbour Minister Elena Varga signed the contract in 2021."


def test_speaker_split_from_said_is_rejoined() -> None:
    body = "“It is a good day for the town,” said\n\nTomas Brandt,\n\nwho chairs the port board.\n\nNext paragraph."
    assert clean_body("Bridge", body) == (
        "“It is a good day for the town,” said Tomas Brandt, who chairs the port board.\n\nNext paragraph."
    )


def test_fragment_after_title_abbreviation_is_rejoined() -> None:
    assert clean_body("Bridge", "Talks with Mr.\n\nBrandt\n\nended early.") == "Talks with Mr. Brandt ended early."


def test_abbreviation_then_lowercase_is_rejoined() -> None:
    body = "Sanctions by the U.S.\n\nand its allies took effect."
    assert clean_body("Bridge", body) == "Sanctions by the U.S. and its allies took effect."


def test_soft_wrapped_lines_are_rejoined() -> None:
    body = "The harbour authority said on Monday that the new bridge would\nopen in the spring.\nIt did."
    assert clean_body("Bridge", body) == (
        "The harbour authority said on Monday that the new bridge would open in the spring.\n\nIt did."
    )


@pytest.mark.parametrize(
    ("previous", "line"),
    [
        ("The vote passed.", "Later, the council adjourned."),
        ("The vote passed.", "later the council adjourned."),
        ("Harbour Talks Resume", "Negotiators met again on Friday after a week of silence in the port."),
        ("He said:", "“We will not move.”"),
        ("Sanctions hit the U.S.", "Exports fell."),
    ],
)
def test_lines_that_are_not_joined(previous: str, line: str) -> None:
    assert not should_join(previous, line, gap=1)


@pytest.mark.parametrize(
    ("previous", "line"),
    [
        ("just as Harbour Minister", "Elena Varga"),
        ("Elena Varga", "signed the deal."),
        ("the deal was signed by", "Port officials on Monday."),
        ("In Norvik,", "Officials said the toll would stay."),
        ("talks with Mr.", "Brandt"),
    ],
)
def test_lines_that_are_joined(previous: str, line: str) -> None:
    assert should_join(previous, line, gap=1)


def test_whitespace_is_normalised_and_paragraphs_separated_by_one_blank_line() -> None:
    body = "  The\u00a0bridge   opened\u200b on Monday.\r\n\r\n\r\n\tTolls start in June.  \n\n\n"
    cleaned = clean_body("Bridge", body)
    assert cleaned == "The bridge opened on Monday.\n\nTolls start in June."


def test_quote_marks_are_kept_as_in_the_original() -> None:
    body = '“Curly,” she said.\n\n"Straight," he said.\n\n„Low“ and «guillemets».'
    assert clean_body("Quotes", body) == body


@pytest.mark.parametrize("body", ["", "   \n\n  ", "Reading Time: 2 minutes\n\nAdvertisement"])
def test_nothing_left_gives_empty_text(body: str) -> None:
    assert clean_body("Title", body) == ""
