"""The state dashboard's figures: roll-up rows turned into shown or suppressed figures.

``build_dashboard`` runs the grouped queries of ``rollup`` once and returns plain data that the
HTML page, the XLSX summary sheet and the PDF all render. Every figure carries the number of
organizations behind it; fewer than ``k`` and it is a ``Suppressed`` that says why
(``rubric_app.scoring.figure_or_suppressed``).

The item tallies are the one heavy query (every cached item result in scope). With
``parallel=True`` (the web pages) it runs on its own connection in a worker thread while this
thread runs the small queries, so the page costs little more than that query. Both database
drivers release the GIL while a query runs. The two read transactions start together; a share
granted or revoked in the same instant may show in one part of the page and not yet in the
other until the next view.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from rubric_app.scoring import (
    Bin,
    Figure,
    Quartiles,
    Suppressed,
    figure_or_suppressed,
    histogram_of_counts,
    quartiles_of_counts,
    share,
)

from . import rollup
from .rollup import Scope

Shown = Figure | Suppressed

#: How many (item, dimension) pairs the "most common gaps" list shows.
TOP_GAPS = 10

KIND_LABELS = {
    "district": "School districts",
    "afterschool_program": "Afterschool programs",
    "college": "Colleges and universities",
    "state_advocate": "State advocates",
}
BAND_LABELS = {
    "under_1k": "Under 1,000 students",
    "1k_5k": "1,000 to 5,000 students",
    "5k_25k": "5,000 to 25,000 students",
    "over_25k": "Over 25,000 students",
}
LOCALE_LABELS = {"city": "City", "suburb": "Suburb", "town": "Town", "rural": "Rural"}
SRO_LABELS = {
    "none": "No SROs",
    "district_police": "District police department",
    "local_police": "Local police department",
    "sheriff": "Sheriff's office",
    "contracted": "Contracted security or officers",
    "mixed": "Mixed staffing",
}


@dataclass(frozen=True)
class ParticipationCell:
    """Organizations of one kind in one period (suppressed below k)."""

    kind: str
    kind_label: str
    period: str
    organizations: Shown


@dataclass(frozen=True)
class DistributionRow:
    """The distribution of one score (overall or a section) across organizations."""

    key: str
    title: str
    n: int
    summary: Quartiles | None
    shown: bool
    reason: str
    bins: tuple[tuple[Bin, Shown], ...]


@dataclass(frozen=True)
class ItemFigure:
    """Share of assessments with an item fully in place on one dimension."""

    item_id: str
    prompt: str
    section_id: str
    dimension: str
    dimension_label: str
    rated: int
    full_share: Shown


@dataclass(frozen=True)
class ItemLine:
    """One item with its figures for each dimension."""

    item_id: str
    prompt: str
    essential: bool
    figures: tuple[ItemFigure, ...]


@dataclass(frozen=True)
class SectionItems:
    """The item figures of one section."""

    section_id: str
    title: str
    items: tuple[ItemLine, ...]


@dataclass(frozen=True)
class PaperPracticeFigure:
    """One item's paper-versus-practice gap across the scope."""

    item_id: str
    prompt: str
    both_rated: int
    paper_stronger: Shown
    practice_stronger: Shown


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard, its summary sheet and its PDF show."""

    scope: Scope
    rubric_title: str
    k: int
    organizations: int
    assessments: int
    overall_suppressed: Suppressed | None
    periods: tuple[str, ...]
    kinds: tuple[str, ...]
    participation: tuple[ParticipationCell, ...]
    distributions: tuple[DistributionRow, ...]
    sections: tuple[SectionItems, ...]
    top_gaps: tuple[ItemFigure, ...]
    paper_practice: tuple[PaperPracticeFigure, ...]
    dimension_labels: dict[str, str]
    #: One page of the participating organizations' assessments, when a page was asked for.
    participants: tuple[rollup.Participant, ...] = ()


@dataclass(frozen=True)
class Page:
    """Which page of the participants list to show (1-based) and how many rows per page."""

    number: int
    size: int


@dataclass(frozen=True)
class Bar:
    """One histogram bar, laid out for a small SVG chart (heights in chart units)."""

    label: str
    text: str
    x: float
    y: float
    height: float
    suppressed: bool


#: Size of the small histogram drawn beside each distribution (SVG user units).
CHART_WIDTH = 150
CHART_HEIGHT = 40


def bars_of(row: DistributionRow) -> list[Bar]:
    """Return the bars of a distribution's histogram; hidden counts get a short dashed bar."""
    shown = [fig.value or 0.0 for _, fig in row.bins if not fig.suppressed]
    top = max(shown, default=0.0) or 1.0
    width = CHART_WIDTH / max(1, len(row.bins))
    bars = []
    for index, (bin_, fig) in enumerate(row.bins):
        label = f"{bin_.low:.0f} to {bin_.high:.0f}%"
        if isinstance(fig, Suppressed):
            height, text = CHART_HEIGHT * 0.25, f"fewer than {fig.k}"
        else:
            height = CHART_HEIGHT * (fig.value or 0.0) / top
            text = f"{fig.value or 0:.0f}"
        bars.append(Bar(label, text, index * width, CHART_HEIGHT - height, height, fig.suppressed))
    return bars


