"""The comparison as plain data: columns, score rows, item rows and a trend, ready to format.

``build_comparison`` scores each assessment with the one scoring core, compares them with
``rubric_app.scoring.compare_scores`` (differences against the first, the baseline) and turns
every cell into text: the value, the change in points, and the direction as a word and a symbol,
so no page relies on colour. The HTML page, the CSV and the PDF all render this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from rubric_app.assessments import rubric_for, score_of
from rubric_app.models import Assessment, Organization, Share
from rubric_app.rubrics.model import Rubric
from rubric_app.scoring import (
    DIRECTION_SYMBOLS,
    AssessmentScore,
    Cell,
    TrendPoint,
    compare_scores,
    trend,
)
from rubric_app.scoring.compare import ScoreRow

STATUS_TEXT = {
    "not-rated": "not rated",
    "not-applicable": "N/A",
    "hidden": "not asked",
    "absent": "not in this rubric",
}


def short_title(title: str) -> str:
    """Return a rubric title without the family prefix and the word 'Rubric'."""
    return title.removeprefix("SECURe-aligned ").removesuffix(" Rubric")


def format_points(value: float | None) -> str:
    """Return a 0-100 score as '72%' (one decimal only when it matters), or '—'."""
    if value is None:
        return "—"
    return f"{value:.0f}%" if abs(value - round(value)) < 0.05 else f"{value:.1f}%"


@dataclass(frozen=True)
class Column:
    """One compared assessment."""

    assessment_id: int
    label: str
    org_name: str
    period: str
    rubric_title: str
    status: str


@dataclass(frozen=True)
class CellView:
    """One cell as text: value, change from the baseline, and its direction in words."""

    value: str
    change: str
    direction: str
    symbol: str
    word: str

    @property
    def sentence(self) -> str:
        """Return the change as one phrase, e.g. '▲ +12 points (better)', or ''."""
        if not self.direction:
            return ""
        if self.direction == "same":
            return f"{self.symbol} same"
        return f"{self.symbol} {self.change} ({self.word})"


@dataclass(frozen=True)
class RowView:
    """A score or item row: a title, an optional detail line, and one cell per column."""

    title: str
    detail: str
    cells: tuple[CellView, ...]
    sub: bool = False


@dataclass(frozen=True)
class ItemSection:
    """Item rows of one section."""

    title: str
    rows: tuple[RowView, ...]


@dataclass(frozen=True)
class TrendView:
    """One point of an organization's trend, oldest first."""

    label: str
    value: str
    change: str


@dataclass(frozen=True)
class ComparisonView:
    """Everything the comparison page, CSV and PDF show."""

    columns: tuple[Column, ...]
    score_rows: tuple[RowView, ...]
    item_sections: tuple[ItemSection, ...]
    same_rubric: bool
    trend: tuple[TrendView, ...]


def _cell(cell: Cell, ratings: str = "") -> CellView:
    value = STATUS_TEXT.get(cell.status, "—") if cell.value is None else format_points(cell.value)
    if ratings:
        value = f"{value} · {ratings}"
    change = ""
    if cell.difference is not None:
        change = f"{cell.difference:+.0f} points"
    return CellView(value, change, cell.direction or "", cell.symbol, cell.word)


def _score_rows(row: ScoreRow, labels: dict[str, str]) -> list[RowView]:
    rows = [RowView(row.title, "", tuple(_cell(c) for c in row.cells))]
    for dim, cells in row.by_dimension.items():
        rows.append(RowView(labels.get(dim, dim), "", tuple(_cell(c) for c in cells), sub=True))
    return rows


def _ratings_text(rubric: Rubric, score: AssessmentScore, item_id: str) -> str:
    item_score = score.items.get(item_id)
    if item_score is None or not rubric.has_item(item_id):
        return ""
    scale = rubric.scale_of(rubric.item(item_id))
    parts = []
    for dim, rating in item_score.ratings.items():
        option = scale.option(rating.option_key) if scale else None
        label = rubric.dimension(dim).label if any(d.id == dim for d in rubric.dimensions) else dim
        parts.append(f"{label}: {option.label if option else rating.option_key}")
    return "; ".join(parts)


