"""Entity rules that generalise: each failure class on invented sentences and names (hand-made mentions)."""

from __future__ import annotations

from enrich_service.domain.entities import extract_entities, strip_titles
from enrich_service.domain.entities.acronyms import initials
from enrich_service.domain.entities.datelines import dateline_mentions
from schemas.articles import EntityType

from .helpers import at, types

# --- titles -----------------------------------------------------------------------------------------


def test_multi_word_honorifics_and_ranks_are_not_part_of_the_name() -> None:
    text = "Tan Sri Halim Osrak met Datuk Seri Wira Lendo and Cllr Bea Quarrow. Hon Tevi Amarsa spoke."
    found = [
        at(text, "Tan Sri Halim Osrak", "PERSON"),
        at(text, "Datuk Seri Wira Lendo", "PERSON"),
        at(text, "Cllr Bea Quarrow", "PERSON"),
        at(text, "Hon Tevi Amarsa", "PERSON"),
    ]
    assert set(types(text, found)) == {"Halim Osrak", "Wira Lendo", "Bea Quarrow", "Tevi Amarsa"}
    assert strip_titles("Det Insp Joran Pell") == "Joran Pell"


def test_a_lone_honorific_is_no_entity() -> None:
    text = "The court heard from Tan Sri yesterday."
    assert types(text, [at(text, "Tan Sri", "PERSON")]) == {}


def test_a_place_and_a_title_before_a_name_go_when_the_model_said_org() -> None:
    text = "He appeared before Dunmoor Magistrate Ilse Varrow on Monday."
    assert types(text, [at(text, "Dunmoor Magistrate Ilse Varrow", "ORG")]) == {"Ilse Varrow": EntityType.PERSON}


def test_a_first_name_that_is_a_title_stays_before_a_lone_surname() -> None:
    text = "Dean Quillon scored twice."
    assert types(text, [at(text, "Dean Quillon", "PERSON")]) == {"Dean Quillon": EntityType.PERSON}


# --- acronyms ---------------------------------------------------------------------------------------


def test_an_acronym_defined_in_brackets_is_the_full_name() -> None:
    text = "The Clayfield Health Alliance (CHA) said so. Later CHA added more."
    found = [at(text, "The Clayfield Health Alliance (CHA", "ORG"), at(text, "CHA", "ORG", occurrence=1)]
    entities = extract_entities(text, found)
    assert [(e.name, e.type, e.mentions) for e in entities] == [("Clayfield Health Alliance", EntityType.ORG, 2)]


def test_an_acronym_whose_full_name_the_model_missed_takes_the_words_before_the_bracket() -> None:
    text = "She joins the Harbour Policy Committee (HPC) this week. HPC meets on Fridays."
    found = [at(text, "HPC", "ORG", occurrence=1)]
    assert types(text, found) == {"Harbour Policy Committee": EntityType.ORG}


def test_an_acronym_never_defined_joins_the_org_whose_initials_it_spells() -> None:
    text = "The Department of Fisheries said catches fell. A DOF official agreed."
    found = [at(text, "The Department of Fisheries", "ORG"), at(text, "DOF", "ORG")]
    assert types(text, found) == {"Department of Fisheries": EntityType.ORG}
    assert "EMGL" in initials("ExxoMobil Gorland Limited")


# --- datelines --------------------------------------------------------------------------------------


def test_datelines_are_places_in_normal_case_and_the_agency_an_org() -> None:
    text = "PORT VALDEN (WP) — Ferries stopped.\n\nBRISK, Ark. — More rain.\n\nWATCH: the video."
    found = dateline_mentions(text)
    assert [(m.text, m.label) for m in found] == [("PORT VALDEN", "GPE"), ("WP", "ORG"), ("BRISK", "GPE")]
    names = types(text, found)
    assert names["Port Valden"] == EntityType.GPE and names["Brisk"] == EntityType.GPE


# --- partial names ----------------------------------------------------------------------------------


def test_a_contiguous_part_of_a_long_name_is_that_person() -> None:
    text = "Ana Maria Lopez Quivar spoke. Later Ana Maria said more, and Lopez Quivar agreed."
    found = [
        at(text, "Ana Maria Lopez Quivar", "PERSON"),
        at(text, "Ana Maria", "PERSON", occurrence=1),
        at(text, "Lopez Quivar", "PERSON", occurrence=1),
    ]
    entities = extract_entities(text, found)
    assert [(e.name, e.mentions) for e in entities] == [("Ana Maria Lopez Quivar", 3)]


