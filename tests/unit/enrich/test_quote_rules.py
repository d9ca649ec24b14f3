"""The general quote and speaker rules, each on its own fictional snippet (no model: hand-made NER)."""

from __future__ import annotations

import pytest

from enrich_service.domain.quotes import extract_quotes, primary_marks_as_double
from schemas.articles import Quote, QuoteKind, SpeakerType

from .helpers import index_for

NAMES = [
    ("Marta Quill", "PERSON"),
    ("Quill", "PERSON"),
    ("Tom Brandt", "PERSON"),
    ("Brandt", "PERSON"),
    ("Hollis", "PERSON"),
    ("Brask", "PERSON"),
    ("Renata Oyelowo", "PERSON"),
    ("Rowena Blakesley", "PERSON"),
    ("Gideon Farrow", "PERSON"),
    ("Anselm Rudd", "PERSON"),
    ("Norland Fishermen's Union", "ORG"),
    ("Halberd Engines", "ORG"),
    ("Skyline Air", "ORG"),
    ("Bank of Kestrania", "ORG"),
    ("Westcombe Police", "ORG"),
    ("Tarrow Solar", "ORG"),
    ("Lumen Power", "ORG"),
    ("Norland", "GPE"),
    ("Oskaria", "GPE"),
    ("Boulder", "GPE"),
]


def quotes_of(text: str) -> list[Quote]:
    return extract_quotes(text, None, index_for(text, NAMES))


def found(text: str) -> list[tuple[str, str | None, str]]:
    return [(q.text, q.speaker, q.kind.value) for q in quotes_of(text)]


# --- single quotation marks as the primary marks (UK style) ----------------------------------------


def test_single_marks_are_quotes_when_the_text_uses_them_as_primary() -> None:
    text = (
        "‘We will not give up,’ said Marta Quill. ‘The board’s backing is clear.’ "
        "Quill said the company’s shares had risen by a third."
    )
    quotes = quotes_of(text)
    assert [(q.text, q.speaker, q.kind) for q in quotes] == [
        ("We will not give up", "Marta Quill", QuoteKind.DIRECT),
        ("The board’s backing is clear.", "Marta Quill", QuoteKind.DIRECT),
        ("the company’s shares had risen by a third", "Marta Quill", QuoteKind.INDIRECT),
    ]
    assert all(text[q.start : q.end] == q.text for q in quotes)


def test_single_marks_keep_apostrophes_and_plural_possessives_inside() -> None:
    text = "'The workers' union backs it,' said Tom Brandt. 'We don't.'"
    assert [q.text for q in quotes_of(text)] == ["The workers' union backs it", "We don't."]


def test_single_mark_quote_running_over_paragraphs() -> None:
    text = "‘The first part goes on\n\n‘and the second closes it,’ said Tom Brandt."
    quote = quotes_of(text)[0]
    assert (quote.text, quote.speaker) == ("The first part goes on\n\nand the second closes it", "Tom Brandt")


def test_double_marks_stay_primary_with_nested_single_marks() -> None:
    text = "“They called it ‘a tax’,” said Tom Brandt. “It’s fine,” Quill said."
    assert primary_marks_as_double(text) is text
    assert [q.speaker for q in quotes_of(text)] == ["Tom Brandt", "Quill"]


def test_single_marks_swap_keeps_offsets() -> None:
    text = "‘It is “fine”,’ she said."
    swapped = primary_marks_as_double(text)
    assert len(swapped) == len(text)
    assert swapped == "“It is ‘fine’,” she said."


# --- pronouns and gender ------------------------------------------------------------------------------


def test_he_and_she_follow_the_honorifics() -> None:
    text = 'Mr. Hollis arrived late. Ms. Brask was already there. "It is late," she said. "Too late," he added.'
    assert [q.speaker for q in quotes_of(text)] == ["Brask", "Hollis"]


def test_gender_from_a_gendered_role_noun() -> None:
    text = 'Spokeswoman Renata Oyelowo spoke after Tom Brandt left. "We are ready," she said.'
    assert quotes_of(text)[0].speaker == "Renata Oyelowo"


# --- who the speaker is -------------------------------------------------------------------------------


def test_entities_speaking_together_are_one_group_as_written() -> None:
    text = "Norland and Oskaria have said they will send more ships to the strait before summer."
    quote = quotes_of(text)[0]
    assert (quote.speaker, quote.speaker_type) == ("Norland and Oskaria", SpeakerType.GROUP)


def test_body_noun_links_to_the_named_organisation() -> None:
    text = 'The Norland Fishermen\'s Union met on Tuesday. The union said the quota was "a disgrace".'
    quote = quotes_of(text)[0]
    assert (quote.speaker, quote.speaker_type) == ("Norland Fishermen's Union", SpeakerType.ORG)


def test_the_company_refers_to_the_last_named_organisation() -> None:
    text = (
        "The engine's maker, Halberd Engines, sent a team to the airport. "
        "The company added that it would share its findings with regulators."
    )
    quote = quotes_of(text)[0]
    assert (quote.text, quote.speaker) == ("it would share its findings with regulators", "Halberd Engines")


