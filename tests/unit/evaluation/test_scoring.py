"""The pure scoring of the evaluation (fictional examples only)."""

from __future__ import annotations

import pytest

from evaluation.scoring import (
    TARGETS,
    EntityScore,
    GoldQuote,
    PredictedQuote,
    QuoteScore,
    match_quotes,
    metrics,
    missed_targets,
    name_variants,
    normalise_name,
    normalise_quote_text,
    score_entities,
    speaker_matches,
    speaker_matches_loosely,
    unmatched_predictions,
)


def test_normalise_quote_text_folds_marks_space_and_case() -> None:
    assert normalise_quote_text("“We’ll  build\nthe Bridge,”") == "we'll build the bridge,"
    assert normalise_quote_text("‘a tax on workers’") == "'a tax on workers'"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The Harbour Authority", "harbour authority"),
        ("Varga’s", "varga"),
        ("the ministry's", "ministry"),
        ("U.S.", "u s"),
        ("  Elena   Varga ", "elena varga"),
    ],
)
def test_normalise_name(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


def test_name_variants_split_on_bar() -> None:
    assert name_variants("Port Calden|Calden") == {"port calden", "calden"}


def test_speaker_matches_any_acceptable_name_and_null_only_for_none() -> None:
    assert speaker_matches("Elena Varga", ["Elena Varga", "Varga"])
    assert speaker_matches("the Ministry", ["ministry"])
    assert not speaker_matches("Tom Brandt", ["Elena Varga"])
    assert not speaker_matches(None, ["Elena Varga"])
    assert speaker_matches(None, None)
    assert not speaker_matches("Elena Varga", None)


def test_match_quotes_recall_precision_and_speakers() -> None:
    gold = [
        GoldQuote("the bridge will open in spring", ("Elena Varga", "Varga"), "direct"),
        GoldQuote("a tax on workers", ("Tom Brandt",), "partial"),
        GoldQuote("the ferry would keep running", ("Harbour Authority",), "indirect"),
    ]
    predicted = [
        PredictedQuote("“The bridge will open in spring,” and on time.", "Elena Varga"),
        PredictedQuote("The  bridge will open in SPRING", "Tom Brandt"),  # shorter: judged on this one
        PredictedQuote("a tax on workers", None, "partial"),
        PredictedQuote("nothing anyone should quote", "Elena Varga"),
    ]
    matches, score = match_quotes(gold, predicted)
    assert [m.found for m in matches] == [True, True, False]
    assert matches[0].predicted == predicted[1]
    assert score.recall("direct") == 1.0
    assert score.recall("partial") == 1.0
    assert score.recall("indirect") == 0.0
    assert score.recall() == pytest.approx(2 / 3)
    assert score.precision == pytest.approx(3 / 4)
    assert score.speaker_accuracy == 0.0
    assert unmatched_predictions(gold, predicted) == [predicted[3]]


def test_quote_scores_add_up() -> None:
    a = QuoteScore(gold_by_kind={"direct": 2}, found_by_kind={"direct": 1}, predicted=3, predicted_matching=1)
    b = QuoteScore(gold_by_kind={"partial": 1}, found_by_kind={"partial": 1}, speaker_judged=1, speaker_correct=1)
    a.add(b)
    assert a.recall("direct") == 0.5
    assert a.recall("partial") == 1.0
    assert a.precision == pytest.approx(1 / 3)
    assert a.speaker_accuracy == 1.0
    assert QuoteScore().precision is None


def test_score_entities_by_type_with_variants() -> None:
    gold = {"PERSON": ["Elena Varga"], "ORG": ["Harbour Authority"], "GPE": ["Port Calden|Calden", "Norland"]}
    predicted = [
        ("Elena Varga", "PERSON"),
        ("Varga", "PERSON"),  # an unmerged short form costs precision
        ("Harbour Authority", "ORG"),
        ("Calden", "GPE"),
        ("Norland", "ORG"),  # wrong type: a miss for GPE and a false ORG
    ]
    score, diffs = score_entities(gold, predicted)
    assert score.recall("PERSON") == 1.0
    assert score.precision("PERSON") == 0.5
    assert score.f1("PERSON") == pytest.approx(2 / 3)
    assert score.precision("ORG") == 0.5
    assert score.recall("GPE") == 0.5
    assert score.precision("GPE") == 1.0
    assert diffs["GPE"].missed == ("Norland",)
    assert diffs["ORG"].spurious == ("Norland",)
    assert diffs["PERSON"].spurious == ("Varga",)


def test_entity_f1_none_without_data_and_zero_when_all_wrong() -> None:
    score, _ = score_entities({"PERSON": ["Elena Varga"]}, [("Tom Brandt", "PERSON")])
    assert score.f1("PERSON") == 0.0
    assert EntityScore().f1("ORG") is None


def test_missed_targets() -> None:
    values = metrics(QuoteScore(), EntityScore())
    assert missed_targets(values) == []  # nothing measured is not a miss
    values["PERSON_f1"] = 0.5
    values["ORG_f1"] = TARGETS["ORG_f1"]
    assert missed_targets(values) == [f"PERSON_f1 = 0.500 < {TARGETS['PERSON_f1']}"]


def test_loose_speaker_accepts_the_same_surname_only() -> None:
    assert speaker_matches_loosely("Varga", ["Elena Varga"])
    assert speaker_matches_loosely("Mr Varga", ["Elena Varga"])
    assert not speaker_matches_loosely("Elena Brandt", ["Elena Varga"])
    assert not speaker_matches_loosely(None, ["Elena Varga"])
    assert speaker_matches_loosely(None, None)


def test_precision_on_quote_marked_spans_ignores_reported_speech() -> None:
    gold = [GoldQuote("we will not wait another winter", ("Elena Varga",), "direct")]
    predicted = [
        PredictedQuote("“We will not wait another winter,”", "Elena Varga", "direct"),
        PredictedQuote("the ferry would keep running", "Tom Brandt", "indirect"),  # not annotated in such gold
        PredictedQuote("Launch Offer", None, "partial"),  # quote-marked, no gold: a false quote
    ]
    _, score = match_quotes(gold, predicted)
    assert score.precision == pytest.approx(1 / 3)
    assert score.precision_marked == pytest.approx(1 / 2)


def test_repeated_gold_words_are_matched_in_order() -> None:
    gold = [
        GoldQuote("a tax on workers", ("Tom Brandt",), "partial"),
        GoldQuote("a tax on workers", ("Elena Varga",), "partial"),
    ]
    predicted = [
        PredictedQuote("a tax on workers", "Tom Brandt", "partial"),
        PredictedQuote("It is a tax on workers and we will end it.", "Elena Varga", "direct"),
    ]
    matches, score = match_quotes(gold, predicted)
    assert [m.predicted for m in matches] == predicted
    assert score.speaker_accuracy == 1.0
    assert score.speaker_accuracy_loose == 1.0
