"""Tests of gap finding, ordering and grouping."""

from __future__ import annotations

import json

import pytest
from scoring_factories import equals, not_applicable, plain_item, rated, rubric, scale_item, section
from scoring_factories import value as answer_of

from rubric_app.scoring import Gap, find_gaps, gaps_by_section, score_assessment, top_gaps

GAPPY = rubric(
    section(
        "s1",
        scale_item("e1", importance="essential"),
        scale_item("r1", weight=3),
        scale_item("r2"),
        scale_item("na"),
        plain_item("gate"),
        scale_item("hidden", show_if=equals("gate", "yes")),
    ),
    section(
        "s2",
        scale_item("r3", weight=2),
        scale_item(
            "e2",
            weight=2,
            importance="essential",
            recommendation="Put the MOU in writing.",
            guidance=("cops-mou-fact-sheet",),
        ),
    ),
    section("s3", scale_item("ok")),
)

ANSWERS = {
    "e1": rated(policy="partly", practice="fully"),  # shortfall 0.25, impact 0.25
    "r1": rated(policy="partly", practice="partly"),  # shortfall 0.5, impact 1.5
    "r2": rated(policy="not-in-place", practice="not-in-place"),  # shortfall 1, impact 1
    "na": not_applicable(),
    "gate": answer_of("no"),
    "hidden": rated(policy="not-in-place"),
    "r3": rated(policy="partly", practice="partly"),  # shortfall 0.5, impact 1
    "e2": rated(policy="not-in-place", practice="not-in-place"),  # shortfall 1, impact 2
    "ok": rated(policy="fully", practice="fully"),
}


@pytest.fixture
def gaps() -> tuple[Gap, ...]:
    return find_gaps(GAPPY, score_assessment(GAPPY, ANSWERS))


def test_gaps_order_essential_first_then_impact_then_rubric_order(gaps: tuple[Gap, ...]) -> None:
    # r2 and r3 tie on impact 1.0; r2 comes first in the rubric.
    assert [gap.item_id for gap in gaps] == ["e2", "e1", "r1", "r2", "r3"]
    assert [gap.priority for gap in gaps] == [1, 2, 3, 4, 5]
    assert [gap.impact for gap in gaps] == [2.0, 0.25, 1.5, 1.0, 1.0]


def test_gap_carries_what_to_do_and_labels(gaps: tuple[Gap, ...]) -> None:
    e2, e1 = gaps[0], gaps[1]
    assert (e2.section_id, e2.importance, e2.weight, e2.shortfall) == ("s2", "essential", 2, 1.0)
    assert e2.recommendation == "Put the MOU in writing."
    assert e2.guidance == ("cops-mou-fact-sheet",)
    assert e2.prompt == "Prompt of e2"
    assert [(r.dimension_label, r.option_label) for r in e1.ratings] == [
        ("Policy", "Partly in place"),
        ("Practice", "Fully in place"),
    ]
    assert e1.paper_practice == "practice-stronger"
    assert e2.paper_practice == "aligned"
    assert json.loads(json.dumps(e1.to_dict()))["ratings"][0]["option_key"] == "partly"


def test_not_applicable_hidden_and_full_items_are_not_gaps(gaps: tuple[Gap, ...]) -> None:
    assert {"na", "hidden", "ok", "gate"}.isdisjoint(gap.item_id for gap in gaps)


def test_gaps_by_section_lists_every_section_in_rubric_order(gaps: tuple[Gap, ...]) -> None:
    grouped = gaps_by_section(GAPPY, gaps)
    assert [(group.section_id, [gap.item_id for gap in group.gaps]) for group in grouped] == [
        ("s1", ["e1", "r1", "r2"]),
        ("s2", ["e2", "r3"]),
        ("s3", []),
    ]


def test_top_gaps(gaps: tuple[Gap, ...]) -> None:
    assert [gap.item_id for gap in top_gaps(gaps, 2)] == ["e2", "e1"]
    assert top_gaps(gaps, 0) == ()
    assert len(top_gaps(gaps, 50)) == 5
    with pytest.raises(ValueError, match="negative"):
        top_gaps(gaps, -1)


def test_find_gaps_refuses_a_score_of_another_rubric() -> None:
    other = rubric(section("s1", scale_item("x")), rubric_id="other")
    with pytest.raises(ValueError, match="other"):
        find_gaps(GAPPY, score_assessment(other, {}))
