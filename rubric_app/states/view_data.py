"""The state dashboard's figures: roll-up rows turned into shown or suppressed figures.

``build_dashboard`` runs the grouped queries of ``rollup`` once and returns plain data that the
HTML page, the XLSX summary sheet and the PDF all render. Every figure carries the number of
organizations behind it; fewer than ``k`` and it is a ``Suppressed`` that says why
(``rubric_app.scoring.figure_or_suppressed``). Beyond that, ``privacy.protect`` decides what the
view must withhold so that no two views differ by a group under ``k``: the whole view (then the
dashboard carries nothing but the reason), some item figures, some histogram bands.

The item query is the one heavy query: every cached item result in scope and, in the same pass,
in the views one level up that the small-number rule compares it with (``rollup.item_figures``).
Everything else comes from the scope and its cached scores, read once (``resolved``), and
the state's law (``law_rollup``: two more grouped queries over item results). With
``parallel=True`` (the web pages) the item query and the law each run on a connection of their
own in a worker thread while this thread reads and counts the rest, so the page costs little
more than the item query. Both database drivers release the GIL while a query runs. The read
transactions start together; a share granted or revoked in the same instant may show in one
part of the page and not yet in another until the next view.

Why it is long: suppression and the privacy rule must apply to every figure in one place, next to
where the figures are built.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from rubric_app.assessments import PAIR_DIMENSION
from rubric_app.frameworks.model import Framework
from rubric_app.rubrics.benchmarks import Benchmarks, NationalLine
from rubric_app.rubrics.model import Rubric
from rubric_app.scoring import (
    DEFAULT_EDGES,
    Bin,
    Figure,
    Quartiles,
    Suppressed,
    figure_or_suppressed,
    hidden_cells,
    histogram_of_counts,
    quartiles_of_counts,
    share,
)
from rubric_app.vocabulary import ORG_KIND_GROUP_LABELS

from . import breakdowns, privacy, resolved, rollup
from .law_rollup import FrameworkShares, law_shares
from .rollup import Scope

Shown = Figure | Suppressed

#: How many (item, dimension) pairs the "most common gaps" list shows.
TOP_GAPS = 10


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
    #: Assessments in the view whose score rests on too few answers ("not enough answers"):
    #: left out of the figures, and said so. Only given with a shown distribution (None when
    #: hidden), where it adds nothing to what the view's totals and ``n`` already tell.
    left_out: int | None = None


@dataclass(frozen=True)
class ItemFigure:
    """Share of assessments with an item fully in place on one dimension."""

    item_id: str
    prompt: str
    section_id: str
    dimension: str
    dimension_label: str
    #: How many assessments rated it; None when the figure is hidden (the count would tell).
    rated: int | None
    full_share: Shown


@dataclass(frozen=True)
class ItemLine:
    """One item with its figures for each dimension."""

    item_id: str
    prompt: str
    essential: bool
    figures: tuple[ItemFigure, ...]
    #: National survey figures on the item's topic, shown beside the state's for context.
    national: tuple[NationalLine, ...] = ()


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
    #: How many assessments rated both; None when the figures are hidden.
    both_rated: int | None
    paper_stronger: Shown
    practice_stronger: Shown


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard, its summary sheet and its PDF show."""

    scope: Scope
    rubric_title: str
    k: int
    #: Organizations and assessments in the view; None when the view is withheld.
    organizations: int | None
    assessments: int | None
    #: Why nothing about this view may be shown (every other figure is then empty).
    withheld: Suppressed | None
    periods: tuple[str, ...]
    kinds: tuple[str, ...]
    participation: tuple[ParticipationCell, ...]
    distributions: tuple[DistributionRow, ...]
    sections: tuple[SectionItems, ...]
    top_gaps: tuple[ItemFigure, ...]
    paper_practice: tuple[PaperPracticeFigure, ...]
    dimension_labels: dict[str, str]
    #: How many assessments the participants list holds (all of the view's, but under a profile
    #: filter only those of organizations that agreed to be named).
    listed: int = 0
    #: The state's law across the view: each framework with a rule over this rubric.
    law: tuple[FrameworkShares, ...] = ()
    #: The titles of the state's frameworks (any rubric), so an empty ``law`` can say why.
    law_frameworks: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """Return whether the view may be shown but holds no assessment: no figures, findings
        or downloads then, only a notice that says so (zeros are not withheld, docs/privacy.md)."""
        return self.withheld is None and not self.organizations


@dataclass(frozen=True)
class Page:
    """Which page of the participants list to show (1-based) and how many rows per page."""

    number: int
    size: int


