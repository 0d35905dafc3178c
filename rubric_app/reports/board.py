"""The board summary's view data: one page a school board member can read in a minute.

``build_board_summary`` takes the ``Report`` that ``build_report`` already made (so nothing is
scored twice), adds the previous period's scores and the peer benchmark (``peers``), and turns
them into plain frozen dataclasses through the pure judgements of ``scoring.board``. The
summary page, its own PDF and the first page of the full report PDF all render this one value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from rubric_app.assessments import rubric_for, score_of
from rubric_app.models import Assessment
from rubric_app.rubrics.model import Level
from rubric_app.scoring import AssessmentScore, level_of
from rubric_app.scoring.board import (
    Change,
    Headline,
    PeerBenchmark,
    StepResult,
    StepStatus,
    board_headline,
    change_since,
    peer_benchmark,
    step_status,
)
from rubric_app.scoring.coverage import Coverage, CoverageStatus, basis_text
from rubric_app.templating import format_date

from .labels import clip_text
from .peers import PeerGroup, peer_scores, previous_submitted
from .view_data import GapView, Report

#: How many actions the summary lists.
TOP_ACTIONS = 3

#: The longest texts the summary prints whole. It must fit one printed page (the full report's
#: first page is this summary), so an organization name, an action or an owner past these ends
#: in "…", and an action says where its full text is. The rubrics' own advice (at most 324
#: characters, both sides of a gap together) is never cut: only what people typed can be.
ORG_NAME_MAX = 90
ACTION_TEXT_MAX = 340
PLAN_OWNER_MAX = 40


@dataclass(frozen=True)
class BoardRow:
    """One action step (or the overall line): level, coverage, status, change, peers."""

    number: int | None
    title: str
    percent: float | None
    level_label: str
    #: "from 31 of 52 items answered".
    coverage: str
    #: Fewer than the rubric's minimum share answered: the percent is not shown as a verdict.
    low_coverage: bool
    status: StepStatus
    change: Change
    peers: PeerBenchmark


@dataclass(frozen=True)
class BoardAction:
    """One of the top actions: what to do, for which item, and whether it is planned."""

    #: At most ``ACTION_TEXT_MAX`` characters; ``clipped`` says whether it was cut.
    text: str
    item_number: str
    step_title: str
    essential: bool
    #: "In progress (Assistant superintendent, due 14 Jan 2027)", "Action done" or "Not planned
    #: yet".
    plan: str
    clipped: bool = False
    #: Where the full text is, when ``clipped``: "the report's action plan" or "gap list".
    full_text_in: str = ""


@dataclass(frozen=True)
class BoardSummary:
    """Everything the board summary shows, in display order."""

    assessment_id: int
    org_name: str
    org_kind_label: str
    title: str
    rubric_title: str
    period: str
    status_label: str
    is_draft: bool
    headline: Headline
    overall: BoardRow
    rows: tuple[BoardRow, ...]
    #: The period compared with, or None for a first assessment.
    previous_period: str | None
    peer_group: PeerGroup
    actions: tuple[BoardAction, ...]
    min_coverage_percent: float

    @property
    def peers_shown(self) -> bool:
        """Return whether the peer median may be shown (enough similar organizations)."""
        return self.overall.peers.shown


def _row(
    *,
    number: int | None,
    title: str,
    percent: float | None,
    level: Level | None,
    levels: Sequence[Level],
    answered: int,
    applicable: int,
    min_coverage: float,
    previous_percent: float | None,
    previous_status: CoverageStatus,
    previous_period: str | None,
    peer_percents: Sequence[float | None],
    k: int,
) -> BoardRow:
    coverage = Coverage(answered, applicable, min_coverage)
    low = not coverage.enough
    status = step_status(
        level, levels, answered=answered, applicable=applicable, min_coverage=min_coverage
    )
    return BoardRow(
        number=number,
        title=title,
        percent=percent,
        level_label=level.label if level is not None else "Not rated yet",
        coverage=basis_text(coverage),
        low_coverage=low,
        status=status,
        change=change_since(
            percent, previous_percent, previous_period, now=coverage.status, before=previous_status
        ),
        peers=peer_benchmark(peer_percents, k, own=None if low else percent),
    )


def _plan_text(gap: GapView) -> str:
    """Where the gap's plan stands: its first open action's status with owner and due date,
    else "Action done" (with the day the last was done, where recorded, and its owner) when
    every action on it is done, else "Not planned yet". A done action is no gap left unplanned:
    the board must not be told otherwise."""
    open_actions = [action for action in gap.actions if action.status != "done"]
    if open_actions:
        action = open_actions[0]
        details = [clip_text(action.owner, PLAN_OWNER_MAX)] if action.owner else []
        if action.due_date is not None:
            details.append(f"due {format_date(action.due_date)}")
        return action.status_label + (f" ({', '.join(details)})" if details else "")
    if gap.actions:
        owners = [action.owner for action in gap.actions if action.owner]
        # Actions marked done before the day was recorded have none: no day is claimed then.
        days = [action.done_on for action in gap.actions if action.done_on is not None]
        when = f" on {format_date(max(days))}" if len(days) == len(gap.actions) else ""
        owner = f" ({clip_text(owners[0], PLAN_OWNER_MAX)})" if owners else ""
        return f"Action done{when}{owner}"
    return "Not planned yet"


def top_actions(report: Report, count: int = TOP_ACTIONS) -> tuple[BoardAction, ...]:
    """Return the ``count`` most important things to do, from the gap list and action plan.

    Gaps with an open action in this plan come first (someone already owns them, so the board
    can follow them up), each group in the gap list's priority order; a planned action's own
    wording is used, else the gap's recommendation.
    """
    planned = [g for g in report.gaps if any(a.status != "done" for a in g.actions)]
    unplanned = [g for g in report.gaps if g not in planned]
    chosen = sorted(planned, key=lambda g: g.priority) + sorted(unplanned, key=lambda g: g.priority)
    views = []
    for gap in chosen[:count]:
        open_action = next((a for a in gap.actions if a.status != "done"), None)
        full = open_action.description if open_action else gap.recommendation
        text = clip_text(full, ACTION_TEXT_MAX)
        views.append(
            BoardAction(
                text=text,
                item_number=gap.item_number,
                step_title=gap.section_title,
                essential=gap.essential,
                plan=_plan_text(gap),
                clipped=text != " ".join(full.split()),
                full_text_in="the report's action plan" if open_action else "the report's gap list",
            )
        )
    return tuple(views)


def build_board_summary(
    session: Session, assessment: Assessment, report: Report, *, k: int
) -> BoardSummary:
    """Build the board summary of ``assessment`` from its ``report``; ``k`` is SUPPRESSION_K."""
    rubric = rubric_for(assessment)
    levels = rubric.scoring.levels
    min_coverage = rubric.scoring.min_coverage
    previous = previous_submitted(session, assessment)
    before: AssessmentScore | None = score_of(session, previous) if previous else None
    previous_period = previous.period if previous is not None else None
    before_sections = {s.section_id: s for s in before.sections} if before else {}

    def status_before(answered: int, applicable: int) -> CoverageStatus:
        return Coverage(answered, applicable, min_coverage).status

    peers = peer_scores(session, assessment.organization, assessment.rubric_key)

    rows = tuple(
        _row(
            number=section.number,
            title=section.title,
            percent=section.percent,
            level=level_of(rubric, section.percent),
            levels=levels,
            # What the step's score rests on (scored, applicable items), as the report says it.
            answered=section.coverage.answered,
            applicable=section.coverage.applicable,
            min_coverage=min_coverage,
            previous_percent=(
                before_sections[section.section_id].percent
                if section.section_id in before_sections
                else None
            ),
            # A step the previous assessment did not have reads "not rated then".
            previous_status=status_before(
                before_sections[section.section_id].coverage.answered,
                before_sections[section.section_id].coverage.applicable,
            )
            if section.section_id in before_sections
            else "shown",
            previous_period=previous_period,
            peer_percents=peers.by_section.get(section.section_id, ()),
            k=k,
        )
        for section in report.sections
    )
    overall = _row(
        number=None,
        title="Overall",
        percent=report.percent,
        level=level_of(rubric, report.percent),
        levels=levels,
        answered=report.coverage.answered,
        applicable=report.coverage.applicable,
        min_coverage=min_coverage,
        previous_percent=before.percent if before else None,
        previous_status=status_before(before.coverage.answered, before.coverage.applicable)
        if before is not None
        else "shown",
        previous_period=previous_period,
        peer_percents=peers.overall,
        k=k,
    )
    org_name = clip_text(report.org_name, ORG_NAME_MAX)
    headline = board_headline(
        org_name,
        StepResult(None, overall.title, overall.percent, overall.status),
        [StepResult(row.number, row.title, row.percent, row.status) for row in rows],
        overall.change,
        # The questions as the report page counts them, from the same report.
        questions_answered=report.answered,
        questions_applicable=report.applicable,
        draft=report.is_draft,
    )
    return BoardSummary(
        assessment_id=report.assessment_id,
        org_name=org_name,
        org_kind_label=report.org_kind_label,
        title=report.title,
        rubric_title=report.rubric_title,
        period=report.period,
        status_label=report.status_label,
        is_draft=report.is_draft,
        headline=headline,
        overall=overall,
        rows=rows,
        previous_period=previous_period,
        peer_group=peers.group,
        actions=top_actions(report),
        min_coverage_percent=min_coverage * 100,
    )
