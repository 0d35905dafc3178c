"""Scores of one assessment: per item, per section and overall, with levels and completion.

``score_assessment`` is the only implementation of the rubric's ``weighted_mean`` method; pages,
exports, PDFs, comparisons and roll-ups all call it (or ``pooled_percent`` on summed figures).

Rules:

- Only visible, applicable (not N/A), scored scale items are scored, and only the dimensions
  that carry a valid option key ("rated" pairs). Half-rated items count what is rated.
- A section's percent pools every rated (item, dimension) pair:
  ``100 * sum(weight * points) / sum(weight * max points)``; the overall percent pools every
  pair of the rubric (not the mean of sections). None when nothing is rated.
- N/A items (whatever their ratings) are outside every denominator. Hidden items are ignored.
- Coverage (``coverage.py``) gates every section, dimension and overall score: below the
  rubric's ``scoring.min_coverage`` of applicable scored items answered, ``percent`` (and the
  level) is None and ``coverage.status`` says "not-enough-answers".
- Completion is separate from the score: ``answered / applicable`` over visible items, where an
  N/A with a reason is an answer and an N/A without one is not.
- A rating is fully in place when ``points >= full_threshold * scale max``; an item with a rating
  below that is a gap.

Why it is long: it is the one scoring implementation, the rules above in one place on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from rubric_app.rubrics.model import Item, Level, Rubric, Section

from .answers import Answers, answer_value, is_answered
from .coverage import Coverage
from .visibility import visibility

__all__ = [
    "PAPER_PRACTICE_THRESHOLD",
    "AssessmentScore",
    "ItemScore",
    "PaperPractice",
    "PaperPracticeLabel",
    "Rating",
    "SectionScore",
    "is_scored_item",
    "level_of",
    "pooled_percent",
    "rating_is_full",
    "score_assessment",
    "score_section",
]

#: A gap in percentage points between the first two dimensions (written policy vs practice in
#: SECURe) at or beyond which they count as out of line. On the usual 0-1-2 scale this is one
#: full step ("partly" against "fully"), the smallest difference worth a reviewer's attention.
PAPER_PRACTICE_THRESHOLD = 50.0

#: Tolerance for comparing points with ``full_threshold * max`` so that float noise in a
#: threshold such as 0.7 cannot turn a top rating into a gap.
_EPSILON = 1e-9

#: Digits kept in percentages; rounding away float noise keeps a true 40 at 40.0 (so it lands in
#: the band that starts at 40) and makes results independent of summation order noise.
_PERCENT_DIGITS = 9

PaperPracticeLabel = Literal["paper-stronger", "practice-stronger", "aligned"]


def pooled_percent(points: float, max_points: float) -> float | None:
    """Return ``100 * points / max_points`` rounded against float noise, or None when max is 0."""
    if max_points <= 0:
        return None
    # Multiplying before dividing keeps exact ratios exact (2/5 -> 40.0, not 39.999...).
    return round(100.0 * points / max_points, _PERCENT_DIGITS)


def level_of(rubric: Rubric, percent: float | None) -> Level | None:
    """Return the rubric level of ``percent`` (None when there is no score)."""
    # One band rule for the whole app lives on the Rubric ([min, next min), no holes).
    return None if percent is None else rubric.level_for(percent)


def is_scored_item(rubric: Rubric, item: Item) -> bool:
    """Return whether ``item`` contributes points (a scored scale item with a known scale)."""
    return item.type == "scale" and item.scored and rubric.scale_of(item) is not None


def _level_dict(level: Level | None) -> dict[str, Any] | None:
    return None if level is None else {"id": level.id, "label": level.label}


@dataclass(frozen=True)
class Rating:
    """One rated dimension of an item: the option chosen and its points out of the scale max."""

    option_key: str
    points: float
    max_points: float

    @property
    def percent(self) -> float | None:
        """Return this rating as a percentage of the scale maximum."""
        return pooled_percent(self.points, self.max_points)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "option_key": self.option_key,
            "points": self.points,
            "max_points": self.max_points,
            "percent": self.percent,
        }


def rating_is_full(rubric: Rubric, rating: Rating) -> bool:
    """Return whether ``rating`` is fully in place: ``points >= full_threshold * scale max``."""
    return rating.points + _EPSILON >= rubric.scoring.full_threshold * rating.max_points


@dataclass(frozen=True)
class PaperPractice:
    """How the first two dimensions of an item compare (policy on paper against practice).

    ``difference`` is first minus second in percentage points; ``label`` is 'paper-stronger' when
    it is >= ``PAPER_PRACTICE_THRESHOLD``, 'practice-stronger' when <= minus that, else 'aligned'.
    """

    first_dimension: str
    second_dimension: str
    difference: float
    label: PaperPracticeLabel

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "first_dimension": self.first_dimension,
            "second_dimension": self.second_dimension,
            "difference": self.difference,
            "label": self.label,
        }


def _paper_practice_label(difference: float) -> PaperPracticeLabel:
    if difference >= PAPER_PRACTICE_THRESHOLD:
        return "paper-stronger"
    if difference <= -PAPER_PRACTICE_THRESHOLD:
        return "practice-stronger"
    return "aligned"


@dataclass(frozen=True)
class ItemScore:
    """The score of one item; ``ratings`` is empty unless it is visible, applicable and scored."""

    item_id: str
    section_id: str
    visible: bool
    scored: bool
    essential: bool
    weight: float
    not_applicable: bool
    answered: bool
    flagged: bool
    ratings: Mapping[str, Rating]
    percent: float | None
    shortfall: float | None
    is_gap: bool
    paper_practice: PaperPractice | None
    #: The dimensions the item is rated on when it is visible, applicable and scored, else ():
    #: what coverage counts it against.
    coverable: tuple[str, ...] = ()

    @property
    def counts(self) -> bool:
        """Return whether the item has ratings that enter section and overall scores."""
        return bool(self.ratings)

    @property
    def fully_rated(self) -> bool:
        """Return whether the item counts as answered for coverage: every dimension rated."""
        return bool(self.coverable) and all(dim in self.ratings for dim in self.coverable)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "item_id": self.item_id,
            "section_id": self.section_id,
            "visible": self.visible,
            "scored": self.scored,
            "essential": self.essential,
            "weight": self.weight,
            "not_applicable": self.not_applicable,
            "answered": self.answered,
            "flagged": self.flagged,
            "ratings": {dim: rating.to_dict() for dim, rating in self.ratings.items()},
            "percent": self.percent,
            "shortfall": self.shortfall,
            "is_gap": self.is_gap,
            "paper_practice": None
            if self.paper_practice is None
            else self.paper_practice.to_dict(),
            "counts_for_coverage": bool(self.coverable),
            "fully_rated": self.fully_rated,
        }


@dataclass(frozen=True)
class SectionScore:
    """The pooled score and completion of one section."""

    section_id: str
    title: str
    percent: float | None
    by_dimension: Mapping[str, float | None]
    level: Level | None
    answered: int
    applicable: int
    completion: float
    not_applicable: int
    gaps: int
    essential_gaps: int
    flagged: int
    #: What ``percent`` rests on; ``percent`` is None unless ``coverage.enough``.
    coverage: Coverage
    #: What each ``by_dimension`` percent rests on, same keys.
    dimension_coverage: Mapping[str, Coverage]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "section_id": self.section_id,
            "title": self.title,
            "percent": self.percent,
            "by_dimension": dict(self.by_dimension),
            "level": _level_dict(self.level),
            "answered": self.answered,
            "applicable": self.applicable,
            "completion": self.completion,
            "not_applicable": self.not_applicable,
            "gaps": self.gaps,
            "essential_gaps": self.essential_gaps,
            "flagged": self.flagged,
            "coverage": self.coverage.to_dict(),
            "dimension_coverage": {
                dim: coverage.to_dict() for dim, coverage in self.dimension_coverage.items()
            },
        }


@dataclass(frozen=True)
class AssessmentScore:
    """The score of a whole assessment: overall figures, sections in rubric order, every item."""

    rubric_id: str
    rubric_version: str
    percent: float | None
    by_dimension: Mapping[str, float | None]
    level: Level | None
    answered: int
    applicable: int
    completion: float
    not_applicable: int
    gaps: int
    essential_gaps: int
    flagged: int
    #: What ``percent`` rests on (every applicable scored item of the rubric).
    coverage: Coverage
    dimension_coverage: Mapping[str, Coverage]
    sections: tuple[SectionScore, ...]
    items: Mapping[str, ItemScore]

    def section(self, section_id: str) -> SectionScore:
        """Return the score of one section; raise KeyError for an unknown id."""
        for section in self.sections:
            if section.section_id == section_id:
                return section
        raise KeyError(section_id)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "rubric_id": self.rubric_id,
            "rubric_version": self.rubric_version,
            "percent": self.percent,
            "by_dimension": dict(self.by_dimension),
            "level": _level_dict(self.level),
            "answered": self.answered,
            "applicable": self.applicable,
            "completion": self.completion,
            "not_applicable": self.not_applicable,
            "gaps": self.gaps,
            "essential_gaps": self.essential_gaps,
            "flagged": self.flagged,
            "coverage": self.coverage.to_dict(),
            "dimension_coverage": {
                dim: coverage.to_dict() for dim, coverage in self.dimension_coverage.items()
            },
            "sections": [section.to_dict() for section in self.sections],
            "items": {item_id: item.to_dict() for item_id, item in self.items.items()},
        }


def _score_item(rubric: Rubric, item: Item, answers: Answers, visible: bool) -> ItemScore:
    answer = answers.get(item.id)
    scored = is_scored_item(rubric, item)
    not_applicable = answer is not None and answer.not_applicable
    ratings: dict[str, Rating] = {}
    scale = rubric.scale_of(item) if scored else None
    if visible and scale is not None and not not_applicable:
        for dim in item.answer_dimensions:
            value = answer_value(answer, dim)
            option = scale.option(value) if isinstance(value, str) else None
            # An unknown key (e.g. from an older scale) is treated as unrated, never as zero.
            if option is not None:
                ratings[dim] = Rating(option.key, option.points, scale.max_points)

    points = sum(rating.points for rating in ratings.values())
    max_points = sum(rating.max_points for rating in ratings.values())
    percent = pooled_percent(points, max_points) if ratings else None
    shortfall = None if percent is None else round(1.0 - percent / 100.0, _PERCENT_DIGITS)
    is_gap = any(not rating_is_full(rubric, rating) for rating in ratings.values())
    return ItemScore(
        item_id=item.id,
        section_id=item.section_id,
        visible=visible,
        scored=scored,
        essential=item.essential,
        weight=item.weight,
        not_applicable=not_applicable,
        answered=is_answered(item, answer),
        flagged=answer is not None and answer.flagged,
        ratings=MappingProxyType(ratings),
        percent=percent,
        shortfall=shortfall,
        is_gap=is_gap,
        paper_practice=_paper_practice(rubric, ratings),
        coverable=tuple(item.answer_dimensions)
        if scale is not None and visible and not not_applicable
        else (),
    )


def _paper_practice(rubric: Rubric, ratings: Mapping[str, Rating]) -> PaperPractice | None:
    if len(rubric.dimensions) < 2:
        return None
    first, second = rubric.dimensions[0].id, rubric.dimensions[1].id
    if first not in ratings or second not in ratings:
        return None
    first_percent, second_percent = ratings[first].percent, ratings[second].percent
    if first_percent is None or second_percent is None:
        return None
    difference = round(first_percent - second_percent, _PERCENT_DIGITS)
    return PaperPractice(first, second, difference, _paper_practice_label(difference))


@dataclass
class _Tally:
    """Running sums for one section or the whole assessment."""

    points: float = 0.0
    max_points: float = 0.0
    answered: int = 0
    applicable: int = 0
    not_applicable: int = 0
    gaps: int = 0
    essential_gaps: int = 0
    flagged: int = 0
    #: Coverage counts: applicable scored items, and those fully rated.
    covered: int = 0
    coverable: int = 0
    #: Per dimension: [rated, applicable] over the applicable scored items rated on it.
    dim_coverage: dict[str, list[int]] = field(default_factory=dict)

    def add(self, item_score: ItemScore, dim_sums: dict[str, list[float]]) -> None:
        if not item_score.visible:
            return
        if item_score.coverable:
            self.coverable += 1
            self.covered += item_score.fully_rated
            for dim in item_score.coverable:
                counts = self.dim_coverage.setdefault(dim, [0, 0])
                counts[0] += dim in item_score.ratings
                counts[1] += 1
        self.applicable += 1
        self.answered += item_score.answered
        self.not_applicable += item_score.not_applicable
        self.flagged += item_score.flagged
        if item_score.is_gap:
            self.gaps += 1
            self.essential_gaps += item_score.essential
        weight = item_score.weight
        for dim, rating in item_score.ratings.items():
            self.points += weight * rating.points
            self.max_points += weight * rating.max_points
            sums = dim_sums.setdefault(dim, [0.0, 0.0])
            sums[0] += weight * rating.points
            sums[1] += weight * rating.max_points

    @property
    def percent(self) -> float | None:
        return pooled_percent(self.points, self.max_points)

    @property
    def completion(self) -> float:
        # Nothing to answer means nothing is missing.
        return 1.0 if self.applicable == 0 else self.answered / self.applicable

    def coverage(self, min_coverage: float) -> Coverage:
        return Coverage(self.covered, self.coverable, min_coverage)

    def dimension_coverage(self, rubric: Rubric, keys: Mapping[str, object]) -> dict[str, Coverage]:
        """Return coverage per dimension, for the keys of a ``by_dimension`` mapping."""
        minimum = rubric.scoring.min_coverage
        counts = {dim: self.dim_coverage.get(dim, [0, 0]) for dim in keys}
        return {dim: Coverage(rated, of, minimum) for dim, (rated, of) in counts.items()}

    def shown(self, rubric: Rubric, sums: Mapping[str, list[float]]) -> _Shown:
        """Return the percent, per-dimension percents and coverage, gated by coverage."""
        coverage = self.coverage(rubric.scoring.min_coverage)
        raw = _by_dimension(rubric, sums)
        dim_coverage = self.dimension_coverage(rubric, raw)
        by_dimension = {
            dim: percent if dim_coverage[dim].enough else None for dim, percent in raw.items()
        }
        percent = self.percent if coverage.enough else None
        return _Shown(
            percent,
            MappingProxyType(by_dimension),
            coverage,
            MappingProxyType(dim_coverage),
        )


@dataclass(frozen=True)
class _Shown:
    percent: float | None
    by_dimension: Mapping[str, float | None]
    coverage: Coverage
    dimension_coverage: Mapping[str, Coverage]


def _by_dimension(rubric: Rubric, sums: Mapping[str, list[float]]) -> Mapping[str, float | None]:
    """Return percent per dimension: every rubric dimension in order, then any others rated."""
    keys = [dim.id for dim in rubric.dimensions]
    keys += [dim for dim in sums if dim not in keys]
    result = {
        dim: pooled_percent(sums[dim][0], sums[dim][1]) if dim in sums else None for dim in keys
    }
    return MappingProxyType(result)


def _section_score(
    rubric: Rubric,
    section: Section,
    items: Mapping[str, ItemScore],
    total: _Tally | None = None,
    total_dims: dict[str, list[float]] | None = None,
) -> SectionScore:
    """Pool the section's item scores (adding them to the overall ``total`` when given)."""
    tally = _Tally()
    dims: dict[str, list[float]] = {}
    for item in section.items:
        tally.add(items[item.id], dims)
        if total is not None and total_dims is not None:
            total.add(items[item.id], total_dims)
    gated = tally.shown(rubric, dims)
    return SectionScore(
        section_id=section.id,
        title=section.title,
        percent=gated.percent,
        by_dimension=gated.by_dimension,
        level=level_of(rubric, gated.percent),
        answered=tally.answered,
        applicable=tally.applicable,
        completion=tally.completion,
        not_applicable=tally.not_applicable,
        gaps=tally.gaps,
        essential_gaps=tally.essential_gaps,
        flagged=tally.flagged,
        coverage=gated.coverage,
        dimension_coverage=gated.dimension_coverage,
    )


