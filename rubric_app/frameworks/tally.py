"""How many organizations meet each requirement of a framework, and the share safe to show.

Pure groundwork for the state dashboard. The share is of the organizations whose answers tell
(met, partly or not met); "cannot tell" is counted but stays out of the denominator, as an
unanswered item stays out of an item's "share fully in place". ``share_met`` applies the
primary small-number rule (``scoring.aggregate.figure_or_suppressed``); a dashboard must still
run its views through the complementary rule of ``docs/privacy.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rubric_app.scoring.aggregate import Figure, Suppressed, figure_or_suppressed, share

from .evaluate import RequirementResult
from .model import Framework

__all__ = ["RequirementTally", "share_met", "tally_outcomes"]


@dataclass(frozen=True)
class RequirementTally:
    """The organizations per outcome for one requirement."""

    requirement_id: str
    met: int = 0
    partly: int = 0
    not_met: int = 0
    cannot_tell: int = 0

    @property
    def judged(self) -> int:
        """Organizations whose answers tell: the denominator of the share."""
        return self.met + self.partly + self.not_met


def tally_outcomes(
    framework: Framework, per_organization: Iterable[Iterable[RequirementResult]]
) -> tuple[RequirementTally, ...]:
    """Count outcomes per requirement over one result list per organization (framework order)."""
    counts = {req.id: [0, 0, 0, 0] for req in framework.requirements}
    index = {"met": 0, "partly": 1, "not-met": 2, "cannot-tell": 3}
    for results in per_organization:
        for result in results:
            row = counts.get(result.requirement.id)
            if row is not None:
                row[index[result.outcome]] += 1
    return tuple(RequirementTally(req_id, *row) for req_id, row in counts.items())


def share_met(tally: RequirementTally, k: int) -> Figure | Suppressed:
    """The share (0..1) of judged organizations that meet it; withheld under ``k`` of them."""
    return figure_or_suppressed(share(tally.met, tally.judged), tally.judged, k)
