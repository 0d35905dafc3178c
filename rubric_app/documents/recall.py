"""How often the suggestions find a labelled clause: top-k recall, pure.

Labels say, per rubric item, which clause numbers of an agreement answer it. An item counts as
found when any of its first ``k`` suggestions is one of its labelled clauses, or a sub-clause of
one ("4.2(a)" is part of "4.2", so a label on the whole clause covers its parts). Items without a
labelled clause are not counted (there is nothing to find).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Recall:
    """Items found among all labelled items, and which were missed."""

    found: int
    labelled: int
    missed: tuple[str, ...]

    @property
    def value(self) -> float:
        """found / labelled; 0.0 when nothing was labelled."""
        return self.found / self.labelled if self.labelled else 0.0

    def __add__(self, other: Recall) -> Recall:
        return Recall(
            self.found + other.found, self.labelled + other.labelled, self.missed + other.missed
        )


def answers(suggested: str, labelled: Collection[str]) -> bool:
    """Whether clause number ``suggested`` is a labelled clause or one of its sub-clauses."""
    return any(suggested == label or suggested.startswith(f"{label}(") for label in labelled)


def top_k_recall(
    labels: Mapping[str, Collection[str]],
    suggested: Mapping[str, Sequence[str]],
    k: int = 3,
) -> Recall:
    """Recall of ``suggested`` (item id -> clause numbers, best first) against ``labels``."""
    found = 0
    labelled = 0
    missed: list[str] = []
    for item_id, numbers in labels.items():
        if not numbers:
            continue
        labelled += 1
        if any(answers(number, numbers) for number in suggested.get(item_id, ())[:k]):
            found += 1
        else:
            missed.append(item_id)
    return Recall(found, labelled, tuple(missed))
