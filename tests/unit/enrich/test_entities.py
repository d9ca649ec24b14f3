"""Entities: one per real-world entity, canonical names, aliases, false positives — no model needed."""

from __future__ import annotations

import pytest

from enrich_service.domain.entities import (
    Mention,
    alias_table,
    canonical_entity,
    extract_entities,
    resolve_entities,
    trim_mention,
)
from schemas.articles import Entity, EntityType

from .helpers import index_for, mentions


def at(text: str, surface: str, label: str, length: int | None = None) -> Mention:
    start = text.index(surface)
    end = start + (length if length is not None else len(surface))
    return Mention(text[start:end], label, start, end)


def by_name(entities: list[Entity]) -> dict[str, Entity]:
    return {e.name: e for e in entities}


def test_short_forms_of_a_person_map_to_the_full_name() -> None:
    text = (
        "Harbour Minister Elena Varga opened the bridge. Varga thanked the builders. "
        "Mr. Varga's speech was short, and Ms. Varga left early."
    )
    found = [
        at(text, "Harbour Minister Elena Varga", "PERSON"),
        at(text, "Varga thanked", "PERSON", length=5),
        at(text, "Mr. Varga's", "PERSON"),
        at(text, "Ms. Varga", "PERSON"),
    ]
    entities = extract_entities(text, found)
    persons = [e for e in entities if e.type == EntityType.PERSON]
    assert [p.name for p in persons] == ["Elena Varga"]
    varga = persons[0]
    assert varga.mentions == 4
    assert varga.surface_forms == ["Elena Varga", "Varga"]
    # Spans point at the name proper in the clean text: no title, no possessive.
    assert [text[s.start : s.end] for s in varga.spans] == ["Elena Varga", "Varga", "Varga", "Varga"]


def test_titles_and_nationality_are_stripped_from_person_names() -> None:
    text = (
        "Norwegian Prime Minister Ola Hansen met Secretary of State Anna Berg, Dr. Tomas Brandt, "
        "EU Trade Commissioner Jan Novak and Martin Luther King Jr."
    )
    index = index_for(
        text,
        [
            ("Norwegian Prime Minister Ola Hansen", "PERSON"),
            ("Secretary of State Anna Berg", "PERSON"),
            ("Dr. Tomas Brandt", "PERSON"),
            ("EU Trade Commissioner Jan Novak", "PERSON"),
            ("Martin Luther King Jr", "PERSON"),
        ],
    )
    assert [e.name for e in index.entities] == [
        "Ola Hansen",
        "Anna Berg",
        "Tomas Brandt",
        "Jan Novak",
        "Martin Luther King Jr",
    ]


def test_mr_surname_maps_to_full_name_mentioned_later() -> None:
    text = "Mr. Halvorsen spoke first. Later, Ingrid Halvorsen left."
    index = index_for(text, [("Mr. Halvorsen", "PERSON"), ("Ingrid Halvorsen", "PERSON")])
    assert [(e.name, e.mentions) for e in index.entities] == [("Ingrid Halvorsen", 2)]


def test_surname_the_model_labelled_as_org_joins_the_person() -> None:
    text = "Elena Varga spoke. Varga later left for Oslo."
    found = [Mention("Elena Varga", "PERSON", 0, 11), Mention("Varga", "ORG", 19, 24), Mention("Oslo", "GPE", 40, 44)]
    entities = by_name(extract_entities(text, found))
    assert entities["Elena Varga"].type == EntityType.PERSON
    assert entities["Elena Varga"].mentions == 2
    assert "Varga" not in entities


def test_shared_surname_goes_to_the_latest_full_name_before_it() -> None:
    text = "Anna Berg spoke first. Then Peter Berg spoke. Berg was brief."
    index = index_for(text, [("Anna Berg", "PERSON"), ("Peter Berg", "PERSON"), ("Berg", "PERSON")])
    last = index.mentions[-1]
    assert (text[last.start : last.end], last.name) == ("Berg", "Peter Berg")


def test_longer_name_absorbs_its_suffix() -> None:
    text = "Maria Elena Ruiz arrived. Elena Ruiz spoke."
    index = index_for(text, [("Maria Elena Ruiz", "PERSON"), ("Elena Ruiz", "PERSON")])
    assert [(e.name, e.mentions) for e in index.entities] == [("Maria Elena Ruiz", 2)]


@pytest.mark.parametrize(
    ("variant", "label", "canonical"),
    [
        ("Kiev", "GPE", "Kyiv"),
        ("U.S.", "GPE", "United States"),
        ("US", "GPE", "United States"),
        ("USA", "GPE", "United States"),
        ("United States of America", "GPE", "United States"),
        ("UK", "GPE", "United Kingdom"),
        ("U.K.", "GPE", "United Kingdom"),
        ("EU", "ORG", "European Union"),
        ("Nato", "ORG", "NATO"),
        ("North Atlantic Treaty Organization", "ORG", "NATO"),
    ],
)
def test_alias_table(variant: str, label: str, canonical: str) -> None:
    text = f"Officials from {variant} met on Monday."
    entities = extract_entities(text, mentions(text, [(variant, label)]))
    assert [e.name for e in entities] == [canonical]
    assert entities[0].surface_forms == [variant]


def test_alias_table_entries_are_not_empty() -> None:
    assert alias_table()["Kiev"] == "Kyiv"


