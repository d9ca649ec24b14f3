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