def _trend_change(point: TrendPoint) -> str:
    """Return a trend point's change as text with its symbol and word, or ''."""
    if point.change is None or point.direction is None:
        return ""
    symbol = DIRECTION_SYMBOLS[point.direction]
    if point.direction == "same":
        return f"{symbol} same as before"
    return f"{symbol} {point.change:+.0f} points ({point.direction})"


def build_comparison(session: Session, assessments: Sequence[Assessment]) -> ComparisonView:
    """Compare 2-4 assessments the caller has already checked the user may view."""
    rubrics = [rubric_for(a) for a in assessments]
    scores = [score_of(session, a) for a in assessments]
    comparison = compare_scores(list(zip(rubrics, scores, strict=True)))
    columns = tuple(
        Column(
            a.id,
            f"{a.organization.name} · {a.period} · {short_title(r.title)}",
            a.organization.name,
            a.period,
            r.title,
            "Submitted" if a.status == "submitted" else "Draft",
        )
        for a, r in zip(assessments, rubrics, strict=True)
    )
    labels = dict(comparison.dimension_labels)
    score_rows = _score_rows(comparison.overall, labels)
    for row in comparison.section_rows:
        score_rows += _score_rows(row, labels)

    sections: dict[str, list[RowView]] = {}
    for item_row in comparison.item_rows:
        cells = tuple(
            _cell(cell, _ratings_text(rubric, score, item_row.item_id))
            for cell, rubric, score in zip(item_row.cells, rubrics, scores, strict=True)
        )
        sections.setdefault(item_row.section_id, []).append(
            RowView(item_row.prompt, item_row.item_id, cells)
        )
    titles = {row.key: row.title for row in comparison.section_rows}
    item_sections = tuple(
        ItemSection(titles.get(section_id, section_id), tuple(rows))
        for section_id, rows in sections.items()
    )

    points: tuple[TrendView, ...] = ()
    if len({a.org_id for a in assessments}) == 1:
        ordered = sorted(
            zip(assessments, rubrics, scores, strict=True), key=lambda t: (t[0].period, t[0].id)
        )
        points = tuple(
            TrendView(point.label, format_points(point.percent), _trend_change(point))
            for point in trend([(f"{a.period} · {short_title(r.title)}", s) for a, r, s in ordered])
        )
    return ComparisonView(
        columns=columns,
        score_rows=tuple(score_rows),
        item_sections=item_sections,
        same_rubric=len({r.id for r in rubrics}) == 1,
        trend=points,
    )


@dataclass(frozen=True)
class Choice:
    """An assessment the user may pick for comparison."""

    assessment_id: int
    org_name: str
    title: str
    rubric_title: str
    period: str
    status: str
    shared: bool


def comparable_assessments(session: Session, org: Organization) -> list[Choice]:
    """Return the organization's own assessments and those shared with it (submitted, live)."""
    shared_ids = select(Share.assessment_id).where(
        Share.to_org_id == org.id, Share.revoked_at.is_(None)
    )
    stmt = (
        select(Assessment, Organization.name)
        .join(Organization, Organization.id == Assessment.org_id)
        .where(
            or_(
                Assessment.org_id == org.id,
                Assessment.id.in_(shared_ids) & (Assessment.status == "submitted"),
            )
        )
        .order_by(Assessment.org_id != org.id, Organization.name, Assessment.period, Assessment.id)
    )
    choices = []
    for assessment, org_name in session.execute(stmt):
        rubric = rubric_for(assessment)
        choices.append(
            Choice(
                assessment.id,
                org_name,
                assessment.title,
                short_title(rubric.title),
                assessment.period,
                "Submitted" if assessment.status == "submitted" else "Draft",
                assessment.org_id != org.id,
            )
        )
    return choices