def _distribution(
    key: str,
    title: str,
    scores: rollup.ScoreCounts,
    k: int,
    band_organizations: list[int],
    protected: frozenset[int],
) -> DistributionRow:
    """Return quartiles and a histogram of counted scores, suppressed below k organizations.

    A band is hidden when fewer than k organizations have a score in it
    (``band_organizations``), or when it is ``protected``: it would give a small group away
    against the view one level up. Bands add up to the number of organizations shown beside
    them, so the hidden ones are then protected as a whole too (``hidden_cells``).
    """
    n = scores.organizations
    gate = figure_or_suppressed(None, n, k)
    if gate.suppressed:
        return DistributionRow(key, title, n, None, False, gate.reason, ())
    counted = histogram_of_counts(scores.counts)
    sizes = dict(enumerate(band_organizations))
    hidden = hidden_cells(sizes, k, always_hidden=protected)
    bins = tuple(
        (
            bin_,
            Suppressed(k=k, because="small" if sizes.get(index, 0) < k else "complement")
            if index in hidden
            else Figure(float(bin_.count), bin_.count),
        )
        for index, bin_ in enumerate(counted)
    )
    return DistributionRow(key, title, n, quartiles_of_counts(scores.counts), True, "", bins)


def _with_left_out(row: DistributionRow, left_out: int) -> DistributionRow:
    """Return ``row`` saying how many scores it left out, when the row itself is shown."""
    return replace(row, left_out=left_out) if row.shown else row


def _item_figures(
    session: Session,
    scope: Scope,
    versions: list[rollup.ScopedRubric],
    organizations: int,
    assessments: int,
    several: list[int],
) -> rollup.ItemFigures:
    """Run the item query: the tallies, and the item breakdowns the small-number rule needs."""
    return rollup.item_figures(
        session,
        scope,
        versions,
        organizations=organizations,
        assessments=assessments,
        by=tuple(scope.filters.compared()),
        several=several,
    )


def _item_figures_on_own_connection(
    engine: Engine | Connection,
    scope: Scope,
    versions: list[rollup.ScopedRubric],
    organizations: int,
    assessments: int,
    several: list[int],
) -> rollup.ItemFigures:
    """Run ``_item_figures`` in a session of its own (for a worker thread)."""
    with Session(engine) as session:
        return _item_figures(session, scope, versions, organizations, assessments, several)


def _law_shares_on_own_connection(
    engine: Engine | Connection,
    scope: Scope,
    frameworks: Sequence[Framework],
    rubric: Rubric | None,
    k: int,
    one_per_organization: bool,
    rows: Sequence[resolved.ScopeRow],
) -> tuple[FrameworkShares, ...]:
    """Run ``law_shares`` in a session of its own (for a worker thread)."""
    with Session(engine) as session:
        return law_shares(
            session,
            scope,
            frameworks,
            rubric,
            k,
            one_per_organization=one_per_organization,
            rows=rows,
        )


def build_dashboard(
    session: Session,
    scope: Scope,
    k: int,
    *,
    parallel: bool = False,
    benchmarks: Benchmarks | None = None,
    frameworks: Sequence[Framework] = (),
    meanwhile: Callable[[Sequence[DistributionRow]], None] | None = None,
) -> Dashboard:
    """Run the roll-up queries for ``scope`` and return its figures, suppressed below ``k``.

    ``parallel`` runs the item tallies on a second connection at the same time (see the module
    docstring); only for a session with nothing uncommitted, which the other connection
    could not see.
    ``benchmarks``: national figures to show beside the items they match. ``frameworks``: the
    state's laws, for the share of organizations meeting each requirement. ``meanwhile``:
    the caller's own work on this thread's session (given the score rows), run while the item
    query and the law run on theirs, before waiting for them; not run for a withheld view.
    """
    benchmarks = benchmarks or Benchmarks()
    versions = rollup.versions_by_id(session, resolved.version_ids(session, scope))
    organizations, assessments = resolved.totals(session, scope)
    withheld = privacy.view_withheld(session, scope, k, organizations)
    if withheld is not None:
        return withheld_dashboard(scope, k, withheld, _newest_title(session, scope))
    # The assessments the item query reads, from the scope already read: whose organizations
    # have several in one figure (counted apart, see rollup.item_figures).
    several = resolved.several_in_figures(session, scope)
    latest = versions[-1].rubric if versions else None
    one_per_organization = organizations == assessments
    if parallel:
        # The item query and the state's law (two grouped queries over item results) each on
        # a connection of their own, while this thread counts the rest from the scope.
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="dashboard") as pool:
            pending = pool.submit(
                _item_figures_on_own_connection,
                session.get_bind(),
                scope,
                versions,
                organizations,
                assessments,
                several,
            )
            law = pool.submit(
                _law_shares_on_own_connection,
                session.get_bind(),
                scope,
                frameworks,
                latest,
                k,
                one_per_organization,
                resolved.base_of(session, scope),
            )
            return _assemble(
                session,
                scope,
                k,
                versions,
                organizations,
                assessments,
                pending.result,
                law.result,
                benchmarks=benchmarks,
                frameworks=frameworks,
                meanwhile=meanwhile,
            )
    return _assemble(
        session,
        scope,
        k,
        versions,
        organizations,
        assessments,
        lambda: _item_figures(session, scope, versions, organizations, assessments, several),
        lambda: law_shares(
            session,
            scope,
            frameworks,
            latest,
            k,
            one_per_organization=one_per_organization,
            rows=resolved.base_of(session, scope),
        ),
        benchmarks=benchmarks,
        frameworks=frameworks,
        meanwhile=meanwhile,
    )


