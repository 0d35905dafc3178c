"""Side-by-side comparison of 2-4 scored assessments, each cell measured against the first.

Data only: columns are identified by position; the web layer supplies their labels (organization,
date, ...). Every difference carries a word and a symbol as well as a direction, so a page never
conveys better or worse by colour alone.

Rows: sections by id (the first rubric's order, then sections only later rubrics have); items
only when present in every compared rubric, or every item when all share one rubric id (versions
of one rubric), in which case a version without the item shows an 'absent' cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from rubric_app.rubrics.model import Rubric

from .score import AssessmentScore, ItemScore, SectionScore

__all__ = [
    "DIRECTION_SYMBOLS",
    "DIRECTION_WORDS",
    "MAX_COMPARED",
    "MIN_COMPARED",
    "SAME_TOLERANCE",
    "Cell",
    "CellStatus",
    "ComparedColumn",
    "Comparison",
    "Direction",
    "ItemRow",
    "ScoreRow",
    "TrendPoint",
    "compare_scores",
    "direction_of",
    "trend",
]

MIN_COMPARED = 2
MAX_COMPARED = 4
#: Differences of at most this many percentage points read as 'same': smaller moves are within
#: the rounding of one decimal place shown on pages and not worth an arrow.
SAME_TOLERANCE = 0.5

Direction = Literal["better", "worse", "same"]
#: 'scored' has a value; the others say why a cell is empty.
CellStatus = Literal["scored", "not-rated", "not-applicable", "hidden", "absent"]

DIRECTION_SYMBOLS: Mapping[str, str] = MappingProxyType(
    {"better": "\u25b2", "worse": "\u25bc", "same": "="}
)
DIRECTION_WORDS: Mapping[str, str] = MappingProxyType(
    {"better": "better", "worse": "worse", "same": "same"}
)


def direction_of(difference: float | None) -> Direction | None:
    """Return 'better', 'worse' or 'same' for a difference in points (None stays None)."""
    if difference is None:
        return None
    if abs(difference) <= SAME_TOLERANCE:
        return "same"
    return "better" if difference > 0 else "worse"


@dataclass(frozen=True)
class Cell:
    """One compared figure and, except in the baseline column, its change from the baseline."""

    value: float | None
    difference: float | None
    direction: Direction | None
    status: CellStatus = "scored"

    @property
    def symbol(self) -> str:
        """Return ▲, ▼ or = for the direction, or '' when there is none."""
        return DIRECTION_SYMBOLS[self.direction] if self.direction else ""

    @property
    def word(self) -> str:
        """Return 'better', 'worse' or 'same', or '' when there is no direction."""
        return DIRECTION_WORDS[self.direction] if self.direction else ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "value": self.value,
            "difference": self.difference,
            "direction": self.direction,
            "word": self.word,
            "symbol": self.symbol,
            "status": self.status,
        }


@dataclass(frozen=True)
class ComparedColumn:
    """Which rubric version one compared assessment was scored on."""

    rubric_id: str
    rubric_version: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {"rubric_id": self.rubric_id, "rubric_version": self.rubric_version}


@dataclass(frozen=True)
class ScoreRow:
    """A section (or the overall score) across the compared assessments, also per dimension."""

    key: str
    title: str
    cells: tuple[Cell, ...]
    by_dimension: Mapping[str, tuple[Cell, ...]]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "key": self.key,
            "title": self.title,
            "cells": [cell.to_dict() for cell in self.cells],
            "by_dimension": {
                dim: [cell.to_dict() for cell in cells] for dim, cells in self.by_dimension.items()
            },
        }


@dataclass(frozen=True)
class ItemRow:
    """One item's percent across the compared assessments."""

    item_id: str
    section_id: str
    prompt: str
    cells: tuple[Cell, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "item_id": self.item_id,
            "section_id": self.section_id,
            "prompt": self.prompt,
            "cells": [cell.to_dict() for cell in self.cells],
        }


@dataclass(frozen=True)
class Comparison:
    """Every row of a comparison; column i is the i-th scored assessment passed in."""

    columns: tuple[ComparedColumn, ...]
    dimensions: tuple[str, ...]
    dimension_labels: Mapping[str, str]
    overall: ScoreRow
    section_rows: tuple[ScoreRow, ...]
    item_rows: tuple[ItemRow, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "columns": [column.to_dict() for column in self.columns],
            "dimensions": list(self.dimensions),
            "dimension_labels": dict(self.dimension_labels),
            "overall": self.overall.to_dict(),
            "section_rows": [row.to_dict() for row in self.section_rows],
            "item_rows": [row.to_dict() for row in self.item_rows],
        }


