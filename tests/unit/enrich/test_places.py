"""The gazetteer corrects a place the model called a person or an organisation, and only then."""

from __future__ import annotations

from enrich_service.domain.entities import Mention, extract_entities
from schemas.articles import EntityType


def _types(text: str, *mentions: tuple[str, str]) -> dict[str, EntityType]:
    found = []
    for surface, label in mentions:
        start = text.index(surface)
        found.append(Mention(surface, label, start, start + len(surface)))
    return {e.name: e.type for e in extract_entities(text, found)}


def test_a_large_city_labelled_person_is_a_place() -> None:
    assert _types("Delegates met in Nairobi on Monday.", ("Nairobi", "PERSON")) == {"Nairobi": EntityType.GPE}


def test_a_country_labelled_organisation_is_a_place() -> None:
    assert _types("Georgia sent a delegation.", ("Georgia", "ORG")) == {"Georgia": EntityType.GPE}


def test_a_person_named_like_a_place_stays_a_person_when_the_text_says_so() -> None:
    assert _types("Ms. Jordan said the plan was sound.", ("Jordan", "PERSON")) == {"Jordan": EntityType.PERSON}


def test_unknown_names_keep_the_model_s_label() -> None:
    assert _types("Harbourvale Trust said so.", ("Harbourvale Trust", "ORG")) == {"Harbourvale Trust": EntityType.ORG}
