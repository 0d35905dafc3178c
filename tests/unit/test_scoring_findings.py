"""The figure a finding is about: lowest, largest, largest change (scoring.findings)."""

from __future__ import annotations

from rubric_app.scoring.findings import Change, Extreme, largest_change, largest_of, lowest_of


def test_lowest_and_largest_take_the_first_on_a_tie() -> None:
    values = {"s1": 40.0, "s2": 25.0, "s3": 25.0, "s4": 70.0, "s5": 70.0}
    assert lowest_of(values) == Extreme("s2", 25.0)
    assert largest_of(values) == Extreme("s4", 70.0)
    assert lowest_of({}) is None
    assert largest_of({}) is None


def test_largest_change_in_either_direction_over_keys_in_both() -> None:
    current = {"s1": 50.0, "s2": 30.0, "s3": 90.0}
    previous = {"s1": 45.0, "s2": 42.0, "s4": 10.0}
    change = largest_change(current, previous)
    # s2 fell 12 points, more than s1 rose; s3 and s4 are in one period only.
    assert change == Change("s2", 30.0, 42.0)
    assert change is not None
    assert change.delta == -12.0
    rising = largest_change({"s1": 60.0, "s2": 31.0}, previous)
    assert rising is not None
    assert rising.key == "s1"
    assert rising.delta == 15.0


def test_no_change_without_a_key_in_both_periods() -> None:
    assert largest_change({"s1": 50.0}, {"s2": 40.0}) is None
    assert largest_change({}, {}) is None
    unchanged = largest_change({"s1": 50.0}, {"s1": 50.0})
    assert unchanged is not None
    assert unchanged.delta == 0.0
