"""Which figure a finding is about: the lowest, the largest gap, the largest change.

Pure choices over figures that may already be shown (the caller passes only those): the weakest
of a set of medians, the largest share of a paper-versus-practice gap, and the largest change
between two periods over the keys both periods show. Ties go to the first key in the order the
caller gives (rubric order), so a finding never flips between two equal figures from one page
view to the next.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Change", "Extreme", "largest_change", "largest_of", "lowest_of"]


@dataclass(frozen=True)
class Extreme:
    """The key of the chosen figure and its value."""

    key: str
    value: float


@dataclass(frozen=True)
class Change:
    """A figure in two periods: the current value, the previous one and the difference."""

    key: str
    current: float
    previous: float

    @property
    def delta(self) -> float:
        """Return current minus previous (positive: it rose)."""
        return self.current - self.previous


def lowest_of(values: Mapping[str, float]) -> Extreme | None:
    """Return the key with the lowest value (first in order on a tie), or None if empty."""
    best: Extreme | None = None
    for key, value in values.items():
        if best is None or value < best.value:
            best = Extreme(key, value)
    return best


def largest_of(values: Mapping[str, float]) -> Extreme | None:
    """Return the key with the largest value (first in order on a tie), or None if empty."""
    best: Extreme | None = None
    for key, value in values.items():
        if best is None or value > best.value:
            best = Extreme(key, value)
    return best


def largest_change(current: Mapping[str, float], previous: Mapping[str, float]) -> Change | None:
    """Return the key, among those in both periods, whose value moved most in either direction.

    None when no key has a figure in both periods. A change of zero is still a change to report
    ("no step moved"); the caller words it.
    """
    best: Change | None = None
    for key, value in current.items():
        if key not in previous:
            continue
        change = Change(key, value, previous[key])
        if best is None or abs(change.delta) > abs(best.delta):
            best = change
    return best
