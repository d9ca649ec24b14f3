"""Quotes and speakers on short fictional texts — pure, with hand-made NER mentions (no model)."""

from __future__ import annotations

import random

import pytest

from enrich_service.domain.quotes import extract_quotes, find_quoted_spans
from enrich_service.domain.text import fix_sentence_spans, split_sentences
from schemas.articles import Quote, QuoteKind, SpeakerType

from .helpers import index_for

PEOPLE = [
    ("Harbour Minister Elena Varga", "PERSON"),
    ("Elena Varga", "PERSON"),
    ("Varga", "PERSON"),
    ("Tomas Brandt", "PERSON"),
    ("Brandt", "PERSON"),
    ("Anna Berg", "PERSON"),
    ("Berg", "PERSON"),
    ("Norvik Port Authority", "ORG"),
    ("G7", "ORG"),
    ("Norvik", "GPE"),
]


def quotes_of(text: str, names: list[tuple[str, str]] = PEOPLE) -> list[Quote]:
    return extract_quotes(text, None, index_for(text, names))


def only(text: str) -> Quote:
    found = [q for q in quotes_of(text) if q.kind != QuoteKind.INDIRECT]
    assert len(found) == 1, found
    return found[0]


def speakers(text: str) -> list[tuple[str | None, str]]:
    return [(q.speaker, q.kind.value) for q in quotes_of(text)]


# --- marks -----------------------------------------------------------------------------------------


def test_straight_quote_with_speaker_after() -> None:
    text = 'Elena Varga opened the bridge. "The bridge will open in May," Varga said.'
    quote = only(text)
    assert (quote.text, quote.speaker, quote.speaker_type, quote.kind, quote.verb) == (
        "The bridge will open in May",
        "Elena Varga",
        SpeakerType.PERSON,
        QuoteKind.DIRECT,
        "said",
    )
    assert text[quote.start : quote.end] == quote.text


def test_curly_quote_with_said_then_titled_speaker() -> None:
    text = "“We are ready for the first ships,” said Harbour Minister Elena Varga, according to local radio."
    quote = only(text)
    assert (quote.text, quote.speaker, quote.kind) == (
        "We are ready for the first ships",
        "Elena Varga",
        QuoteKind.DIRECT,
    )


def test_mixed_curly_and_straight_marks_pair_up() -> None:
    quote = only('Anna Berg spoke. “We will stay calm," Berg said.')
    assert (quote.text, quote.speaker) == ("We will stay calm", "Anna Berg")


@pytest.mark.parametrize("mark", ['"', "“"])
def test_speaker_before_with_colon(mark: str) -> None:
    close = '"' if mark == '"' else "”"
    quote = only(f"Tomas Brandt visited the site. Brandt said: {mark}The bridge is safe.{close}")
    assert (quote.text, quote.speaker, quote.kind, quote.verb) == (
        "The bridge is safe.",
        "Tomas Brandt",
        QuoteKind.DIRECT,
        "said",
    )


def test_speaker_with_an_aside_before_the_verb() -> None:
    quote = only("“The toll stays,” Anna Berg, who chairs the port board, said on Monday.")
    assert quote.speaker == "Anna Berg"


def test_speaker_introducing_the_quote_in_the_previous_paragraph() -> None:
    text = "Tomas Brandt spoke after the vote. Brandt told reporters:\n\n“We lost, and we accept it.”"
    assert only(text).speaker == "Tomas Brandt"


def test_pronoun_speaker_before_a_partial_quote() -> None:
    text = 'Elena Varga visited the site on Monday. She said she believes "the toll is fair."'
    quote = only(text)
    assert (quote.text, quote.speaker, quote.kind) == ("the toll is fair.", "Elena Varga", QuoteKind.PARTIAL)


def test_multi_sentence_quote_is_one_quote() -> None:
    text = '"The bridge is finished. The road is not. We need two more weeks," Tomas Brandt said.'
    quote = only(text)
    assert quote.text == "The bridge is finished. The road is not. We need two more weeks"
    assert quote.speaker == "Tomas Brandt"


def test_quote_continuing_into_the_next_paragraph() -> None:
    text = (
        "Tomas Brandt spoke to the board.\n\n"
        "“The first phase is done and paid for.\n\n"
        "“The second phase starts in June,” Brandt said."
    )
    quote = only(text)
    assert quote.text == "The first phase is done and paid for.\n\nThe second phase starts in June"
    assert quote.speaker == "Tomas Brandt"
    assert text[quote.start : quote.end].startswith("The first phase")
    assert text[quote.start : quote.end].endswith("starts in June")


