"""Gaps a law requires rise to the top; each group keeps the scoring order (issue 19, item 2)."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from rubric_app.reports.law_section import LawSection, raise_required, required_first


@dataclass(frozen=True)
class _Gap:
    item_id: str
    priority: int
    required_by: tuple[str, ...] = ()


def _section(required: dict[str, tuple[str, ...]]) -> LawSection:
    return LawSection(state="WA", frameworks=(), required_by=required)


def test_required_gaps_come_first_and_priorities_are_renumbered() -> None:
    gaps = [_Gap("a", 1), _Gap("b", 2), _Gap("c", 3), _Gap("d", 4)]
    section = _section({"c": ("RCW 28A.320.124(1)(c)",), "d": ("RCW 28A.320.1242",)})
    ranked = raise_required(gaps, section)  # type: ignore[arg-type]  # any dataclass with these fields
    assert [(g.item_id, g.priority, g.required_by) for g in ranked] == [
        ("c", 1, ("RCW 28A.320.124(1)(c)",)),
        ("d", 2, ("RCW 28A.320.1242",)),
        ("a", 3, ()),
        ("b", 4, ()),
    ]


def test_no_law_keeps_the_scoring_order() -> None:
    gaps = [_Gap("a", 1), _Gap("b", 2)]
    assert required_first(gaps, _section({})) == gaps


@given(
    st.lists(st.booleans(), min_size=0, max_size=12),
)
def test_each_group_keeps_the_scoring_order(flags: list[bool]) -> None:
    gaps = [_Gap(f"item-{n}", n + 1) for n in range(len(flags))]
    section = _section({g.item_id: ("cite",) for g, flag in zip(gaps, flags, strict=True) if flag})
    ranked = required_first(gaps, section)
    required = [g for g in ranked if g.item_id in section.required_by]
    others = [g for g in ranked if g.item_id not in section.required_by]
    assert ranked == required + others
    assert [g.priority for g in required] == sorted(g.priority for g in required)
    assert [g.priority for g in others] == sorted(g.priority for g in others)