def _union(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    """Return every key once, in order of first appearance."""
    seen: dict[str, None] = {}
    for group in groups:
        for key in group:
            seen.setdefault(key, None)
    return tuple(seen)


def _cells(values: Sequence[tuple[float | None, CellStatus]]) -> tuple[Cell, ...]:
    """Return cells with each value's change from the first (baseline) value."""
    baseline = values[0][0]
    cells = [Cell(baseline, None, None, values[0][1])]
    for value, status in values[1:]:
        difference = None if value is None or baseline is None else round(value - baseline, 9)
        cells.append(Cell(value, difference, direction_of(difference), status))
    return tuple(cells)


def _section_value(section: SectionScore | None) -> tuple[float | None, CellStatus]:
    if section is None:
        return (None, "absent")
    return (section.percent, "scored" if section.percent is not None else "not-rated")


def _item_value(item: ItemScore | None) -> tuple[float | None, CellStatus]:
    if item is None:
        return (None, "absent")
    if not item.visible:
        return (None, "hidden")
    if item.not_applicable:
        return (None, "not-applicable")
    return (item.percent, "scored" if item.percent is not None else "not-rated")


def _dimension_cells(
    dimensions: Sequence[str], sources: Sequence[Mapping[str, float | None] | None]
) -> Mapping[str, tuple[Cell, ...]]:
    result: dict[str, tuple[Cell, ...]] = {}
    for dim in dimensions:
        values: list[tuple[float | None, CellStatus]] = []
        for source in sources:
            if source is None or dim not in source:
                values.append((None, "absent"))
            else:
                value = source[dim]
                values.append((value, "scored" if value is not None else "not-rated"))
        result[dim] = _cells(values)
    return MappingProxyType(result)


def _find_section(score: AssessmentScore, section_id: str) -> SectionScore | None:
    for section in score.sections:
        if section.section_id == section_id:
            return section
    return None


def compare_scores(scores: Sequence[tuple[Rubric, AssessmentScore]]) -> Comparison:
    """Compare 2-4 (rubric, score) pairs; differences are against the first pair."""
    if not MIN_COMPARED <= len(scores) <= MAX_COMPARED:
        raise ValueError(f"compare {MIN_COMPARED} to {MAX_COMPARED} assessments, not {len(scores)}")
    for rubric, score in scores:
        if score.rubric_id != rubric.id:
            raise ValueError(f"score is for rubric {score.rubric_id!r}, not {rubric.id!r}")
    rubrics = [rubric for rubric, _ in scores]

    dimensions = _union((dim.id for dim in rubric.dimensions) for rubric in rubrics)
    dimension_labels: dict[str, str] = {}
    for rubric in rubrics:
        for dimension in rubric.dimensions:
            dimension_labels.setdefault(dimension.id, dimension.label)

    overall = ScoreRow(
        key="overall",
        title="Overall",
        cells=_cells(
            [
                (score.percent, "scored" if score.percent is not None else "not-rated")
                for _, score in scores
            ]
        ),
        by_dimension=_dimension_cells(dimensions, [score.by_dimension for _, score in scores]),
    )

    section_ids = _union((section.id for section in rubric.sections) for rubric in rubrics)
    section_rows = []
    for section_id in section_ids:
        found = [_find_section(score, section_id) for _, score in scores]
        title = next(section.title for section in found if section is not None)
        section_rows.append(
            ScoreRow(
                key=section_id,
                title=title,
                cells=_cells([_section_value(section) for section in found]),
                by_dimension=_dimension_cells(
                    dimensions, [None if s is None else s.by_dimension for s in found]
                ),
            )
        )

    same_rubric = len({rubric.id for rubric in rubrics}) == 1
    all_ids = _union((item.id for item in rubric.items) for rubric in rubrics)
    item_ids = (
        all_ids
        if same_rubric
        else tuple(i for i in all_ids if all(rubric.has_item(i) for rubric in rubrics))
    )
    item_rows = []
    for item_id in item_ids:
        item = next(rubric.item(item_id) for rubric in rubrics if rubric.has_item(item_id))
        item_rows.append(
            ItemRow(
                item_id=item_id,
                section_id=item.section_id,
                prompt=item.prompt,
                cells=_cells([_item_value(score.items.get(item_id)) for _, score in scores]),
            )
        )

    return Comparison(
        columns=tuple(ComparedColumn(score.rubric_id, score.rubric_version) for _, score in scores),
        dimensions=dimensions,
        dimension_labels=MappingProxyType(dimension_labels),
        overall=overall,
        section_rows=tuple(section_rows),
        item_rows=tuple(item_rows),
    )


@dataclass(frozen=True)
class TrendPoint:
    """One assessment of an organization over time, and its change from the previous scored one."""

    label: str
    percent: float | None
    change: float | None
    direction: Direction | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "label": self.label,
            "percent": self.percent,
            "change": self.change,
            "direction": self.direction,
        }


def trend(points: Sequence[tuple[str, AssessmentScore]]) -> tuple[TrendPoint, ...]:
    """Return (label, overall percent) points in the given order, each with its change.

    The caller decides that the assessments belong to one organization and orders them (by date);
    a point without a score has no change, and the next one is measured from the last score.
    """
    result = []
    previous: float | None = None
    for label, score in points:
        percent = score.percent
        change = None if percent is None or previous is None else round(percent - previous, 9)
        result.append(TrendPoint(label, percent, change, direction_of(change)))
        if percent is not None:
            previous = percent
    return tuple(result)
