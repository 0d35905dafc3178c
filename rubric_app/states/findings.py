"""Findings first: what the state dashboard opens with, and the views beside it.

``build_overview`` takes a dashboard that may be shown and adds:

- three **findings** (the weakest action step, the largest gap between paper and practice, the
  largest change since the previous period), each a sentence with its figure and what it rests
  on, or one line saying why it cannot be given;
- **peer groups side by side**: the median of each action step in the view with the locale
  filter set to each locale in turn (the other filters kept);
- **trends**: the median of each step in the view with the period set to each period in turn.

Every figure here is one that the dashboard of that view shows: each peer or period view goes
through the same small-number rule as the dashboard itself (``privacy.view_withheld``, then the
same ``k`` gate on each score), and a finding is built only from shown figures. The change
finding compares two views the advocate can ask for one after the other, so it tells nothing
they do not. Only the score medians are read for the side views (totals, the rule's breakdowns
and one grouped score query each), not the item tallies, so each costs a few small queries.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from rubric_app.scoring import (
    Figure,
    Suppressed,
    figure_or_suppressed,
    quartiles_of_counts,
)
from rubric_app.scoring.findings import largest_change, largest_of, lowest_of
from rubric_app.vocabulary import LOCALE_LABELS, LOCALES

from . import privacy, resolved
from .rollup import Scope
from .view_data import Dashboard, DistributionRow, Shown

#: How many periods, newest first, the trend reads (each is one more view to build).
TREND_PERIODS = 6


@dataclass(frozen=True)
class Step:
    """An action step (a rubric section) as the overview names it."""

    section_id: str
    number: int
    title: str

    @property
    def label(self) -> str:
        """Return "Step 3"."""
        return f"Step {self.number}"


@dataclass(frozen=True)
class Finding:
    """One finding: a statement with its figure and what it rests on, or why there is none."""

    title: str
    statement: str = ""
    rests_on: str = ""
    #: Set when the finding cannot be given under these filters (one line, why).
    why_not: str = ""


@dataclass(frozen=True)
class ViewSteps:
    """One related view (a locale or a period): its size and each step's median, as shown."""

    value: str
    label: str
    #: Figure(organizations) when the view may be shown, else why it is withheld.
    organizations: Shown
    #: Section id -> Figure(median percent, organizations) or Suppressed; absent: no scores.
    medians: dict[str, Shown]


@dataclass(frozen=True)
class Overview:
    """The findings and the views beside them, for one dashboard that may be shown."""

    steps: tuple[Step, ...]
    findings: tuple[Finding, ...]
    #: The overall score and each step's (label, row), as the dashboard shows them.
    score_rows: tuple[tuple[str, DistributionRow], ...]
    #: The locales side by side (columns), each built as its own view.
    peers: tuple[ViewSteps, ...]
    #: The periods, oldest first, each built as its own view.
    trend: tuple[ViewSteps, ...]
    #: Whole tables whose every figure is hidden (one notice instead of one per cell).
    paper_practice_hidden: bool
    items_hidden: bool
    #: ("Overall" or "Step 3", how many) for each shown score row that left scores out for too
    #: few answers ("not enough answers"); rows with none are not listed.
    left_out: tuple[tuple[str, int], ...] = ()

    @property
    def left_out_text(self) -> str:
        """Return one short line on the scores left out for too few answers ("" when none)."""
        if not self.left_out:
            return ""
        counts = "; ".join(f"{label}: {count}" for label, count in self.left_out)
        return f"Left out for not enough answers: {counts}."

    @property
    def peers_hidden(self) -> bool:
        """Return whether no peer-group figure at all may be shown."""
        return _all_hidden(self.peers)

    @property
    def trend_hidden(self) -> bool:
        """Return whether no trend figure at all may be shown."""
        return _all_hidden(self.trend)


def _all_hidden(views: Sequence[ViewSteps]) -> bool:
    return not any(isinstance(figure, Figure) for view in views for figure in view.medians.values())


def steps_of(dashboard: Dashboard) -> tuple[Step, ...]:
    """Return the action steps of the dashboard's rubric, in rubric order."""
    return steps_of_rows(dashboard.distributions)


def steps_of_rows(distributions: Sequence[DistributionRow]) -> tuple[Step, ...]:
    """Return the action steps of a dashboard's score rows, in rubric order."""
    sections = [row for row in distributions if not row.key.startswith("_overall")]
    return tuple(Step(row.key, i, row.title) for i, row in enumerate(sections, start=1))


def shown_medians(dashboard: Dashboard) -> dict[str, Shown]:
    """Return each step's median as the dashboard shows it (a Figure, or why it is hidden)."""
    medians: dict[str, Shown] = {}
    for row in dashboard.distributions:
        if row.key.startswith("_overall"):
            continue
        if row.summary is not None:
            medians[row.key] = Figure(row.summary.median, row.n)
        elif not row.shown:
            medians[row.key] = Suppressed(k=dashboard.k)
    return medians