def score_section(
    rubric: Rubric,
    answers: Answers,
    section_id: str,
    *,
    visible: Mapping[str, bool] | None = None,
) -> SectionScore:
    """Score one section: ``score_assessment(rubric, answers).section(section_id)``, scoring
    only that section's items (a section page and an autosave show no other score).

    ``visible`` is ``visibility(rubric, answers)`` when the caller has it already (skip logic
    reads items of other sections, so visibility is always decided over the whole rubric).
    Raises KeyError for an unknown section.
    """
    section = rubric.section(section_id)
    shown = visibility(rubric, answers) if visible is None else visible
    items = {item.id: _score_item(rubric, item, answers, shown[item.id]) for item in section.items}
    return _section_score(rubric, section, items)


def section_progress(
    rubric: Rubric,
    answers: Answers,
    section_id: str,
    *,
    visible: Mapping[str, bool] | None = None,
) -> tuple[int, int]:
    """``(answered, applicable)`` of ``score_section(rubric, answers, section_id)``, rating
    nothing: what an autosave's reply shows (the rest of a section's score was most of its
    cost). Applicable items are the visible ones; ``visible`` as for ``score_section``.
    """
    section = rubric.section(section_id)
    shown = visibility(rubric, answers) if visible is None else visible
    applicable = [item for item in section.items if shown[item.id]]
    answered = sum(is_answered(item, answers.get(item.id)) for item in applicable)
    return answered, len(applicable)


def score_assessment(rubric: Rubric, answers: Answers) -> AssessmentScore:
    """Score ``answers`` against ``rubric``: items, sections in rubric order, and overall."""
    shown = visibility(rubric, answers)
    items = {item.id: _score_item(rubric, item, answers, shown[item.id]) for item in rubric.items}

    total = _Tally()
    total_dims: dict[str, list[float]] = {}
    sections = [
        _section_score(rubric, section, items, total, total_dims) for section in rubric.sections
    ]

    overall = total.shown(rubric, total_dims)
    return AssessmentScore(
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        percent=overall.percent,
        by_dimension=overall.by_dimension,
        level=level_of(rubric, overall.percent),
        answered=total.answered,
        applicable=total.applicable,
        completion=total.completion,
        not_applicable=total.not_applicable,
        gaps=total.gaps,
        essential_gaps=total.essential_gaps,
        flagged=total.flagged,
        coverage=overall.coverage,
        dimension_coverage=overall.dimension_coverage,
        sections=tuple(sections),
        items=MappingProxyType(items),
    )
