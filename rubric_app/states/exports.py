"""State exports: every shared answer as CSV or XLSX rows, and the XLSX workbook's tables.

Per-assessment rows are what each organization shared with the advocate, so they are exported
as they are, in rubric order, each coded value beside its label. Aggregate tables come from the
same ``Dashboard`` the page shows, so they obey the same small-number rule (docs/privacy.md):
a hidden figure is an empty cell with the reason in a Note column, never text in a number
column. The workbook is plain tables (``rubric_app.exports.workbook``): frozen header, filter,
widths, numbers as numbers with percent formats, and a README sheet. Every text cell is made
spreadsheet-safe (``rubric_app.exports.spreadsheet``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy.orm import Session

from rubric_app.exports.spreadsheet import Cell
from rubric_app.exports.workbook import Column, add_notes, add_table, new_workbook, workbook_bytes
from rubric_app.rubrics.answer_types import answer_type
from rubric_app.rubrics.model import Rubric
from rubric_app.scoring import Figure, Suppressed
from rubric_app.vocabulary import (
    ENROLLMENT_BAND_LABELS,
    LOCALE_LABELS,
    ORG_KIND_GROUP_LABELS,
    SRO_MODEL_LABELS,
)

from . import rollup
from .rollup import Scope
from .view_data import Dashboard

#: The answers table, for the CSV and the workbook's Answers sheet: (header, kind, width).
#: A column whose header ends in "_code" holds the stable code behind the label beside it.
ANSWER_COLUMNS = (
    Column("organization", width=32),
    Column("kind", width=20),
    Column("kind_code", width=14),
    Column("enrollment_band", width=22),
    Column("enrollment_band_code", width=12),
    Column("locale", width=10),
    Column("locale_code", width=10),
    Column("sro_model", width=26),
    Column("sro_model_code", width=16),
    Column("period", width=10),
    Column("rubric", width=28),
    Column("rubric_code", width=28),
    Column("rubric_version", width=10),
    Column("step", width=30),
    Column("step_code", width=24),
    Column("item_code", width=28),
    Column("item", "wrap", 60),
    Column("dimension", width=16),
    Column("dimension_code", width=12),
    Column("value", width=22),
    Column("value_code", width=16),
    Column("points", "number", 8),
    Column("max_points", "number", 10),
    Column("not_applicable", width=8),
)
ANSWER_HEADER = tuple(column.header for column in ANSWER_COLUMNS)


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


def _rubric_order(rubric: Rubric | None) -> tuple[dict[str, int], dict[str, int]]:
    """Return each item's position and each rating dimension's, for sorting answers."""
    if rubric is None:
        return {}, {}
    items = {item.id: index for index, item in enumerate(rubric.items)}
    return items, {d.id: index for index, d in enumerate(rubric.dimensions)}


def _in_rubric_order(
    rows: Iterable[rollup.AnswerRow], versions: dict[int, Rubric]
) -> Iterator[rollup.AnswerRow]:
    """Re-sort each assessment's answers (which arrive together) into rubric order.

    Only one assessment's answers are held at a time, so the export still streams.
    """
    orders = {version_id: _rubric_order(rubric) for version_id, rubric in versions.items()}
    batch: list[rollup.AnswerRow] = []
    for row in rows:
        if batch and batch[0].assessment_id != row.assessment_id:
            yield from _sorted_batch(batch, orders)
            batch = []
        batch.append(row)
    yield from _sorted_batch(batch, orders)


def _sorted_batch(
    batch: list[rollup.AnswerRow],
    orders: dict[int, tuple[dict[str, int], dict[str, int]]],
) -> list[rollup.AnswerRow]:
    if not batch:
        return batch
    items, dimensions = orders.get(batch[0].rubric_version_id, ({}, {}))
    # Items a newer file no longer has, and answers outside the rating dimensions (a gate
    # question's value), sort after those that have a place.
    return sorted(
        batch,
        key=lambda r: (
            items.get(r.item_id, len(items)),
            r.item_id,
            dimensions.get(r.dimension, len(dimensions)),
            r.dimension,
        ),
    )


def answer_rows(session: Session, scope: Scope) -> Iterator[list[Cell]]:
    """Yield one row per assessment, item and dimension in scope, in rubric order (streamed).

    An organization that did not agree to be named when it shared appears as "Unnamed
    organization N", numbered in the order of this file only, so its rows still read together
    without anything that leads back to it; under a profile filter it is left out
    (``rollup.Filters.lists_unnamed``). The caller checks first that the view may be shown at
    all (``privacy.view_withheld``).
    """
    versions = {v.version_id: v.rubric for v in rollup.versions_in_scope(session, scope)}
    not_applicable = rollup.not_applicable_items(session, scope)
    unnamed: dict[int, str] = {}
    rows = _in_rubric_order(rollup.answer_rows(session, scope), versions)
    for row in rows:
        rubric = versions.get(row.rubric_version_id)
        section, prompt, label, points, max_points = _label(
            rubric, row.item_id, row.dimension, row.value
        )
        name = row.org_name
        if name is None:
            name = unnamed.setdefault(row.assessment_id, f"Unnamed organization {len(unnamed) + 1}")
        step = rubric.section(section).title if rubric and section else ""
        dimension = (
            rubric.dimension(row.dimension).label
            if rubric and any(d.id == row.dimension for d in rubric.dimensions)
            else row.dimension
        )
        yield [
            name,
            ORG_KIND_GROUP_LABELS.get(row.kind, row.kind),
            row.kind,
            ENROLLMENT_BAND_LABELS.get(row.enrollment_band or "", ""),
            row.enrollment_band or "",
            LOCALE_LABELS.get(row.locale or "", ""),
            row.locale or "",
            SRO_MODEL_LABELS.get(row.sro_model or "", ""),
            row.sro_model or "",
            row.period,
            rubric.title if rubric else scope.rubric_key,
            scope.rubric_key,
            rubric.version if rubric else "",
            step,
            section,
            row.item_id,
            prompt,
            dimension,
            row.dimension,
            label,
            row.value,
            points,
            max_points,
            "yes" if (row.assessment_id, row.item_id) in not_applicable else "",
        ]


def _share(figure: Figure | Suppressed) -> tuple[Cell, str]:
    """Return a share as a fraction (shown with a percent format) and its note."""
    if figure.suppressed:
        return None, figure.reason
    return figure.value, ""


def _percent(value: float | None) -> Cell:
    """Return a score in percent points (0 to 100) as a fraction for a percent format."""
    return None if value is None else round(value / 100, 4)


def participation_rows(dashboard: Dashboard) -> Iterator[list[Cell]]:
    """Organizations by period and kind; a hidden count is empty with its reason."""
    for cell in dashboard.participation:
        value, note = _share(cell.organizations)
        yield [cell.period, cell.kind_label, cell.kind, value, note]


def score_rows(dashboard: Dashboard) -> Iterator[list[Cell]]:
    """Quartiles of each score; a hidden distribution has no count and no figures.

    "Left out" counts the assessments whose score rests on too few answers (not enough answers)
    and so is not among the figures; it is empty where the distribution is hidden.
    """
    for dist in dashboard.distributions:
        left_out = dist.left_out if dist.shown else None
        if dist.summary is None:
            note = dist.reason or "No scores"
            n = None if dist.reason else dist.n
            yield [dist.title, dist.key, n, *([None] * 5), left_out, note]
        else:
            q = dist.summary
            figures = [_percent(v) for v in (q.min, q.q1, q.median, q.q3, q.max)]
            yield [dist.title, dist.key, dist.n, *figures, left_out, ""]


def item_rows(dashboard: Dashboard) -> Iterator[list[Cell]]:
    """Each item's share fully in place per dimension, in rubric order."""
    for section in dashboard.sections:
        for line in section.items:
            for figure in line.figures:
                value, note = _share(figure.full_share)
                yield [
                    section.title,
                    section.section_id,
                    line.item_id,
                    line.prompt,
                    figure.dimension_label,
                    figure.dimension,
                    figure.rated,
                    value,
                    note,
                ]