def view_steps(
    session: Session, scope: Scope, k: int, steps: Sequence[Step], value: str, label: str
) -> ViewSteps:
    """Return the step medians of ``scope`` exactly as its own dashboard would show them.

    The same rule in the same order as ``view_data.build_dashboard``: the whole view may be
    withheld (nothing then, not even its size); otherwise a step's median shows when at least
    ``k`` organizations have a score for it.
    """
    organizations, assessments = resolved.totals(session, scope)
    withheld = privacy.view_withheld(session, scope, k, organizations)
    if withheld is not None:
        return ViewSteps(value, label, withheld, {step.section_id: withheld for step in steps})
    keys = [(step.section_id, "_all") for step in steps]
    counts = resolved.score_counts(
        session, scope, keys, organizations=organizations, assessments=assessments
    )
    medians: dict[str, Shown] = {}
    for step, key in zip(steps, keys, strict=True):
        scores = counts.get(key)
        n = scores.organizations if scores is not None else 0
        gate = figure_or_suppressed(None, n, k)
        summary = quartiles_of_counts(scores.counts) if scores is not None else None
        if gate.suppressed:
            medians[step.section_id] = gate
        elif summary is not None:
            medians[step.section_id] = Figure(summary.median, n)
    return ViewSteps(value, label, Figure(float(organizations), organizations), medians)


def _with(scope: Scope, **changes: str) -> Scope:
    return dataclasses.replace(scope, filters=dataclasses.replace(scope.filters, **changes))


def _shown_values(medians: dict[str, Shown]) -> dict[str, float]:
    return {
        key: figure.value
        for key, figure in medians.items()
        if isinstance(figure, Figure) and figure.value is not None
    }


def _n(figure: Shown) -> int:
    """Return how many organizations stand behind a shown figure (0 for a hidden one)."""
    return int(figure.n or 0) if isinstance(figure, Figure) else 0


def _organizations(n: int) -> str:
    return f"{n} organization{'' if n == 1 else 's'}"


def _whole(value: float) -> int:
    """Return a percent rounded as the dashboard and its PDFs print it ("37%")."""
    return round(value)


def _percent(value: float) -> str:
    return f"{_whole(value)}%"


def _as_shown(values: dict[str, float]) -> dict[str, float]:
    """Return each percent as the reader sees it: whole, as in the trend table."""
    return {key: float(_whole(value)) for key, value in values.items()}


def _points(points: int) -> str:
    return f"{points} point{'' if points == 1 else 's'}"


def weakest_step(dashboard: Dashboard, steps: Sequence[Step]) -> Finding:
    """Return the action step with the lowest median, from the medians the dashboard shows."""
    title = "Weakest action step"
    medians = shown_medians(dashboard)  # in rubric order, so a tie goes to the earlier step
    chosen = lowest_of(_shown_values(medians))
    if chosen is None:
        return Finding(
            title,
            why_not=f"No action step has a median from at least {dashboard.k} organizations "
            "under these filters.",
        )
    step = next(s for s in steps if s.section_id == chosen.key)
    return Finding(
        title,
        statement=f"{step.label} is the weakest action step: median {_percent(chosen.value)} "
        f"({step.title}).",
        rests_on=f"From {_organizations(_n(medians[chosen.key]))} with a score for this step.",
    )


def paper_practice_gap(dashboard: Dashboard) -> Finding:
    """Return the item where paper and practice most often differ, from shown figures only."""
    title = "Largest gap between paper and practice"
    if not dashboard.paper_practice:
        return Finding(
            title,
            why_not="This rubric does not rate paper and practice separately, or nothing "
            "matches these filters.",
        )
    candidates: dict[str, float] = {}
    for figure in dashboard.paper_practice:
        for side, shown in (
            ("paper", figure.paper_stronger),
            ("practice", figure.practice_stronger),
        ):
            if isinstance(shown, Figure) and shown.value is not None:
                candidates[f"{side}:{figure.item_id}"] = shown.value
    chosen = largest_of(candidates)
    if chosen is None:
        return Finding(
            title,
            why_not="Every paper-versus-practice figure is hidden under the small-number rule.",
        )
    side, item_id = chosen.key.split(":", 1)
    figure = next(f for f in dashboard.paper_practice if f.item_id == item_id)
    shown = figure.paper_stronger if side == "paper" else figure.practice_stronger
    ahead = (
        "the written policy is ahead of practice"
        if side == "paper"
        else ("practice is ahead of the written policy")
    )
    return Finding(
        title,
        statement=f"In {_percent(chosen.value * 100)} of assessments {ahead} on: {figure.prompt}",
        rests_on=f"From {figure.both_rated} assessments by {_organizations(_n(shown))} "
        "that rated both paper and practice.",
    )


