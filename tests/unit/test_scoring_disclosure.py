"""Tests of the small-number rule's complementary suppression (pure functions, no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rubric_app.scoring import difference_reveals, hidden_cells, hidden_member_cells

K = 5


def test_a_lone_small_cell_takes_the_next_smallest_with_it() -> None:
    # Rural (3) alone hidden: total minus the others would give it away, so town (6) goes too.
    assert hidden_cells({"city": 20, "town": 6, "rural": 3}, K) == {"rural", "town"}


def test_cells_hidden_together_that_reach_k_need_nothing_more() -> None:
    assert hidden_cells({"city": 20, "town": 3, "rural": 3}, K) == {"town", "rural"}


def test_nothing_small_hides_nothing() -> None:
    assert hidden_cells({"city": 20, "town": 6, "rural": 0}, K) == set()


def test_unselectable_cell_counts_as_hidden() -> None:
    # Organizations with no locale on file can never be selected, so they are what
    # "all locales" minus the rest reveals: the smallest shown cell is hidden with them.
    hidden = hidden_cells({"city": 20, "town": 6, None: 2}, K, always_hidden={None})
    assert hidden == {None, "town"}


def test_overlapping_cells_count_organizations_once() -> None:
    # Both small periods hold the same three organizations: together still fewer than 5.
    members = {"2024": {1, 2, 3}, "2025": {1, 2, 3}, "2026": set(range(10, 30))}
    assert hidden_member_cells(members, K) == {"2024", "2025", "2026"}


def test_k_must_be_positive() -> None:
    with pytest.raises(ValueError, match="k must be at least 1"):
        hidden_cells({"a": 1}, 0)


def test_difference_reveals() -> None:
    assert difference_reveals(12, 10, K)
    assert not difference_reveals(12, 12, K)
    assert not difference_reveals(15, 10, K)


@given(st.dictionaries(st.sampled_from("abcdefg"), st.integers(0, 12), min_size=1))
def test_no_sum_of_hidden_cells_is_a_small_group(sizes: dict[str, int]) -> None:
    hidden = hidden_cells(sizes, K)
    shown = {key for key in sizes if key not in hidden}
    # Every shown cell is at least k (or empty) ...
    assert all(sizes[key] == 0 or sizes[key] >= K for key in shown)
    # ... and what the shown cells leave of the total is none or at least k (when everything
    # is hidden there is nothing to subtract).
    rest = sum(sizes[key] for key in hidden)
    if any(sizes[key] for key in shown):
        assert rest == 0 or rest >= K


@given(
    st.dictionaries(
        st.sampled_from(["2024", "2025", "2026"]),
        st.frozensets(st.integers(1, 15), max_size=10),
        min_size=1,
    )
)
def test_hidden_members_never_form_a_small_group(members: dict[str, frozenset[int]]) -> None:
    hidden = hidden_member_cells(members, K)
    together = set().union(*(members[key] for key in hidden)) if hidden else set()
    if any(members[key] for key in members if key not in hidden):
        assert len(together) == 0 or len(together) >= K
    assert all(
        len(members[key]) == 0 or len(members[key]) >= K for key in members if key not in hidden
    )
