"""The comparison as a table for CSV: numbers in numeric columns, words in their own columns.

A spreadsheet user sorts, charts and subtracts, so score and difference columns hold plain
numbers (0-100, one decimal; the unit is in the header), never "36.8%" or a phrase. A difference
is a signed number (the column minus the reference column) in its own column; the reference
column has none. Why a cell is empty ('N/A', 'not rated') and the options chosen for an item go
in a text column beside the score. What a step, dimension or overall score rests on is two
more numeric columns: items answered, and items that apply (a score below the rubric's coverage
threshold is empty, with "not enough answers" in its note).
"""

from __future__ import annotations

from collections.abc import Iterator

from rubric_app.exports.spreadsheet import Cell

from .view_data import ComparisonView, RowView

FIXED = ["row", "step", "dimension", "item", "item text"]


def csv_header(view: ComparisonView) -> list[str]:
    """Return the header: fixed columns, then per assessment a score, a difference and a note."""
    header = list(FIXED)
    for column in view.columns:
        header.append(f"{column.label}: score (% of maximum)")
        if not column.is_reference:
            header.append(f"{column.label}: difference from {view.reference_name} (points)")
        header.append(f"{column.label}: note")
        header.append(f"{column.label}: items answered")
        header.append(f"{column.label}: items that apply")
    return header


def _number(value: float | None) -> Cell:
    return "" if value is None else round(value, 1)


def _figures(view: ComparisonView, row: RowView) -> list[Cell]:
    cells: list[Cell] = []
    for column, cell in zip(view.columns, row.cells, strict=True):
        cells.append(_number(cell.number))
        if not column.is_reference:
            cells.append(_number(cell.difference))
        cells.append(cell.note)
        cells.append("" if cell.answered is None else cell.answered)
        cells.append("" if cell.applicable is None else cell.applicable)
    return cells


def csv_rows(view: ComparisonView) -> Iterator[list[Cell]]:
    """Yield overall and its dimensions, then per step its score, dimensions and items."""
    yield ["overall", "", "all", "", "", *_figures(view, view.overall)]
    for row in view.overall_dimensions:
        yield ["overall", "", row.title, "", "", *_figures(view, row)]
    for step in view.steps:
        yield ["step", step.heading, "all", "", "", *_figures(view, step.row)]
        for row in step.dimensions:
            yield ["step", step.heading, row.title, "", "", *_figures(view, row)]
        for row in step.items:
            yield ["item", step.heading, "", row.detail, row.title, *_figures(view, row)]
