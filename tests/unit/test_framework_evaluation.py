"""Requirement evaluation: met, partly, not met and cannot tell, by example and by property."""

from __future__ import annotations

from framework_fixtures import RUBRIC_V2, mini_rubric
from hypothesis import given, settings
from hypothesis import strategies as st

from rubric_app.frameworks.evaluate import (
    OUTCOMES,
    CheckState,
    Outcome,
    combine_states,
    evaluate_framework,
    evaluate_requirement,
)
from rubric_app.frameworks.model import Framework, ItemCheck, Requirement, RubricRule
from rubric_app.scoring import ItemAnswer

RUBRIC = mini_rubric()
OPTIONS = ("not-in-place", "partly", "fully")
RANK: dict[Outcome, int] = {"not-met": 0, "partly": 1, "met": 2}


def requirement(*checks: ItemCheck, rubric: str = "mini") -> Requirement:
    return Requirement(
        id="req",
        citation="Test Code § 1",
        statement="Something is in place.",
        source="https://example.org/law",
        status="official",
        rules=(RubricRule(rubric, checks),),
    )


DISCIPLINE_BOTH = requirement(ItemCheck("no-discipline"))
DISCIPLINE_POLICY = requirement(ItemCheck("no-discipline", ("policy",)))


def rated(policy: str, practice: str | None = None) -> ItemAnswer:
    values = {"policy": policy} if practice is None else {"policy": policy, "practice": practice}
    return ItemAnswer(values=values)


def outcome(req: Requirement, answers: dict[str, ItemAnswer]) -> Outcome:
    return evaluate_requirement(req, RUBRIC, answers).outcome


def test_fully_in_place_on_every_named_dimension_is_met() -> None:
    answers = {"no-discipline": rated("fully", "fully")}
    result = evaluate_requirement(DISCIPLINE_BOTH, RUBRIC, answers)
    assert (result.outcome, result.label, result.covered) == ("met", "Met", True)
    assert [(c.item_id, c.dimension, c.state, c.value) for c in result.checked] == [
        ("no-discipline", "policy", "full", "fully"),
        ("no-discipline", "practice", "full", "fully"),
    ]
    assert result.item_ids == ("no-discipline",)


def test_partly_and_not_met() -> None:
    assert outcome(DISCIPLINE_BOTH, {"no-discipline": rated("fully", "partly")}) == "partly"
    assert outcome(DISCIPLINE_BOTH, {"no-discipline": rated("fully", "not-in-place")}) == "partly"
    assert outcome(DISCIPLINE_BOTH, {"no-discipline": rated("partly", "partly")}) == "partly"
    both_none = {"no-discipline": rated("not-in-place", "not-in-place")}
    assert outcome(DISCIPLINE_BOTH, both_none) == "not-met"


def test_only_the_named_dimension_counts() -> None:
    answers = {"no-discipline": rated("fully", "not-in-place")}
    assert outcome(DISCIPLINE_POLICY, answers) == "met"
    assert outcome(DISCIPLINE_POLICY, {"no-discipline": ItemAnswer({"practice": "fully"})}) == (
        "cannot-tell"
    )


def test_yes_no_items_count_yes_as_in_place() -> None:
    req = requirement(ItemCheck("exists"))
    assert outcome(req, {"exists": ItemAnswer({"value": "yes"})}) == "met"
    assert outcome(req, {"exists": ItemAnswer({"value": "no"})}) == "not-met"


def test_unanswered_na_hidden_or_unknown_values_cannot_tell() -> None:
    def reasons(req: Requirement, answers: dict[str, ItemAnswer]) -> list[str | None]:
        result = evaluate_requirement(req, RUBRIC, answers)
        assert result.outcome == "cannot-tell"
        return [check.reason for check in result.checked]

    assert reasons(DISCIPLINE_POLICY, {}) == ["unanswered"]
    na = ItemAnswer(not_applicable=True, na_reason="No officers.")
    assert reasons(DISCIPLINE_POLICY, {"no-discipline": na}) == ["not-applicable"]
    assert reasons(DISCIPLINE_POLICY, {"no-discipline": rated("maybe")}) == ["not-an-option"]
    # "mou" is shown only when "exists" is yes: hidden, whatever was left in it.
    mou = requirement(ItemCheck("mou", ("policy",)))
    hidden = {"exists": ItemAnswer({"value": "no"}), "mou": rated("fully")}
    assert reasons(mou, hidden) == ["hidden"]
    assert outcome(mou, {"exists": ItemAnswer({"value": "yes"}), "mou": rated("fully")}) == "met"
    # One unanswered item among answered ones is still "cannot tell", never a gap.
    two = requirement(ItemCheck("no-discipline", ("policy",)), ItemCheck("exists"))
    assert outcome(two, {"no-discipline": rated("not-in-place")}) == "cannot-tell"


