"""Tests of comparing scored assessments, across rubrics that share section ids and over time."""

from __future__ import annotations

import json

import pytest
from scoring_factories import equals, not_applicable, plain_item, rated, rubric, scale_item, section
from scoring_factories import value as answer_of

from rubric_app.scoring import (
    Comparison,
    compare_scores,
    direction_of,
    score_assessment,
    trend,
)
from rubric_app.scoring.compare import largest_step_difference, relation_of

LOCAL = rubric(
    section("partnerships", scale_item("mou-written"), scale_item("mou-reviewed"), number=1),
    section("civil-rights", scale_item("cr"), number=2),
    section("training", scale_item("t1"), number=3),
    rubric_id="local",
)
AFTERSCHOOL = rubric(
    section(
        "civil-rights", scale_item("cr"), scale_item("as2"), title="Civil rights (ASP)", number=2
    ),
    section("partnerships", scale_item("mou-written"), number=1),
    section("evaluation", scale_item("ev"), number=5),
    rubric_id="afterschool",
)

LOCAL_SCORE = score_assessment(
    LOCAL,
    {
        "mou-written": rated(policy="fully", practice="fully"),
        "mou-reviewed": rated(policy="partly", practice="partly"),
        "cr": rated(policy="partly", practice="fully"),
        "t1": rated(policy="not-in-place", practice="not-in-place"),
    },
)
AFTERSCHOOL_SCORE = score_assessment(
    AFTERSCHOOL,
    {
        "mou-written": rated(policy="partly", practice="partly"),
        "cr": rated(policy="fully", practice="partly"),
        "as2": rated(policy="fully", practice="fully"),
    },
)


@pytest.fixture
def comparison() -> Comparison:
    return compare_scores([(LOCAL, LOCAL_SCORE), (AFTERSCHOOL, AFTERSCHOOL_SCORE)])


def test_section_rows_are_the_union_in_first_rubric_order(comparison: Comparison) -> None:
    assert [row.key for row in comparison.section_rows] == [
        "partnerships",
        "civil-rights",
        "training",
        "evaluation",
    ]
    assert comparison.section_rows[1].title == "Section civil-rights"


def test_section_cells_compare_against_the_baseline(comparison: Comparison) -> None:
    rows = {row.key: row for row in comparison.section_rows}
    partnerships = rows["partnerships"].cells
    assert [cell.value for cell in partnerships] == [75.0, 50.0]
    assert partnerships[0].relation is None  # the reference is not compared with itself
    assert (partnerships[1].difference, partnerships[1].relation) == (-25.0, "lower")
    civil = rows["civil-rights"].cells
    # 3 of 4 against (3 + 4) of 8.
    assert [cell.value for cell in civil] == [75.0, 87.5]
    assert civil[1].relation == "higher"


def test_a_rubric_without_a_section_gets_an_absent_cell(comparison: Comparison) -> None:
    rows = {row.key: row for row in comparison.section_rows}
    training = rows["training"].cells
    assert (training[1].value, training[1].status, training[1].relation) == (None, "absent", None)
    evaluation = rows["evaluation"].cells
    # Nothing answered in that step: below any coverage threshold, so no score.
    assert [cell.status for cell in evaluation] == ["absent", "not-enough-answers"]
    assert rows["evaluation"].title == "Section evaluation"


def test_overall_and_dimension_rows(comparison: Comparison) -> None:
    # local: (4 + 2 + 3 + 0) of 16; afterschool: (2 + 3 + 4) of 12.
    assert [cell.value for cell in comparison.overall.cells] == [56.25, 75.0]
    assert comparison.overall.cells[1].difference == 18.75
    assert comparison.dimensions == ("policy", "practice")
    policy = comparison.overall.by_dimension["policy"]
    # local policy: (2 + 1 + 1 + 0) of 8; afterschool: (1 + 2 + 2) of 6.
    assert [cell.value for cell in policy] == [50.0, pytest.approx(100 * 5 / 6)]


def test_item_rows_only_hold_items_every_rubric_has(comparison: Comparison) -> None:
    assert [row.item_id for row in comparison.item_rows] == ["mou-written", "cr"]
    mou = comparison.item_rows[0].cells
    assert [cell.value for cell in mou] == [100.0, 50.0]
    assert mou[1].relation == "lower"


def test_same_rubric_versions_compare_every_item() -> None:
    v1 = rubric(section("s", scale_item("x"), scale_item("y")), rubric_id="local", version="1")
    v2 = rubric(section("s", scale_item("x"), scale_item("z")), rubric_id="local", version="2")
    answers = {"x": rated(policy="fully", practice="fully")}
    result = compare_scores([(v1, score_assessment(v1, answers)), (v2, score_assessment(v2, {}))])
    assert [row.item_id for row in result.item_rows] == ["x", "y", "z"]
    y_cells = result.item_rows[1].cells
    assert [cell.status for cell in y_cells] == ["not-rated", "absent"]
    assert [column.rubric_version for column in result.columns] == ["1", "2"]