def _newest_title(session: Session, scope: Scope) -> str:
    """The title of the newest stored version of the view's rubric (its key if none is)."""
    return rollup.rubric_titles(session, [scope.rubric_key]).get(scope.rubric_key, scope.rubric_key)


def withheld_dashboard(scope: Scope, k: int, withheld: Suppressed, title: str) -> Dashboard:
    """Return a dashboard that says only why the view is withheld: no counts, names or rows.

    Nothing in it comes from the view's assessments, not even the title or the dimension names
    (taken from the versions they are pinned to, they would differ between an empty view and a
    small one, which must read the same: ``privacy.view_withheld``).
    """
    return Dashboard(
        scope=scope,
        rubric_title=title,
        k=k,
        organizations=None,
        assessments=None,
        withheld=withheld,
        periods=(),
        kinds=(),
        participation=(),
        distributions=(),
        sections=(),
        top_gaps=(),
        paper_practice=(),
        dimension_labels={},
    )


def _participation(session: Session, scope: Scope, k: int) -> list[ParticipationCell]:
    """Return organizations by kind and period, for every period (the other filters apply).

    It is how the advocate sees coverage over time, whatever period the rest of the page is
    about. That is the view with the period filter cleared, so it is shown only when that view
    may be; a period whose own view is withheld is withheld whole, and within each other period
    the kinds are protected together, since the period's total is what the dashboard filtered
    to that period shows.
    """
    every_period = breakdowns.without_filter(scope, "period")
    totals = resolved.totals(session, every_period)
    if privacy.view_withheld(session, every_period, k, totals[0]) is not None:
        return []
    counts = resolved.participation(session, every_period)
    periods = sorted({c.period for c in counts}, reverse=True)
    kinds = sorted({c.kind for c in counts})
    by_cell = {(c.kind, c.period): c.organizations for c in counts}
    cells = []
    for period in periods:
        sizes = {kind: by_cell.get((kind, period), 0) for kind in kinds}
        # A period's row adds up to that period's view (these filters, that period): when the
        # rule withholds the view, the row is withheld whole, or it would tell what the view
        # does not.
        period_view = replace(scope, filters=replace(scope.filters, period=period))
        organizations = resolved.totals(session, period_view)[0]
        if privacy.view_withheld(session, period_view, k, organizations) is not None:
            hidden = set(kinds)
        else:
            hidden = hidden_cells(sizes, k)
        for kind in kinds:
            orgs = sizes[kind]
            shown: Shown = (
                Suppressed(k=k, because="small" if orgs < k else "complement")
                if kind in hidden
                else Figure(float(orgs), orgs)
            )
            cells.append(
                ParticipationCell(kind, ORG_KIND_GROUP_LABELS.get(kind, kind), period, shown)
            )
    return cells


