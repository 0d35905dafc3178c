"""Plain statistics for state roll-ups and compare exports: quartiles, bins, shares, suppression.

The SQL roll-up computes counts and sums in the database and calls these for the final figures
and small-number suppression; they also run on plain lists, so tests can check the SQL against
them.

- Quartiles use the inclusive, linear-interpolation method: the p-quantile of n sorted values
  sits at position ``(n - 1) * p`` (0-based), interpolated between its neighbours. This matches
  PostgreSQL ``percentile_cont``, ``numpy.percentile``'s default and Excel ``QUARTILE.INC``.
- Histogram bins are ``[low, high)`` except the last, which is ``[low, high]`` so 100 is counted.
  (PostgreSQL ``width_bucket`` puts the upper bound in an overflow bucket; fold it into the last.)
- A figure over fewer than ``k`` organizations is suppressed, with the reason as text.

Quartiles and histograms also take *counted* values, ``(value, how many)`` pairs, as a grouped
query returns them: a few hundred distinct scores stand for thousands of assessments, so the
database sends the counts instead of every row. The plain-list forms count first and share the
same code, so both give identical figures.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEFAULT_EDGES",
    "Bin",
    "Figure",
    "Quartiles",
    "Suppressed",
    "figure_or_suppressed",
    "histogram",
    "histogram_of_counts",
    "mean",
    "quantile",
    "quartiles",
    "quartiles_of_counts",
    "share",
    "suppress",
]

DEFAULT_EDGES: tuple[float, ...] = (0, 20, 40, 60, 80, 100)


def _clean(values: Iterable[float | None]) -> list[float]:
    """Return the values that are numbers (None and NaN dropped), sorted."""
    return sorted(float(v) for v in values if v is not None and not math.isnan(v))


def quantile(sorted_values: Sequence[float], p: float) -> float:
    """Return the inclusive, linearly interpolated ``p``-quantile of non-empty sorted values."""
    if not sorted_values:
        raise ValueError("quantile of no values")
    if not 0.0 <= p <= 1.0:
        raise ValueError("p must be within 0..1")
    position = (len(sorted_values) - 1) * p
    lower = math.floor(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    fraction = position - lower
    low, high = sorted_values[lower], sorted_values[upper]
    return low + (high - low) * fraction


@dataclass(frozen=True)
class Quartiles:
    """The five-number summary of a distribution, and how many values it summarises."""

    n: int
    min: float
    q1: float
    median: float
    q3: float
    max: float

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "n": self.n,
            "min": self.min,
            "q1": self.q1,
            "median": self.median,
            "q3": self.q3,
            "max": self.max,
        }


def _clean_counts(counted: Iterable[tuple[float | None, int]]) -> list[tuple[float, int]]:
    """Return (value, count) pairs with numbers only and positive counts, merged and sorted."""
    merged: dict[float, int] = {}
    for value, count in counted:
        if count < 0:
            raise ValueError("negative count")
        # value == value is False only for NaN.
        if count and value is not None and value == value:
            key = float(value)
            merged[key] = merged.get(key, 0) + count
    return sorted(merged.items())


def _value_at(pairs: Sequence[tuple[float, int]], index: int) -> float:
    """Return the ``index``-th (0-based) value of the sorted multiset the pairs describe."""
    seen = 0
    for value, count in pairs:
        seen += count
        if index < seen:
            return value
    raise IndexError(index)


def _quantile_of_counts(pairs: Sequence[tuple[float, int]], n: int, p: float) -> float:
    """Return the p-quantile of the multiset (same rule as ``quantile``)."""
    position = (n - 1) * p
    lower = math.floor(position)
    upper = min(lower + 1, n - 1)
    low, high = _value_at(pairs, lower), _value_at(pairs, upper)
    return low + (high - low) * (position - lower)


def quartiles_of_counts(counted: Iterable[tuple[float | None, int]]) -> Quartiles | None:
    """Return min, quartiles and max of counted values ``(value, count)``, or None if empty."""
    pairs = _clean_counts(counted)
    n = sum(count for _, count in pairs)
    if not n:
        return None
    return Quartiles(
        n=n,
        min=pairs[0][0],
        q1=_quantile_of_counts(pairs, n, 0.25),
        median=_quantile_of_counts(pairs, n, 0.5),
        q3=_quantile_of_counts(pairs, n, 0.75),
        max=pairs[-1][0],
    )


def quartiles(values: Iterable[float | None]) -> Quartiles | None:
    """Return min, quartiles and max of the values (None and NaN ignored), or None if empty."""
    return quartiles_of_counts(Counter(values).items())


def mean(values: Iterable[float | None]) -> float | None:
    """Return the arithmetic mean of the values (None and NaN ignored), or None if empty."""
    data = _clean(values)
    return math.fsum(data) / len(data) if data else None


@dataclass(frozen=True)
class Bin:
    """One histogram bin: ``[low, high)``, or ``[low, high]`` when ``closed`` (the last bin)."""

    low: float
    high: float
    count: int
    closed: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {"low": self.low, "high": self.high, "count": self.count, "closed": self.closed}


def histogram_of_counts(
    counted: Iterable[tuple[float | None, int]], edges: Sequence[float] = DEFAULT_EDGES
) -> list[Bin]:
    """Count counted values ``(value, count)`` into bins; values outside the edges are ignored."""
    if len(edges) < 2 or any(a >= b for a, b in itertools.pairwise(edges)):
        raise ValueError("edges must be at least two strictly increasing numbers")
    counts = [0] * (len(edges) - 1)
    last = len(counts) - 1
    for value, count in _clean_counts(counted):
        if value < edges[0] or value > edges[-1]:
            continue
        for index in range(len(counts)):
            if value < edges[index + 1] or index == last:
                counts[index] += count
                break
    return [
        Bin(edges[i], edges[i + 1], count, closed=(i == last)) for i, count in enumerate(counts)
    ]


def histogram(values: Iterable[float | None], edges: Sequence[float] = DEFAULT_EDGES) -> list[Bin]:
    """Count values into bins between consecutive ``edges``; values outside them are ignored."""
    return histogram_of_counts(Counter(values).items(), edges)


def share(numerator: float, denominator: float) -> float | None:
    """Return ``numerator / denominator`` as a fraction 0..1, or None when the denominator is 0."""
    if numerator < 0 or denominator < 0:
        raise ValueError("share of negative counts")
    if denominator == 0:
        return None
    return numerator / denominator


def suppress(count: int, k: int) -> bool:
    """Return whether a figure over ``count`` organizations must be hidden (fewer than ``k``)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    return count < k


