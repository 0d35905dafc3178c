"""The comparison as plain data: columns, a headline, steps with dimensions and items, a trend.

``build_comparison`` scores each assessment with the one scoring core and compares them with
``rubric_app.scoring.compare.compare_scores``, measured from a reference column: the viewer's own
organization's assessment (the first of them), else the first column, and the page says which.
Every difference is phrased relative to that reference ("18 points lower than your program"):
the columns may be different organizations, so nothing reads as a verdict (no "worse", no
arrows, no red or green). Only a trend over one organization's own periods says "up" or "down".
The HTML page, the CSV (``rubric_app.compare.export``) and the PDF all render this.

Why it is long: the reference-relative wording must be applied to every cell in one place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from rubric_app.assessments import rubric_for, score_of
from rubric_app.models import Assessment, Organization, Share
from rubric_app.rubrics.model import Rubric
from rubric_app.scoring import NOT_ENOUGH_ANSWERS, AssessmentScore, basis_text, trend
from rubric_app.scoring.compare import Cell, ScoreRow, compare_scores, largest_step_difference
from rubric_app.version_crosswalks import aliases_into

from .chart import ChartBar, ChartGroup, comparison_chart

STATUS_TEXT = {
    "not-rated": "not rated",
    "not-enough-answers": NOT_ENOUGH_ANSWERS,
    "not-applicable": "N/A",
    "hidden": "not asked",
    "absent": "not in this rubric",
}

#: What the viewer's own organization is called in sentences, by organization kind.
OWN_NOUNS = {
    "district": "your district",
    "afterschool_program": "your program",
    "college": "your college",
}


def short_title(title: str) -> str:
    """Return a rubric title without the family prefix and the word 'Rubric'."""
    return title.removeprefix("SECURe-aligned ").removesuffix(" Rubric")


def format_points(value: float | None) -> str:
    """Return a 0-100 score as '72%' (one decimal only when it matters), or '—'."""
    if value is None:
        return "—"
    return f"{value:.0f}%" if abs(value - round(value)) < 0.05 else f"{value:.1f}%"


def points_text(difference: float) -> str:
    """Return the size of a difference in points, as precise as the scores beside it: '18
    points', '1 point', '6.5 points' (30% against 36.5%: rounding to 6 or 7 would contradict
    the two figures the reader sees, and the CSV's 6.5)."""
    size = abs(difference)
    if abs(size - round(size)) < 0.05:
        whole = round(size)
        return f"{whole} point" if whole == 1 else f"{whole} points"
    return f"{size:.1f} points"


def printed_difference(value: float, difference: float) -> float:
    """Return the difference of the two scores as printed: ``value`` and the reference score
    (``value - difference``), each to one decimal as ``format_points`` and the CSV print them.

    27.96% against 36.04% prints as "28%" and "36%": the difference shown beside them is 8
    points, not the exact 8.08 (which would read "8.1 points"). The page uses one decimal
    where it matters, the report whole percents; the comparison keeps its decimal, because it
    sets close scores side by side, and so states its differences from what it prints.
    """
    # Scores carry 9 decimals (scoring.score), so this gives the reference score back exactly.
    reference = round(value - difference, 9)
    return round(round(value, 1) - round(reference, 1), 1)


def relation_text(cell: Cell, reference: str) -> str:
    """Return a cell's difference as a phrase about ``reference``, or '' when there is none.

    ``reference`` is what the difference is measured from: 'your program', 'Riverton's', ...
    """
    if cell.difference is None or cell.relation is None or cell.value is None:
        return ""
    if cell.relation == "same":
        return f"the same as {reference}"
    printed = printed_difference(cell.value, cell.difference)
    return f"{points_text(printed)} {cell.relation} than {reference}"


def possessive(name: str) -> str:
    """Return 'Riverton City School District's' ('your program' -> 'your program's')."""
    return f"{name}'" if name.endswith("s") and not name.startswith("your ") else f"{name}'s"