def test_a_qualified_description_is_kept_as_written() -> None:
    text = "Skyline Air cancelled flights. Firefighters put out the fire within minutes, the airport's operator said."
    assert quotes_of(text)[0].speaker == "the airport's operator"


def test_appositive_name_after_a_role() -> None:
    text = "“Safety comes first,” Skyline Air’s chief executive, Renata Oyelowo, said in Lisbon."
    assert quotes_of(text)[0].speaker == "Renata Oyelowo"


@pytest.mark.parametrize(
    ("text", "speaker", "speaker_type"),
    [
        ("“We wrote it up twice,” the pilot said.", None, SpeakerType.PERSON),
        ("“Nobody told us,” two passengers said.", None, SpeakerType.GROUP),
        ("The talks were private. That person said the dispute was about tax in Norland.", None, SpeakerType.PERSON),
    ],
)
def test_descriptions_as_speakers(text: str, speaker: str | None, speaker_type: SpeakerType | None) -> None:
    """A description naming nobody (corpus CONVENTIONS: the article does not say who) is an unnamed
    speaker of its kind."""
    quote = quotes_of(text)[-1]
    assert quote.speaker == speaker
    if speaker_type is not None:
        assert quote.speaker_type == speaker_type


def test_described_subjects_of_reported_speech() -> None:
    assert found("A senior EU official said Monday they hope to finish the package next week.") == [
        ("they hope to finish the package next week", None, "indirect")
    ]
    assert found("Fishing crews along the coast say they will resist a cut in the quota.")[0][1] is None
    assert found("On the island, shops said they had enough fresh food for a week.")[0][1] is None
    assert found("The defence minister charged earlier this week that the build-up was a response.")[0][1] is None


def test_a_person_of_an_organisation_is_the_person() -> None:
    text = "Detective Inspector Rowena Blakesley of the Westcombe Police said the book had been handed in."
    assert quotes_of(text)[0].speaker == "Rowena Blakesley"


def test_appositives_and_relative_clauses_are_not_the_subject() -> None:
    text = "Gideon Farrow, a retired engineer from Boulder, said he had lost his savings in the collapse."
    assert quotes_of(text)[0].speaker == "Gideon Farrow"
    text = "Its assets were sold to Tarrow Solar, which said in a statement that it had no link to the case."
    assert found(text) == [("it had no link to the case", "Tarrow Solar", "indirect")]


def test_words_between_the_verb_and_that() -> None:
    text = "Tom Brandt warned both sides that he would not tolerate further delays."
    assert found(text) == [("he would not tolerate further delays", "Tom Brandt", "indirect")]
    text = "Lumen Power said in a filing with regulators that revenue rose 6 per cent."
    assert found(text) == [("revenue rose 6 per cent", "Lumen Power", "indirect")]


def test_an_announced_object_is_not_reported_speech() -> None:
    assert quotes_of("The Bank of Kestrania announced the cut on Wednesday.") == []
    assert found("The Bank of Kestrania announced it would cut rates again.") == [
        ("it would cut rates again", "Bank of Kestrania", "indirect")
    ]


# --- according to, saying ----------------------------------------------------------------------------


def test_according_to_before_a_partial_quote() -> None:
    text = 'According to Opposition leader Tom Brandt, the budget "will not survive the winter".'
    quote = quotes_of(text)[0]
    assert (quote.speaker, quote.kind) == ("Tom Brandt", QuoteKind.PARTIAL)


def test_according_to_as_reported_speech() -> None:
    assert found("According to Tom Brandt, the budget will not survive the coming winter.") == [
        ("the budget will not survive the coming winter", "Tom Brandt", "indirect")
    ]
    assert found("The budget will not survive the winter, according to senior officials.") == [
        ("The budget will not survive the winter", None, "indirect")
    ]
    # A report or figures source facts; they say nothing.
    assert quotes_of("The budget will not last the winter, according to the latest figures.") == []


def test_saying_credits_the_sentence_subject() -> None:
    text = "Kremlin officials have warned Norland against using force, saying that Oskaria may step in."
    assert found(text) == [("Oskaria may step in", None, "indirect")]  # unnamed officials
    text = "Tom Brandt was quoted as saying that the ferry would keep running until March."
    assert found(text) == [("the ferry would keep running until March", "Tom Brandt", "indirect")]


# --- reported speech around quotes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '"The forecasts are cautious," Tom Brandt said, adding that the full report would be published soon.',
        'Tom Brandt called the plan "a costly gamble" and said the full report would be published soon.',
        'Tom Brandt said the layout was "an improvement" but that the full report would be published soon.',
    ],
)
def test_reported_speech_after_a_quote_in_the_same_sentence(text: str) -> None:
    indirect = [q for q in quotes_of(text) if q.kind == QuoteKind.INDIRECT]
    assert [(q.text, q.speaker) for q in indirect] == [("the full report would be published soon", "Tom Brandt")]