def test_paragraph_that_is_only_a_quote_continues_the_previous_speaker() -> None:
    text = '"We will finish on time," Tomas Brandt said.\n\n"Nobody should doubt that."'
    assert speakers(text) == [("Tomas Brandt", "direct"), ("Tomas Brandt", "direct")]


def test_quote_sentence_after_an_attributed_one_continues_its_speaker() -> None:
    text = "“The queue is long,” Anna Berg said. “It will get shorter.”"
    assert speakers(text) == [("Anna Berg", "direct"), ("Anna Berg", "direct")]


def test_unattributed_quote_far_from_the_last_speaker_gets_none() -> None:
    text = '"We will finish," Brandt said.\n\nThe weather turned.\n\nThe ferry left.\n\n"Nobody saw it coming."'
    assert speakers(text)[-1] == (None, "direct")


def test_he_said_goes_to_the_last_quoted_speaker_not_a_later_mention() -> None:
    text = (
        "“Work starts now,” said Tomas Brandt, who advises Anna Berg on harbour matters.\n\n"
        "“It will take a year,” he said."
    )
    assert speakers(text) == [("Tomas Brandt", "direct"), ("Tomas Brandt", "direct")]


def test_he_said_goes_to_the_subject_of_the_previous_sentence() -> None:
    text = "Tomas Brandt toured the site after Anna Berg had left. “The cranes are too slow,” he said."
    assert only(text).speaker == "Tomas Brandt"


def test_she_said_after_a_speech_verb_in_the_previous_sentence() -> None:
    text = "During the visit, Tomas Brandt thanked the crew, port spokeswoman Anna Berg said. “He was moved,” she said."
    assert [q.speaker for q in quotes_of(text) if q.kind == QuoteKind.DIRECT] == ["Anna Berg"]


def test_it_said_goes_to_the_last_organisation() -> None:
    text = "The Norvik Port Authority published its figures on Friday. “Traffic doubled,” it said."
    quote = only(text)
    assert (quote.speaker, quote.speaker_type) == ("Norvik Port Authority", SpeakerType.ORG)


@pytest.mark.parametrize(
    ("attribution", "speaker", "speaker_type"),
    [
        ("the ministry said", "the ministry", SpeakerType.ORG),
        ("the statement said", "the statement", SpeakerType.ORG),
        ("the G7 foreign ministers said", "G7", SpeakerType.ORG),  # a group of a named body: the body
        ("a senior port official said", None, SpeakerType.PERSON),  # nobody named
        ("the Norvik Port Authority said", "Norvik Port Authority", SpeakerType.ORG),
    ],
)
def test_group_and_body_speakers(attribution: str, speaker: str | None, speaker_type: SpeakerType) -> None:
    quote = only(f"“Fishing quotas must fall,” {attribution} on Monday.")
    assert (quote.speaker, quote.speaker_type) == (speaker, speaker_type)


def test_group_of_unnamed_officials_is_unnamed() -> None:
    quote = only("“Quotas must fall,” the fishing ministers of Norway, Iceland and Denmark said in a statement.")
    assert quote.speaker is None
    assert quote.speaker_type == SpeakerType.GROUP


def test_partial_quote_inside_the_narrators_sentence() -> None:
    text = 'Elena Varga called the toll "a tax on workers" on Tuesday.'
    quote = only(text)
    assert (quote.text, quote.speaker, quote.kind, quote.verb) == (
        "a tax on workers",
        "Elena Varga",
        QuoteKind.PARTIAL,
        "called",
    )


def test_partial_quote_by_a_group() -> None:
    quote = only('Critics described the toll as "a tax on workers".')
    assert (quote.speaker, quote.speaker_type, quote.kind) == (None, SpeakerType.GROUP, QuoteKind.PARTIAL)


def test_fragments_of_one_sentence_share_its_attribution() -> None:
    text = (
        'If the council delays any "further repairs" or orders a "long and costly review, '
        'the bridge will close," Berg said.'
    )
    assert [(q.text, q.speaker) for q in quotes_of(text)] == [
        ("further repairs", "Berg"),
        ("long and costly review, the bridge will close", "Berg"),
    ]


