"""Side-by-side comparison of 2-4 scored assessments, each cell measured against a reference.

Data only: columns are identified by position; the web layer supplies their labels (organization,
date, ...) and chooses the reference column (the viewer's own assessment, else the first).
Differences between columns are relations ('higher', 'lower', 'same'), never verdicts: the columns
may be different organizations, and "worse" or a red arrow would read as a decline or a judgement.
``direction_of`` ('better'/'worse') stays for one organization's own periods (``trend``).

Rows: sections by id (the first rubric's order, then sections only later rubrics have); items
only when present in every compared rubric, or every item when all share one rubric id (versions
of one rubric), in which case a version without the item shows an 'absent' cell.

Over 400 lines because the rows, the cells and the relation rules are one model: splitting
them would spread one comparison's invariants (same columns, one reference) over modules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from rubric_app.rubrics.model import Rubric

from .coverage import Coverage
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
    "Relation",
    "ScoreRow",
    "StepDifference",
    "TrendPoint",
    "compare_scores",
    "direction_of",
    "largest_step_difference",
    "relation_of",
    "trend",
]

MIN_COMPARED = 2
MAX_COMPARED = 4
#: Differences of at most this many percentage points read as 'same': smaller moves are within
#: the rounding of one decimal place shown on pages and not worth an arrow.
SAME_TOLERANCE = 0.5

Direction = Literal["better", "worse", "same"]
#: How one column's figure stands to the reference column's: a relation, not a verdict.
Relation = Literal["higher", "lower", "same"]
#: 'scored' has a value; the others say why a cell is empty ('not-enough-answers': below the
#: rubric's coverage threshold, ``coverage.py``).
CellStatus = Literal[
    "scored", "not-rated", "not-enough-answers", "not-applicable", "hidden", "absent"
]

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


def relation_of(difference: float | None) -> Relation | None:
    """Return 'higher', 'lower' or 'same' (within ``SAME_TOLERANCE``); None stays None."""
    if difference is None:
        return None
    if abs(difference) <= SAME_TOLERANCE:
        return "same"
    return "higher" if difference > 0 else "lower"


@dataclass(frozen=True)
class Cell:
    """One compared figure and, except in the reference column, its difference from it."""

    value: float | None
    difference: float | None
    relation: Relation | None
    status: CellStatus = "scored"
    #: What a step, dimension or overall score rests on (None for items and absent cells).
    coverage: Coverage | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "value": self.value,
            "difference": self.difference,
            "relation": self.relation,
            "status": self.status,
            "coverage": None if self.coverage is None else self.coverage.to_dict(),
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
    #: The action step's number (from the first rubric that has the section); None for overall.
    number: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "key": self.key,
            "number": self.number,
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
    #: The column every difference is measured from.
    reference: int
    dimensions: tuple[str, ...]
    dimension_labels: Mapping[str, str]
    overall: ScoreRow
    section_rows: tuple[ScoreRow, ...]
    item_rows: tuple[ItemRow, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "columns": [column.to_dict() for column in self.columns],
            "reference": self.reference,
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


#: A compared figure: its value, why it may be empty, and (for scores) what it rests on.
_Value = tuple[float | None, CellStatus] | tuple[float | None, CellStatus, Coverage | None]


def _cells(values: Sequence[_Value], reference: int) -> tuple[Cell, ...]:
    """Return cells with each value's difference from the reference column's value."""
    baseline = values[reference][0]
    cells = []
    for index, entry in enumerate(values):
        value, status = entry[0], entry[1]
        coverage = entry[2] if len(entry) == 3 else None
        if index == reference or value is None or baseline is None:
            cells.append(Cell(value, None, None, status, coverage))
        else:
            difference = round(value - baseline, 9)
            cells.append(Cell(value, difference, relation_of(difference), status, coverage))
    return tuple(cells)


def _score_status(percent: float | None, coverage: Coverage) -> CellStatus:
    if percent is not None:
        return "scored"
    return "not-enough-answers" if coverage.status == "not-enough-answers" else "not-rated"


def _score_value(percent: float | None, coverage: Coverage) -> _Value:
    return (percent, _score_status(percent, coverage), coverage)


def _section_value(section: SectionScore | None) -> _Value:
    if section is None:
        return (None, "absent")
    return _score_value(section.percent, section.coverage)


def _item_value(item: ItemScore | None) -> tuple[float | None, CellStatus]:
    if item is None:
        return (None, "absent")
    if not item.visible:
        return (None, "hidden")
    if item.not_applicable:
        return (None, "not-applicable")
    return (item.percent, "scored" if item.percent is not None else "not-rated")


def _dimension_cells(
    dimensions: Sequence[str],
    sources: Sequence[SectionScore | AssessmentScore | None],
    reference: int,
) -> Mapping[str, tuple[Cell, ...]]:
    result: dict[str, tuple[Cell, ...]] = {}
    for dim in dimensions:
        values: list[_Value] = []
        for source in sources:
            if source is None or dim not in source.by_dimension:
                values.append((None, "absent"))
            else:
                values.append(
                    _score_value(source.by_dimension[dim], source.dimension_coverage[dim])
                )
        result[dim] = _cells(values, reference)
    return MappingProxyType(result)


def _find_section(score: AssessmentScore, section_id: str) -> SectionScore | None:
    for section in score.sections:
        if section.section_id == section_id:
            return section
    return None


def compare_scores(
    scores: Sequence[tuple[Rubric, AssessmentScore]],
    *,
    reference: int = 0,
    aliases: Sequence[Mapping[str, str]] | None = None,
) -> Comparison:
    """Compare 2-4 (rubric, score) pairs; differences are against the pair at ``reference``.

    ``aliases`` (one mapping per pair, for versions of one rubric) renames a pair's item ids to
    the ids they have in the others (a version crosswalk), so a renamed item keeps one row;
    item ids not listed keep their id. Item rows carry the common id.
    """
    if not MIN_COMPARED <= len(scores) <= MAX_COMPARED:
        raise ValueError(f"compare {MIN_COMPARED} to {MAX_COMPARED} assessments, not {len(scores)}")
    if not 0 <= reference < len(scores):
        raise ValueError(f"reference column {reference} is not one of the {len(scores)} compared")
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
            [_score_value(score.percent, score.coverage) for _, score in scores],
            reference,
        ),
        by_dimension=_dimension_cells(dimensions, [score for _, score in scores], reference),
    )

    section_ids = _union((section.id for section in rubric.sections) for rubric in rubrics)
    section_rows = []
    for section_id in section_ids:
        found = [_find_section(score, section_id) for _, score in scores]
        title = next(section.title for section in found if section is not None)
        number = next(
            section.number
            for rubric in rubrics
            for section in rubric.sections
            if section.id == section_id
        )
        section_rows.append(
            ScoreRow(
                key=section_id,
                title=title,
                cells=_cells([_section_value(section) for section in found], reference),
                by_dimension=_dimension_cells(dimensions, found, reference),
                number=number,
            )
        )

    same_rubric = len({rubric.id for rubric in rubrics}) == 1
    renamed = [dict(mapping) for mapping in aliases] if aliases else [{} for _ in rubrics]
    # Per pair: common id -> the pair's own id.
    own_ids = [{new: old for old, new in mapping.items()} for mapping in renamed]
    common = [
        {mapping.get(item.id, item.id) for item in rubric.items}
        for mapping, rubric in zip(renamed, rubrics, strict=True)
    ]
    all_ids = _union(
        (mapping.get(item.id, item.id) for item in rubric.items)
        for mapping, rubric in zip(renamed, rubrics, strict=True)
    )
    item_ids = (
        all_ids if same_rubric else tuple(i for i in all_ids if all(i in ids for ids in common))
    )
    item_rows = []
    for item_id in item_ids:
        item = next(
            rubric.item(own.get(item_id, item_id))
            for rubric, own in zip(rubrics, own_ids, strict=True)
            if rubric.has_item(own.get(item_id, item_id))
        )
        item_rows.append(
            ItemRow(
                item_id=item_id,
                section_id=item.section_id,
                prompt=item.prompt,
                cells=_cells(
                    [
                        _item_value(score.items.get(own.get(item_id, item_id)))
                        for (_, score), own in zip(scores, own_ids, strict=True)
                    ],
                    reference,
                ),
            )
        )

    return Comparison(
        columns=tuple(ComparedColumn(score.rubric_id, score.rubric_version) for _, score in scores),
        reference=reference,
        dimensions=dimensions,
        dimension_labels=MappingProxyType(dimension_labels),
        overall=overall,
        section_rows=tuple(section_rows),
        item_rows=tuple(item_rows),
    )


@dataclass(frozen=True)
class StepDifference:
    """The largest difference between one action step's scores and the reference column's."""

    key: str
    number: int | None
    title: str
    column: int
    difference: float
    relation: Relation


def largest_step_difference(comparison: Comparison) -> StepDifference | None:
    """Return the step (section) whose score differs most from the reference, or None.

    Only differences beyond ``SAME_TOLERANCE`` count; ties go to the earlier step, then the
    earlier column, so the headline does not change between renders.
    """
    best: StepDifference | None = None
    for row in comparison.section_rows:
        for column, cell in enumerate(row.cells):
            if cell.difference is None or cell.relation is None or cell.relation == "same":
                continue
            if best is None or abs(cell.difference) > abs(best.difference):
                best = StepDifference(
                    row.key, row.number, row.title, column, cell.difference, cell.relation
                )
    return best


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
