"""Mentions the model ran past the name (inner possessives, run-on lower-case words) and lone first
names tagged as organisations: invented sentences and names, hand-made mentions."""

from __future__ import annotations

from enrich_service.domain.entities import Mention, extract_entities
from enrich_service.domain.entities.spans import split_mentions
from schemas.articles import EntityType

from .helpers import at, types


def test_an_inner_possessive_splits_two_organisations() -> None:
    text = "She runs the office of the Varrow Port Board’s Coastal Survey Unit in Brennick."
    found = [at(text, "Varrow Port Board’s Coastal Survey Unit", "ORG")]
    assert types(text, found) == {"Varrow Port Board": EntityType.ORG, "Coastal Survey Unit": EntityType.ORG}


def test_an_owned_word_that_is_no_name_is_dropped() -> None:
    text = "Figures from the Tolland Health Department’s March report were released."
    assert types(text, [at(text, "Tolland Health Department’s March", "ORG")]) == {
        "Tolland Health Department": EntityType.ORG
    }


def test_a_possessive_inside_a_name_stays() -> None:
    text = "The Tolland Women’s Council met on Monday."
    (mention,) = split_mentions(text, [at(text, "Tolland Women’s Council", "ORG")])
    assert mention.text == "Tolland Women’s Council"


def test_a_run_on_organisation_ends_before_lower_case_words() -> None:
    text = "The Ministry of Ports a notice of closure was sent on Friday."
    found = [at(text, "Ministry of Ports a notice of closure", "ORG")]
    assert types(text, found) == {"Ministry of Ports": EntityType.ORG}
    text = "The Bank of Norland and Varrow Trust signed."
    (kept,) = split_mentions(text, [at(text, "Bank of Norland and Varrow Trust", "ORG")])
    assert kept.text == "Bank of Norland and Varrow Trust"


def test_a_first_name_tagged_org_is_the_person_of_that_first_name() -> None:
    text = "Prosecutors said Tomas Quarrell broke the law. Tomas denied it."
    found = [
        at(text, "Tomas Quarrell", "PERSON"),
        Mention("Tomas", "ORG", text.rindex("Tomas"), text.rindex("Tomas") + 5),
    ]
    assert types(text, found) == {"Tomas Quarrell": EntityType.PERSON}


def test_a_rare_lone_word_tagged_org_after_a_place_cue_is_a_place() -> None:
    text = "Schools in Dunmarrow closed, and roads in Co Tarrovan and Quillagh district were shut."
    found = [at(text, "Dunmarrow", "ORG"), at(text, "Tarrovan", "ORG"), at(text, "Quillagh", "ORG")]
    assert types(text, found) == {"Dunmarrow": EntityType.GPE, "Tarrovan": EntityType.GPE, "Quillagh": EntityType.GPE}
    text = "The bill passed in Parliament on Monday."
    assert types(text, [at(text, "Parliament", "ORG")]) == {"Parliament": EntityType.ORG}


def test_a_club_named_after_a_place_is_an_organisation_in_a_sports_story() -> None:
    match_report = (
        "Dunmara City beat Tarrow Rovers 2-1 in the league on Saturday. The coach praised the striker who "
        "scored both goals, and the manager said the season was far from over."
    )
    found = [at(match_report, "Dunmara City", "GPE"), at(match_report, "Tarrow Rovers", "GPE")]
    assert types(match_report, found) == {"Dunmara City": EntityType.ORG, "Tarrow Rovers": EntityType.ORG}
    news = "Dunmara City council approved the budget for roads and schools."
    assert types(news, [at(news, "Dunmara City", "GPE")]) == {"Dunmara City": EntityType.GPE}


def test_a_large_city_tagged_loc_is_a_gpe() -> None:
    text = "Crowds gathered in Cardiff and walked to the Brecon hills."
    assert types(text, [at(text, "Cardiff", "LOC")]) == {"Cardiff": EntityType.GPE}


def test_place_labels_vote_together_against_another_label() -> None:
    text = "Dunmarrow flooded. Roads near Dunmarrow closed. The Dunmarrow office shut."
    found = [
        Mention("Dunmarrow", label, start, start + 9)
        for label, start in zip(
            ("GPE", "LOC", "ORG"), [i for i in range(len(text)) if text.startswith("Dunmarrow", i)], strict=True
        )
    ]
    assert types(text, found) == {"Dunmarrow": EntityType.GPE}


def test_an_organisation_the_model_missed_is_found_by_its_shape() -> None:
    text = "Drivers were warned by the Coastal Roads Safety Authority on Monday."
    assert types(text, []) == {"Coastal Roads Safety Authority": EntityType.ORG}


def test_a_shaped_organisation_replaces_the_parts_the_model_found() -> None:
    text = "The Tarrow County Roads Department said the bridge was shut."
    found = [at(text, "Tarrow County", "GPE"), at(text, "Roads Department", "ORG")]
    assert types(text, found) == {"Tarrow County Roads Department": EntityType.ORG}


def test_a_shaped_organisation_starts_after_a_person_of_it_or_a_possessive() -> None:
    text = "Ana Quell of the Tarrow Harbour Board spoke. Roe’s Coastal Reform Party objected."
    assert set(types(text, [at(text, "Ana Quell", "PERSON")])) == {
        "Ana Quell",
        "Tarrow Harbour Board",
        "Coastal Reform Party",
    }
    text = "The Bank of Norland raised rates."
    assert types(text, []) == {"Bank of Norland": EntityType.ORG}


def test_a_gendered_honorific_tells_two_people_of_one_family_apart() -> None:
    text = "Margaret Quellan and her husband Peter Quellan were at home. Mrs Quellan said the house shook."
    start = text.index("Quellan said")
    found = [
        at(text, "Margaret Quellan", "PERSON"),
        at(text, "Peter Quellan", "PERSON"),
        Mention("Quellan", "PERSON", start, start + 7),
    ]
    entities = {e.name: e.mentions for e in extract_entities(text, found)}
    assert entities == {"Margaret Quellan": 2, "Peter Quellan": 1}


def test_nationality_forms_of_one_body_are_one_entity() -> None:
    text = "Norway's Fisheries Ministry objected. The Norwegian Fisheries Ministry said it would appeal."
    found = [
        at(text, "Norway", "GPE"),
        at(text, "Fisheries Ministry", "ORG"),
        at(text, "Norwegian Fisheries Ministry", "ORG"),
    ]
    assert types(text, found) == {"Norway": EntityType.GPE, "Norwegian Fisheries Ministry": EntityType.ORG}
