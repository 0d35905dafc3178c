"""The coverage rule: a score below ``scoring.min_coverage`` of its items answered is not shown.

Examples with hand-counted coverage, then properties over generated rubrics without skip logic
(revealing items by answering a gate may rightly lower coverage, so those are left out here).
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoring_factories import (
    equals,
    not_applicable,
    plain_item,
    rated,
    rubric,
    scale_item,
    section,
    value,
)

from rubric_app.rubrics.model import Rubric
from rubric_app.scoring import (
    AssessmentScore,
    Coverage,
    ItemAnswer,
    basis_text,
    compare_scores,
    score_assessment,
    score_text,
)

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FIVE = rubric(
    section("s1", *(scale_item(f"a{n}") for n in range(5))),
    section("s2", scale_item("b0"), scale_item("b1")),
)


def _full(*item_ids: str) -> dict[str, ItemAnswer]:
    return {item_id: rated(policy="fully", practice="partly") for item_id in item_ids}


def test_three_of_five_is_exactly_the_default_threshold_and_shows_the_score() -> None:
    score = score_assessment(FIVE, _full("a0", "a1", "a2"))
    s1 = score.section("s1")
    assert s1.coverage == Coverage(answered=3, applicable=5, min_coverage=0.6)
    assert s1.coverage.status == "shown"
    assert s1.percent == 75.0
    assert s1.level is not None


def test_two_of_five_shows_not_enough_answers_and_no_level() -> None:
    score = score_assessment(FIVE, _full("a0", "a1"))
    s1 = score.section("s1")
    assert (s1.coverage.answered, s1.coverage.applicable) == (2, 5)
    assert s1.coverage.status == "not-enough-answers"
    assert s1.percent is None
    assert s1.level is None
    assert dict(s1.by_dimension) == {"policy": None, "practice": None}
    # Overall: 2 of 7 items.
    assert score.percent is None
    assert (score.coverage.answered, score.coverage.applicable) == (2, 7)


def test_not_applicable_items_leave_the_coverage_denominator() -> None:
    answers = {**_full("a0", "a1"), "a2": not_applicable(), "a3": not_applicable()}
    s1 = score_assessment(FIVE, answers).section("s1")
    # 2 answered of the 3 items that apply: 67 % >= 60 %.
    assert (s1.coverage.answered, s1.coverage.applicable) == (2, 3)
    assert s1.percent == 75.0


def test_hidden_items_are_not_applicable() -> None:
    gated = rubric(
        section(
            "s1",
            plain_item("gate"),
            scale_item("x"),
            *(scale_item(f"h{n}", show_if=equals("gate", "yes")) for n in range(4)),
        )
    )
    answers = {"gate": value("no"), **_full("x")}
    s1 = score_assessment(gated, answers).section("s1")
    assert (s1.coverage.answered, s1.coverage.applicable) == (1, 1)
    assert s1.percent == 75.0


def test_a_dimension_is_gated_by_its_own_ratings() -> None:
    # Policy rated on 4 of 5 items, practice on 1: the policy score shows, practice does not.
    answers = {f"a{n}": rated(policy="fully") for n in range(4)}
    answers["a4"] = rated(policy="fully", practice="partly")
    s1 = score_assessment(FIVE, answers).section("s1")
    assert s1.dimension_coverage["policy"] == Coverage(5, 5, 0.6)
    assert s1.dimension_coverage["practice"] == Coverage(1, 5, 0.6)
    assert s1.by_dimension["policy"] == 100.0
    assert s1.by_dimension["practice"] is None
    # Only a4 is fully rated, so the step's own score rests on 1 of 5 items.
    assert s1.percent is None


def test_a_step_with_nothing_applicable_has_no_score_and_says_so() -> None:
    s2 = score_assessment(FIVE, {"b0": not_applicable(), "b1": not_applicable()}).section("s2")
    assert s2.coverage.status == "nothing-applicable"
    assert s2.percent is None


def test_a_threshold_of_zero_still_needs_one_answer() -> None:
    open_rubric = rubric(section("s1", scale_item("a"), scale_item("b")), min_coverage=0.0)
    assert score_assessment(open_rubric, {}).section("s1").coverage.status == ("not-enough-answers")
    assert score_assessment(open_rubric, _full("a")).section("s1").percent == 75.0


def test_float_noise_at_the_threshold_does_not_hide_the_score() -> None:
    # 0.7 * 10 is 7.000000000000001 in floating point; 7 of 10 is exactly 70 %.
    ten = rubric(section("s1", *(scale_item(f"a{n}") for n in range(10))), min_coverage=0.7)
    score = score_assessment(ten, _full(*(f"a{n}" for n in range(7))))
    assert score.section("s1").percent == 75.0


def test_to_dict_carries_coverage() -> None:
    data = score_assessment(FIVE, _full("a0")).to_dict()
    assert data["percent"] is None
    assert data["coverage"] == {
        "answered": 1,
        "applicable": 7,
        "share": 1 / 7,
        "min_coverage": 0.6,
        "status": "not-enough-answers",
    }
    assert data["sections"][0]["coverage"]["status"] == "not-enough-answers"
    assert data["sections"][0]["dimension_coverage"]["policy"]["answered"] == 1


# --- Properties ------------------------------------------------------------------------------

ANSWER = st.one_of(
    st.builds(
        lambda p, q: rated(policy=p, practice=q),
        st.sampled_from(["not-in-place", "partly", "fully"]),
        st.sampled_from(["not-in-place", "partly", "fully"]),
    ),
    st.builds(lambda p: rated(policy=p), st.sampled_from(["not-in-place", "partly", "fully"])),
    st.just(not_applicable()),
)


@st.composite
def plain_rubrics(draw: st.DrawFn) -> Rubric:
    """Draw a rubric of scale items without skip logic and a random threshold."""
    counter = 0
    sections = []
    for number in range(draw(st.integers(1, 3))):
        items = []
        for _ in range(draw(st.integers(1, 8))):
            items.append(scale_item(f"i{counter}"))
            counter += 1
        sections.append(section(f"s{number}", *items, number=number + 1))
    threshold = draw(st.sampled_from([0.0, 0.25, 0.5, 0.6, 0.7, 0.75, 1.0]))
    return rubric(*sections, min_coverage=threshold)


def _shown(score: AssessmentScore) -> set[tuple[str, str]]:
    """Return every (section, dimension) whose score is shown; "_all" for the pooled ones."""
    shown: set[tuple[str, str]] = set()
    for key, percent, by_dimension in [
        ("_overall", score.percent, score.by_dimension),
        *((s.section_id, s.percent, s.by_dimension) for s in score.sections),
    ]:
        if percent is not None:
            shown.add((key, "_all"))
        shown.update((key, dim) for dim, p in by_dimension.items() if p is not None)
    return shown


@SETTINGS
@given(plain_rubrics(), st.data())
def test_answering_more_items_never_hides_a_shown_score(built: Rubric, data: st.DataObject) -> None:
    item_ids = [item.id for item in built.items]
    before_ids = data.draw(st.sets(st.sampled_from(item_ids)))
    more_ids = data.draw(st.sets(st.sampled_from(item_ids)).map(lambda ids: ids - before_ids))
    before = {item_id: data.draw(ANSWER) for item_id in before_ids}
    after = {**before, **{item_id: data.draw(ANSWER) for item_id in more_ids}}
    assert _shown(score_assessment(built, before)) <= _shown(score_assessment(built, after))


@SETTINGS
@given(plain_rubrics(), st.data())
def test_a_score_is_shown_exactly_when_coverage_reaches_the_threshold(
    built: Rubric, data: st.DataObject
) -> None:
    item_ids = [item.id for item in built.items]
    answered = data.draw(st.sets(st.sampled_from(item_ids)))
    score = score_assessment(built, {item_id: data.draw(ANSWER) for item_id in answered})
    threshold = Fraction(str(built.scoring.min_coverage))
    for figure in [score, *score.sections]:
        coverage = figure.coverage
        # Exact arithmetic: at the threshold the score shows, below it it does not.
        expected = coverage.applicable > 0 and (
            coverage.answered > 0 and Fraction(coverage.answered, coverage.applicable) >= threshold
        )
        assert (figure.percent is not None) == expected
        assert (figure.level is not None) == expected


@SETTINGS
@given(plain_rubrics(), st.data())
def test_marking_an_unanswered_item_not_applicable_never_lowers_coverage(
    built: Rubric, data: st.DataObject
) -> None:
    item_ids = [item.id for item in built.items]
    answered = data.draw(st.sets(st.sampled_from(item_ids)))
    answers = {item_id: data.draw(ANSWER) for item_id in answered}
    unanswered = [item_id for item_id in item_ids if item_id not in answers]
    if not unanswered:
        return
    target = data.draw(st.sampled_from(unanswered))
    before = score_assessment(built, answers)
    after = score_assessment(built, {**answers, target: not_applicable()})
    assert after.coverage.applicable == before.coverage.applicable - 1
    assert after.coverage.answered == before.coverage.answered
    assert after.coverage.share >= before.coverage.share


def test_compare_marks_a_score_below_coverage_and_carries_what_it_rests_on() -> None:
    low = score_assessment(FIVE, _full("a0", "a1"))
    enough = score_assessment(FIVE, _full("a0", "a1", "a2", "b0", "b1"))
    comparison = compare_scores([(FIVE, enough), (FIVE, low)])
    step = {row.key: row for row in comparison.section_rows}["s1"]
    shown, hidden = step.cells
    assert (shown.status, shown.value) == ("scored", 75.0)
    assert (hidden.status, hidden.value, hidden.difference) == ("not-enough-answers", None, None)
    assert hidden.coverage == Coverage(2, 5, 0.6)
    assert hidden.to_dict()["coverage"]["status"] == "not-enough-answers"
    practice = step.by_dimension["practice"]
    assert [cell.status for cell in practice] == ["scored", "not-enough-answers"]


def test_words_for_a_score_and_its_basis() -> None:
    low = score_assessment(FIVE, _full("a0", "a1")).section("s1")
    assert score_text(low.percent, low.coverage) == "not enough answers"
    assert basis_text(low.coverage) == "from 2 of 5 items answered; a score needs at least 3"
    shown = score_assessment(FIVE, _full("a0", "a1", "a2")).section("s1")
    assert score_text(shown.percent, shown.coverage) == "75%"
    assert basis_text(shown.coverage) == "from 3 of 5 items answered"
    none = score_assessment(FIVE, {"b0": not_applicable(), "b1": not_applicable()}).section("s2")
    assert (score_text(none.percent, none.coverage), basis_text(none.coverage)) == (
        "—",
        "no item applies",
    )
