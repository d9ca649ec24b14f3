"""Speakers that generalise: descriptions, pronouns and bare quotes resolved to the named person or body
(invented snippets, hand-made NER)."""

from __future__ import annotations

import pytest

from enrich_service.domain.quotes import extract_quotes
from enrich_service.domain.quotes.lexicon import inflections, verb_forms
from schemas.articles import Quote, QuoteKind, SpeakerType

from .helpers import index_for

NAMES = [
    ("Ann Roe", "PERSON"),
    ("Roe", "PERSON"),
    ("Maria Lopez", "PERSON"),
    ("Lopez", "PERSON"),
    ("Peter Okoro", "PERSON"),
    ("Okoro", "PERSON"),
    ("Dara Venn", "PERSON"),
    ("Venn", "PERSON"),
    ("Lucas de Brito", "PERSON"),
    ("Harbour Union", "ORG"),
    ("Calder Rail", "ORG"),
    ("Norland Labour Party", "ORG"),
    ("Norland", "GPE"),
]


def quotes_of(text: str) -> list[Quote]:
    return extract_quotes(text, None, index_for(text, NAMES))


def speakers(text: str) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in quotes_of(text) if q.kind != QuoteKind.INDIRECT]


# --- reporting verbs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "forms"),
    [
        ("insist", ("insists", "insisted")),
        ("testify", ("testifies", "testified")),
        ("concede", ("concedes", "conceded")),
        ("stress", ("stresses", "stressed")),
        ("play", ("plays", "played")),
    ],
)
def test_regular_inflections(base: str, forms: tuple[str, str]) -> None:
    assert inflections(base) == forms


def test_verbs_beyond_said_are_generated_from_base_forms() -> None:
    speech = verb_forms("speech")
    assert {"testified", "conceded", "recalled", "tweeted", "admitted", "insists", "shouted"} <= speech
    assert "report" not in speech  # a bare base form is a noun too often


@pytest.mark.parametrize(
    "text",
    [
        "“We will not move,” Ann Roe testified.",
        "“We will not move,” conceded Ann Roe.",
        "“We will not move,” Ann Roe recalled on Monday.",
        "Ann Roe went on: “We will not move.”",
        "Judge Ann Roe directed: “We will not move.”",
    ],
)
def test_speech_verbs_next_to_a_quote(text: str) -> None:
    assert speakers(text) == [("We will not move", "Ann Roe")] or speakers(text) == [("We will not move.", "Ann Roe")]


def test_a_verb_that_only_introduces_words_next_to_a_quote_is_no_reported_speech() -> None:
    assert quotes_of("Ann Roe directed the new film about the harbour strike last year.") == []


# --- descriptions ---------------------------------------------------------------------------------------


def test_the_role_refers_to_the_person_introduced_with_it() -> None:
    text = (
        "Energy Minister Ann Roe met Peter Okoro on Friday. Okoro left early.\n\n"
        "“The timelines are far too long,” the minister said."
    )
    assert speakers(text) == [("The timelines are far too long", "Ann Roe")]


def test_the_role_in_an_appositive() -> None:
    text = (
        "Ann Roe, the minister who runs the ports, met Peter Okoro.\n\n"
        "“Nobody gets left behind,” the minister told reporters."
    )
    assert speakers(text) == [("Nobody gets left behind", "Ann Roe")]


def test_a_nationality_in_the_description_must_match() -> None:
    text = "Norwegian Foreign Minister Ann Roe spoke first.\n\n“We are ready,” the Danish minister said."
    assert speakers(text) == [("We are ready", None)]


@pytest.mark.parametrize(
    "attribution", ["the 72-year-old told reporters", "said the veteran captain", "the Calder captain said"]
)
def test_an_age_or_role_refers_to_the_person_just_named(attribution: str) -> None:
    text = f"Peter Okoro agrees as well.\n\n“I had no idea what was happening,” {attribution}."
    assert speakers(text) == [("I had no idea what was happening", "Peter Okoro")]


@pytest.mark.parametrize(
    "attribution", ["a resident said", "said another neighbour", "one witness said", "said another", "the man said"]
)
def test_a_description_naming_nobody_is_an_unnamed_person(attribution: str) -> None:
    text = f"Ann Roe lives nearby.\n\n“The roof was torn off,” {attribution}."
    quote = quotes_of(text)[0]
    assert (quote.speaker, quote.speaker_type) == (None, SpeakerType.PERSON)