def _distribution(key: str, title: str, scores: rollup.ScoreCounts, k: int) -> DistributionRow:
    """Return quartiles and a histogram of counted scores, suppressed below k organizations."""
    n = scores.organizations
    gate = figure_or_suppressed(None, n, k)
    if gate.suppressed:
        return DistributionRow(key, title, n, None, False, gate.reason, ())
    bins = tuple(
        (
            bin_,
            figure_or_suppressed(float(bin_.count), bin_.count, k) if bin_.count else Figure(0, 0),
        )
        for bin_ in histogram_of_counts(scores.counts)
    )
    return DistributionRow(key, title, n, quartiles_of_counts(scores.counts), True, "", bins)


def _tallies_on_own_connection(
    engine: Engine,
    scope: Scope,
    versions: list[rollup.ScopedRubric],
    organizations: int,
    assessments: int,
) -> dict[str, rollup.ItemTally]:
    """Run ``rollup.item_tallies`` in a session of its own (for a worker thread)."""
    with Session(engine) as session:
        return rollup.item_tallies(
            session, scope, versions, organizations=organizations, assessments=assessments
        )


def build_dashboard(
    session: Session,
    scope: Scope,
    k: int,
    *,
    parallel: bool = False,
    page: Page | None = None,
) -> Dashboard:
    """Run the roll-up queries for ``scope`` and return its figures, suppressed below ``k``.

    ``parallel`` runs the item tallies on a second connection at the same time (see the module
    docstring); only for a session with nothing uncommitted, which the other connection
    could not see. ``page`` also lists that page of the participating organizations.
    """
    versions = rollup.versions_in_scope(session, scope)
    organizations, assessments = rollup.totals(session, scope)
    if parallel:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dashboard") as pool:
            pending = pool.submit(
                _tallies_on_own_connection,
                session.get_bind(),
                scope,
                versions,
                organizations,
                assessments,
            )
            return _assemble(
                session, scope, k, versions, organizations, assessments, page, pending.result
            )
    return _assemble(
        session,
        scope,
        k,
        versions,
        organizations,
        assessments,
        page,
        lambda: rollup.item_tallies(
            session, scope, versions, organizations=organizations, assessments=assessments
        ),
    )


