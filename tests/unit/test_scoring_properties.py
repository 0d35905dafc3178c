"""Property tests of scoring over generated rubrics and answers.

Generated show_if conditions only read unscored yes/no items, so changing a rating or marking a
scale item N/A can never change which items are visible.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Literal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scoring_factories import plain_item, rubric, scale_item, section

from rubric_app.rubrics.model import Condition, Item, Rubric, Scale, ScaleOption
from rubric_app.scoring import (
    AssessmentScore,
    ItemAnswer,
    answers_from_json,
    answers_to_json,
    score_assessment,
    score_section,
    section_progress,
    visibility,
)

Case = tuple[Rubric, dict[str, ItemAnswer]]
LEAF_OPS: tuple[Literal["equals", "not_equals", "in"], ...] = ("equals", "not_equals", "in")

SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Draw a small rubric with yes/no gates and scale items, and answers to it."""
    dimensions = draw(st.sampled_from([("policy",), ("policy", "practice")]))
    points = sorted(draw(st.sets(st.integers(0, 4), min_size=2, max_size=4)))
    scale = Scale("sc", "Scale", tuple(ScaleOption(f"o{p}", str(p), p) for p in points))
    gates: list[str] = []
    sections = []
    counter = 0
    for section_number in range(draw(st.integers(1, 3))):
        items: list[Item] = []
        for _ in range(draw(st.integers(1, 5))):
            item_id = f"i{counter}"
            counter += 1
            condition = None
            if len(gates) > 0 and draw(st.booleans()):
                op = draw(st.sampled_from(LEAF_OPS))
                condition = Condition(
                    op=op,
                    item=draw(st.sampled_from(gates)),
                    values=("yes", "no") if op == "in" else ("yes",),
                )
            if draw(st.integers(0, 3)) == 0:
                items.append(plain_item(item_id, show_if=condition))
                gates.append(item_id)
            else:
                own = draw(st.sampled_from([dimensions, dimensions[:1], dimensions[-1:]]))
                items.append(
                    scale_item(
                        item_id,
                        weight=draw(st.sampled_from([0.1, 0.5, 0.7, 1, 1.5, 2, 3, 10])),
                        importance=draw(st.sampled_from(["essential", "recommended"])),
                        dimensions=own,
                        scale="sc",
                        show_if=condition,
                    )
                )
        sections.append(section(f"s{section_number}", *items))
    built = rubric(
        *sections,
        dimensions=dimensions,
        scales=(scale,),
        full_threshold=draw(st.sampled_from([0.5, 0.75, 1.0])),
    )
    keys = [option.key for option in scale.options]
    answers: dict[str, ItemAnswer] = {}
    for item in built.items:
        kind = draw(st.sampled_from(["answer", "answer", "answer", "none", "na", "na-no-reason"]))
        flagged = draw(st.booleans())
        if kind == "none":
            continue
        if kind.startswith("na"):
            reason = "" if kind == "na-no-reason" else "Not relevant"
            answers[item.id] = ItemAnswer(not_applicable=True, na_reason=reason, flagged=flagged)
        elif item.type == "yes_no":
            answers[item.id] = ItemAnswer(values={"value": draw(st.sampled_from(["yes", "no"]))})
        else:
            values = {}
            for dim in item.answer_dimensions:
                key = draw(st.one_of(st.none(), st.sampled_from(keys)))
                if key is not None:
                    values[dim] = key
            answers[item.id] = ItemAnswer(values=values, flagged=flagged)
    return built, answers


def percents(score: AssessmentScore) -> list[float | None]:
    """Return every percent a score reports: overall, per section, per dimension and per item."""
    values = [score.percent, *score.by_dimension.values()]
    for section_score in score.sections:
        values += [section_score.percent, *section_score.by_dimension.values()]
    values += [item.percent for item in score.items.values()]
    return values


@SETTINGS
@given(cases())
def test_scores_stay_within_bounds(case: Case) -> None:
    built, answers = case
    score = score_assessment(built, answers)
    assert all(0 <= value <= 100 for value in percents(score) if value is not None)
    assert all(0 <= s.completion <= 1 for s in score.sections)
    assert 0 <= score.completion <= 1
    assert score.answered <= score.applicable
    for item in score.items.values():
        assert item.shortfall is None or 0 <= item.shortfall <= 1


