"""State exports: every shared answer as CSV or XLSX rows, and the XLSX summary sheet.

Per-assessment rows are what each organization shared with the advocate, so they are exported
as they are. Aggregate cells (the summary sheet) come from the same ``Dashboard`` the page shows,
so they obey the same small-cell rule: a suppressed figure is written as its reason, never as a
number. Every text cell is made spreadsheet-safe (``rubric_app.exports.spreadsheet``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook
from sqlalchemy.orm import Session

from rubric_app.exports.spreadsheet import Cell, safe_row
from rubric_app.rubrics.answer_types import answer_type
from rubric_app.rubrics.model import Rubric
from rubric_app.scoring import Figure, Suppressed

from . import rollup
from .dashboard import BAND_LABELS, KIND_LABELS, LOCALE_LABELS, SRO_LABELS, Dashboard
from .rollup import Scope

ANSWER_HEADER = (
    "organization",
    "kind",
    "enrollment_band",
    "locale",
    "sro_model",
    "period",
    "rubric",
    "rubric_version",
    "section",
    "item_id",
    "item",
    "dimension",
    "value",
    "value_label",
    "points",
    "max_points",
    "not_applicable",
)


def _label(rubric: Rubric | None, item_id: str, dimension: str, value: str) -> tuple[Any, ...]:
    """Return (section, prompt, value label, points, max points) for one stored answer.

    The label is the answer type's one display text, the wording the report and pages use.
    """
    if rubric is None or not rubric.has_item(item_id):
        return ("", "", value, None, None)
    item = rubric.item(item_id)
    kind = answer_type(item)
    label = kind.display(item, rubric, kind.decode(value))
    scale = rubric.scale_of(item)
    option = scale.option(value) if scale is not None else None
    if option is None or scale is None:
        return (item.section_id, item.prompt, label, None, None)
    return (item.section_id, item.prompt, label, option.points, scale.max_points)


def answer_rows(session: Session, scope: Scope) -> Iterator[list[Cell]]:
    """Yield one row per assessment, item and dimension in scope (streamed from the database).

    An organization that did not agree to be named when it shared appears as "Unnamed
    organization N", numbered in the order of this file only, so its rows still read together
    without anything that leads back to it. The caller checks first that the view may be shown
    at all (``privacy.view_withheld``).
    """
    versions = {v.version_id: v.rubric for v in rollup.versions_in_scope(session, scope)}
    not_applicable = rollup.not_applicable_items(session, scope)
    unnamed: dict[int, str] = {}
    for row in rollup.answer_rows(session, scope):
        rubric = versions.get(row.rubric_version_id)
        section, prompt, label, points, max_points = _label(
            rubric, row.item_id, row.dimension, row.value
        )
        name = row.org_name
        if name is None:
            name = unnamed.setdefault(row.assessment_id, f"Unnamed organization {len(unnamed) + 1}")
        yield [
            name,
            row.kind,
            row.enrollment_band or "",
            row.locale or "",
            row.sro_model or "",
            row.period,
            scope.rubric_key,
            rubric.version if rubric else "",
            section,
            row.item_id,
            prompt,
            row.dimension,
            row.value,
            label,
            points,
            max_points,
            "yes" if (row.assessment_id, row.item_id) in not_applicable else "",
        ]


def _figure_cell(figure: Figure | Suppressed, *, percent: bool) -> Cell:
    """Return a figure as a number (a share as a percentage) or, when hidden, its reason."""
    if figure.suppressed or figure.value is None:
        return figure.reason or ""
    return round(figure.value * 100, 1) if percent else figure.value


def summary_rows(dashboard: Dashboard) -> list[list[Cell]]:
    """Return the summary sheet: filters, participation, distributions and item shares."""
    f = dashboard.scope.filters
    rows: list[list[Cell]] = [
        ["State roll-up", dashboard.scope.state],
        ["Rubric", dashboard.rubric_title],
        ["Period", f.period or "All periods"],
        ["Organization kind", KIND_LABELS.get(f.kind, "All kinds")],
        ["Enrollment band", BAND_LABELS.get(f.enrollment_band, "All bands")],
        ["Locale", LOCALE_LABELS.get(f.locale, "All locales")],
        ["SRO staffing model", SRO_LABELS.get(f.sro_model, "All models")],
        [
            "Suppression",
            f"Figures from fewer than {dashboard.k} organizations are hidden, and so is any "
            "figure that, set beside the others or another view, would reveal such a group.",
        ],
    ]
    if dashboard.withheld is not None:
        return [*rows, ["Withheld", dashboard.withheld.reason]]
    rows += [
        ["Organizations", dashboard.organizations],
        ["Assessments", dashboard.assessments],
        [],
        ["Participation", "Period", "Organizations"],
    ]
    for cell in dashboard.participation:
        rows.append([cell.kind_label, cell.period, _figure_cell(cell.organizations, percent=False)])
    rows += [[], ["Scores", "Organizations", "Minimum", "Q1", "Median", "Q3", "Maximum"]]
    for dist in dashboard.distributions:
        if dist.summary is None:
            # A hidden distribution's count is the very thing withheld.
            rows.append([dist.title, None if dist.reason else dist.n, dist.reason or "No scores"])
        else:
            q = dist.summary
            rows.append([dist.title, dist.n, q.min, q.q1, q.median, q.q3, q.max])
    rows += [[], ["Item", "Dimension", "Rated", "Fully in place (%)"]]
    for section in dashboard.sections:
        for line in section.items:
            for figure in line.figures:
                rows.append(
                    [
                        line.prompt,
                        figure.dimension_label,
                        figure.rated,
                        _figure_cell(figure.full_share, percent=True),
                    ]
                )
    rows += [[], ["Item", "Both rated", "Paper ahead of practice (%)", "Practice ahead (%)"]]
    for pp in dashboard.paper_practice:
        rows.append(
            [
                pp.prompt,
                pp.both_rated,
                _figure_cell(pp.paper_stronger, percent=True),
                _figure_cell(pp.practice_stronger, percent=True),
            ]
        )
    return rows


def workbook_bytes(dashboard: Dashboard, answers: Iterator[list[Cell]]) -> bytes:
    """Return an XLSX file: a Summary sheet and an Answers sheet, every cell made safe."""
    # Write-only mode streams rows to disk-backed XML, so thousands of assessments fit.
    book = Workbook(write_only=True)
    summary = book.create_sheet("Summary")
    for row in summary_rows(dashboard):
        summary.append(safe_row(row))
    sheet = book.create_sheet("Answers")
    sheet.append(safe_row(list(ANSWER_HEADER)))
    for row in answers:
        sheet.append(safe_row(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
