"""Skip logic: which items a set of answers makes visible, by evaluating each item's ``show_if``.

Rules (the one place they live):

- ``equals`` / ``in``: the answer is one of ``values``; on a multi-select answer, one of the
  ticked keys is (so ``equals`` means "contains").
- ``not_equals``: the negation of ``equals``.
- A leaf on an unanswered (or N/A) item is false, except ``not_equals``, which is true.
- ``all`` / ``any`` combine their children.
- An item whose condition reads a hidden item is hidden, whatever the operator, so answers left
  behind on a branch the user closed never reopen anything.
- A leaf without a ``dimension`` reads the referenced item's first answer dimension.

Hidden items are not asked, not scored and not counted in completion.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from rubric_app.rubrics.model import VALUE_DIMENSION, Condition, Item, Rubric

from .answers import Answers, answer_value

__all__ = ["condition_holds", "is_visible", "visibility", "visibility_when_read", "visible_items"]


class _Evaluator:
    """Memoised visibility of one rubric under one set of answers."""

    def __init__(self, rubric: Rubric, answers: Answers) -> None:
        self.rubric = rubric
        self.answers = answers
        self.memo: dict[str, bool] = {}
        self.in_progress: set[str] = set()

    def visible(self, item: Item) -> bool:
        """Return whether ``item`` is shown."""
        known = self.memo.get(item.id)
        if known is not None:
            return known
        if item.id in self.in_progress:
            # The loader forbids cycles; if one slips through, hiding is the safe reading.
            return False
        self.in_progress.add(item.id)
        result = self._evaluate(item)
        self.in_progress.discard(item.id)
        self.memo[item.id] = result
        return result

    def _evaluate(self, item: Item) -> bool:
        condition = item.show_if
        if condition is None:
            return True
        for ref in condition.referenced_items():
            if self.rubric.has_item(ref) and not self.visible(self.rubric.item(ref)):
                return False
        return condition_holds(condition, self.rubric, self.answers)


def condition_holds(condition: Condition, rubric: Rubric, answers: Answers) -> bool:
    """Return whether ``condition`` holds for ``answers`` (visibility of what it reads aside)."""
    if condition.op == "all":
        return all(condition_holds(child, rubric, answers) for child in condition.conditions)
    if condition.op == "any":
        return any(condition_holds(child, rubric, answers) for child in condition.conditions)
    if condition.item is None:
        return False
    dimension = condition.dimension
    if dimension is None:
        dimension = (
            rubric.item(condition.item).answer_dimensions[0]
            if rubric.has_item(condition.item)
            else VALUE_DIMENSION
        )
    value = answer_value(answers.get(condition.item), dimension)
    if value is None:
        return condition.op == "not_equals"
    if isinstance(value, str):
        matches = value in condition.values
    else:
        matches = any(key in condition.values for key in value)
    return not matches if condition.op == "not_equals" else matches


def visibility(rubric: Rubric, answers: Answers) -> Mapping[str, bool]:
    """Return whether each item of ``rubric`` is visible, by item id in rubric order."""
    evaluator = _Evaluator(rubric, answers)
    return {item.id: evaluator.visible(item) for item in rubric.items}


class _VisibilityWhenRead(Mapping[str, bool]):
    """Whether each item of a rubric is visible, each decided when first read."""

    def __init__(self, rubric: Rubric, answers: Answers) -> None:
        self._rubric = rubric
        self._evaluator = _Evaluator(rubric, answers)

    def __getitem__(self, item_id: str) -> bool:
        if not self._rubric.has_item(item_id):
            raise KeyError(item_id)
        return self._evaluator.visible(self._rubric.item(item_id))

    def __iter__(self) -> Iterator[str]:
        return (item.id for item in self._rubric.items)

    def __len__(self) -> int:
        return len(self._rubric.items)


def visibility_when_read(rubric: Rubric, answers: Answers) -> Mapping[str, bool]:
    """``visibility``, each item decided only when it is first read.

    For a caller that reads a few items of a long rubric (a section's, and the items their
    conditions name): an autosave reads a dozen of its rubric's fifty. The answers must not
    change while the result is in use. Each item's visibility depends on the answers alone (the
    loader refuses cyclic conditions), so the order of the reads changes nothing.
    """
    return _VisibilityWhenRead(rubric, answers)


def visible_items(rubric: Rubric, answers: Answers) -> tuple[Item, ...]:
    """Return the items ``answers`` make visible, in rubric order."""
    evaluator = _Evaluator(rubric, answers)
    return tuple(item for item in rubric.items if evaluator.visible(item))


def is_visible(rubric: Rubric, answers: Answers, item: Item | str) -> bool:
    """Return whether one item (or item id) is visible under ``answers``."""
    target = rubric.item(item) if isinstance(item, str) else item
    return _Evaluator(rubric, answers).visible(target)
