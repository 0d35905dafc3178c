"""Two assessments of different rubrics (or versions) lined up item by item through a crosswalk.

Pure groundwork for compare across rubrics: an afterschool lead sees, for each pair of items
that ask the same thing, where the district's answer differs from the program's. Each side's
answer is read with the same per-dimension rule as requirement evaluation
(``evaluate.check_state``: full, partial, none, unknown), so "fully in place" means the same
everywhere.

Rules: the dimensions compared are those both items are answered on (policy with policy,
practice with practice); when they share none (a yes/no item against a scale item), their first
dimensions are compared. A dimension with an unknown state on either side "cannot tell".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from rubric_app.rubrics.model import Rubric
from rubric_app.scoring.answers import Answers
from rubric_app.scoring.visibility import visibility

from .evaluate import CheckedAnswer, CheckState, check_state
from .model import Crosswalk, ItemPair, RubricRef

__all__ = [
    "AlignedDimension",
    "AlignedRow",
    "Relation",
    "align_assessments",
]

Relation = Literal["same", "from-higher", "to-higher", "cannot-tell"]

_LEVEL: dict[CheckState, int] = {"none": 0, "partial": 1, "full": 2}


@dataclass(frozen=True)
class AlignedDimension:
    """One dimension of a pair: each side's answer and how they relate."""

    source: CheckedAnswer
    target: CheckedAnswer
    relation: Relation


@dataclass(frozen=True)
class AlignedRow:
    """One crosswalk pair with both assessments' answers."""

    pair: ItemPair
    dimensions: tuple[AlignedDimension, ...]

    @property
    def differs(self) -> bool:
        """Whether the answers differ on some dimension both sides answered."""
        return any(d.relation in ("from-higher", "to-higher") for d in self.dimensions)

    @property
    def known(self) -> bool:
        """Whether every compared dimension is answered on both sides."""
        return all(d.relation != "cannot-tell" for d in self.dimensions)


def _relation(source: CheckState, target: CheckState) -> Relation:
    if source == "unknown" or target == "unknown":
        return "cannot-tell"
    if _LEVEL[source] == _LEVEL[target]:
        return "same"
    return "from-higher" if _LEVEL[source] > _LEVEL[target] else "to-higher"


def _side_answer(
    rubric: Rubric, item_id: str, dimension: str, answers: Answers, visible: Mapping[str, bool]
) -> CheckedAnswer:
    if not rubric.has_item(item_id):
        return CheckedAnswer(item_id, dimension, "unknown", None, "not-in-rubric")
    item = rubric.item(item_id)
    return check_state(rubric, item, answers.get(item_id), dimension, visible.get(item_id, True))


def _dimension_pairs(source: Rubric, target: Rubric, pair: ItemPair) -> list[tuple[str, str]]:
    source_dims = (
        source.item(pair.source).answer_dimensions if source.has_item(pair.source) else ("",)
    )
    target_dims = (
        target.item(pair.target).answer_dimensions if target.has_item(pair.target) else ("",)
    )
    shared = [dimension for dimension in source_dims if dimension in target_dims]
    if shared:
        return [(dimension, dimension) for dimension in shared]
    return [(source_dims[0], target_dims[0])]


def _check_side(ref: RubricRef, rubric: Rubric, side: str) -> None:
    if rubric.id != ref.rubric:
        raise ValueError(f"the crosswalk's '{side}' side is {ref.rubric}, not {rubric.id}")


def align_assessments(
    crosswalk: Crosswalk,
    source: Rubric,
    source_answers: Answers,
    target: Rubric,
    target_answers: Answers,
) -> tuple[AlignedRow, ...]:
    """Every pair of ``crosswalk`` with both assessments' answers, in crosswalk order.

    ``source`` is the rubric (version) of the crosswalk's ``from`` side, ``target`` of its
    ``to`` side; another version of the same rubric is accepted, and an item it lacks reads as
    unknown ("not-in-rubric"). A different rubric raises ValueError: a caller bug.
    """
    _check_side(crosswalk.source, source, "from")
    _check_side(crosswalk.target, target, "to")
    source_visible = visibility(source, source_answers)
    target_visible = visibility(target, target_answers)
    rows: list[AlignedRow] = []
    for pair in crosswalk.pairs:
        dimensions = []
        for source_dim, target_dim in _dimension_pairs(source, target, pair):
            left = _side_answer(source, pair.source, source_dim, source_answers, source_visible)
            right = _side_answer(target, pair.target, target_dim, target_answers, target_visible)
            dimensions.append(AlignedDimension(left, right, _relation(left.state, right.state)))
        rows.append(AlignedRow(pair, tuple(dimensions)))
    return tuple(rows)
