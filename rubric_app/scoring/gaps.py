"""Gaps: the items an assessment rates below fully in place, with what to do about each, in order.

Order (``priority`` 1 comes first): essential items before recommended ones, then by impact
(``weight * shortfall``) descending, then rubric order so that ties read like the questionnaire.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rubric_app.rubrics.model import Importance, Rubric

from .score import AssessmentScore, ItemScore, PaperPracticeLabel

__all__ = ["Gap", "GapRating", "SectionGaps", "find_gaps", "gaps_by_section", "top_gaps"]


@dataclass(frozen=True)
class GapRating:
    """The rating given on one dimension of a gap item, with labels for display."""

    dimension_id: str
    dimension_label: str
    option_key: str
    option_label: str
    points: float
    max_points: float

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "dimension_id": self.dimension_id,
            "dimension_label": self.dimension_label,
            "option_key": self.option_key,
            "option_label": self.option_label,
            "points": self.points,
            "max_points": self.max_points,
        }


@dataclass(frozen=True)
class Gap:
    """One item rated below fully in place, and how urgent closing it is."""

    item_id: str
    section_id: str
    prompt: str
    importance: Importance
    weight: float
    #: 1 - item percent / 100: how far the item is from its maximum (0..1).
    shortfall: float
    #: weight * shortfall: what closing the gap would add, before normalising.
    impact: float
    #: 1-based position in the ordered gap list.
    priority: int
    ratings: tuple[GapRating, ...]
    recommendation: str
    guidance: tuple[str, ...]
    paper_practice: PaperPracticeLabel | None

    @property
    def essential(self) -> bool:
        """Return whether the item is essential."""
        return self.importance == "essential"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "item_id": self.item_id,
            "section_id": self.section_id,
            "prompt": self.prompt,
            "importance": self.importance,
            "weight": self.weight,
            "shortfall": self.shortfall,
            "impact": self.impact,
            "priority": self.priority,
            "ratings": [rating.to_dict() for rating in self.ratings],
            "recommendation": self.recommendation,
            "guidance": list(self.guidance),
            "paper_practice": self.paper_practice,
        }


@dataclass(frozen=True)
class SectionGaps:
    """The gaps of one section, in priority order."""

    section_id: str
    title: str
    gaps: tuple[Gap, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "section_id": self.section_id,
            "title": self.title,
            "gaps": [gap.to_dict() for gap in self.gaps],
        }


def _dimension_label(rubric: Rubric, dimension_id: str) -> str:
    for dimension in rubric.dimensions:
        if dimension.id == dimension_id:
            return dimension.label
    return dimension_id


def _ratings(rubric: Rubric, item_score: ItemScore) -> tuple[GapRating, ...]:
    item = rubric.item(item_score.item_id)
    scale = rubric.scale_of(item)
    result = []
    for dim, rating in item_score.ratings.items():
        option = scale.option(rating.option_key) if scale is not None else None
        result.append(
            GapRating(
                dimension_id=dim,
                dimension_label=_dimension_label(rubric, dim),
                option_key=rating.option_key,
                option_label=option.label if option is not None else rating.option_key,
                points=rating.points,
                max_points=rating.max_points,
            )
        )
    return tuple(result)


def _impact(item_score: ItemScore) -> float:
    # Rounded so that equal impacts reached by different products (2 * 0.5, 1 * 1.0) tie exactly
    # and fall back to rubric order.
    return round(item_score.weight * (item_score.shortfall or 0.0), 9)


def find_gaps(rubric: Rubric, score: AssessmentScore) -> tuple[Gap, ...]:
    """Return every visible, applicable, scored item rated below fully in place, by priority."""
    if score.rubric_id != rubric.id:
        raise ValueError(f"score is for rubric {score.rubric_id!r}, not {rubric.id!r}")
    candidates: list[tuple[int, ItemScore]] = [
        (position, score.items[item.id])
        for position, item in enumerate(rubric.items)
        if item.id in score.items and score.items[item.id].is_gap
    ]

    def order(entry: tuple[int, ItemScore]) -> tuple[bool, float, int]:
        position, item_score = entry
        return (not item_score.essential, -_impact(item_score), position)

    gaps = []
    for priority, (_, item_score) in enumerate(sorted(candidates, key=order), start=1):
        item = rubric.item(item_score.item_id)
        shortfall = item_score.shortfall or 0.0
        paper = item_score.paper_practice
        gaps.append(
            Gap(
                item_id=item.id,
                section_id=item.section_id,
                prompt=item.prompt,
                importance=item.importance,
                weight=item.weight,
                shortfall=shortfall,
                impact=_impact(item_score),
                priority=priority,
                ratings=_ratings(rubric, item_score),
                recommendation=item.recommendation,
                guidance=item.guidance,
                paper_practice=paper.label if paper is not None else None,
            )
        )
    return tuple(gaps)


def gaps_by_section(rubric: Rubric, gaps: Sequence[Gap]) -> tuple[SectionGaps, ...]:
    """Group gaps by section in rubric order; every section appears, with no gaps if need be."""
    return tuple(
        SectionGaps(
            section_id=section.id,
            title=section.title,
            gaps=tuple(gap for gap in gaps if gap.section_id == section.id),
        )
        for section in rubric.sections
    )


def top_gaps(gaps: Sequence[Gap], n: int) -> tuple[Gap, ...]:
    """Return the ``n`` highest-priority gaps of an ordered gap list."""
    if n < 0:
        raise ValueError("n must not be negative")
    return tuple(gaps[:n])