def paper_practice_rows(dashboard: Dashboard) -> Iterator[list[Cell]]:
    """Paper against practice per item, in rubric order."""
    order = {line.item_id: i for i, line in enumerate(_lines(dashboard))}
    for pp in sorted(dashboard.paper_practice, key=lambda p: order.get(p.item_id, len(order))):
        paper, note = _share(pp.paper_stronger)
        practice, _ = _share(pp.practice_stronger)
        yield [pp.item_id, pp.prompt, pp.both_rated, paper, practice, note]


def law_rows(dashboard: Dashboard) -> Iterator[list[Cell]]:
    """Each requirement of the state's law and outcome: organizations and share, or a note."""
    for framework in dashboard.law:
        for requirement in framework.requirements:
            for outcome in requirement.shares:
                figure = outcome.figure
                value, note = _share(figure)
                yield [
                    framework.framework_id,
                    requirement.citation,
                    requirement.statement,
                    outcome.label,
                    figure.n if isinstance(figure, Figure) else None,
                    framework.organizations,
                    value,
                    note,
                ]


def _lines(dashboard: Dashboard) -> Iterator[Any]:
    for section in dashboard.sections:
        yield from section.items


def _about(dashboard: Dashboard, advocate: str, generated: dt.datetime) -> list[tuple[str, Cell]]:
    """The README sheet: what the workbook holds, its filters, and the small-number rule."""
    f = dashboard.scope.filters
    k = dashboard.k
    return [
        (
            "About",
            f"State roll-up of {dashboard.rubric_title} assessments that organizations in "
            f"{dashboard.scope.state} submitted and chose to share with {advocate}. "
            f"Generated {generated:%d %B %Y %H:%M} UTC.",
        ),
        ("Period", f.period or "All periods"),
        ("Organization kind", ORG_KIND_GROUP_LABELS.get(f.kind, "All kinds")),
        ("Enrollment band", ENROLLMENT_BAND_LABELS.get(f.enrollment_band, "All bands")),
        ("Locale", LOCALE_LABELS.get(f.locale, "All locales")),
        ("SRO staffing model", SRO_MODEL_LABELS.get(f.sro_model, "All models")),
        ("Organizations", dashboard.organizations),
        ("Assessments", dashboard.assessments),
        (
            "Small-number rule",
            f"Any figure based on fewer than {k} organizations is left empty, "
            "and so is any figure that, set beside the others or beside another view of the "
            "dashboard, would let such a group be worked out. The Note column of each table says "
            "why a cell is empty. Organizations are named only if they agreed to be when they "
            "shared; the others appear as 'Unnamed organization N', numbered within this file, "
            "with their enrollment band, locale and SRO staffing left empty (a rare profile "
            "would name them as surely). In a view filtered by enrollment band, locale or SRO "
            "staffing their answers are left out altogether, since the filter would describe "
            "them; the summary figures still count them.",
        ),
        (
            "Participation",
            "Organizations with a shared, submitted assessment, by period and kind "
            "(every period; the other filters apply).",
        ),
        (
            "Scores",
            "Quartiles of the overall and step scores across organizations, as "
            "percentages (0 to 100 %).",
        ),
        (
            "Items",
            "For each item and rating dimension, in rubric order: how many assessments "
            "rated it, and the share that rated it fully in place.",
        ),
        (
            "Paper vs practice",
            "For items rated on both the written policy and practice: the "
            "share of assessments where the policy is ahead of practice, and the reverse.",
        ),
        (
            "Answers",
            "Every shared answer, one row per organization, item and dimension, in "
            "rubric order. Columns ending in _code hold the stable codes behind the labels beside "
            "them (for joining with other data); points are numbers. They are what the "
            "organizations shared with you, one by one: the hidden figures of the other sheets "
            "can be worked out from them, so before passing this file on (to a board, the "
            "press, another agency), delete this sheet, or pass on the state summary PDF.",
        ),
        (
            "Empty cells",
            "An empty number cell is a figure that is hidden (see Note) or that "
            "does not exist (for example no answer).",
        ),
    ]


