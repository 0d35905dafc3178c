"""Coverage: how much of a score's ground was answered, and whether that is enough to show it.

A score rests on the applicable scored items of its step (or of the whole rubric) and, for a
dimension's score, on those items' ratings on that dimension. Hidden items and N/A items are
not applicable: they count neither as answered nor against coverage. An item counts as answered
for a step when every one of its dimensions is rated, and for a dimension when that dimension is.

A score is shown only when ``answered >= min_coverage * applicable`` (``scoring.min_coverage``
of the rubric); below that it reads "not enough answers", because a percent over two of ten
items says more about what was skipped than about what is in place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "NOT_ENOUGH_ANSWERS",
    "Coverage",
    "CoverageStatus",
    "basis_text",
    "score_text",
]

#: The words every page, PDF and export shows instead of a percent below the threshold.
NOT_ENOUGH_ANSWERS = "not enough answers"

#: 'shown': the score is shown; 'not-enough-answers': too few answered to show it;
#: 'nothing-applicable': no applicable scored item, so there is no score to show.
CoverageStatus = Literal["shown", "not-enough-answers", "nothing-applicable"]

#: Float noise in ``min_coverage * applicable`` (0.7 * 10 is 7.000000000000001) must not hide
#: a score whose coverage is exactly at the threshold.
_EPSILON = 1e-9


@dataclass(frozen=True)
class Coverage:
    """How many of a score's applicable scored items are answered, against the threshold."""

    answered: int
    applicable: int
    min_coverage: float

    @property
    def share(self) -> float:
        """Return ``answered / applicable`` (1.0 when nothing is applicable: nothing is missing)."""
        return 1.0 if self.applicable == 0 else self.answered / self.applicable

    @property
    def status(self) -> CoverageStatus:
        """Return whether the score is shown, hidden for too few answers, or has no ground."""
        if self.applicable == 0:
            return "nothing-applicable"
        # Nothing answered is never enough, even with a threshold of 0: there is no score.
        if self.answered > 0 and self.answered + _EPSILON >= self.min_coverage * self.applicable:
            return "shown"
        return "not-enough-answers"

    @property
    def enough(self) -> bool:
        """Return whether a score resting on this coverage is shown."""
        return self.status == "shown"

    @property
    def needed(self) -> int:
        """Return how many answered items a score over these items needs (at least one)."""
        if self.applicable == 0:
            return 0
        return max(1, math.ceil(self.min_coverage * self.applicable - _EPSILON))

    @property
    def unanswered(self) -> int:
        """Return how many applicable scored items are not answered."""
        return self.applicable - self.answered

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "answered": self.answered,
            "applicable": self.applicable,
            "share": self.share,
            "min_coverage": self.min_coverage,
            "status": self.status,
        }


def basis_text(coverage: Coverage) -> str:
    """Return what a score rests on, in words: "from 31 of 52 items answered"."""
    if coverage.applicable == 0:
        return "no item applies"
    noun = "item" if coverage.applicable == 1 else "items"
    text = f"from {coverage.answered} of {coverage.applicable} {noun} answered"
    if coverage.status == "not-enough-answers":
        text += f"; a score needs at least {coverage.needed}"
    return text


def score_text(percent: float | None, coverage: Coverage) -> str:
    """Return a score for people: "61%", "not enough answers", or an em dash for no score."""
    if coverage.status == "not-enough-answers":
        return NOT_ENOUGH_ANSWERS
    return "—" if percent is None else f"{percent:.0f}%"
