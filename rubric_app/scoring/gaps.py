"""Gaps: the items an assessment rates below fully in place, with what to do about each, in order.

Order (``priority`` 1 comes first): essential items before recommended ones, then by impact
(``weight * shortfall``) descending, then rubric order so that ties read like the questionnaire.

Each gap also says which side falls short (``short_side``: the written MOU or policy, practice,
or both, from the rubric's first two dimensions) and carries the advice for exactly the short
dimensions, so a district whose MOU is signed is not told to go and sign one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from rubric_app.rubrics.model import Importance, Rubric

from .score import AssessmentScore, ItemScore, PaperPracticeLabel, Rating, rating_is_full

__all__ = [
    "SHORT_SIDE_SUMMARIES",
    "Gap",
    "GapAdvice",
    "GapRating",
    "SectionGaps",
    "ShortSide",
    "find_gaps",
    "gaps_by_section",
    "short_dimensions",
    "short_side",
    "top_gaps",
]

#: Which side of a two-sided item falls short: 'practice-short' (written, not yet done),
#: 'paper-short' (done, not yet written) or 'both-short'.
ShortSide = Literal["practice-short", "paper-short", "both-short"]

#: One plain sentence per side, for the report page and the PDF.
SHORT_SIDE_SUMMARIES: Mapping[str, str] = MappingProxyType(
    {
        "practice-short": "The MOU or policy says it; practice does not yet.",
        "paper-short": "Practice does it; the MOU or policy does not say so yet.",
        "both-short": "Neither yet: it is not fully written down and not fully done.",
    }
)


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
class GapAdvice:
    """What to do about one short dimension of a gap item."""

    dimension_id: str
    dimension_label: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "dimension_id": self.dimension_id,
            "dimension_label": self.dimension_label,
            "text": self.text,
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
    #: The advice for the short dimensions, joined: what to do, in one paragraph.
    recommendation: str
    guidance: tuple[str, ...]
    paper_practice: PaperPracticeLabel | None
    #: Which side falls short; None unless both of the rubric's first two dimensions are rated.
    short_side: ShortSide | None = None
    #: Advice for each dimension rated below fully in place, in the item's dimension order.
    advice: tuple[GapAdvice, ...] = ()

    @property
    def side_summary(self) -> str:
        """Return the plain sentence saying which side falls short, or ``""``."""
        return SHORT_SIDE_SUMMARIES.get(self.short_side or "", "")

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
            "short_side": self.short_side,
            "side_summary": self.side_summary,
            "advice": [advice.to_dict() for advice in self.advice],
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


def short_dimensions(rubric: Rubric, ratings: Mapping[str, Rating]) -> tuple[str, ...]:
    """Return the rated dimensions below fully in place, in rubric dimension order."""
    order = [dimension.id for dimension in rubric.dimensions]
    rated = sorted(ratings, key=lambda d: order.index(d) if d in order else len(order))
    return tuple(d for d in rated if not rating_is_full(rubric, ratings[d]))


def short_side(rubric: Rubric, ratings: Mapping[str, Rating]) -> ShortSide | None:
    """Return which of paper (first dimension) and practice (second) falls short.

    None when the rubric has fewer than two dimensions, when either of the two is unrated
    (one-sided items, half-answered ones) or when neither is short.
    """
    if len(rubric.dimensions) < 2:
        return None
    paper, practice = rubric.dimensions[0].id, rubric.dimensions[1].id
    if paper not in ratings or practice not in ratings:
        return None
    paper_short = not rating_is_full(rubric, ratings[paper])
    practice_short = not rating_is_full(rubric, ratings[practice])
    if paper_short and practice_short:
        return "both-short"
    if practice_short:
        return "practice-short"
    if paper_short:
        return "paper-short"
    return None


def _advice(rubric: Rubric, item_score: ItemScore) -> tuple[GapAdvice, ...]:
    item = rubric.item(item_score.item_id)
    result: list[GapAdvice] = []
    for dimension in short_dimensions(rubric, item_score.ratings):
        text = item.recommendation_for(dimension)
        # Two dimensions falling back to the same item-wide text would repeat it.
        if text and all(text != earlier.text for earlier in result):
            result.append(GapAdvice(dimension, _dimension_label(rubric, dimension), text))
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
        advice = _advice(rubric, item_score)
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
                recommendation=" ".join(a.text for a in advice) or item.recommendation,
                guidance=item.guidance,
                paper_practice=paper.label if paper is not None else None,
                short_side=short_side(rubric, item_score.ratings),
                advice=advice,
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
