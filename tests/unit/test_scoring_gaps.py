"""Tests of gap finding, ordering and grouping."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_factories import equals, not_applicable, plain_item, rated, rubric, scale_item, section
from scoring_factories import value as answer_of

from rubric_app.scoring import (
    Gap,
    ItemAnswer,
    find_gaps,
    gaps_by_section,
    score_assessment,
    top_gaps,
)
from rubric_app.scoring.score import rating_is_full

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


# --- which side is short, and the advice for it -----------------------------------------------

SIDES = (("policy", "Write it into the MOU."), ("practice", "Do it in every school."))

TWO_SIDED = rubric(
    section(
        "s1",
        scale_item("two", recommendation="Item-wide advice.", recommendations=SIDES),
        scale_item("paper-only", dimensions=("policy",), recommendation="Check the MOU."),
        scale_item("fallback", recommendation="Item-wide advice."),
    )
)


def gap_of(answers: dict[str, ItemAnswer], item_id: str = "two") -> Gap:
    found = find_gaps(TWO_SIDED, score_assessment(TWO_SIDED, answers))
    return next(gap for gap in found if gap.item_id == item_id)


def test_written_but_not_done_gets_the_practice_advice() -> None:
    # Item 1.3 of the issue: the MOU fully in place, practice only partly.
    gap = gap_of({"two": rated(policy="fully", practice="partly")})
    assert gap.short_side == "practice-short"
    assert gap.side_summary == "The MOU or policy says it; practice does not yet."
    assert [(a.dimension_id, a.text) for a in gap.advice] == [
        ("practice", "Do it in every school.")
    ]
    assert gap.recommendation == "Do it in every school."


def test_done_but_not_written_gets_the_policy_advice() -> None:
    # Item 4.3 of the issue: practice fully in place, the written side short.
    gap = gap_of({"two": rated(policy="not-in-place", practice="fully")})
    assert gap.short_side == "paper-short"
    assert gap.side_summary == "Practice does it; the MOU or policy does not say so yet."
    assert [a.dimension_id for a in gap.advice] == ["policy"]
    assert [a.dimension_label for a in gap.advice] == ["Policy"]
    assert gap.recommendation == "Write it into the MOU."


def test_neither_side_gets_both_pieces_of_advice_policy_first() -> None:
    gap = gap_of({"two": rated(practice="not-in-place", policy="partly")})
    assert gap.short_side == "both-short"
    assert gap.side_summary.startswith("Neither yet")
    assert [a.dimension_id for a in gap.advice] == ["policy", "practice"]
    assert gap.recommendation == "Write it into the MOU. Do it in every school."
    as_json = json.loads(json.dumps(gap.to_dict()))
    assert as_json["short_side"] == "both-short"
    assert [a["dimension_id"] for a in as_json["advice"]] == ["policy", "practice"]


def test_half_answered_and_one_sided_items_have_no_side_but_the_right_advice() -> None:
    half = gap_of({"two": rated(practice="partly")})
    assert (half.short_side, half.side_summary) == (None, "")
    assert [a.text for a in half.advice] == ["Do it in every school."]
    paper = gap_of({"paper-only": rated(policy="partly")}, "paper-only")
    assert paper.short_side is None
    assert [a.text for a in paper.advice] == ["Check the MOU."]


def test_items_without_advice_per_side_fall_back_once() -> None:
    gap = gap_of({"fallback": rated(policy="partly", practice="partly")}, "fallback")
    assert gap.short_side == "both-short"
    # Both sides fall back to the same text: it is given once, not twice.
    assert [a.text for a in gap.advice] == ["Item-wide advice."]
    assert gap.recommendation == "Item-wide advice."


def test_a_one_dimension_rubric_has_no_side() -> None:
    one = rubric(
        section("s1", scale_item("i", dimensions=("policy",), recommendation="Pass a law.")),
        dimensions=("policy",),
    )
    (gap,) = find_gaps(one, score_assessment(one, {"i": rated(policy="partly")}))
    assert (gap.short_side, gap.recommendation) == (None, "Pass a law.")


OPTIONS = st.sampled_from(["not-in-place", "partly", "fully", None])


@settings(max_examples=200, deadline=None)
@given(policy=OPTIONS, practice=OPTIONS, threshold=st.sampled_from([0.5, 1.0]))
def test_advice_is_always_for_a_short_side_and_every_short_side_gets_advice(
    policy: str | None, practice: str | None, threshold: float
) -> None:
    subject = replace(TWO_SIDED, scoring=replace(TWO_SIDED.scoring, full_threshold=threshold))
    values = {dim: key for dim, key in (("policy", policy), ("practice", practice)) if key}
    score = score_assessment(subject, {"two": rated(**values)})
    ratings = score.items["two"].ratings
    short = {dim for dim, rating in ratings.items() if not rating_is_full(subject, rating)}
    gaps = find_gaps(subject, score)
    if not short:
        assert gaps == ()
        return
    (gap,) = gaps
    advised = {advice.dimension_id for advice in gap.advice}
    assert advised == short
    assert all(advice.text == dict(SIDES)[advice.dimension_id] for advice in gap.advice)
    # The side sentence agrees with the advice: it never calls a full side short.
    expected = {
        frozenset({"policy", "practice"}): "both-short",
        frozenset({"practice"}): "practice-short",
        frozenset({"policy"}): "paper-short",
    }
    if len(ratings) == 2:
        assert gap.short_side == expected[frozenset(short)]
    else:
        assert gap.short_side is None