def _assemble(
    session: Session,
    scope: Scope,
    k: int,
    versions: list[rollup.ScopedRubric],
    organizations: int,
    assessments: int,
    read_items: Callable[[], rollup.ItemFigures],
    read_law: Callable[[], tuple[FrameworkShares, ...]],
    *,
    benchmarks: Benchmarks,
    frameworks: Sequence[Framework] = (),
    meanwhile: Callable[[Sequence[DistributionRow]], None] | None = None,
) -> Dashboard:
    """Run the small queries and turn everything into figures; ask for the item tallies last."""
    latest = versions[-1].rubric if versions else None
    # An empty view pins no version to take the title from: the newest stored one names it.
    rubric_title = latest.title if latest else _newest_title(session, scope)
    dimension_labels = {d.id: d.label for v in versions for d in v.rubric.dimensions}
    cells = _participation(session, scope, k)

    # (key, title, (section, dimension) of the cached scores): overall pooled, overall per
    # dimension, then each section pooled.
    wanted = [("_overall", "Overall", ("_overall", "_all"))]
    if latest is not None:
        wanted += [
            *(
                (f"_overall:{d.id}", f"Overall — {d.label}", ("_overall", d.id))
                for d in latest.dimensions
            ),
            *((s.id, s.title, (s.id, "_all")) for s in latest.sections),
        ]
    protection = privacy.protect_figures(
        session, scope, k, [cell for _, _, cell in wanted], items=False
    )
    empty = rollup.ScoreCounts([])
    values = (
        resolved.score_counts(
            session,
            scope,
            [cell for _, _, cell in wanted],
            organizations=organizations,
            assessments=assessments,
        )
        if latest is not None
        else {}
    )
    left_out = resolved.left_out_counts(session, scope, [cell for _, _, cell in wanted])
    bands = resolved.band_organizations(session, scope, [cell for _, _, cell in wanted])
    no_bands = [0] * (len(DEFAULT_EDGES) - 1)
    distributions = [
        _with_left_out(
            _distribution(
                key,
                title,
                values.get(cell, empty),
                k,
                bands.get(cell, {}).get(None, no_bands),
                protection.bands.get(cell, frozenset()),
            ),
            left_out.get(cell, 0),
        )
        for key, title, cell in wanted
    ]

    item_figures: dict[str, list[ItemFigure]] = defaultdict(list)
    prompts = {item.id: item for v in versions for item in rollup.scored_items(v.rubric)}
    listed = resolved.listed_rows(session, scope)
    if meanwhile is not None:
        meanwhile(distributions)
    law = read_law()
    read = read_items()
    tallies = read.tallies
    hidden_items = privacy.protected_items(scope, k, read.breakdowns)
    paper_practice = []
    for tally in tallies.values():
        item = prompts[tally.item_id]
        for dimension, rated in tally.rated.items():
            if rated <= 0:
                continue
            figure = _protected(
                share(tally.full.get(dimension, 0), rated),
                tally.organizations.get(dimension, 0),
                k,
                (tally.item_id, dimension) in hidden_items,
            )
            item_figures[tally.item_id].append(
                ItemFigure(
                    tally.item_id,
                    item.prompt,
                    item.section_id,
                    dimension,
                    dimension_labels.get(dimension, dimension),
                    None if figure.suppressed else rated,
                    figure,
                )
            )
        if tally.both_rated > 0:
            n = tally.organizations_both
            hide = (tally.item_id, PAIR_DIMENSION) in hidden_items
            paper = _protected(share(tally.paper_stronger, tally.both_rated), n, k, hide)
            practice = _protected(share(tally.practice_stronger, tally.both_rated), n, k, hide)
            paper_practice.append(
                PaperPracticeFigure(
                    tally.item_id,
                    item.prompt,
                    None if paper.suppressed else tally.both_rated,
                    paper,
                    practice,
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
                national = benchmarks.lines_for(scope.rubric_key, item.id)
                lines.append(
                    ItemLine(item.id, item.prompt, item.essential, tuple(figures), national)
                )
            if lines:
                sections.append(SectionItems(section.id, section.title, tuple(lines)))
    shown = [f for figs in item_figures.values() for f in figs if not f.full_share.suppressed]
    top_gaps = sorted(shown, key=lambda f: (f.full_share.value or 0.0, f.item_id, f.dimension))

    return Dashboard(
        scope=scope,
        rubric_title=rubric_title,
        k=k,
        organizations=organizations,
        assessments=assessments,
        withheld=None,
        periods=tuple(sorted({c.period for c in cells}, reverse=True)),
        kinds=tuple(sorted({c.kind for c in cells})),
        participation=tuple(cells),
        distributions=tuple(distributions),
        sections=tuple(sections),
        top_gaps=tuple(top_gaps[:TOP_GAPS]),
        paper_practice=tuple(paper_practice),
        dimension_labels=dimension_labels,
        listed=len(listed),
        law=law,
        law_frameworks=tuple(framework.title for framework in frameworks),
    )


def participants_page(session: Session, scope: Scope, page: Page) -> tuple[rollup.Participant, ...]:
    """One page of the view's participants list, read now (names, vetting, report links)."""
    # Under a profile filter the list leaves out organizations that did not agree to be named
    # (``Filters.lists_unnamed``); the figures still count them.
    listed = [row.id for row in resolved.listed_rows(session, scope)]
    people, _ = rollup.participants(
        session, scope, page=page.number, page_size=page.size, total=len(listed), ids=listed
    )
    return tuple(people)


def _protected(value: float | None, n: int, k: int, complement: bool) -> Shown:
    """Return the figure, hidden below ``k`` or when it would give a small group away."""
    if complement and n >= k:
        return Suppressed(k=k, because="complement")
    return figure_or_suppressed(value, n, k)