@dataclass(frozen=True)
class Column:
    """One compared assessment."""

    assessment_id: int
    label: str
    org_name: str
    period: str
    rubric_title: str
    status: str
    #: The name in sentences and on the chart: 'Your program', or the organization's name,
    #: with the period when one organization appears more than once.
    name: str
    is_reference: bool
    is_own: bool
    #: Whether the organization appears in more than one column (then periods tell them apart).
    repeated: bool = False

    @property
    def sentence_name(self) -> str:
        """Return the name for the middle of a sentence ('your program', 'Riverton')."""
        return self.name[:1].lower() + self.name[1:] if self.is_own else self.name

    def whose(self, what: str = "score") -> str:
        """Return e.g. "your program's score" or "Riverton's score in 2024-25"."""
        base = self.sentence_name.removesuffix(f" ({self.period})")
        return f"{possessive(base)} {what}" + (f" in {self.period}" if self.repeated else "")


@dataclass(frozen=True)
class CellView:
    """One cell: the figure as text and as a number, and its difference from the reference."""

    value: str
    number: float | None
    #: From the reference, as the two printed scores give it (``printed_difference``).
    difference: float | None
    sentence: str
    #: For items: the options chosen, or why there is no figure ('N/A', 'not asked', ...).
    note: str = ""
    #: For scores: what the figure rests on ("from 31 of 52 items answered"), and the counts.
    basis: str = ""
    answered: int | None = None
    applicable: int | None = None

    @property
    def text(self) -> str:
        """Return the value with the chosen options, e.g. '50% · Written MOU: Partly'."""
        return (
            f"{self.value} · {self.note}" if self.note and self.number is not None else self.value
        )


@dataclass(frozen=True)
class RowView:
    """A score or item row: a title, an optional detail line, and one cell per column."""

    title: str
    detail: str
    cells: tuple[CellView, ...]
    sub: bool = False


@dataclass(frozen=True)
class StepView:
    """One action step: its score, its dimensions under it, and its items."""

    heading: str
    row: RowView
    dimensions: tuple[RowView, ...]
    items: tuple[RowView, ...]


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
    reference: int
    #: What differences are measured from, as used in sentences ('your program', 'Riverton').
    reference_name: str
    #: Whether the reference is the viewer's own organization's assessment.
    own: bool
    headline: str
    #: Which column is the reference and why, in one sentence.
    note: str
    overall: RowView
    overall_dimensions: tuple[RowView, ...]
    steps: tuple[StepView, ...]
    same_rubric: bool
    trend: tuple[TrendView, ...]
    chart: Markup
    #: The same chart, smaller, for the PDF.
    print_chart: Markup

    @property
    def overall_rows(self) -> tuple[RowView, ...]:
        """Return the overall row and its dimension rows."""
        return (self.overall, *self.overall_dimensions)

    @property
    def score_rows(self) -> tuple[RowView, ...]:
        """Return overall, then each step, each followed by its dimension rows."""
        rows = [self.overall, *self.overall_dimensions]
        for step in self.steps:
            rows += [step.row, *step.dimensions]
        return tuple(rows)

    @property
    def item_steps(self) -> tuple[StepView, ...]:
        """Return the steps that have compared items."""
        return tuple(step for step in self.steps if step.items)


def _cell(cell: Cell, reference: str, note: str = "") -> CellView:
    if cell.value is None:
        value, note = STATUS_TEXT.get(cell.status, "—"), STATUS_TEXT.get(cell.status, "")
    else:
        value = format_points(cell.value)
    coverage = cell.coverage
    return CellView(
        value,
        cell.value,
        # As printed, so the CSV's difference is its two score columns subtracted.
        None
        if cell.difference is None or cell.value is None
        else printed_difference(cell.value, cell.difference),
        relation_text(cell, reference),
        note,
        basis="" if coverage is None else basis_text(coverage),
        answered=None if coverage is None else coverage.answered,
        applicable=None if coverage is None else coverage.applicable,
    )


def _row(title: str, cells: Sequence[Cell], reference: str, *, sub: bool = False) -> RowView:
    return RowView(title, "", tuple(_cell(c, reference) for c in cells), sub=sub)


def _dimension_rows(row: ScoreRow, labels: dict[str, str], reference: str) -> tuple[RowView, ...]:
    return tuple(
        _row(labels.get(dim, dim), cells, reference, sub=True)
        for dim, cells in row.by_dimension.items()
    )


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


