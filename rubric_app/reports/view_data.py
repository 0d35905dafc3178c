"""The report context: everything the HTML report, the PDF and the exports show, built once.

``build_report`` reads the assessment's stored answers, scores them with ``rubric_app.scoring``
(the one scoring core; nothing here computes a score) and turns scores, gaps, guidance and
actions into plain frozen dataclasses. No ORM object leaves this module, so templates and
WeasyPrint only ever format data.

Why it is long: the report is one frozen structure built in one pass; its parts are the dataclasses
here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from rubric_app.assessments import ItemState, load_states, rubric_for, score_of
from rubric_app.frameworks.model import Framework
from rubric_app.models import Assessment
from rubric_app.resources.view_data import ResourceView, resource_views
from rubric_app.rubrics.answer_types import display_text
from rubric_app.rubrics.benchmarks import NationalLine
from rubric_app.rubrics.catalog import Catalog
from rubric_app.rubrics.model import Item, Level, Rubric
from rubric_app.scoring import (
    AssessmentScore,
    Coverage,
    Gap,
    ItemScore,
    basis_text,
    direction_of,
    find_gaps,
    score_assessment,
    score_text,
)
from rubric_app.vocabulary import ORG_KIND_LABELS

from .actions import ActionView
from .citations import NO_CITATIONS, Citations
from .labels import ASSESSMENT_STATUS_LABELS, PAPER_PRACTICE_NOTES, item_numbers
from .law_section import LawSection, build_law_section, frameworks_for, required_first
from .sources import ReportSources, read_sources

#: How many gaps the "Start here" list and the PDF's executive summary show.
START_HERE_COUNT = 5


@dataclass(frozen=True)
class LevelView:
    """A maturity level with its band and plain-language description."""

    id: str
    label: str
    min: float
    max: float
    description: str
    current: bool = False


@dataclass(frozen=True)
class DimensionView:
    """A rating dimension (e.g. written policy, practice)."""

    id: str
    label: str
    description: str


@dataclass(frozen=True)
class DimensionScore:
    """A section's (or the overall) pooled percent on one dimension; None when not shown.

    ``text`` is what to print ("61%", "not enough answers", "—"); ``basis`` what it rests on.
    """

    dimension_id: str
    label: str
    percent: float | None
    coverage: Coverage
    text: str
    basis: str


@dataclass(frozen=True)
class UnansweredItem:
    """A visible item left unanswered, for the report's own list of them."""

    item_id: str
    number: str
    prompt: str
    section_id: str
    section_number: int
    section_title: str
    essential: bool
    #: The item's id in the questionnaire page of its section ("item-<id>").
    anchor: str


@dataclass(frozen=True)
class AnswerLine:
    """One line of an item's answer, e.g. ("Practice", "Partly in place")."""

    label: str
    value: str


@dataclass(frozen=True)
class ReportItem:
    """One visible item as answered, with its notes and evidence."""

    item_id: str
    number: str
    prompt: str
    essential: bool
    scored: bool
    answered: bool
    not_applicable: bool
    na_reason: str
    comment: str
    evidence_quote: str
    evidence_source: str
    flagged: bool
    is_gap: bool
    percent: float | None
    answer_lines: tuple[AnswerLine, ...]


@dataclass(frozen=True)
class GapView:
    """One gap: what is rated, what to do, where to read, and what is planned about it."""

    priority: int
    item_id: str
    item_number: str
    section_id: str
    section_number: int
    section_title: str
    prompt: str
    essential: bool
    weight: float
    shortfall: float
    impact: float
    ratings: tuple[AnswerLine, ...]
    recommendation: str
    paper_practice_note: str
    #: Which side falls short, in one sentence ("" for one-sided items).
    side_summary: str
    #: The advice for each short dimension: (dimension label, what to do).
    advice: tuple[tuple[str, str], ...]
    resources: tuple[ResourceView, ...]
    actions: tuple[ActionView, ...]
    previous_actions: tuple[ActionView, ...]
    #: National survey figures on the item's topic, for context (``rubrics/benchmarks``).
    national: tuple[NationalLine, ...] = ()
    #: The citations of the law requirements that need this item ("Your state's law").
    required_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class SectionView:
    """One action step: its scores, level, completion, items and gaps."""

    section_id: str
    number: int
    title: str
    summary: str
    percent: float | None
    level: LevelView | None
    by_dimension: tuple[DimensionScore, ...]
    answered: int
    applicable: int
    completion: float
    not_applicable: int
    hidden: int
    gap_count: int
    essential_gap_count: int
    flagged: int
    items: tuple[ReportItem, ...]
    gaps: tuple[GapView, ...]
    #: What ``percent`` rests on; the printed score ("61%" or "not enough answers") and basis.
    coverage: Coverage
    score_text: str
    basis: str