@SETTINGS
@given(cases())
def test_overall_matches_exact_pooled_fraction(case: Case) -> None:
    built, answers = case
    score = score_assessment(built, answers)
    points = sum(
        (
            Fraction(item.weight) * Fraction(rating.points)
            for item in score.items.values()
            for rating in item.ratings.values()
        ),
        Fraction(0),
    )
    maximum = sum(
        (
            Fraction(item.weight) * Fraction(rating.max_points)
            for item in score.items.values()
            for rating in item.ratings.values()
        ),
        Fraction(0),
    )
    if maximum == 0 or not score.coverage.enough:
        assert score.percent is None
    else:
        assert score.percent is not None
        assert abs(Fraction(score.percent) - 100 * points / maximum) < Fraction(1, 10**6)


@SETTINGS
@given(cases(), st.data())
def test_marking_an_item_not_applicable_leaves_other_items_alone(
    case: Case, data: st.DataObject
) -> None:
    built, answers = case
    scale_ids = [item.id for item in built.items if item.type == "scale"]
    assume(scale_ids)
    target = data.draw(st.sampled_from(scale_ids))
    before = score_assessment(built, answers)
    after = score_assessment(
        built, {**answers, target: ItemAnswer(not_applicable=True, na_reason="N/A here")}
    )
    for item_id, item_score in before.items.items():
        if item_id != target:
            assert after.items[item_id] == item_score
    assert after.items[target].ratings == {}
    assert not after.items[target].is_gap


@SETTINGS
@given(cases(), st.data())
def test_raising_a_rating_never_lowers_a_score(case: Case, data: st.DataObject) -> None:
    built, answers = case
    scale = built.scales["sc"]
    raisable = [
        (item_id, dim)
        for item_id, answer in answers.items()
        if not answer.not_applicable
        for dim, key in answer.values.items()
        if built.item(item_id).type == "scale" and key != scale.top_option.key
    ]
    assume(raisable)
    item_id, dim = data.draw(st.sampled_from(raisable))
    current = scale.option(str(answers[item_id].values[dim]))
    assert current is not None
    higher = [o.key for o in scale.options if o.points > current.points]
    new_key = data.draw(st.sampled_from(higher))
    raised_answer = ItemAnswer(values={**answers[item_id].values, dim: new_key})
    before = score_assessment(built, answers)
    after = score_assessment(built, {**answers, item_id: raised_answer})

    def at_least(new: float | None, old: float | None) -> bool:
        return old is None or (new is not None and new >= old)

    assert at_least(after.percent, before.percent)
    for old_section, new_section in zip(before.sections, after.sections, strict=True):
        assert at_least(new_section.percent, old_section.percent)
        for key, old_value in old_section.by_dimension.items():
            assert at_least(new_section.by_dimension[key], old_value)
    for key, old_value in before.by_dimension.items():
        assert at_least(after.by_dimension[key], old_value)


@SETTINGS
@given(cases())
def test_same_answers_score_the_same_even_after_json(case: Case) -> None:
    built, answers = case
    first = score_assessment(built, answers)
    assert score_assessment(built, answers) == first
    restored = answers_from_json(json.loads(json.dumps(answers_to_json(answers))))
    again = score_assessment(built, restored)
    assert again == first
    assert again.to_dict() == first.to_dict()


@SETTINGS
@given(cases())
def test_answers_left_on_hidden_items_change_nothing(case: Case) -> None:
    built, answers = case
    score = score_assessment(built, answers)
    visible_only = {i: a for i, a in answers.items() if score.items[i].visible}
    pruned = score_assessment(built, visible_only)
    assert pruned.sections == score.sections
    assert (pruned.percent, pruned.completion, pruned.gaps) == (
        score.percent,
        score.completion,
        score.gaps,
    )


@SETTINGS
@given(cases())
def test_one_section_scores_as_in_the_whole_assessment(case: Case) -> None:
    """``score_section`` (what a section page and an autosave show) is the section of
    ``score_assessment``, whether it decides visibility itself or is handed it."""
    built, answers = case
    whole = score_assessment(built, answers)
    shown = visibility(built, answers)
    for expected in whole.sections:
        assert score_section(built, answers, expected.section_id) == expected
        assert score_section(built, answers, expected.section_id, visible=shown) == expected
        # The autosave's counts alone, as the section's score has them.
        counts = (expected.answered, expected.applicable)
        assert section_progress(built, answers, expected.section_id) == counts
        assert section_progress(built, answers, expected.section_id, visible=shown) == counts
    with pytest.raises(KeyError):
        score_section(built, answers, "no-such-section")