def test_item_cells_say_why_they_are_empty() -> None:
    gated = rubric(
        section(
            "s",
            plain_item("gate"),
            scale_item("x", show_if=equals("gate", "yes")),
            scale_item("y"),
        )
    )
    first = score_assessment(gated, {"gate": answer_of("no"), "y": not_applicable()})
    second = score_assessment(gated, {"gate": answer_of("yes"), "x": rated(policy="fully")})
    result = compare_scores([(gated, first), (gated, second)])
    rows = {row.item_id: row.cells for row in result.item_rows}
    assert [cell.status for cell in rows["x"]] == ["hidden", "scored"]
    assert [cell.status for cell in rows["y"]] == ["not-applicable", "not-rated"]
    assert rows["x"][1].relation is None  # nothing to compare with


@pytest.mark.parametrize(
    ("difference", "direction"),
    [
        (None, None),
        (0.0, "same"),
        (0.5, "same"),
        (-0.5, "same"),
        (0.51, "better"),
        (-0.51, "worse"),
    ],
)
def test_direction_tolerance(difference: float | None, direction: str | None) -> None:
    assert direction_of(difference) == direction


@pytest.mark.parametrize(
    ("difference", "relation"),
    [
        (None, None),
        (0.0, "same"),
        (0.5, "same"),
        (-0.5, "same"),
        (0.51, "higher"),
        (-0.51, "lower"),
    ],
)
def test_relation_tolerance(difference: float | None, relation: str | None) -> None:
    assert relation_of(difference) == relation


@pytest.mark.parametrize("count", [1, 5])
def test_compares_two_to_four(count: int) -> None:
    with pytest.raises(ValueError, match="compare 2 to 4"):
        compare_scores([(LOCAL, LOCAL_SCORE)] * count)


def test_four_assessments_all_measure_against_the_first() -> None:
    result = compare_scores([(LOCAL, LOCAL_SCORE), *[(AFTERSCHOOL, AFTERSCHOOL_SCORE)] * 3])
    assert [cell.difference for cell in result.overall.cells] == [None, 18.75, 18.75, 18.75]


def test_refuses_a_score_paired_with_the_wrong_rubric() -> None:
    with pytest.raises(ValueError, match="afterschool"):
        compare_scores([(LOCAL, LOCAL_SCORE), (LOCAL, AFTERSCHOOL_SCORE)])


def test_comparison_to_dict_is_json(comparison: Comparison) -> None:
    data = json.loads(json.dumps(comparison.to_dict()))
    assert data["section_rows"][0]["cells"][1]["relation"] == "lower"
    assert data["section_rows"][0]["number"] == 1
    assert data["reference"] == 0
    assert data["overall"]["by_dimension"]["practice"][0]["value"] == 62.5


def test_trend_measures_each_point_from_the_last_score() -> None:
    empty = score_assessment(LOCAL, {})
    points = trend([("2023", AFTERSCHOOL_SCORE), ("2024", empty), ("2025", LOCAL_SCORE)])
    assert [(p.label, p.percent, p.change, p.direction) for p in points] == [
        ("2023", 75.0, None, None),
        ("2024", None, None, None),
        ("2025", 56.25, -18.75, "worse"),
    ]


def test_differences_are_measured_from_the_reference_column() -> None:
    result = compare_scores([(LOCAL, LOCAL_SCORE), (AFTERSCHOOL, AFTERSCHOOL_SCORE)], reference=1)
    assert result.reference == 1
    first, second = result.overall.cells
    assert (first.difference, first.relation) == (-18.75, "lower")
    assert (second.difference, second.relation) == (None, None)
    policy = result.overall.by_dimension["policy"]
    assert policy[0].difference == pytest.approx(50.0 - 100 * 5 / 6)
    assert policy[1].relation is None
    mou = result.item_rows[0].cells
    assert (mou[0].difference, mou[0].relation) == (50.0, "higher")


@pytest.mark.parametrize("reference", [-1, 2])
def test_refuses_a_reference_outside_the_columns(reference: int) -> None:
    with pytest.raises(ValueError, match="reference column"):
        compare_scores(
            [(LOCAL, LOCAL_SCORE), (AFTERSCHOOL, AFTERSCHOOL_SCORE)], reference=reference
        )


def test_section_rows_carry_the_step_number(comparison: Comparison) -> None:
    # 'evaluation' is only in the second rubric: its number comes from there.
    assert [(row.key, row.number) for row in comparison.section_rows] == [
        ("partnerships", 1),
        ("civil-rights", 2),
        ("training", 3),
        ("evaluation", 5),
    ]
    assert comparison.overall.number is None


def test_largest_step_difference(comparison: Comparison) -> None:
    # partnerships 75 -> 50 (-25), civil rights 75 -> 87.5 (+12.5); training and evaluation have
    # one score only.
    biggest = largest_step_difference(comparison)
    assert biggest is not None
    assert (biggest.key, biggest.column, biggest.difference, biggest.relation) == (
        "partnerships",
        1,
        -25.0,
        "lower",
    )
    assert biggest.title == "Section partnerships"


def test_largest_step_difference_ignores_the_same_and_picks_the_first_of_a_tie() -> None:
    same = compare_scores([(LOCAL, LOCAL_SCORE), (LOCAL, LOCAL_SCORE)])
    assert largest_step_difference(same) is None
    three = compare_scores([(LOCAL, LOCAL_SCORE), *[(AFTERSCHOOL, AFTERSCHOOL_SCORE)] * 2])
    biggest = largest_step_difference(three)
    assert biggest is not None
    assert (biggest.key, biggest.column) == ("partnerships", 1)