@dataclass(frozen=True)
class PlanOutcome:
    """Planned against achieved: an action from the previous cycle and what the item is now."""

    action: ActionView
    before_percent: float | None
    after_percent: float | None
    before: str
    after: str
    #: 'achieved', 'improved', 'same', 'worse', 'not-rated' or 'not-applicable'.
    result: str
    result_label: str


@dataclass(frozen=True)
class ScaleOptionView:
    label: str
    points: float
    description: str


@dataclass(frozen=True)
class ScaleView:
    label: str
    options: tuple[ScaleOptionView, ...]


@dataclass(frozen=True)
class PreviousView:
    """The assessment this one was started from."""

    id: int
    title: str
    period: str


@dataclass(frozen=True)
class Report:
    """Everything one assessment's report shows, in display order."""

    assessment_id: int
    revision: int
    title: str
    org_name: str
    org_kind_label: str
    org_state: str
    rubric_id: str
    rubric_title: str
    rubric_version: str
    rubric_hash: str
    rubric_summary: str
    period: str
    status: str
    status_label: str
    submitted_at: dt.datetime | None
    snapshot_hash: str | None
    percent: float | None
    level: LevelView | None
    levels: tuple[LevelView, ...]
    dimensions: tuple[DimensionView, ...]
    by_dimension: tuple[DimensionScore, ...]
    answered: int
    applicable: int
    completion: float
    not_applicable: int
    flagged: int
    gap_count: int
    essential_gap_count: int
    sections: tuple[SectionView, ...]
    gaps: tuple[GapView, ...]
    start_here: tuple[GapView, ...]
    actions: tuple[ActionView, ...]
    previous: PreviousView | None
    outcomes: tuple[PlanOutcome, ...]
    scales: tuple[ScaleView, ...]
    full_label: str
    full_threshold: float
    status_note: str
    sources: tuple[ResourceView, ...]
    #: What the overall ``percent`` rests on, its printed form and basis, and the threshold.
    coverage: Coverage
    score_text: str
    basis: str
    #: Visible items left unanswered (N/A without a reason included), in rubric order.
    unanswered: tuple[UnansweredItem, ...]
    law: LawSection | None = None
    #: Accepted agreement evidence by item (``citations``): in the digest, so in the PDF key.
    citations: Citations = NO_CITATIONS

    @property
    def min_coverage_percent(self) -> float:
        """Return the rubric's coverage threshold as a 0-100 figure."""
        return self.coverage.min_coverage * 100

    @property
    def is_draft(self) -> bool:
        """Return whether answers can still change."""
        return self.status == "draft"

    @property
    def full_threshold_percent(self) -> float:
        """Return the "fully in place" threshold as a 0-100 figure."""
        return self.full_threshold * 100

    @property
    def completion_percent(self) -> float:
        """Return completion as a 0-100 figure for the ``percent`` filter."""
        return self.completion * 100


def _level_view(level: Level | None, current: Level | None = None) -> LevelView | None:
    if level is None:
        return None
    return LevelView(
        id=level.id,
        label=level.label,
        min=level.min,
        max=level.max,
        description=level.description,
        current=current is not None and current.id == level.id,
    )


def _dimension_scores(
    rubric: Rubric,
    by_dimension: Mapping[str, float | None],
    coverage: Mapping[str, Coverage],
) -> tuple[DimensionScore, ...]:
    labels = {dimension.id: dimension.label for dimension in rubric.dimensions}
    return tuple(
        DimensionScore(
            dim,
            labels.get(dim, dim),
            percent,
            coverage[dim],
            score_text(percent, coverage[dim]),
            basis_text(coverage[dim]),
        )
        for dim, percent in by_dimension.items()
    )


