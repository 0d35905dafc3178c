"""Example tests of score_assessment with hand-computed numbers."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from scoring_factories import (
    IN_PLACE,
    equals,
    not_applicable,
    plain_item,
    rated,
    rubric,
    scale_item,
    section,
    value,
)

from rubric_app.rubrics.model import Scale, ScaleOption
from rubric_app.scoring import ItemAnswer, level_of, pooled_percent, score_assessment

# A weighted section: a (weight 2, essential) and b (weight 1), both on policy and practice.
WEIGHTED = rubric(
    section(
        "s1",
        scale_item("a", weight=2, importance="essential"),
        scale_item("b"),
        scale_item("c"),
    ),
    section("s2", scale_item("d", dimensions=("policy",))),
)
# The same rubric with no coverage threshold: for the pooling rules on partly answered steps,
# apart from the coverage gate (``test_scoring_coverage.py``).
WEIGHTED_ANY_COVERAGE = replace(WEIGHTED, scoring=replace(WEIGHTED.scoring, min_coverage=0.0))


def test_section_pools_weighted_points_over_rated_pairs() -> None:
    answers = {
        "a": rated(policy="fully", practice="partly"),
        "b": rated(policy="not-in-place", practice="partly"),
        "c": rated(policy="fully", practice="fully"),
    }
    s1 = score_assessment(WEIGHTED, answers).section("s1")
    # points 2*(2+1) + 1*(0+1) + 1*(2+2) = 11; max 2*4 + 4 + 4 = 16
    assert s1.percent == pytest.approx(68.75)
    # policy: (2*2 + 0 + 2) / (4 + 2 + 2) = 6/8; practice: (2*1 + 1 + 2) / 8 = 5/8
    assert s1.by_dimension == {"policy": 75.0, "practice": 62.5}
    assert s1.level is not None
    assert s1.level.id == "developing"


def test_overall_pools_items_not_section_means() -> None:
    answers = {
        "a": rated(policy="fully", practice="fully"),
        "b": rated(policy="fully", practice="fully"),
        "c": rated(policy="fully", practice="fully"),
        "d": rated(policy="not-in-place"),
    }
    score = score_assessment(WEIGHTED, answers)
    assert score.section("s1").percent == 100.0
    assert score.section("s2").percent == 0.0
    # 16 of 18 weighted points, not the 50 a mean of sections would give.
    assert score.percent == pytest.approx(100 * 16 / 18)
    assert score.by_dimension["policy"] == pytest.approx(100 * 8 / 10)
    assert score.by_dimension["practice"] == 100.0


def test_not_applicable_item_leaves_every_denominator() -> None:
    base = {
        "a": rated(policy="fully", practice="fully"),
        "b": rated(policy="not-in-place", practice="not-in-place"),
    }
    with_na = {**base, "c": not_applicable()}
    with_zero = {**base, "c": rated(policy="not-in-place", practice="not-in-place")}
    # a: 8 of 8, b: 0 of 4 -> 8/12; a zero-rated c would drag it to 8/16.
    assert score_assessment(WEIGHTED, with_na).section("s1").percent == pytest.approx(200 / 3)
    assert score_assessment(WEIGHTED, with_zero).section("s1").percent == 50.0
    item_c = score_assessment(WEIGHTED, with_na).items["c"]
    assert item_c.not_applicable
    assert item_c.answered
    assert item_c.percent is None
    assert not item_c.is_gap


def test_not_applicable_ignores_ratings_left_on_the_answer() -> None:
    answers = {
        "a": rated(policy="fully", practice="fully"),
        "b": ItemAnswer(values={"policy": "not-in-place"}, not_applicable=True, na_reason="x"),
    }
    assert score_assessment(WEIGHTED_ANY_COVERAGE, answers).section("s1").percent == 100.0


def test_not_applicable_without_reason_is_unscored_and_unanswered() -> None:
    answers = {
        "a": rated(policy="fully", practice="fully"),
        "b": rated(policy="fully", practice="fully"),
        "c": ItemAnswer(not_applicable=True),
    }
    s1 = score_assessment(WEIGHTED, answers).section("s1")
    assert s1.percent == 100.0
    assert s1.not_applicable == 1
    assert (s1.answered, s1.applicable) == (2, 3)
    assert s1.completion == pytest.approx(2 / 3)


def test_partial_assessment_scores_what_is_answered_and_reports_completion() -> None:
    answers = {"a": rated(policy="partly", practice="partly")}
    score = score_assessment(WEIGHTED_ANY_COVERAGE, answers)
    assert score.percent == 50.0
    assert (score.answered, score.applicable) == (1, 4)
    assert score.completion == 0.25
    assert score.section("s2").percent is None
    assert score.section("s2").level is None
    assert score.section("s2").completion == 0.0


def test_half_rated_item_counts_its_rated_dimension_but_is_unanswered() -> None:
    answers = {"a": rated(policy="fully")}
    score = score_assessment(WEIGHTED_ANY_COVERAGE, answers)
    item = score.items["a"]
    assert not item.answered
    assert set(item.ratings) == {"policy"}
    assert item.percent == 100.0
    assert score.section("s1").by_dimension == {"policy": 100.0, "practice": None}


def test_unknown_option_key_is_unrated_not_zero() -> None:
    answers = {"d": rated(policy="retired-option")}
    score = score_assessment(WEIGHTED, answers)
    assert score.items["d"].ratings == {}
    assert score.section("s2").percent is None


GATED = rubric(
    section(
        "s1",
        plain_item("exists"),
        scale_item("mou", show_if=equals("exists", "yes"), dimensions=("policy",)),
        scale_item("always", dimensions=("policy",)),
        plain_item("notes", "long_text"),
    )
)


def test_hidden_item_is_not_scored_nor_counted_in_completion() -> None:
    answers = {
        "exists": value("no"),
        "mou": rated(policy="not-in-place"),  # left over from when the answer was "yes"
        "always": rated(policy="fully"),
    }
    score = score_assessment(GATED, answers)
    assert not score.items["mou"].visible
    assert score.items["mou"].ratings == {}
    assert score.percent == 100.0
    # exists, always and notes are visible; notes is unanswered.
    assert (score.answered, score.applicable) == (2, 3)


def test_shown_item_is_scored_and_unscored_items_count_in_completion() -> None:
    answers = {
        "exists": value("yes"),
        "mou": rated(policy="not-in-place"),
        "always": rated(policy="fully"),
        "notes": value("Signed in 2015."),
    }
    score = score_assessment(GATED, answers)
    assert score.percent == 50.0
    assert (score.answered, score.applicable) == (4, 4)
    assert score.completion == 1.0
    assert score.items["exists"].percent is None


def test_section_with_nothing_to_answer_is_complete() -> None:
    only_gated = rubric(
        section("s0", plain_item("exists")),
        section("s1", scale_item("mou", show_if=equals("exists", "yes"))),
    )
    s1 = score_assessment(only_gated, {"exists": value("no")}).section("s1")
    assert (s1.applicable, s1.completion, s1.percent) == (0, 1.0, None)


FIVE_POINT_SCALE = Scale(
    "five",
    "Five",
    tuple(ScaleOption(f"p{points}", f"{points}", points) for points in range(6)),
)


@pytest.mark.parametrize(
    ("percent", "level_id"),
    [
        (0.0, "beginning"),
        (39.99, "beginning"),
        (39.995, "beginning"),
        (40.0, "developing"),
        (69.99, "developing"),
        (70.0, "established"),
        (89.99, "established"),
        (90.0, "exemplary"),
        (100.0, "exemplary"),
    ],
)
def test_level_at_band_edges(percent: float, level_id: str) -> None:
    level = level_of(WEIGHTED, percent)
    assert level is not None
    assert level.id == level_id


def test_exact_band_edge_from_scoring_is_not_lost_to_float_noise() -> None:
    # Ten items of weight 0.7 with four fully in place is exactly 40%, but summing 0.7 * 2 in
    # floats and dividing gives 39.99999999999999, which would read Beginning.
    ten = rubric(
        section("s", *(scale_item(f"i{n}", weight=0.7, dimensions=("policy",)) for n in range(10))),
    )
    answers = {f"i{n}": rated(policy="fully" if n < 4 else "not-in-place") for n in range(10)}
    score = score_assessment(ten, answers)
    assert score.percent == 40.0
    assert score.level is not None
    assert score.level.id == "developing"
    five = rubric(
        section("s", scale_item("x", scale="five", dimensions=("policy",))),
        scales=(FIVE_POINT_SCALE,),
    )
    score = score_assessment(five, {"x": rated(policy="p2")})
    assert score.percent == 40.0
    assert score.level is not None
    assert score.level.id == "developing"


def test_pooled_percent_handles_zero_maximum() -> None:
    assert pooled_percent(0, 0) is None
    assert pooled_percent(1, 3) == pytest.approx(33.333333333)


def test_gap_uses_full_threshold_of_scale_maximum() -> None:
    strict = rubric(section("s", scale_item("x")))
    lenient = rubric(section("s", scale_item("x")), full_threshold=0.5)
    answers = {"x": rated(policy="partly", practice="fully")}
    assert score_assessment(strict, answers).items["x"].is_gap
    assert not score_assessment(lenient, answers).items["x"].is_gap
    assert score_assessment(lenient, {"x": rated(policy="not-in-place")}).items["x"].is_gap


def test_counts_of_gaps_essential_gaps_and_flags() -> None:
    answers = {
        "a": ItemAnswer(values={"policy": "partly", "practice": "fully"}, flagged=True),
        "b": rated(policy="partly", practice="partly"),
        "c": rated(policy="fully", practice="fully"),
        "d": ItemAnswer(values={"policy": "fully"}, flagged=True),
    }
    score = score_assessment(WEIGHTED, answers)
    assert (score.gaps, score.essential_gaps, score.flagged) == (2, 1, 2)
    s1 = score.section("s1")
    assert (s1.gaps, s1.essential_gaps, s1.flagged) == (2, 1, 1)


def test_item_shortfall_is_complement_of_its_pooled_percent() -> None:
    item = score_assessment(WEIGHTED, {"b": rated(policy="partly", practice="fully")}).items["b"]
    assert item.percent == 75.0
    assert item.shortfall == 0.25
    assert item.ratings["policy"].points == 1
    assert item.ratings["policy"].max_points == 2


@pytest.mark.parametrize(
    ("policy", "practice", "difference", "label"),
    [
        ("fully", "not-in-place", 100.0, "paper-stronger"),
        ("fully", "partly", 50.0, "paper-stronger"),
        ("partly", "fully", -50.0, "practice-stronger"),
        ("partly", "partly", 0.0, "aligned"),
    ],
)
def test_paper_practice_compares_first_two_dimensions(
    policy: str, practice: str, difference: float, label: str
) -> None:
    item = score_assessment(WEIGHTED, {"b": rated(policy=policy, practice=practice)}).items["b"]
    assert item.paper_practice is not None
    assert item.paper_practice.difference == difference
    assert item.paper_practice.label == label


def test_paper_practice_below_threshold_is_aligned_and_needs_both_ratings() -> None:
    four = Scale("four", "Four", tuple(ScaleOption(f"p{n}", str(n), n) for n in range(5)))
    quarter_steps = rubric(section("s", scale_item("x", scale="four")), scales=(four,))
    item = score_assessment(quarter_steps, {"x": rated(policy="p3", practice="p2")}).items["x"]
    assert item.paper_practice is not None
    assert (item.paper_practice.difference, item.paper_practice.label) == (25.0, "aligned")
    half = score_assessment(quarter_steps, {"x": rated(policy="p4")}).items["x"]
    assert half.paper_practice is None
    single = score_assessment(WEIGHTED, {"d": rated(policy="partly")}).items["d"]
    assert single.paper_practice is None


def test_to_dict_is_json_serialisable_and_carries_levels() -> None:
    answers = {"a": rated(policy="fully", practice="partly"), "c": not_applicable()}
    data = json.loads(json.dumps(score_assessment(WEIGHTED_ANY_COVERAGE, answers).to_dict()))
    assert data["rubric_id"] == "test-rubric"
    # a alone: 3 of 4 points.
    assert data["level"] == {"id": "established", "label": "Established"}
    assert data["sections"][0]["section_id"] == "s1"
    assert data["items"]["a"]["ratings"]["practice"]["option_key"] == "partly"
    assert data["items"]["a"]["paper_practice"]["label"] == "paper-stronger"
    assert data["items"]["c"]["not_applicable"] is True


def test_unscored_scale_item_counts_for_completion_only() -> None:
    info = rubric(section("s", scale_item("x", scored=False), scale_item("y")))
    answers = {"x": rated(policy="not-in-place", practice="not-in-place")}
    score = score_assessment(info, answers)
    assert score.percent is None
    assert score.items["x"].answered
    assert (score.answered, score.applicable) == (1, 2)


def test_in_place_scale_fixture_is_zero_one_two() -> None:
    # Guards the hand-computed numbers above against a change to the shared factory.
    assert [option.points for option in IN_PLACE.options] == [0, 1, 2]
