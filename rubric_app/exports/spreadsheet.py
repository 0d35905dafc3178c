"""Spreadsheet-safe cells and CSV streaming, shared by the comparison and state exports.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (CSV injection, OWASP). Organization names,
comments and answers are typed by users, so every text cell goes through ``safe_cell``, which
puts a single quote in front of such text: spreadsheets then show it as plain text. Numbers are
left as numbers (a negative number is not text, so it is not a formula).

Text cells also lose control characters other than tab and line breaks, and lone surrogates
become U+FFFD: XLSX (XML) cannot hold them, and openpyxl raises IllegalCharacterError on the
first one, failing the whole download. The forms refuse such characters already
(``rubric_app.form_base``); this is the second line, for text stored before that rule.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from rubric_app.hostile_input import strip_control_characters

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


def safe_text(text: str) -> str:
    """Return ``text`` without control characters, with a leading single quote when a
    spreadsheet would run it as a formula."""
    text = strip_control_characters(text, multiline=True)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def safe_cell(value: Cell) -> Cell:
    """Return a cell value safe to write: text neutralized, numbers and empties unchanged."""
    if isinstance(value, str):
        return safe_text(value)
    return value


def safe_row(values: Sequence[Cell]) -> list[Cell]:
    """Return every cell of a row made safe."""
    return [safe_cell(value) for value in values]


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """Yield CSV text (a byte-order mark first, so Excel reads UTF-8) one row at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
