"""Merging two changes of one item part by part (``rubric_app.assessments.parts``)."""

from __future__ import annotations

from rubric_app.assessments.parts import (
    ItemBase,
    base_of,
    merge_item,
    parse_base,
    parts_of,
    rebase,
    state_from_parts,
)
from rubric_app.assessments.states import EMPTY_STATE, ItemState

RATED = ItemState(values={"policy": "partly", "practice": "not-in-place"})
COMMENTED = ItemState(comment="Sam's note")


def test_a_state_is_its_parts_and_its_base_lists_them() -> None:
    state = ItemState(
        values={"policy": "fully", "practice": ""},
        not_applicable=False,
        na_reason="kept",
        comment="c",
        evidence_quote="q",
        evidence_source="s",
        flagged=True,
    )
    parts = parts_of(state)
    assert sorted(parts) == ["comment", "evidence", "flagged", "na", "value:policy"]
    assert state_from_parts(parts) == ItemState(
        values={"policy": "fully"},
        na_reason="kept",
        comment="c",
        evidence_quote="q",
        evidence_source="s",
        flagged=True,
    )
    base = parse_base(base_of(state))
    assert base.fingerprint == state.fingerprint()
    assert sorted(base.parts or {}) == sorted(parts)
    assert parse_base(base_of(EMPTY_STATE)) == ItemBase(EMPTY_STATE.fingerprint(), {})


def test_disjoint_parts_merge_and_the_same_part_conflicts() -> None:
    base = parse_base(base_of(EMPTY_STATE))
    merge = merge_item(base, COMMENTED, RATED)
    assert merge is not None
    assert merge.conflicts == ()
    assert merge.state == ItemState(values=RATED.values, comment="Sam's note")

    mine = ItemState(values={"policy": "fully"}, comment="Sam's note")
    merge = merge_item(base, mine, RATED)
    assert merge is not None
    assert merge.conflicts == ("value:policy",)
    # Saved now: theirs on the conflicting part, the rest merged; mine: my rating on top.
    assert merge.state == ItemState(values=RATED.values, comment="Sam's note")
    assert merge.mine == ItemState(
        values={"policy": "fully", "practice": "not-in-place"}, comment="Sam's note"
    )


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    merge = merge_item(parse_base(base_of(EMPTY_STATE)), RATED, RATED)
    assert merge is not None
    assert merge.conflicts == ()


def test_not_applicable_merged_with_a_rating_conflicts() -> None:
    na = ItemState(not_applicable=True, na_reason="No SRO")
    merge = merge_item(parse_base(base_of(EMPTY_STATE)), na, RATED)
    assert merge is not None
    assert merge.conflicts == ("value:policy", "value:practice", "na")
    assert merge.state == RATED
    assert merge.mine == na


def test_a_whole_item_base_gives_no_merge() -> None:
    assert merge_item(parse_base(EMPTY_STATE.fingerprint()), COMMENTED, RATED) is None
    # Unreadable part entries read as empty parts; the fingerprint still compares.
    assert parse_base("abc;nonsense;=x;comment=1") == ItemBase("abc", {"comment": "1"})


def test_a_rebase_keeps_the_conflicting_parts_old_hashes() -> None:
    old = parse_base(base_of(RATED))
    posted = ItemState(values={"policy": "fully", "practice": "not-in-place"}, comment="new")
    new = parse_base(rebase(old, posted, ["value:policy"]) or "")
    assert new.parts is not None
    assert old.parts is not None
    assert new.parts["value:policy"] == old.parts["value:policy"]
    assert new.parts["comment"] == parse_base(base_of(posted)).parts["comment"]  # type: ignore[index]
    assert new.fingerprint != posted.fingerprint()
    assert rebase(parse_base("abc"), posted, []) is None