def _unanswered(rubric: Rubric, score: AssessmentScore) -> tuple[UnansweredItem, ...]:
    """Return the visible items nobody answered, with what the report needs to point at them."""
    numbers = item_numbers(rubric)
    return tuple(
        UnansweredItem(
            item_id=item.id,
            number=numbers[item.id],
            prompt=item.prompt,
            section_id=section.id,
            section_number=section.number,
            section_title=section.title,
            essential=item.essential,
            anchor=f"item-{item.id}",
        )
        for section in rubric.sections
        for item in section.items
        if score.items[item.id].visible and not score.items[item.id].answered
    )


def _answer_lines(
    rubric: Rubric, item: Item, state: ItemState | None, labels: Mapping[str, str]
) -> tuple[AnswerLine, ...]:
    """``labels``: dimension id -> label, made once per report (not once per item)."""
    if state is not None and state.not_applicable:
        return ()
    values = state.values if state is not None else {}
    if not item.dimensions:
        return (AnswerLine("Answer", display_text(rubric, item, values.get("value"))),)
    return tuple(
        AnswerLine(labels.get(dim, dim), display_text(rubric, item, values.get(dim)))
        for dim in item.dimensions
    )


def _rating_lines(gap: Gap) -> tuple[AnswerLine, ...]:
    return tuple(AnswerLine(rating.dimension_label, rating.option_label) for rating in gap.ratings)


def _rating_summary(rubric: Rubric, item_score: ItemScore | None) -> str:
    """E.g. "Written MOU or policy: Partly in place; Practice: Not in place"."""
    if item_score is None or not item_score.visible:
        return "Not asked"
    if item_score.not_applicable:
        return "Not applicable"
    if not item_score.ratings:
        return "Not rated"
    labels = {dimension.id: dimension.label for dimension in rubric.dimensions}
    item = rubric.item(item_score.item_id)
    scale = rubric.scale_of(item)
    parts = []
    for dim, rating in item_score.ratings.items():
        option = scale.option(rating.option_key) if scale is not None else None
        parts.append(f"{labels.get(dim, dim)}: {option.label if option else rating.option_key}")
    return "; ".join(parts)


def _outcome(
    action: ActionView,
    before_rubric: Rubric | None,
    before: AssessmentScore | None,
    rubric: Rubric,
    after: AssessmentScore,
    renamed: Mapping[str, str] | None = None,
) -> PlanOutcome:
    # ``renamed``: the previous version's item ids that a version crosswalk renames now.
    after_item = after.items.get((renamed or {}).get(action.item_id, action.item_id))
    before_item = before.items.get(action.item_id) if before is not None else None
    before_percent = before_item.percent if before_item is not None else None
    after_percent = after_item.percent if after_item is not None else None
    if after_item is None or not after_item.visible or after_item.not_applicable:
        result, label = "not-applicable", "No longer applies"
    elif after_percent is None:
        result, label = "not-rated", "Not rated yet"
    elif not after_item.is_gap:
        result, label = "achieved", "Achieved: fully in place"
    else:
        difference = None if before_percent is None else after_percent - before_percent
        direction = direction_of(difference)
        result, label = {
            "better": ("improved", "Improved, not yet fully in place"),
            "worse": ("worse", "Worse than before"),
            "same": ("same", "No change yet"),
            None: ("same", "Rated now, not yet fully in place"),
        }[direction]
    before_text = (
        _rating_summary(before_rubric, before_item)
        if before_rubric is not None and before_item is not None
        else "Not rated"
    )
    return PlanOutcome(
        action=action,
        before_percent=before_percent,
        after_percent=after_percent,
        before=before_text,
        after=_rating_summary(rubric, after_item),
        result=result,
        result_label=label,
    )


def _group_actions(actions: Sequence[ActionView]) -> dict[str, tuple[ActionView, ...]]:
    grouped: dict[str, list[ActionView]] = {}
    for action in actions:
        grouped.setdefault(action.item_id, []).append(action)
    return {item_id: tuple(views) for item_id, views in grouped.items()}