def test_variants_merge_into_one_entity() -> None:
    text = "The U.S. and the United States of America and the US are one country; Kiev's mayor met Kyiv's."
    index = index_for(
        text,
        [("U.S.", "GPE"), ("United States of America", "GPE"), ("US", "GPE"), ("Kiev's", "GPE"), ("Kyiv's", "GPE")],
    )
    entities = by_name(list(index.entities))
    assert set(entities) == {"United States", "Kyiv"}
    assert entities["United States"].mentions == 3
    assert entities["Kyiv"].surface_forms == ["Kiev", "Kyiv"]


def test_possessive_and_leading_the_are_stripped() -> None:
    text = "The European Union's budget and NATO’s plans and the Kremlin."
    index = index_for(text, [("The European Union's", "ORG"), ("NATO’s", "ORG"), ("the Kremlin", "ORG")])
    assert [e.name for e in index.entities] == ["European Union", "NATO", "Kremlin"]


def test_title_word_continuing_after_an_org_mention_is_cut() -> None:
    text = "The Harbour Board’s Trade Commissioner visited."
    start, end = trim_mention(text, 0, text.index(" Commissioner"), EntityType.ORG) or (0, 0)
    assert text[start:end] == "Harbour Board"


@pytest.mark.parametrize(
    ("surface", "label"),
    [
        ("He", "PERSON"),
        ("She", "PERSON"),
        ("Reading Time", "ORG"),
        ("President", "PERSON"),
        ("Foreign Minister", "PERSON"),
        ("2024", "ORG"),
        ("n’t", "GPE"),
        ("flank", "GPE"),
        ("Monday", "DATE"),
        ("300", "CARDINAL"),
    ],
)
def test_false_positives_are_dropped(surface: str, label: str) -> None:
    text = f"Before {surface} after."
    assert extract_entities(text, mentions(text, [(surface, label)])) == []


def test_known_types_override_the_model() -> None:
    text = "Moscow and Ukrainian officials and the White House."
    index = index_for(text, [("Moscow", "PERSON"), ("Ukrainian", "GPE"), ("White House", "GPE")])
    assert {e.name: e.type for e in index.entities} == {
        "Moscow": EntityType.GPE,
        "Ukrainian": EntityType.NORP,
        "White House": EntityType.ORG,
    }


def test_majority_label_decides_the_type() -> None:
    text = "Norvik Port and Norvik Port and Norvik Port."
    found = mentions(text, [("Norvik Port", "ORG")])
    found[0] = Mention("Norvik Port", "GPE", found[0].start, found[0].end)
    assert [(e.name, e.type) for e in extract_entities(text, found)] == [("Norvik Port", EntityType.ORG)]


def test_labels_are_mapped_and_others_dropped() -> None:
    text = "Anna Berg of Norvik Port in Oslo, a Norwegian, at the Harbour Festival in Town Hall, paid $5."
    index = index_for(
        text,
        [
            ("Anna Berg", "PER"),
            ("Norvik Port", "ORG"),
            ("Oslo", "GPE"),
            ("Norwegian", "NORP"),
            ("Harbour Festival", "EVENT"),
            ("Town Hall", "FAC"),
            ("$5", "MONEY"),
        ],
    )
    assert [(e.name, e.type.value) for e in index.entities] == [
        ("Anna Berg", "PERSON"),
        ("Norvik Port", "ORG"),
        ("Oslo", "GPE"),
        ("Norwegian", "NORP"),
        ("Harbour Festival", "EVENT"),
        ("Town Hall", "FAC"),
    ]


def test_any_span_or_name_maps_back_to_its_canonical_entity() -> None:
    text = "Elena Varga spoke. Then Mr. Varga left Kiev."
    index = index_for(text, [("Elena Varga", "PERSON"), ("Mr. Varga", "PERSON"), ("Kiev", "GPE")])
    second = text.index("Varga left")
    assert canonical_entity(index, second, second + 5) == ("Elena Varga", EntityType.PERSON)
    assert canonical_entity(index, text.index("Kiev"), text.index("Kiev") + 2) == ("Kyiv", EntityType.GPE)
    assert canonical_entity(index, 0, 3) == ("Elena Varga", EntityType.PERSON)
    assert canonical_entity(index, text.index("Then"), text.index("Then") + 4) is None
    assert index.lookup("Mr. Varga's") == ("Elena Varga", EntityType.PERSON)
    assert index.lookup("Elena") == ("Elena Varga", EntityType.PERSON)
    assert index.lookup("Kiev") == ("Kyiv", EntityType.GPE)
    assert index.lookup("Oslo") is None


def test_bad_offsets_and_empty_input_do_not_crash() -> None:
    assert extract_entities("", []) == []
    text = "Short text."
    assert extract_entities(text, [Mention("x", "PERSON", 5, 500), Mention("y", "PERSON", 7, 3)]) == []


def test_spans_always_match_surface_forms() -> None:
    text = "“Novak’s” plan, (Varga) and [Brandt]: all three."
    found = [
        Mention(surface, "PERSON", text.index(surface), text.index(surface) + len(surface))
        for surface in ("“Novak’s”", "(Varga)", "[Brandt]:")
    ]
    index = resolve_entities(text, found)
    for entity in index.entities:
        for span in entity.spans:
            assert text[span.start : span.end] in entity.surface_forms
    assert [e.name for e in index.entities] == ["Novak", "Varga", "Brandt"]