def workbook(
    dashboard: Dashboard, answers: Iterator[list[Cell]], *, advocate: str, generated: dt.datetime
) -> bytes:
    """Return the XLSX workbook: README, the summary tables (the state's law when one is mapped)
    and every shared answer."""
    book = new_workbook()
    add_notes(book, "README", _about(dashboard, advocate, generated))
    add_table(
        book,
        "Participation",
        [
            Column("Period", width=12),
            Column("Kind", width=26),
            Column("Kind code", width=20),
            Column("Organizations", "integer", 14),
            Column("Note", width=60),
        ],
        participation_rows(dashboard),
    )
    quartile = ("Lowest", "Lower quartile", "Median", "Upper quartile", "Highest")
    add_table(
        book,
        "Scores",
        [
            Column("Score", width=36),
            Column("Score code", width=24),
            Column("Organizations", "integer", 14),
            *(Column(name, "percent", 14) for name in quartile),
            Column("Left out: not enough answers", "integer", 16),
            Column("Note", width=60),
        ],
        score_rows(dashboard),
    )
    add_table(
        book,
        "Items",
        [
            Column("Step", width=30),
            Column("Step code", width=24),
            Column("Item code", width=28),
            Column("Item", "wrap", 60),
            Column("Dimension", width=16),
            Column("Dimension code", width=14),
            Column("Assessments rated", "integer", 12),
            Column("Fully in place", "percent", 12),
            Column("Note", width=60),
        ],
        item_rows(dashboard),
    )
    add_table(
        book,
        "Paper vs practice",
        [
            Column("Item code", width=28),
            Column("Item", "wrap", 60),
            Column("Assessments rating both", "integer", 14),
            Column("Policy ahead of practice", "percent", 14),
            Column("Practice ahead of policy", "percent", 14),
            Column("Note", width=60),
        ],
        paper_practice_rows(dashboard),
    )
    if dashboard.law:
        add_table(
            book,
            "State law",
            [
                Column("Framework code", width=28),
                Column("Citation", width=30),
                Column("Requirement", "wrap", 60),
                Column("Outcome", width=14),
                Column("Organizations", "integer", 14),
                Column("Organizations counted", "integer", 14),
                Column("Share", "percent", 12),
                Column("Note", width=60),
            ],
            law_rows(dashboard),
        )
    add_table(book, "Answers", ANSWER_COLUMNS, answers)
    return workbook_bytes(book)