def _assemble(
    session: Session,
    scope: Scope,
    k: int,
    versions: list[rollup.ScopedRubric],
    organizations: int,
    assessments: int,
    page: Page | None,
    item_tallies: Callable[[], dict[str, rollup.ItemTally]],
) -> Dashboard:
    """Run the small queries and turn everything into figures; ask for the item tallies last."""
    latest = versions[-1].rubric if versions else None
    rubric_title = latest.title if latest else scope.rubric_key
    dimension_labels = {d.id: d.label for v in versions for d in v.rubric.dimensions}

    # Participation is shown for every period (the other filters apply): it is how the
    # advocate sees coverage over time, whatever period the rest of the page is about.
    counts = rollup.participation(
        session, replace(scope, filters=replace(scope.filters, period=""))
    )
    periods = tuple(sorted({c.period for c in counts}, reverse=True))
    kinds = tuple(sorted({c.kind for c in counts}))
    by_cell = {(c.kind, c.period): c for c in counts}
    cells = []
    for period in periods:
        for kind in kinds:
            found = by_cell.get((kind, period))
            orgs = found.organizations if found else 0
            cells.append(
                ParticipationCell(
                    kind,
                    KIND_LABELS.get(kind, kind),
                    period,
                    figure_or_suppressed(float(orgs), orgs, k) if orgs else Figure(0, 0),
                )
            )

    empty = rollup.ScoreCounts([])
    distributions = [_distribution("_overall", "Overall", empty, k)]
    if latest is not None:
        # (key, title, (section, dimension) of the cached scores): overall pooled, overall per
        # dimension, then each section pooled.
        wanted = [
            ("_overall", "Overall", ("_overall", "_all")),
            *(
                (f"_overall:{d.id}", f"Overall — {d.label}", ("_overall", d.id))
                for d in latest.dimensions
            ),
            *((s.id, s.title, (s.id, "_all")) for s in latest.sections),
        ]
        values = rollup.score_counts(
            session,
            scope,
            [cell for _, _, cell in wanted],
            organizations=organizations,
            assessments=assessments,
        )
        distributions = [
            _distribution(key, title, values.get(cell, empty), k) for key, title, cell in wanted
        ]

    item_figures: dict[str, list[ItemFigure]] = defaultdict(list)
    prompts = {item.id: item for v in versions for item in rollup.scored_items(v.rubric)}
    people: list[rollup.Participant] = []
    if page is not None:
        people, _ = rollup.participants(
            session, scope, page=page.number, page_size=page.size, total=assessments
        )
    tallies = item_tallies()
    paper_practice = []
    for tally in tallies.values():
        item = prompts[tally.item_id]
        for dimension, rated in tally.rated.items():
            if rated <= 0:
                continue
            item_figures[tally.item_id].append(
                ItemFigure(
                    tally.item_id,
                    item.prompt,
                    item.section_id,
                    dimension,
                    dimension_labels.get(dimension, dimension),
                    rated,
                    figure_or_suppressed(
                        share(tally.full.get(dimension, 0), rated),
                        tally.organizations.get(dimension, 0),
                        k,
                    ),
                )
            )
        if tally.both_rated > 0:
            n = tally.organizations_both
            paper_practice.append(
                PaperPracticeFigure(
                    tally.item_id,
                    item.prompt,
                    tally.both_rated,
                    figure_or_suppressed(share(tally.paper_stronger, tally.both_rated), n, k),
                    figure_or_suppressed(share(tally.practice_stronger, tally.both_rated), n, k),
                )
            )
    paper_practice.sort(key=lambda f: (-(f.paper_stronger.value or 0.0), f.item_id))
    order = {d: i for i, d in enumerate(dimension_labels)}
    sections = []
    if latest is not None:
        for section in latest.sections:
            lines = []
            for item in section.items:
                if item.id not in prompts:
                    continue
                figures = sorted(
                    item_figures.get(item.id, []), key=lambda f: order.get(f.dimension, 99)
                )
                lines.append(ItemLine(item.id, item.prompt, item.essential, tuple(figures)))
            if lines:
                sections.append(SectionItems(section.id, section.title, tuple(lines)))
    shown = [f for figs in item_figures.values() for f in figs if not f.full_share.suppressed]
    top_gaps = sorted(shown, key=lambda f: (f.full_share.value or 0.0, f.item_id, f.dimension))

    gate = figure_or_suppressed(None, organizations, k)
    return Dashboard(
        scope=scope,
        rubric_title=rubric_title,
        k=k,
        organizations=organizations,
        assessments=assessments,
        overall_suppressed=gate if isinstance(gate, Suppressed) else None,
        periods=periods,
        kinds=kinds,
        participation=tuple(cells),
        distributions=tuple(distributions),
        sections=tuple(sections),
        top_gaps=tuple(top_gaps[:TOP_GAPS]),
        paper_practice=tuple(paper_practice),
        dimension_labels=dimension_labels,
        participants=tuple(people),
    )