def _step_heading(row: ScoreRow) -> str:
    return f"Step {row.number}. {row.title}" if row.number is not None else row.title


def _reference_index(assessments: Sequence[Assessment], viewer_org_id: int | None) -> int:
    for index, assessment in enumerate(assessments):
        if viewer_org_id is not None and assessment.org_id == viewer_org_id:
            return index
    return 0


def _columns(
    assessments: Sequence[Assessment],
    rubrics: Sequence[Rubric],
    reference: int,
    viewer_org_id: int | None,
) -> tuple[Column, ...]:
    repeated = Counter(a.org_id for a in assessments)
    columns = []
    for index, (a, r) in enumerate(zip(assessments, rubrics, strict=True)):
        own = viewer_org_id is not None and a.org_id == viewer_org_id
        name = (
            OWN_NOUNS.get(a.organization.kind, "your organization") if own else a.organization.name
        )
        if repeated[a.org_id] > 1:
            name = f"{name} ({a.period})"
        columns.append(
            Column(
                a.id,
                f"{a.organization.name} · {a.period} · {short_title(r.title)}",
                a.organization.name,
                a.period,
                r.title,
                "Submitted" if a.status == "submitted" else "Draft",
                name[:1].upper() + name[1:],
                index == reference,
                own,
                repeated[a.org_id] > 1,
            )
        )
    return tuple(columns)


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _headline(columns: Sequence[Column], overall: Sequence[Cell], step_text: str) -> str:
    """Return the one-sentence summary: the overall difference and the biggest step difference."""
    ref = next(column for column in columns if column.is_reference)
    ref_cell = next(
        cell for cell, column in zip(overall, columns, strict=True) if column.is_reference
    )
    subject = ref.whose("overall score")
    subject = subject[:1].upper() + subject[1:]
    if ref_cell.value is None:
        coverage = ref_cell.coverage
        if coverage is not None and coverage.status == "not-enough-answers":
            # Rated items there are, too few for a score: say so, as its table cell does.
            return f"{subject} cannot be compared yet: not enough answers ({basis_text(coverage)})."
        return f"{subject} cannot be compared yet: it has no rated items."
    parts = []
    missing = []
    for cell, column in zip(overall, columns, strict=True):
        if column.is_reference:
            continue
        other = column.whose("score") if column.repeated else possessive(column.sentence_name)
        if cell.difference is None or cell.relation is None or cell.value is None:
            missing.append(column.sentence_name)
        elif cell.relation == "same":
            parts.append(f"the same as {other} (within half a point)")
        else:
            # Turned round: the reference's score against the other's, as the reader sees it.
            flipped = "higher" if cell.relation == "lower" else "lower"
            printed = printed_difference(cell.value, cell.difference)
            parts.append(f"{points_text(printed)} {flipped} than {other}")
    sentence = (
        f"{subject} is {_join(parts)}" if parts else f"{subject} is {format_points(ref_cell.value)}"
    )
    if step_text:
        sentence += f"; the biggest difference is in {step_text}"
    sentence += "."
    if missing:
        sentence += f" No overall score yet for {_join(missing)}."
    return sentence


def _note(columns: Sequence[Column], viewer_org: Organization | None) -> str:
    ref = next(column for column in columns if column.is_reference)
    if ref.is_own:
        return (
            f"Differences are measured from {ref.whose('assessment')} "
            "(marked “yours”): a figure “lower” or “higher” is another assessment's score "
            "against yours."
        )
    whose = possessive(viewer_org.name) if viewer_org is not None else "your organization's"
    return (
        f"None of these assessments is {whose}, so differences are measured from the first "
        f"column, {ref.label}."
    )