def test_two_person_mentions_one_space_apart_are_one_name() -> None:
    text = "They want to interview Teo Ban Kwee Lum next week."
    found = [at(text, "Teo Ban", "PERSON"), at(text, "Kwee Lum", "PERSON")]
    assert list(types(text, found)) == ["Teo Ban Kwee Lum"]


def test_family_members_sharing_a_surname_stay_apart() -> None:
    text = "Bo Wexley and Lina Wexley drove in. Lina said the roof was gone. Wexley said they would stay."
    found = [
        at(text, "Bo Wexley", "PERSON"),
        at(text, "Lina Wexley", "PERSON"),
        at(text, "Lina", "PERSON", occurrence=1),
        at(text, "Wexley", "PERSON", occurrence=2),
    ]
    entities = {e.name: e.mentions for e in extract_entities(text, found)}
    assert entities == {"Bo Wexley": 1, "Lina Wexley": 3}


def test_a_couple_named_once_share_the_surname() -> None:
    text = "Gwenda and Ivor Trulsby were at lunch."
    found = [at(text, "Gwenda", "PERSON"), at(text, "Ivor Trulsby", "PERSON")]
    assert set(types(text, found)) == {"Gwenda Trulsby", "Ivor Trulsby"}


def test_a_quoted_nickname_inside_a_name_is_left_out_and_stands_for_the_person() -> None:
    text = "Rudo “Rudi” Manzel spoke. Later Rudi waved."
    found = [at(text, "Rudo “Rudi” Manzel", "ORG"), at(text, "Rudi", "ORG", occurrence=1)]
    entities = extract_entities(text, found)
    assert [(e.name, e.type, e.mentions) for e in entities] == [("Rudo Manzel", EntityType.PERSON, 2)]


# --- types from context and data --------------------------------------------------------------------


def test_a_first_name_and_a_name_word_tagged_org_is_a_person() -> None:
    text = "Councillor votes went to Janice Orlowby on Tuesday."
    assert types(text, [at(text, "Janice Orlowby", "ORG")]) == {"Janice Orlowby": EntityType.PERSON}


def test_an_employer_after_former_is_not_a_person() -> None:
    text = "The former Brindlecote Sachs banker was charged."
    assert types(text, [at(text, "Brindlecote Sachs", "ORG")]) == {"Brindlecote Sachs": EntityType.ORG}


def test_a_lone_word_in_a_list_of_places_is_a_place() -> None:
    text = "Services in Galway, Tullagh, and Sligo were cancelled."
    found = [at(text, "Galway", "GPE"), at(text, "Tullagh", "PERSON"), at(text, "Sligo", "GPE")]
    assert types(text, found)["Tullagh"] == EntityType.GPE


def test_a_lone_word_in_a_list_of_people_is_a_person() -> None:
    text = "Awards went to Ama Kesse, Kofi Barnor, Dunsel and Yaw Fenn."
    found = [
        at(text, "Ama Kesse", "PERSON"),
        at(text, "Kofi Barnor", "PERSON"),
        at(text, "Dunsel", "GPE"),
        at(text, "Yaw Fenn", "PERSON"),
    ]
    assert types(text, found)["Dunsel"] == EntityType.PERSON


def test_a_small_town_the_gazetteer_knows_after_a_place_cue_is_a_place() -> None:
    text = "Volunteers came to Ironton on Sunday."
    assert types(text, [at(text, "Ironton", "ORG")]) == {"Ironton": EntityType.GPE}


def test_common_words_are_not_people_but_first_names_are() -> None:
    text = "Match report. Tons of debris fell. Gina said she was scared."
    found = [at(text, "Match", "PERSON"), at(text, "Tons", "PERSON"), at(text, "Gina", "PERSON")]
    assert types(text, found) == {"Gina": EntityType.PERSON}


def test_streets_and_hospitals_are_facilities_not_entities() -> None:
    text = "The crash on Quarrel Boulevard sent two to Fenwick General Hospital."
    found = [at(text, "Quarrel Boulevard", "PERSON"), at(text, "Fenwick General Hospital", "ORG")]
    assert set(types(text, found).values()) == {EntityType.FAC}
