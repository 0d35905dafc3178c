"""Tests of roll-up statistics: quartiles, histograms, shares and small-number suppression."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rubric_app.scoring import (
    Figure,
    Suppressed,
    figure_or_suppressed,
    histogram,
    histogram_of_counts,
    mean,
    quartiles,
    quartiles_of_counts,
    share,
    suppress,
)


def test_quartiles_interpolate_linearly_inclusive() -> None:
    result = quartiles([4, 1, 3, 2])
    assert result is not None
    assert (result.min, result.q1, result.median, result.q3, result.max) == (
        1,
        1.75,
        2.5,
        3.25,
        4,
    )
    assert result.n == 4


def test_quartiles_of_one_value_and_of_none() -> None:
    single = quartiles([42.0])
    assert single is not None
    assert (single.min, single.q1, single.median, single.q3, single.max) == (42, 42, 42, 42, 42)
    assert quartiles([]) is None
    assert quartiles([None]) is None


def test_quartiles_ignore_missing_values() -> None:
    result = quartiles([None, 10, 20, float("nan"), 30])
    assert result is not None
    assert (result.n, result.q1, result.median) == (3, 15, 20)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=2, max_size=30))
def test_quartiles_match_statistics_inclusive(values: list[float]) -> None:
    result = quartiles(values)
    assert result is not None
    expected = statistics.quantiles(values, n=4, method="inclusive")
    assert [result.q1, result.median, result.q3] == pytest.approx(expected)
    assert result.min <= result.q1 <= result.median <= result.q3 <= result.max


def test_histogram_bins_are_half_open_except_the_last() -> None:
    bins = histogram([0, 19.99, 20, 79.99, 80, 100, -1, 100.5, None])
    assert [(b.low, b.high, b.count) for b in bins] == [
        (0, 20, 2),
        (20, 40, 1),
        (40, 60, 0),
        (60, 80, 1),
        (80, 100, 2),
    ]
    assert [b.closed for b in bins] == [False, False, False, False, True]


def test_histogram_with_custom_edges_and_bad_edges() -> None:
    assert [b.count for b in histogram([1, 5, 10], edges=(0, 5, 10))] == [1, 2]
    with pytest.raises(ValueError, match="increasing"):
        histogram([1], edges=(0, 0, 10))
    with pytest.raises(ValueError, match="increasing"):
        histogram([1], edges=(0,))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 100, allow_nan=False), max_size=40))
def test_histogram_counts_every_value_in_range_once(values: list[float]) -> None:
    assert sum(b.count for b in histogram(values)) == len(values)


@pytest.mark.parametrize(("count", "hidden"), [(0, True), (4, True), (5, False), (6, False)])
def test_suppress_below_k(count: int, hidden: bool) -> None:
    assert suppress(count, 5) is hidden


def test_suppress_needs_a_positive_k() -> None:
    with pytest.raises(ValueError, match="k"):
        suppress(3, 0)


def test_figure_below_k_is_suppressed_with_a_reason() -> None:
    hidden = figure_or_suppressed(62.5, n=4, k=5)
    assert isinstance(hidden, Suppressed)
    assert hidden.suppressed
    assert hidden.value is None
    # "Fewer than 5" is all anyone may learn: the exact count is neither said nor kept.
    assert hidden.reason == "Hidden to protect privacy: fewer than 5 organizations"
    assert hidden.to_dict() == {"value": None, "suppressed": True, "reason": hidden.reason}
    assert "4" not in repr(hidden)


def test_figure_at_k_is_shown() -> None:
    shown = figure_or_suppressed(62.5, n=5, k=5)
    assert isinstance(shown, Figure)
    assert (shown.value, shown.n, shown.suppressed, shown.reason) == (62.5, 5, False, "")


def test_share_and_mean() -> None:
    assert share(3, 4) == 0.75
    assert share(0, 0) is None
    with pytest.raises(ValueError, match="negative"):
        share(-1, 4)
    assert mean([1, 2, None, 6]) == 3
    assert mean([]) is None


_counted = st.lists(st.tuples(st.floats(0, 100, allow_nan=False), st.integers(0, 50)), max_size=30)


@settings(max_examples=80, deadline=None)
@given(_counted)
def test_counted_quartiles_match_the_expanded_values(counted: list[tuple[float, int]]) -> None:
    # What a grouped query sends, (score, how many), gives the same figures as every row would;
    # checked against the standard library's inclusive method as an independent computation.
    expanded = sorted(value for value, count in counted for _ in range(count))
    result = quartiles_of_counts(counted)
    if not expanded:
        assert result is None
        return
    assert result is not None
    assert result.n == len(expanded)
    assert (result.min, result.max) == (expanded[0], expanded[-1])
    if len(expanded) > 1:
        q1, median, q3 = statistics.quantiles(expanded, n=4, method="inclusive")
        assert result.q1 == pytest.approx(q1, abs=1e-9)
        assert result.median == pytest.approx(median, abs=1e-9)
        assert result.q3 == pytest.approx(q3, abs=1e-9)
    assert [b.count for b in histogram_of_counts(counted)] == [b.count for b in histogram(expanded)]


def test_counted_values_merge_repeats_and_ignore_gaps() -> None:
    # The same score may come in several groups (one per rubric version); None and zero counts
    # add nothing.
    result = quartiles_of_counts([(50.0, 1), (10.0, 2), (50.0, 1), (None, 4), (90.0, 0)])
    assert result == quartiles([10, 10, 50, 50])
    assert [b.count for b in histogram_of_counts([(100.0, 3), (0.0, 2)])] == [2, 0, 0, 0, 3]


def test_counted_values_refuse_negative_counts() -> None:
    with pytest.raises(ValueError, match="negative"):
        quartiles_of_counts([(10.0, -1)])