def _trend(
    assessments: Sequence[Assessment], rubrics: Sequence[Rubric], scores: Sequence[AssessmentScore]
) -> tuple[TrendView, ...]:
    """Return the overall score over one organization's periods, with 'up'/'down' changes."""
    ordered = sorted(
        zip(assessments, rubrics, scores, strict=True), key=lambda t: (t[0].period, t[0].id)
    )
    points = trend([(f"{a.period} · {short_title(r.title)}", s) for a, r, s in ordered])
    views = []
    previous_period = ""
    for (assessment, _, _), point in zip(ordered, points, strict=True):
        change = ""
        if point.change is not None and point.direction is not None and point.percent is not None:
            if point.direction == "same":
                change = f"about the same as in {previous_period}"
            else:
                way = "up" if point.change > 0 else "down"
                printed = printed_difference(point.percent, point.change)
                change = f"{way} {points_text(printed)} since {previous_period}"
        views.append(TrendView(point.label, format_points(point.percent), change))
        if point.percent is not None:
            previous_period = assessment.period
    return tuple(views)


def build_comparison(
    session: Session, assessments: Sequence[Assessment], viewer_org: Organization | None
) -> ComparisonView:
    """Compare 2-4 assessments the caller has already checked the user may view.

    Differences are measured from ``viewer_org``'s first assessment among them, else the first.
    """
    viewer_org_id = viewer_org.id if viewer_org is not None else None
    reference = _reference_index(assessments, viewer_org_id)
    rubrics = [rubric_for(a) for a in assessments]
    scores = [score_of(session, a) for a in assessments]
    # Versions of one rubric line their items up into the ids of the latest period's version.
    newest = max(range(len(assessments)), key=lambda i: (assessments[i].period, assessments[i].id))
    aliases = aliases_into(rubrics, newest)
    comparison = compare_scores(
        list(zip(rubrics, scores, strict=True)), reference=reference, aliases=aliases
    )
    own_ids = [{new: old for old, new in a.items()} for a in aliases] if aliases else None
    columns = _columns(assessments, rubrics, reference, viewer_org_id)
    ref_name = columns[reference].sentence_name
    labels = dict(comparison.dimension_labels)

    items: dict[str, list[RowView]] = {}
    for item_row in comparison.item_rows:
        cells = tuple(
            _cell(
                cell,
                ref_name,
                _ratings_text(
                    rubric,
                    score,
                    own_ids[index].get(item_row.item_id, item_row.item_id)
                    if own_ids
                    else item_row.item_id,
                ),
            )
            for index, (cell, rubric, score) in enumerate(
                zip(item_row.cells, rubrics, scores, strict=True)
            )
        )
        items.setdefault(item_row.section_id, []).append(
            RowView(item_row.prompt, item_row.item_id, cells)
        )
    steps = tuple(
        StepView(
            _step_heading(row),
            _row(_step_heading(row), row.cells, ref_name),
            _dimension_rows(row, labels, ref_name),
            tuple(items.get(row.key, ())),
        )
        for row in comparison.section_rows
    )

    biggest = largest_step_difference(comparison)
    step_text = ""
    if biggest is not None:
        step_text = (
            f"Step {biggest.number}, {biggest.title}"
            if biggest.number is not None
            else biggest.title
        )
        if len(columns) > 2:
            other = columns[biggest.column]
            place = f" in {other.period}" if other.repeated else ""
            step_text += (
                f", against {other.sentence_name.removesuffix(f' ({other.period})')}{place}"
            )

    groups = tuple(
        ChartGroup(
            step.heading,
            tuple(
                ChartBar(column.name, cell.number, cell.value if cell.number is None else "")
                for column, cell in zip(columns, step.row.cells, strict=True)
            ),
        )
        for step in steps
    )
    title = "Scores by action step"
    return ComparisonView(
        columns=columns,
        reference=reference,
        reference_name=ref_name,
        own=columns[reference].is_own,
        headline=_headline(columns, comparison.overall.cells, step_text),
        note=_note(columns, viewer_org),
        overall=_row("Overall", comparison.overall.cells, ref_name),
        overall_dimensions=_dimension_rows(comparison.overall, labels, ref_name),
        steps=steps,
        same_rubric=len({r.id for r in rubrics}) == 1,
        trend=_trend(assessments, rubrics, scores)
        if len({a.org_id for a in assessments}) == 1
        else (),
        chart=comparison_chart(groups, title=title, chart_id="compare-chart"),
        print_chart=comparison_chart(groups, title=title, chart_id="compare-chart", scale=0.62),
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