def test_reported_speech_before_a_later_quote() -> None:
    text = 'Tom Brandt told reporters the port was open to all ships, but made it "clear" that fees would rise.'
    indirect = [q for q in quotes_of(text) if q.kind == QuoteKind.INDIRECT]
    assert [(q.text, q.speaker) for q in indirect] == [("the port was open to all ships", "Tom Brandt")]


def test_trailing_attribution_with_a_participle_and_short_content() -> None:
    text = "Skyline Air has won approval for a new route, the Westcombe Police said on Tuesday, ending a dispute."
    assert found(text) == [("Skyline Air has won approval for a new route", "Westcombe Police", "indirect")]
    assert found("Tom Brandt spoke first. None had died, he said.")[-1] == ("None had died", "Tom Brandt", "indirect")
    text = "The ministers want to discuss the escalation on Wednesday, several diplomatic sources confirmed to Reuters."
    assert found(text)[0][1] is None


def test_relative_clause_verb_belongs_to_its_own_subject() -> None:
    text = (
        'The Bank of Kestrania, whose governor Anselm Rudd warned last month of "a bumpy year" for public '
        'finances, said in a statement that the budget was "consistent with the rules".'
    )
    assert [(q.text, q.speaker) for q in quotes_of(text) if q.kind != QuoteKind.INDIRECT] == [
        ("a bumpy year", "Anselm Rudd"),
        ("consistent with the rules", "Bank of Kestrania"),
    ]


# --- subjects the NER missed, asides, attribution tails ------------------------------------------------


def test_a_name_the_model_missed_is_still_the_subject() -> None:
    text = "Chief Financial Officer Tomasz Wendel said the company now expected revenue to grow."
    assert found(text) == [("the company now expected revenue to grow", "Tomasz Wendel", "indirect")]
    text = "Tom Brandt spoke first. Brandt also said his client had relied on figures from others."
    assert found(text)[-1] == ("his client had relied on figures from others", "Tom Brandt", "indirect")


def test_several_asides_before_the_verb() -> None:
    text = "Passenger Gideon Farrow, 38, who was travelling to Boulder, said he had seen flames on the wing."
    assert found(text) == [("he had seen flames on the wing", "Gideon Farrow", "indirect")]


def test_a_that_clause_is_not_part_of_an_attribution_tail() -> None:
    text = (
        "The competition's organisers, the Harrowden Cup Board, said on Sunday that they would review "
        "the incident, as they do with all disputed decisions."
    )
    quotes = quotes_of(text)
    assert len(quotes) == 1
    assert quotes[0].text.startswith("they would review the incident")


def test_a_clause_after_said_is_not_a_speaker() -> None:
    text = "Tom Brandt, who chairs the union, said the figures were not in dispute but the remedy was unfair."
    assert found(text) == [("the figures were not in dispute but the remedy was unfair", "Tom Brandt", "indirect")]


def test_a_thing_is_not_a_speaker() -> None:
    text = "The ferry company agreed to move the turbines further out, a change announced last month."
    assert quotes_of(text) == []


def test_the_clause_right_before_the_verb_has_its_own_subject() -> None:
    text = "Tom Brandt, 61, faces prison, though prosecutors said they would seek a short sentence."
    assert found(text) == [("they would seek a short sentence", None, "indirect")]


def test_a_kind_noun_before_an_organisation_name() -> None:
    text = "Ferry operator Skyline Air said it was 'disappointed' and would review its timetable."
    quote = next(q for q in quotes_of(text) if q.kind == QuoteKind.PARTIAL)
    assert (quote.speaker, quote.speaker_type) == ("Skyline Air", SpeakerType.ORG)


def test_a_spokeswoman_of_a_named_body_speaks_for_it() -> None:
    text = "A Lumen Power spokeswoman said: “We will restore the supply by Friday.”"
    quote = quotes_of(text)[0]
    assert (quote.speaker, quote.speaker_type) == ("Lumen Power", SpeakerType.ORG)


def test_single_scare_quotes_inside_double_quotes_do_not_flip_the_style() -> None:
    text = "“They said ‘no’ and ‘never’ and ‘not now’,” said Tom Brandt. It was ‘fine’."
    assert primary_marks_as_double(text) is text
    assert quotes_of(text)[0].speaker == "Tom Brandt"


def test_an_opening_participle_is_not_the_subject() -> None:
    text = "Asked about the delay, the minister said the report would be published soon."
    assert found(text) == [("the report would be published soon", None, "indirect")]  # no minister named


def test_a_kind_noun_in_a_subordinate_clause_is_the_organisation() -> None:
    text = "Shares of Skyline Air fell 4 per cent after the airline said bookings would slow this year."
    assert found(text) == [("bookings would slow this year", "Skyline Air", "indirect")]


def test_an_age_description_is_the_person_just_named() -> None:
    text = '"We stay," said Tom Brandt. "This is home."\n\nThe 24-year-old added that he had turned down offers.'
    assert found(text)[-1] == ("he had turned down offers", "Tom Brandt", "indirect")
