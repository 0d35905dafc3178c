"""XLSX sheets people can use: typed columns, formats, frozen header, filter and widths.

Every exported workbook is a set of plain tables, one per sheet, so that a spreadsheet's own
sort and filter work: the header row is frozen and carries an autofilter, each column has a
sensible width, numbers are numbers (a share is a fraction shown with a percent format, never
the text "36.8%"), and a value that is withheld or missing is an empty cell, explained in a text
column of its own, never text inside a numeric column. Text goes through ``safe_text`` (no
formulas from user input). Sheets are written in openpyxl's write-only mode, so a table of
hundreds of thousands of rows streams to disk instead of sitting in memory.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from rubric_app.exports.spreadsheet import Cell, safe_text

Kind = Literal["text", "integer", "percent", "number", "wrap"]

#: Number formats by column kind: whole numbers, one-decimal percentages, plain numbers.
FORMATS: dict[Kind, str] = {"integer": "0", "percent": "0.0%", "number": "0.0"}


@dataclass(frozen=True)
class Column:
    """One column of a table sheet: its header, what it holds and how wide it is (characters)."""

    header: str
    kind: Kind = "text"
    width: int = 14


def _cell(sheet: object, value: Cell, column: Column) -> WriteOnlyCell:
    if isinstance(value, str):
        value = safe_text(value)
    cell = WriteOnlyCell(sheet, value=value)
    if column.kind in FORMATS and isinstance(value, int | float):
        cell.number_format = FORMATS[column.kind]
    if column.kind == "wrap":
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def add_table(
    book: Workbook, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Cell]]
) -> int:
    """Write one table as a sheet (header frozen, filter on, widths set); return its row count."""
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=safe_text(column.header))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append(
            [_cell(sheet, value, column) for value, column in zip(row, columns, strict=True)]
        )
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    return count


def add_notes(book: Workbook, title: str, lines: Iterable[tuple[str, Cell]]) -> None:
    """Write a two-column sheet of explanations (a README): a term and what it means.

    A number stays a number (a count in a README is still a count).
    """
    sheet = book.create_sheet(title)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 100
    for term, text in lines:
        name = WriteOnlyCell(sheet, value=safe_text(term))
        name.font = Font(bold=True)
        name.alignment = Alignment(vertical="top")
        body = WriteOnlyCell(sheet, value=safe_text(text) if isinstance(text, str) else text)
        body.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.append([name, body])


def new_workbook() -> Workbook:
    """Return an empty streaming workbook."""
    return Workbook(write_only=True)


def workbook_bytes(book: Workbook) -> bytes:
    """Return the workbook as XLSX bytes."""
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