def test_a_rubric_the_requirement_does_not_cover_cannot_tell() -> None:
    result = evaluate_requirement(requirement(ItemCheck("x"), rubric="other"), RUBRIC, {})
    assert (result.outcome, result.covered, result.checked) == ("cannot-tell", False, ())


def test_an_item_missing_from_this_rubric_version_cannot_tell() -> None:
    v2 = mini_rubric(RUBRIC_V2)  # "no-discipline" was renamed in version 2
    result = evaluate_requirement(DISCIPLINE_POLICY, v2, {"discipline-role": rated("fully")})
    assert result.outcome == "cannot-tell"
    assert [c.reason for c in result.checked] == ["not-in-rubric"]


def test_a_framework_is_evaluated_requirement_by_requirement_in_order() -> None:
    framework = Framework(
        id="law",
        title="Law",
        jurisdiction="WA",
        citation="Test Code",
        text_date="2021",
        sources=("https://example.org/law",),
        status="official",
        note="Not legal advice.",
        requirements=(DISCIPLINE_POLICY, requirement(ItemCheck("exists"))),
    )
    results = evaluate_framework(framework, RUBRIC, {"exists": ItemAnswer({"value": "yes"})})
    assert [r.outcome for r in results] == ["cannot-tell", "met"]


# --- properties -------------------------------------------------------------------------------

CHECKS = st.lists(
    st.sampled_from(
        [
            ItemCheck("no-discipline"),
            ItemCheck("no-discipline", ("policy",)),
            ItemCheck("no-discipline", ("practice",)),
            ItemCheck("exists"),
        ]
    ),
    min_size=1,
    max_size=3,
    unique=True,
)
ANSWERS = st.fixed_dictionaries(
    {
        "policy": st.sampled_from(OPTIONS),
        "practice": st.sampled_from(OPTIONS),
        "exists": st.sampled_from(("yes", "no")),
    }
)


def answers_of(values: dict[str, str]) -> dict[str, ItemAnswer]:
    return {
        "no-discipline": rated(values["policy"], values["practice"]),
        "exists": ItemAnswer({"value": values["exists"]}),
    }


def better(values: dict[str, str], key: str) -> dict[str, str]:
    """The same answers with ``key`` raised one step (unchanged when already at the top)."""
    raised = dict(values)
    if key == "exists":
        raised[key] = "yes"
    else:
        raised[key] = OPTIONS[min(OPTIONS.index(values[key]) + 1, len(OPTIONS) - 1)]
    return raised


@settings(max_examples=300, deadline=None)
@given(CHECKS, ANSWERS, st.sampled_from(("policy", "practice", "exists")))
def test_a_better_answer_never_lowers_the_outcome(
    checks: list[ItemCheck], values: dict[str, str], key: str
) -> None:
    req = requirement(*checks)
    before = outcome(req, answers_of(values))
    after = outcome(req, answers_of(better(values, key)))
    # Every mapped item is answered, so the outcome is never "cannot tell" here.
    assert before != "cannot-tell"
    assert after != "cannot-tell"
    assert RANK[after] >= RANK[before]
    if before == "met":
        assert after == "met"


@settings(max_examples=200, deadline=None)
@given(CHECKS, ANSWERS, st.sampled_from(("no-discipline", "exists")), st.booleans())
def test_an_unanswered_or_na_mapped_item_always_cannot_tell(
    checks: list[ItemCheck], values: dict[str, str], dropped: str, as_na: bool
) -> None:
    req = requirement(*checks)
    answers = answers_of(values)
    mapped = {check.item for check in checks}
    if as_na:
        answers[dropped] = ItemAnswer(not_applicable=True, na_reason="Does not apply.")
    else:
        del answers[dropped]
    result = outcome(req, answers)
    if dropped in mapped:
        assert result == "cannot-tell"
    else:
        assert result != "cannot-tell"


@given(st.lists(st.sampled_from(["full", "partial", "none", "unknown"]), max_size=6))
def test_combining_states_follows_the_rules(states: list[CheckState]) -> None:
    result = combine_states(states)
    assert result in OUTCOMES
    if not states or "unknown" in states:
        assert result == "cannot-tell"
    elif set(states) == {"full"}:
        assert result == "met"
    elif set(states) == {"none"}:
        assert result == "not-met"
    else:
        assert result == "partly"