@dataclass(frozen=True)
class Figure:
    """A figure safe to show, with the number of organizations behind it."""

    value: float | None
    n: int

    @property
    def suppressed(self) -> bool:
        """Return False: a Figure is shown."""
        return False

    @property
    def reason(self) -> str:
        """Return '': nothing is hidden."""
        return ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {"value": self.value, "n": self.n, "suppressed": False, "reason": ""}


@dataclass(frozen=True)
class Suppressed:
    """A figure withheld to protect privacy; says why, and never how many stand behind it.

    ``because`` is "small" when fewer than ``k`` organizations stand behind the figure, and
    "complement" when the figure itself is safe but showing it beside the others would let the
    figures of fewer than ``k`` organizations be worked out by subtraction
    (``rubric_app.scoring.disclosure``). The count is deliberately not kept: "fewer than 5" is
    all anyone may learn, even from the JSON form.
    """

    k: int
    unit: str = "organizations"
    because: str = "small"

    @property
    def value(self) -> None:
        """Return None: the figure is withheld."""
        return None

    @property
    def suppressed(self) -> bool:
        """Return True: the figure is withheld."""
        return True

    @property
    def reason(self) -> str:
        """Return why the figure is hidden, in plain words."""
        if self.because == "complement":
            return (
                "Hidden to protect privacy: shown beside the other figures, it would reveal "
                f"a group of fewer than {self.k} {self.unit}"
            )
        return f"Hidden to protect privacy: fewer than {self.k} {self.unit}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {"value": None, "suppressed": True, "reason": self.reason}


def figure_or_suppressed(
    value: float | None, n: int, k: int, unit: str = "organizations"
) -> Figure | Suppressed:
    """Return the figure when at least ``k`` organizations stand behind it, else a Suppressed."""
    if suppress(n, k):
        return Suppressed(k=k, unit=unit)
    return Figure(value=value, n=n)