def build_report(
    session: Session,
    assessment: Assessment,
    catalog: Catalog,
    *,
    today: dt.date | None = None,
    sources: ReportSources | None = None,
) -> Report:
    """Build the report of ``assessment`` from its stored answers, actions and the catalog.

    ``sources`` is what ``read_sources`` read for this assessment in this request, when the
    caller has it already: the report then shows exactly those values.
    """
    if sources is None:
        sources = read_sources(session, assessment, today=today)
    rubric = rubric_for(assessment)
    states = load_states(session, assessment)
    before: tuple[Rubric, AssessmentScore] | None = None
    if sources.previous is not None:
        previous = session.get_one(Assessment, sources.previous.id)
        before = (rubric_for(previous), score_of(session, previous))
    frameworks = frameworks_for(sources.org_state, sources.added_frameworks)
    return report_from(
        sources,
        rubric,
        states,
        catalog,
        frameworks=frameworks,
        before=before,
    )


def report_from(
    sources: ReportSources,
    rubric: Rubric,
    states: Mapping[str, ItemState],
    catalog: Catalog,
    *,
    frameworks: Sequence[Framework],
    before: tuple[Rubric, AssessmentScore] | None,
) -> Report:
    """Build a report from what was read (no session: nothing more is read here).

    ``before`` is the previous assessment's rubric and score, when ``sources.previous`` is set.
    """
    numbers = item_numbers(rubric)
    answers = {item_id: s.to_answer() for item_id, s in states.items()}
    score = score_assessment(rubric, answers)
    gaps = find_gaps(rubric, score)
    current_by_item = _group_actions(sources.actions)
    previous_by_item = _group_actions(sources.previous_actions)

    law = build_law_section(frameworks, rubric, states, numbers, sources.org_state, answers=answers)
    section_of = {section.id: section for section in rubric.sections}
    # Views made once, in the law-ranked order (``required_first``) with their final
    # priorities, rather than made in scoring order and copied again to re-rank them.
    gap_views = tuple(
        GapView(
            priority=position,
            item_id=gap.item_id,
            item_number=numbers[gap.item_id],
            section_id=gap.section_id,
            section_number=section_of[gap.section_id].number,
            section_title=section_of[gap.section_id].title,
            prompt=gap.prompt,
            essential=gap.essential,
            weight=gap.weight,
            shortfall=gap.shortfall,
            impact=gap.impact,
            ratings=_rating_lines(gap),
            recommendation=gap.recommendation,
            paper_practice_note=PAPER_PRACTICE_NOTES.get(gap.paper_practice or "", ""),
            side_summary=gap.side_summary,
            advice=tuple((advice.dimension_label, advice.text) for advice in gap.advice),
            resources=resource_views(catalog, gap.guidance),
            actions=current_by_item.get(gap.item_id, ()),
            previous_actions=previous_by_item.get(gap.item_id, ()),
            national=catalog.benchmarks.lines_for(rubric.id, gap.item_id),
            required_by=law.required_by.get(gap.item_id, ()),
        )
        for position, gap in enumerate(required_first(gaps, law), start=1)
    )
    gaps_of_section: dict[str, list[GapView]] = {}
    for gap_view in gap_views:
        gaps_of_section.setdefault(gap_view.section_id, []).append(gap_view)
    labels = {dimension.id: dimension.label for dimension in rubric.dimensions}

    sections = []
    for section, section_score in zip(rubric.sections, score.sections, strict=True):
        item_views = []
        hidden = 0
        for item in section.items:
            item_score = score.items[item.id]
            if not item_score.visible:
                hidden += 1
                continue
            state = states.get(item.id)
            item_views.append(
                ReportItem(
                    item_id=item.id,
                    number=numbers[item.id],
                    prompt=item.prompt,
                    essential=item.essential,
                    scored=item_score.scored,
                    answered=item_score.answered,
                    not_applicable=item_score.not_applicable,
                    na_reason=state.na_reason if state else "",
                    comment=state.comment if state else "",
                    evidence_quote=state.evidence_quote if state else "",
                    evidence_source=state.evidence_source if state else "",
                    flagged=item_score.flagged,
                    is_gap=item_score.is_gap,
                    percent=item_score.percent,
                    answer_lines=_answer_lines(rubric, item, state, labels),
                )
            )
        sections.append(
            SectionView(
                section_id=section.id,
                number=section.number,
                title=section.title,
                summary=section.summary,
                percent=section_score.percent,
                level=_level_view(section_score.level),
                by_dimension=_dimension_scores(
                    rubric, section_score.by_dimension, section_score.dimension_coverage
                ),
                answered=section_score.answered,
                applicable=section_score.applicable,
                completion=section_score.completion,
                not_applicable=section_score.not_applicable,
                hidden=hidden,
                gap_count=section_score.gaps,
                essential_gap_count=section_score.essential_gaps,
                flagged=section_score.flagged,
                items=tuple(item_views),
                gaps=tuple(gaps_of_section.get(section.id, ())),
                coverage=section_score.coverage,
                score_text=score_text(section_score.percent, section_score.coverage),
                basis=basis_text(section_score.coverage),
            )
        )

    previous_view: PreviousView | None = None
    outcomes: tuple[PlanOutcome, ...] = ()
    if sources.previous is not None and before is not None:
        previous_view = PreviousView(
            sources.previous.id, sources.previous.title, sources.previous.period
        )
        before_rubric, before_score = before
        renamed = dict(sources.renamed) if sources.renamed is not None else None
        outcomes = tuple(
            _outcome(action, before_rubric, before_score, rubric, score, renamed)
            for action in sources.previous_actions
        )

    top_options = [scale.top_option for scale in rubric.scales.values()]
    full_label = (
        max(top_options, key=lambda option: option.points).label
        if top_options
        else "Fully in place"
    )
    # The law-ranked order, so a gap a law requires can start the list.
    start_ids = {gap.item_id for gap in gap_views[:START_HERE_COUNT]}
    return Report(
        assessment_id=sources.assessment_id,
        revision=sources.revision,
        title=sources.title,
        org_name=sources.org_name,
        org_kind_label=ORG_KIND_LABELS.get(sources.org_kind, sources.org_kind),
        org_state=sources.org_state,
        rubric_id=rubric.id,
        rubric_title=rubric.title,
        rubric_version=rubric.version,
        rubric_hash=sources.rubric_hash,
        rubric_summary=rubric.summary,
        period=sources.period,
        status=sources.status,
        status_label=ASSESSMENT_STATUS_LABELS.get(sources.status, sources.status),
        submitted_at=sources.submitted_at,
        snapshot_hash=sources.snapshot_hash,
        percent=score.percent,
        level=_level_view(score.level, score.level),
        levels=tuple(
            lv for lv in (_level_view(level, score.level) for level in rubric.scoring.levels) if lv
        ),
        dimensions=tuple(DimensionView(d.id, d.label, d.description) for d in rubric.dimensions),
        by_dimension=_dimension_scores(rubric, score.by_dimension, score.dimension_coverage),
        answered=score.answered,
        applicable=score.applicable,
        completion=score.completion,
        not_applicable=score.not_applicable,
        flagged=score.flagged,
        gap_count=score.gaps,
        essential_gap_count=score.essential_gaps,
        sections=tuple(sections),
        gaps=gap_views,
        start_here=tuple(gap for gap in gap_views if gap.item_id in start_ids),
        actions=sources.actions,
        previous=previous_view,
        outcomes=outcomes,
        scales=tuple(
            ScaleView(
                scale.label,
                tuple(ScaleOptionView(o.label, o.points, o.description) for o in scale.options),
            )
            for scale in rubric.scales.values()
        ),
        full_label=full_label,
        full_threshold=rubric.scoring.full_threshold,
        status_note=rubric.status_note,
        sources=resource_views(catalog, rubric.sources),
        law=law,
        coverage=score.coverage,
        score_text=score_text(score.percent, score.coverage),
        basis=basis_text(score.coverage),
        unanswered=_unanswered(rubric, score),
        citations=sources.citations,
    )
