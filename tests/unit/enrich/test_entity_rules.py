"""The general entity rules, each on its own fictional snippet (no model: hand-made NER mentions)."""

from __future__ import annotations

from enrich_service.domain.entities import extract_entities, resolve_entities
from schemas.articles import EntityType

from .helpers import at, types


def test_first_name_left_out_before_a_middle_initial_is_taken_back() -> None:
    text = "Defense Secretary Lloyd J. Halvorsen III met the press."
    assert types(text, [at(text, "J. Halvorsen III", "PERSON")]) == {"Lloyd J. Halvorsen III": EntityType.PERSON}
    text = "The report by Secretary J. Halvorsen was late."
    assert list(types(text, [at(text, "J. Halvorsen", "PERSON")])) == ["J. Halvorsen"]


def test_a_name_after_a_role_or_honorific_is_a_person_whatever_the_model_said() -> None:
    text = "Kelder coach Saskia Dromgo spoke first. Later, Ms. Ruvaldo and the chief executive, Ana Pellow, spoke."
    found = [
        at(text, "Saskia Dromgo", "ORG"),
        at(text, "Ruvaldo", "ORG"),
        at(text, "Ana Pellow", "ORG"),
    ]
    assert types(text, found) == {
        "Saskia Dromgo": EntityType.PERSON,
        "Ruvaldo": EntityType.PERSON,
        "Ana Pellow": EntityType.PERSON,
    }


def test_a_full_name_typed_org_joins_its_surname_typed_person() -> None:
    text = "Renata Oyelo-Braga spoke in Lisbon. Oyelo-Braga said the fleet would stay grounded."
    found = [at(text, "Renata Oyelo-Braga", "ORG"), at(text, "Oyelo-Braga", "PERSON", occurrence=1)]
    entities = extract_entities(text, found)
    assert [(e.name, e.type, e.mentions) for e in entities] == [("Renata Oyelo-Braga", EntityType.PERSON, 2)]


def test_an_organisation_word_is_never_the_end_of_a_persons_name() -> None:
    text = "Kelder Athletic beat Marrowby Town. Brindle Proxy Advisers backed the board. The Chronicle said so."
    found = [
        at(text, "Marrowby Town", "PERSON"),
        at(text, "Brindle Proxy Advisers", "PERSON"),
        at(text, "Chronicle", "PERSON"),
    ]
    assert types(text, found) == {
        "Kelder Athletic": EntityType.ORG,  # not found by the model: by its shape (entities/patterns.py)
        "Marrowby Town": EntityType.ORG,
        "Brindle Proxy Advisers": EntityType.ORG,
        "Chronicle": EntityType.ORG,
    }


def test_an_organisation_noun_introduces_an_organisation() -> None:
    text = "The regional airline Skyvo grounded its fleet."
    assert types(text, [at(text, "Skyvo", "PERSON")]) == {"Skyvo": EntityType.ORG}


def test_a_lone_word_after_in_is_a_place() -> None:
    text = "At a meeting in Brennock on Thursday, Mr. Hollin spoke."
    found = [at(text, "Brennock", "PERSON"), at(text, "Hollin", "PERSON")]
    assert types(text, found) == {"Brennock": EntityType.GPE, "Hollin": EntityType.PERSON}


def test_a_lone_head_noun_is_the_organisation_it_heads() -> None:
    text = "The Central Bank of Norvia raised rates. The Bank said inflation was too high. Norvia agreed."
    found = [
        at(text, "The Central Bank of Norvia", "ORG"),
        at(text, "Bank", "ORG", occurrence=1),
        at(text, "Norvia", "GPE", occurrence=1),
    ]
    entities = extract_entities(text, found)
    assert [(e.name, e.type, e.mentions) for e in entities] == [
        ("Central Bank of Norvia", EntityType.ORG, 2),
        ("Norvia", EntityType.GPE, 1),
    ]


def test_a_lone_first_word_tagged_person_is_the_organisation() -> None:
    text = "Kelder beat Marrowby Town 2-1. Marrowby pulled a goal back late."
    found = [at(text, "Marrowby Town", "ORG"), at(text, "Marrowby", "PERSON", occurrence=1)]
    index = resolve_entities(text, found)
    assert [(e.name, e.type, e.mentions) for e in index.entities] == [("Marrowby Town", EntityType.ORG, 2)]


def test_a_place_named_like_a_head_noun_is_not_merged() -> None:
    text = "The Union of Norvia met. Union is a small town in the north."
    found = [at(text, "The Union of Norvia", "ORG"), at(text, "Union", "GPE", occurrence=1)]
    assert types(text, found) == {"Union of Norvia": EntityType.ORG, "Union": EntityType.GPE}


def test_a_lone_word_governed_by_a_place_noun_is_a_place() -> None:
    text = "Ottilie Brasko, the mayor of Brennock, spoke on the Isle of Varrowby."
    found = [at(text, "Ottilie Brasko", "PERSON"), at(text, "Brennock", "PERSON"), at(text, "Varrowby", "PERSON")]
    assert types(text, found) == {
        "Ottilie Brasko": EntityType.PERSON,
        "Brennock": EntityType.GPE,
        "Varrowby": EntityType.GPE,
    }


def test_strip_titles_keeps_the_name() -> None:
    from enrich_service.domain.entities import strip_titles

    assert strip_titles("Chief Financial Officer Tomasz Wendel") == "Tomasz Wendel"
    assert strip_titles("Mr. Wendel") == "Wendel"
    assert strip_titles("Martin Luther King") == "Martin Luther King"


def test_a_named_storm_is_an_event() -> None:
    text = "Storm Edda flooded the town."
    assert types(text, [at(text, "Storm Edda", "ORG")]) == {"Storm Edda": EntityType.EVENT}


def test_a_lone_word_both_person_and_place_is_the_place() -> None:
    text = "Homes in Brennock flooded. The mayor of Brennock spoke. Brennock sits low. Brennock is old."
    found = [at(text, "Brennock", "PERSON", occurrence=k) for k in range(4)]
    assert types(text, found) == {"Brennock": EntityType.GPE}  # two place cues against two PERSON labels
    text = "Homes in Brennock flooded. Brennock said no. Brennock left. Brennock is old."
    found = [at(text, "Brennock", "PERSON", occurrence=k) for k in range(4)]
    assert types(text, found) == {"Brennock": EntityType.PERSON}  # one cue against three