def test_the_statement_speaks_for_its_issuer() -> None:
    text = (
        "Services were cut, a statement from Calder Rail said on Sunday.\n\n"
        "“We are hiring drivers across the country,” the statement said."
    )
    assert speakers(text) == [("We are hiring drivers across the country", "Calder Rail")]


def test_a_spokesperson_of_a_named_body_speaks_for_it() -> None:
    quote = quotes_of("“Talks will resume,” a Harbour Union spokeswoman said.")[0]
    assert (quote.speaker, quote.speaker_type) == ("Harbour Union", SpeakerType.ORG)


def test_party_officials_are_the_named_party() -> None:
    text = "The Norland Labour Party met on Friday.\n\n“We will vote against it,” party officials said."
    assert speakers(text) == [("We will vote against it", "Norland Labour Party")]


# --- pronouns -------------------------------------------------------------------------------------------


def test_she_skips_a_man_by_first_name() -> None:
    text = "Maria Lopez runs the shop. Peter Okoro sold it to her in May.\n\n“It was a mistake,” she said."
    assert speakers(text) == [("It was a mistake", "Maria Lopez")]


def test_a_first_name_is_a_weak_cue_next_to_nobody_named() -> None:
    # Only one named person: "he" is that person even if the first name is mostly a woman's.
    text = "Prices will fall, a senior official said.\n\nMaria Lopez spoke next.\n\n“We will act,” he said."
    assert speakers(text) == [("We will act", "Maria Lopez")]


def test_a_pronoun_looks_past_the_sentences_of_a_long_quote() -> None:
    text = (
        "The plan failed, Ann Roe said on Thursday.\n\n"
        "“What is the state of the port? It is empty. The cranes are idle. The ships are gone. "
        "The workers are at home. Nothing moves,” she said."
    )
    assert speakers(text)[0][1] == "Ann Roe"


def test_a_pronoun_head_after_an_aside_is_the_subject() -> None:
    text = "Ann Roe chairs the board.\n\nSpeaking to Peter Okoro, she also described the “total resolve” of staff."
    assert speakers(text) == [("total resolve", "Ann Roe")]


def test_a_lower_case_surname_particle_starts_a_name() -> None:
    text = "Lucas de Brito spoke first.\n\n“The ministry must act,” de Brito said."
    assert speakers(text) == [("The ministry must act", "Lucas de Brito")]


# --- quotes without attribution -------------------------------------------------------------------------


def test_a_bare_quote_after_reported_speech_is_by_its_speaker() -> None:
    text = "Ann Roe said the plan was dead.\n\n“We must not crowd this court.”"
    assert speakers(text) == [("We must not crowd this court.", "Ann Roe")]


def test_a_bare_quote_after_the_person_is_introduced() -> None:
    text = (
        "“You feel nothing at all,” said Okoro.\n\n"
        "Okoro and his family came to Norland in May.\n\n"
        "“This was the worst error I have made.”\n\n"
        "Calder Rail has cut the service twice.\n\n"
        "“Every time the door opens my pulse jumps.”"
    )
    assert [s for _, s in speakers(text)] == ["Okoro", "Okoro", "Okoro"]


def test_a_bare_quote_skips_page_chrome_between_paragraphs() -> None:
    text = "“Roads will be icy,” warned Calder Rail.\n\nVideo news\n\n“Snow may settle on high ground.”"
    assert speakers(text)[-1] == ("Snow may settle on high ground.", "Calder Rail")


def test_a_bare_quote_after_an_unnamed_speaker_stays_unnamed() -> None:
    text = "Ann Roe lives nearby.\n\n“The roof went,” a resident said.\n\n“It was like thunder.”"
    assert speakers(text)[-1] == ("It was like thunder.", None)


def test_a_quote_in_a_sentence_closed_by_its_attribution() -> None:
    text = "The water situation is “very dire” and thieves must face penalties, said Ann Roe."
    assert speakers(text) == [("very dire", "Ann Roe")]


def test_a_speaker_phrase_carries_no_time_words_and_no_possessive() -> None:
    from enrich_service.domain.quotes.speakers import clean_phrase

    assert clean_phrase("Tarrow's government on Friday") == "Tarrow government"
    assert clean_phrase("the union earlier this week,") == "the union"
    assert clean_phrase("the company's chief executive") == "the company's chief executive"
    assert clean_phrase("Roe's office") == "Roe's office"