def test_second_fragment_takes_the_first_ones_speaker() -> None:
    text = 'Anna Berg described the plan as "bold" and the timing as "overdue".'
    assert speakers(text) == [("Anna Berg", "partial"), ("Anna Berg", "partial")]


def test_scare_quotes_without_a_speaker_stay_unattributed() -> None:
    quote = only('The so-called "blue line" runs along the quay.')
    assert (quote.speaker, quote.speaker_type, quote.kind) == (None, SpeakerType.UNKNOWN, QuoteKind.PARTIAL)


# --- reported speech without marks ---------------------------------------------------------------


def test_indirect_quote_with_trailing_said_name() -> None:
    text = "Tomas Brandt arrived late. The bridge will cut travel times by half, said Brandt."
    quote = quotes_of(text)[0]
    assert (quote.text, quote.speaker, quote.kind, quote.verb) == (
        "The bridge will cut travel times by half",
        "Tomas Brandt",
        QuoteKind.INDIRECT,
        "said",
    )


def test_indirect_quote_with_trailing_group_said() -> None:
    quote = quotes_of("Traffic over the bridge will rise next year, the ministry said in a statement.")[0]
    assert (quote.text, quote.speaker, quote.speaker_type, quote.kind) == (
        "Traffic over the bridge will rise next year",
        "the ministry",
        SpeakerType.ORG,
        QuoteKind.INDIRECT,
    )


def test_indirect_quote_with_leading_subject() -> None:
    quote = quotes_of("Anna Berg said on Monday that the ferry would stop running in winter.")[0]
    assert (quote.text, quote.speaker, quote.kind) == (
        "the ferry would stop running in winter",
        "Anna Berg",
        QuoteKind.INDIRECT,
    )


def test_subject_is_not_taken_from_an_aside() -> None:
    quote = quotes_of("Anna Berg, who met Tomas Brandt in Norvik, said the toll would stay.")[0]
    assert (quote.text, quote.speaker) == ("the toll would stay", "Anna Berg")


def test_narration_without_speech_gives_no_quotes() -> None:
    assert quotes_of("The bridge opened on Monday. Tomas Brandt cut the ribbon in Norvik.") == []


# --- robustness ------------------------------------------------------------------------------------


def test_unbalanced_quote_runs_to_the_end_of_its_paragraph() -> None:
    text = '"The bridge is open, Varga said.\n\nThe road is closed.'
    found = find_quoted_spans(text)
    assert [(text[q.start : q.end], q.close_mark) for q in found] == [("The bridge is open, Varga said.", None)]
    quotes_of(text)  # no crash


@pytest.mark.parametrize(
    "text",
    [
        "",
        '"',
        '""',
        "“”",
        '" "',
        '„Das ist gut“ – \u200b 😀 " «»',
        "He said: “",
        "”Backwards“ marks and 'single' ones, said nobody.",
        '"a" "b" "c" "d',
        "\n\n\n“\n\n”\n\n",
    ],
)
def test_odd_input_does_not_crash(text: str) -> None:
    for quote in quotes_of(text):
        assert 0 <= quote.start <= quote.end <= len(text)


def test_random_input_never_crashes_and_offsets_hold() -> None:
    rng = random.Random(7)
    alphabet = ['"', "“", "”", "„", "«", "»", " ", " ", "\n", "\n\n", ".", ",", "said", "he", "Varga", "x", "é", "—"]
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        for quote in quotes_of(text):
            assert 0 <= quote.start <= quote.end <= len(text)
            if "\n\n" not in quote.text:
                assert text[quote.start : quote.end] == quote.text


def test_sentences_from_the_pipeline_are_repaired() -> None:
    # A rule-based sentencizer leaves an opening mark at the end of the previous sentence.
    text = "“It is done,” he said. “Now we wait.”\n\nNew paragraph"
    broken = [(0, 24), (24, len(text))]
    assert [text[s:e] for s, e in fix_sentence_spans(text, broken)] == [
        "“It is done,” he said.",
        "“Now we wait.”",
        "New paragraph",
    ]


def test_fallback_sentence_split() -> None:
    text = "Mr. Brandt met the U.S. envoy. “We agree,” he said. Then he left.\n\nNext"
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Mr. Brandt met the U.S. envoy.",
        "“We agree,” he said.",
        "Then he left.",
        "Next",
    ]