def largest_step_change(
    dashboard: Dashboard, steps: Sequence[Step], previous: ViewSteps | None
) -> Finding:
    """Return the step whose median moved most since the previous period (both shown)."""
    title = "Largest change since the previous period"
    period = dashboard.scope.filters.period
    if not period:
        return Finding(title, why_not="Choose one period to compare it with the one before.")
    if previous is None:
        return Finding(title, why_not=f"There is no period before {period} to compare with.")
    current = shown_medians(dashboard)
    # Compared as printed (whole percents, as beside the statement and in the trend table):
    # 18.4% to 36.6% reads "from 18% to 37%", so it rose 19 points, not round(18.2) = 18; and
    # the step named is the one whose printed medians moved most.
    chosen = largest_change(
        _as_shown(_shown_values(current)), _as_shown(_shown_values(previous.medians))
    )
    if chosen is None:
        return Finding(
            title,
            why_not=f"No action step has a median shown both in {period} and in "
            f"{previous.label} under the small-number rule.",
        )
    step = next(s for s in steps if s.section_id == chosen.key)
    points = round(chosen.delta)
    moved = (
        f"rose {_points(points)}"
        if points > 0
        else f"fell {_points(-points)}"
        if points < 0
        else "did not move"
    )
    now, before = _n(current[chosen.key]), _n(previous.medians[chosen.key])
    return Finding(
        title,
        statement=f"{step.label} changed most: its median {moved}, from "
        f"{_percent(chosen.previous)} in {previous.label} to {_percent(chosen.current)} in "
        f"{period}.",
        rests_on=f"From {_organizations(now)} in {period} and "
        f"{_organizations(before)} in {previous.label}.",
    )


@dataclass(frozen=True)
class SideViews:
    """The views beside a dashboard: the locales, the recent periods, the period before."""

    peers: tuple[ViewSteps, ...]
    trend: tuple[ViewSteps, ...]
    previous: ViewSteps | None


def side_views(
    session: Session, scope: Scope, k: int, steps: Sequence[Step], periods: Sequence[str]
) -> SideViews:
    """Return the peer groups, the trend and the period before ``scope``'s, each as its own
    dashboard would show it. ``periods``: the periods the advocate can choose, newest first."""
    peers = tuple(
        view_steps(session, _with(scope, locale=locale), k, steps, locale, LOCALE_LABELS[locale])
        for locale in LOCALES
    )
    recent = list(periods[:TREND_PERIODS])
    trend = tuple(
        view_steps(session, _with(scope, period=period), k, steps, period, period)
        for period in reversed(recent)
    )
    previous: ViewSteps | None = None
    if scope.filters.period in periods:
        older = periods[periods.index(scope.filters.period) + 1 :]
        if older:
            previous = next((v for v in trend if v.value == older[0]), None) or view_steps(
                session, _with(scope, period=older[0]), k, steps, older[0], older[0]
            )
    return SideViews(peers, trend, previous)


def build_overview(
    session: Session,
    dashboard: Dashboard,
    periods: Sequence[str],
    side: SideViews | None = None,
) -> Overview:
    """Return the findings, peer groups and trend for a dashboard that may be shown.

    ``periods`` are the periods the advocate can choose, newest first; ``side`` the side views
    when the caller counted them already (``side_views``, while the item query ran).
    """
    scope, k = dashboard.scope, dashboard.k
    steps = steps_of(dashboard)
    side = side or side_views(session, scope, k, steps, periods)
    peers, trend, previous = side.peers, side.trend, side.previous
    findings = (
        weakest_step(dashboard, steps),
        paper_practice_gap(dashboard),
        largest_step_change(dashboard, steps, previous),
    )
    by_section = {step.section_id: step for step in steps}
    item_figures = [f for s in dashboard.sections for line in s.items for f in line.figures]
    return Overview(
        steps=steps,
        findings=findings,
        score_rows=tuple(
            (
                f"{by_section[row.key].label}: {row.title}" if row.key in by_section else row.title,
                row,
            )
            for row in dashboard.distributions
            if row.key == "_overall" or row.key in by_section
        ),
        peers=peers,
        trend=trend,
        paper_practice_hidden=bool(dashboard.paper_practice)
        and all(f.paper_stronger.suppressed for f in dashboard.paper_practice),
        items_hidden=bool(item_figures) and all(f.full_share.suppressed for f in item_figures),
        left_out=tuple(
            (by_section[row.key].label if row.key in by_section else "Overall", row.left_out)
            for row in dashboard.distributions
            if (row.key == "_overall" or row.key in by_section) and row.left_out
        ),
    )
