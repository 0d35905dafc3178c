"""Whether one assessment meets each requirement of a framework: met, partly, not met, cannot tell.

Pure functions over (Framework or Requirement, Rubric, Answers). The rules (the one place they
live):

- A requirement is judged on the items its rule names for the assessment's rubric; each named
  (item, dimension) pair is one *check*. No rule for this rubric: "cannot tell" (not covered).
- A check is **full** when a scale rating is fully in place (``scoring.rating_is_full``, the
  rubric's own threshold) or a yes/no item is answered yes; **none** when the rating is the
  scale's lowest option or the answer is no; **partial** for any rating in between; **unknown**
  when the item is unanswered, N/A, hidden by skip logic, carries a value that is not one of its
  options, or is not in this rubric version.
- Any unknown check makes the requirement "cannot tell": an unanswered item is never read as
  a gap nor as compliance. Otherwise: every check full, "met"; every check none, "not met";
  anything else, "partly".

So the outcome is monotone: raising any one answer never moves it down the order
not met < partly < met (the property tests hold this).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from rubric_app.rubrics.model import Item, Rubric
from rubric_app.scoring.answers import Answers, ItemAnswer, answer_value
from rubric_app.scoring.score import Rating, rating_is_full
from rubric_app.scoring.visibility import visibility

from .model import Framework, ItemCheck, Requirement

__all__ = [
    "OUTCOMES",
    "OUTCOME_LABELS",
    "CheckState",
    "CheckedAnswer",
    "Outcome",
    "RequirementResult",
    "UnknownReason",
    "check_state",
    "combine_states",
    "evaluate_framework",
    "evaluate_requirement",
]

Outcome = Literal["met", "partly", "not-met", "cannot-tell"]
#: Outcomes in display order.
OUTCOMES: tuple[Outcome, ...] = ("met", "partly", "not-met", "cannot-tell")
OUTCOME_LABELS: dict[Outcome, str] = {
    "met": "Met",
    "partly": "Partly met",
    "not-met": "Not met",
    "cannot-tell": "Cannot tell",
}
CheckState = Literal["full", "partial", "none", "unknown"]
UnknownReason = Literal["unanswered", "not-applicable", "hidden", "not-an-option", "not-in-rubric"]


@dataclass(frozen=True)
class CheckedAnswer:
    """One (item, dimension) behind a requirement, with the answer found and what it counts as."""

    item_id: str
    dimension: str
    state: CheckState
    #: The option key or "yes"/"no" given; None when nothing usable was given.
    value: str | None
    #: Why the state is unknown; None when it is known.
    reason: UnknownReason | None = None


@dataclass(frozen=True)
class RequirementResult:
    """The outcome of one requirement for one assessment, with the answers behind it."""

    requirement: Requirement
    outcome: Outcome
    checked: tuple[CheckedAnswer, ...]
    #: False when the requirement has no rule for the assessment's rubric.
    covered: bool

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def item_ids(self) -> tuple[str, ...]:
        """The items behind the outcome, once each, in rule order."""
        return tuple(dict.fromkeys(check.item_id for check in self.checked))


def combine_states(states: Iterable[CheckState]) -> Outcome:
    """The outcome of a requirement whose checks are ``states`` (see the module rules)."""
    states = tuple(states)
    if not states or "unknown" in states:
        return "cannot-tell"
    if all(state == "full" for state in states):
        return "met"
    if all(state == "none" for state in states):
        return "not-met"
    return "partly"


def _unknown(item_id: str, dimension: str, reason: UnknownReason) -> CheckedAnswer:
    return CheckedAnswer(item_id, dimension, "unknown", None, reason)


def check_state(
    rubric: Rubric, item: Item, answer: ItemAnswer | None, dimension: str, visible: bool = True
) -> CheckedAnswer:
    """What one dimension of one item's answer says about a requirement (see the module rules)."""
    if not visible:
        return _unknown(item.id, dimension, "hidden")
    if answer is not None and answer.not_applicable:
        return _unknown(item.id, dimension, "not-applicable")
    value = answer_value(answer, dimension)
    if value is None:
        return _unknown(item.id, dimension, "unanswered")
    if not isinstance(value, str):
        return _unknown(item.id, dimension, "not-an-option")
    if item.type == "yes_no":
        if value in ("yes", "no"):
            return CheckedAnswer(item.id, dimension, "full" if value == "yes" else "none", value)
        return _unknown(item.id, dimension, "not-an-option")
    scale = rubric.scale_of(item) if item.type == "scale" else None
    option = scale.option(value) if scale is not None else None
    if scale is None or option is None:
        return _unknown(item.id, dimension, "not-an-option")
    rating = Rating(option.key, option.points, scale.max_points)
    if rating_is_full(rubric, rating):
        state: CheckState = "full"
    elif option.points <= scale.min_points:
        state = "none"
    else:
        state = "partial"
    return CheckedAnswer(item.id, dimension, state, value)


def _checked(
    rubric: Rubric, check: ItemCheck, answers: Answers, visible: Mapping[str, bool]
) -> tuple[CheckedAnswer, ...]:
    if not rubric.has_item(check.item):
        # A rule written against another version of the rubric: this version cannot tell.
        return tuple(
            _unknown(check.item, dimension, "not-in-rubric")
            for dimension in check.dimensions or ("",)
        )
    item = rubric.item(check.item)
    return tuple(
        check_state(rubric, item, answers.get(item.id), dimension, visible.get(item.id, True))
        for dimension in check.dimensions or item.answer_dimensions
    )


def _evaluate(
    requirement: Requirement, rubric: Rubric, answers: Answers, visible: Mapping[str, bool]
) -> RequirementResult:
    rule = requirement.rule_for(rubric.id)
    if rule is None:
        return RequirementResult(requirement, "cannot-tell", (), covered=False)
    checked = tuple(
        answer for check in rule.checks for answer in _checked(rubric, check, answers, visible)
    )
    outcome = combine_states(answer.state for answer in checked)
    return RequirementResult(requirement, outcome, checked, covered=True)


def evaluate_requirement(
    requirement: Requirement, rubric: Rubric, answers: Answers
) -> RequirementResult:
    """The outcome of ``requirement`` for an assessment of ``rubric`` with ``answers``."""
    return _evaluate(requirement, rubric, answers, visibility(rubric, answers))


def evaluate_framework(
    framework: Framework, rubric: Rubric, answers: Answers
) -> tuple[RequirementResult, ...]:
    """Every requirement of ``framework`` judged on one assessment, in the framework's order."""
    visible = visibility(rubric, answers)
    return tuple(_evaluate(req, rubric, answers, visible) for req in framework.requirements)
