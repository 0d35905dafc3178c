"""One request's reading of an advocate's shared assessments: fetched once, every view cut from it.

A dashboard page asks about many views of the same assessments: the view itself, the view one
level up for each filter (the small-number rule), each locale side by side and each period of
the trend. All of them are cuts of one *base*: the submitted assessments of one rubric shared
with the advocate from its state, whatever the filters. So the base is read once per
transaction (``base_of``: one row per assessment with the organization's profile; the page's
first question, which rubrics were shared, reads the bases of all of them in the same statement,
``rubric_counts``), and so are the cached section scores of the base's assessments (by the ids
already read, ``rollup.ids_table``); the figures of every view are then counted from them here.
That replaced some forty grouped statements per page, each resolving the same scope again, with
two. Each view's rows, its members by filter value and each score counted over it are kept for
the rest of the transaction too: a dashboard asks about the same views several times (the
view, the small-number rule's views one level up, the side views of the overview), and at the
size of the largest state that counting was a third of the page.

The counting mirrors the SQL it replaces in ``rollup`` and ``breakdowns`` (the same filters, the
same coverage rule, the same histogram bands); ``tests/unit/test_rollup_resolved.py`` holds the
two to each other. Both readings are remembered for the rest of the session's transaction, and
read again after anything is flushed or written through the session, or while changes are
pending (as ``access.role_in`` remembers roles).

Why it is long: each count here mirrors one SQL function and is kept in the memo beside the
reading it is cut from; apart, they would drift from the rows they share.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import event, func, select, tuple_
from sqlalchemy.orm import ORMExecuteState, Session

from rubric_app.models import Assessment, Organization, SectionScoreRow
from rubric_app.scoring import DEFAULT_EDGES

from .rollup import (
    FilterOptions,
    Filters,
    ParticipationCount,
    Scope,
    ScoreCounts,
    ids_table,
    scope_select,
    several_per_organization,
    shared_select,
)

#: ``Session.info`` key: the bases and scores read so far, with the transaction they belong to.
_MEMO = "rubric_app.states.resolved"


@event.listens_for(Session, "after_flush")
def _forget_on_flush(session: Session, _flush_context: object) -> None:
    """A flush may have shared, revoked or rescored: later questions read again."""
    session.info.pop(_MEMO, None)


@event.listens_for(Session, "do_orm_execute")
def _forget_on_write(state: ORMExecuteState) -> None:
    """So may an UPDATE, DELETE or INSERT statement run through the session."""
    if not state.is_select:
        state.session.info.pop(_MEMO, None)


class ScopeRow(NamedTuple):
    """One assessment of a base: whose, pinned to which version, and the profile filters see.

    A named tuple: a large state's base is thousands of rows, made on every dashboard request,
    and a tuple is made several times faster than a frozen dataclass.
    """

    id: int
    org_id: int
    version_id: int
    period: str
    kind: str
    enrollment_band: str | None
    locale: str | None
    sro_model: str | None
    named: bool
    #: What the assessment's cached scores and item results were made from: a writer of
    #: answers counts the revision up, and a submission sets the time (the law counts each
    #: organization at its latest). Equal rows, equal figures (``figure_cache``).
    revision: int = 0
    submitted_at: Any = None


def in_assessment_order(rows: Iterable[ScopeRow]) -> tuple[ScopeRow, ...]:
    """A base's rows by assessment id: the database returns them in no set order, and the
    figures kept for a base (``figure_cache``, ``figure_store``) are found by its rows."""
    return tuple(sorted(rows, key=attrgetter("id")))


#: How many histogram bands ``DEFAULT_EDGES`` makes.
_BANDS = len(DEFAULT_EDGES) - 1


@dataclass
class _KeyFigures:
    """One cached score (section, dimension) counted over one view, in one pass."""

    #: Percent -> how many assessments have it (null percents left out: the coverage rule).
    counts: dict[float, int]
    #: The organizations behind ``counts``.
    organizations: set[int]
    #: Assessments with a null percent beside applicable items ("not enough answers").
    left_out: int
    #: Per histogram band, the organizations with a score in it.
    bands: list[set[int]]


@dataclass
class _Base:
    """What was read about one base: its assessments, their scores for some keys, and what
    was counted from them so far (a dashboard asks about the same view several times)."""

    rows: tuple[ScopeRow, ...]
    #: (section id, dimension) -> assessment id -> (percent, applicable items).
    scores: dict[tuple[str, str], dict[int, tuple[float | None, int | None]]]
    score_keys: set[tuple[str, str]]
    #: A view's filters -> its rows (``rows_in``).
    views: dict[Filters, tuple[ScopeRow, ...]] = field(default_factory=dict)
    #: (a view's filters, filter name) -> each value's organizations there (``members_by``).
    members: dict[tuple[Filters, str], dict[str | None, set[int]]] = field(default_factory=dict)
    #: (a view's filters, score key) -> that key counted over the view (``_key_figures``).
    figures: dict[tuple[Filters, tuple[str, str]], _KeyFigures] = field(default_factory=dict)


def _memo(session: Session) -> dict[tuple[int, str, str], _Base]:
    """Return this transaction's readings, or a new empty memo."""
    transaction = session.get_transaction()
    held_by, bases = session.info.get(_MEMO, (None, {}))
    if transaction is None or held_by is not transaction or _pending(session):
        bases = {}
        session.info[_MEMO] = (transaction, bases)
    return bases


def _pending(session: Session) -> bool:
    """Return whether the session holds changes a query would flush first."""
    return bool(session.new or session.dirty or session.deleted)


def _key(scope: Scope) -> tuple[int, str, str]:
    return (scope.advocate_org_id, scope.state, scope.rubric_key)


def _base_select(scope: Scope) -> Any:
    """The base of ``scope`` in SQL: ``rollup.scope_select`` with no filters."""
    return scope_select(replace(scope, filters=Filters()))


def _scope_row(row: Any) -> ScopeRow:
    """One row of ``_base_select`` with the columns ``_PROFILE`` adds."""
    # Positional: a large state's base is thousands of rows per request.
    return ScopeRow(
        row[0], row[1], row[2], row[3], row[4], row[6], row[7], row[8], bool(row[5]),
        row[9], row[10],
    )  # fmt: skip


def _rows(session: Session, stmt: Any) -> Any:
    """Run ``stmt`` on the session's connection, outside the ORM's result processing (a large
    state's base is thousands of plain rows), once anything pending is flushed as the ORM
    would have. All rows at once: one driver call per row cost 2 to 7 of the 35 ms of reading
    the largest state's base."""
    if session.autoflush and _pending(session):
        session.flush()
    return session.connection().execute(stmt).all()


#: The columns a base row reads beside ``rollup.shared_select``'s: the profile the filters see,
#: then what the assessment's figures were made from.
_PROFILE = (
    Organization.enrollment_band,
    Organization.locale,
    Organization.sro_model,
    Assessment.revision,
    Assessment.submitted_at,
)


def _read_base(session: Session, scope: Scope) -> _Base:
    stmt = _base_select(scope).add_columns(*_PROFILE)
    return _Base(tuple(_scope_row(row) for row in _rows(session, stmt)), {}, set())


#: The rubric key under which ``rubric_counts`` notes that it read every rubric of a state's
#: advocate (no rubric has an empty key).
_EVERY_RUBRIC = ""


def _base(session: Session, scope: Scope) -> _Base:
    bases = _memo(session)
    found = bases.get(_key(scope))
    if found is None:
        if (scope.advocate_org_id, scope.state, _EVERY_RUBRIC) in bases:
            # Every rubric of this advocate was read (``rubric_counts``): none shared here.
            found = bases[_key(scope)] = _Base((), {}, set())
        else:
            found = bases[_key(scope)] = _read_base(session, scope)
        # Reading may have begun the transaction: the memo belongs to that one.
        session.info[_MEMO] = (session.get_transaction(), bases)
    return found


def rubric_counts(session: Session, advocate_org_id: int, state: str) -> list[tuple[str, int]]:
    """Return (rubric key, shared submitted assessments) per rubric (``rollup.rubric_counts``).

    Reads the base of every rubric at once, so the dashboard's first question (which rubrics
    were shared) also answers what it asks next about the chosen one: one statement, where the
    two resolved the same shares and hashed the country's assessments twice.
    """
    bases = _memo(session)
    marker = (advocate_org_id, state, _EVERY_RUBRIC)
    if marker not in bases:
        stmt = shared_select(advocate_org_id, state).add_columns(*_PROFILE, Assessment.rubric_key)
        by_rubric: dict[str, list[ScopeRow]] = {}
        for row in _rows(session, stmt):
            by_rubric.setdefault(row[-1], []).append(_scope_row(row))
        for rubric_key, rows in by_rubric.items():
            bases[(advocate_org_id, state, rubric_key)] = _Base(tuple(rows), {}, set())
        bases[marker] = _Base((), {}, set())
        session.info[_MEMO] = (session.get_transaction(), bases)
    return sorted(
        (key[2], len(base.rows))
        for key, base in bases.items()
        if key[:2] == (advocate_org_id, state) and key[2] != _EVERY_RUBRIC and base.rows
    )


def base_now(session: Session, scope: Scope) -> tuple[ScopeRow, ...]:
    """Return the base of ``scope`` read again now (not the rows this transaction remembers)."""
    return _read_base(session, scope).rows


def base_of(session: Session, scope: Scope) -> tuple[ScopeRow, ...]:
    """Return every assessment of the scope's base: its advocate, state and rubric, no filters."""
    return _base(session, scope).rows


def matches(row: ScopeRow, scope: Scope) -> bool:
    """Return whether a row of the base is in ``scope`` (its filters; "" is any value)."""
    f = scope.filters
    return (
        (not f.kind or row.kind == f.kind)
        and (not f.enrollment_band or row.enrollment_band == f.enrollment_band)
        and (not f.locale or row.locale == f.locale)
        and (not f.sro_model or row.sro_model == f.sro_model)
        and (not f.period or row.period == f.period)
    )


def rows_in(session: Session, scope: Scope) -> tuple[ScopeRow, ...]:
    """Return the assessments in ``scope`` (cut from the base once per view and transaction)."""
    base = _base(session, scope)
    found = base.views.get(scope.filters)
    if found is None:
        # Most views fix a period: cut those from that period's rows (a third of the base).
        period = scope.filters.period
        within = base.rows
        if period:
            with_period = replace(scope, filters=Filters(period=period))
            within = base.views.get(with_period.filters) or tuple(
                row for row in base.rows if row.period == period
            )
            base.views[with_period.filters] = within
        found = tuple(row for row in within if matches(row, scope))
        base.views[scope.filters] = found
    return found


# --- Counts of a view (``rollup.totals``, ``rollup.participation`` ...) -----------------------


def listed_rows(session: Session, scope: Scope) -> list[ScopeRow]:
    """Return the rows the view's participants list holds: all of them, but under a profile
    filter only those of organizations that agreed to be named (``Filters.lists_unnamed``)."""
    everyone = scope.filters.lists_unnamed()
    return [row for row in rows_in(session, scope) if everyone or row.named]


def totals(session: Session, scope: Scope) -> tuple[int, int]:
    """Return (organizations, assessments) in scope."""
    rows = rows_in(session, scope)
    return len({row.org_id for row in rows}), len(rows)


def participation(session: Session, scope: Scope) -> list[ParticipationCount]:
    """Return organizations and assessments in scope by kind and period (newest period first)."""
    orgs: dict[tuple[str, str], set[int]] = {}
    counts: dict[tuple[str, str], int] = {}
    for row in rows_in(session, scope):
        cell = (row.kind, row.period)
        orgs.setdefault(cell, set()).add(row.org_id)
        counts[cell] = counts.get(cell, 0) + 1
    cells = sorted(counts, key=lambda cell: cell[0])
    cells.sort(key=lambda cell: cell[1], reverse=True)
    return [ParticipationCount(kind, period, len(orgs[(kind, period)]), counts[(kind, period)])
            for kind, period in cells]  # fmt: skip


def filter_options(session: Session, scope: Scope) -> FilterOptions:
    """Return the periods (organizations per period, newest first) and kinds to choose from."""
    per_period: dict[str, set[int]] = {}
    kinds: set[str] = set()
    for row in base_of(session, scope):
        per_period.setdefault(row.period, set()).add(row.org_id)
        kinds.add(row.kind)
    periods = sorted(((period, len(orgs)) for period, orgs in per_period.items()), reverse=True)
    return FilterOptions(periods, sorted(kinds))


def version_ids(session: Session, scope: Scope) -> set[int]:
    """Return the ids of the rubric versions the assessments in scope are pinned to."""
    return {row.version_id for row in rows_in(session, scope)}


def several_in_figures(session: Session, scope: Scope) -> list[int]:
    """Return the assessments ``rollup.item_figures`` must count apart for ``scope``.

    Its query reads the scope and the views one level up for each filter the scope sets
    (``rollup.near_scope_select``); these are the ones whose organization has another there
    that one figure counts with it (``rollup.several_per_organization``).
    """
    by = scope.filters.compared()
    cleared = _cleared(scope, by)
    near = []
    for row in base_of(session, scope):
        if not matches(row, cleared):
            continue  # outside every view the query reads (another period)
        differ = [name for name, value in by.items() if getattr(row, name) != value]
        if len(differ) <= 1:
            near.append((row.id, row.org_id, row.period))
    return several_per_organization(near, scope)


def members_by(session: Session, scope: Scope, name: str) -> Mapping[str | None, AbstractSet[int]]:
    """Return, one level up from ``scope`` (filter ``name`` cleared), each value's organizations.

    The value None gathers organizations that left that profile field empty. Counted once per
    view and filter in the transaction: what is returned is the memo's, to read, not to change.
    """
    up = _without(scope, name)
    base = _base(session, up)
    found = base.members.get((up.filters, name))
    if found is None:
        found = {}
        for row in rows_in(session, up):
            found.setdefault(getattr(row, name), set()).add(row.org_id)
        base.members[(up.filters, name)] = found
    return found


def _cleared(scope: Scope, names: Iterable[str]) -> Scope:
    """Return ``scope`` with the filters ``names`` cleared (the union of their views one
    level up is within it)."""
    return replace(scope, filters=replace(scope.filters, **dict.fromkeys(names, "")))


def _without(scope: Scope, name: str) -> Scope:
    """Return ``scope`` with the filter ``name`` cleared (``breakdowns.without_filter``)."""
    return replace(scope, filters=replace(scope.filters, **{name: ""}))


# --- Cached section scores of a view ----------------------------------------------------------


def _scores(
    session: Session, scope: Scope, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], dict[int, tuple[float | None, int | None]]]:
    """Return the base's cached scores, by key and assessment id (each key read once)."""
    base = _base(session, scope)
    missing = [key for key in dict.fromkeys(keys) if key not in base.score_keys]
    if missing and base.rows:
        key = (SectionScoreRow.section_id, SectionScoreRow.dimension)
        ids = ids_table(session, replace(scope, filters=Filters()), [row.id for row in base.rows])
        stmt = (
            select(
                SectionScoreRow.assessment_id,
                *key,
                SectionScoreRow.percent,
                SectionScoreRow.applicable,
            )
            .join(ids, ids.c.id == SectionScoreRow.assessment_id)
            .where(tuple_(*key).in_(missing))
        )
        # On the session's connection, not through the ORM's result processing (a fifth of
        # the time of reading a large state's scores): plain columns, and ``_base`` above has
        # flushed anything pending already.
        if session.get_bind().dialect.name == "postgresql":
            _read_score_arrays(session, stmt.subquery(), base.scores)
        else:
            result = session.connection().execute(stmt)
            for assessment_id, section_id, dimension, percent, applicable in result:
                by_id = base.scores.get((section_id, dimension))
                if by_id is None:
                    by_id = base.scores[(section_id, dimension)] = {}
                by_id[assessment_id] = (percent, applicable)
    base.score_keys.update(missing)
    return base.scores


def _read_score_arrays(
    session: Session,
    rows: Any,
    scores: dict[tuple[str, str], dict[int, tuple[float | None, int | None]]],
) -> None:
    """Read ``rows`` (assessment id, section, dimension, percent, applicable) into ``scores``
    as one row per key carrying three arrays: the driver decodes arrays
    in C and the dictionaries are made by ``zip``, where one Python step per score row was most
    of the time of reading a large state's scores (19,000 rows in Texas).

    The arrays are in no particular order, but in the same one: a grouped query feeds each row
    to all of its aggregates together, so the three line up. Ordering each by assessment id
    sorted every group three more times (a quarter of the query's time in Texas)."""
    stmt = select(
        rows.c.section_id,
        rows.c.dimension,
        func.array_agg(rows.c.assessment_id),
        func.array_agg(rows.c.percent),
        func.array_agg(rows.c.applicable),
    ).group_by(rows.c.section_id, rows.c.dimension)
    for section_id, dimension, ids, percents, applicable in session.connection().execute(stmt):
        scores.setdefault((section_id, dimension), {}).update(
            zip(ids, zip(percents, applicable, strict=True), strict=True)
        )


def _key_figures(
    session: Session, scope: Scope, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], _KeyFigures]:
    """Return each key's cached scores counted over ``scope``: counted once per view and key
    in this transaction, in one pass that serves ``score_counts``, ``left_out_counts`` and
    ``band_organizations`` alike."""
    base = _base(session, scope)
    wanted = list(dict.fromkeys(keys))
    todo = [key for key in wanted if (scope.filters, key) not in base.figures]
    if todo:
        scores = _scores(session, scope, todo)
        rows = rows_in(session, scope)
        for key in todo:
            base.figures[(scope.filters, key)] = _count_scores(rows, scores.get(key, {}))
    return {key: base.figures[(scope.filters, key)] for key in wanted}


def _count_scores(
    rows: Sequence[ScopeRow], by_id: dict[int, tuple[float | None, int | None]]
) -> _KeyFigures:
    """Count one key's cached scores over ``rows`` (the loop the dashboard spends its Python in)."""
    counts: dict[float, int] = {}
    organizations: set[int] = set()
    bands: list[set[int]] = [set() for _ in range(_BANDS)]
    left_out = 0
    for row in rows:
        found = by_id.get(row.id)
        if found is None:
            continue
        percent, applicable = found
        if percent is None:
            if applicable is not None and applicable > 0:
                left_out += 1
            continue
        counts[percent] = counts.get(percent, 0) + 1
        organizations.add(row.org_id)
        index = band_of(percent)
        if index is not None:
            bands[index].add(row.org_id)
    return _KeyFigures(counts, organizations, left_out, bands)


def score_counts(
    session: Session,
    scope: Scope,
    keys: Sequence[tuple[str, str]],
    *,
    organizations: int,
    assessments: int,
) -> dict[tuple[str, str], ScoreCounts]:
    """Return the scores in scope per key as (percent, count) pairs (``rollup.score_counts``).

    Only non-null percents: a score below its rubric's coverage threshold is cached with a null
    percent, so leaving those out is the coverage rule. Each entry's ``organizations`` is how
    many distinct organizations stand behind that distribution.
    """
    if not keys or not assessments:
        return {}
    return {
        key: ScoreCounts(sorted(figures.counts.items()), len(figures.organizations))
        for key, figures in _key_figures(session, scope, keys).items()
        if figures.counts
    }


def left_out_counts(
    session: Session, scope: Scope, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Return per key how many assessments in scope had their score left out for coverage.

    Left out: a null percent beside applicable items (``rollup.left_out_counts``); keys with
    none left out are absent.
    """
    return {
        key: figures.left_out
        for key, figures in _key_figures(session, scope, keys).items()
        if figures.left_out
    }


@lru_cache(maxsize=4096)
def band_of(percent: float) -> int | None:
    """Return the histogram band (index into ``DEFAULT_EDGES``) of a score, None outside them.

    The same bands as ``scoring.histogram_of_counts``: [low, high), the last one closed.
    Remembered per percent: scores take few distinct values, and the dashboard bands each
    assessment's scores several times.
    """
    edges = DEFAULT_EDGES
    if percent < edges[0] or percent > edges[-1]:
        return None
    # The band whose low edge is the last one at or below the score; the top edge closes the
    # last band.
    return min(bisect_right(edges, percent) - 1, len(edges) - 2)


def band_organizations(
    session: Session, scope: Scope, keys: Sequence[tuple[str, str]], by: str | None = None
) -> dict[tuple[str, str], dict[str | None, list[int]]]:
    """Return how many organizations have a score in each histogram band, per key.

    Without ``by``, over ``scope`` itself (under the value None); with ``by``, one level up from
    it (that filter cleared), by that filter's value (``breakdowns.band_organizations``).
    """
    if not keys:
        return {}
    if by is None:
        return {
            key: {None: [len(orgs) for orgs in figures.bands]}
            for key, figures in _key_figures(session, scope, keys).items()
            if any(figures.bands)
        }
    view = _without(scope, by)
    scores = _scores(session, view, keys)
    rows = rows_in(session, view)
    found: dict[tuple[str, str], dict[str | None, list[int]]] = {}
    for key in dict.fromkeys(keys):
        by_id = scores.get(key, {})
        cells: dict[Any, list[set[int]]] = {}
        for row in rows:
            score = by_id.get(row.id)
            if score is None or score[0] is None:
                continue
            index = band_of(score[0])
            if index is None:
                continue
            value = getattr(row, by)
            bands = cells.get(value)
            if bands is None:
                bands = cells[value] = [set() for _ in range(_BANDS)]
            bands[index].add(row.org_id)
        if cells:
            found[key] = {value: [len(orgs) for orgs in sets] for value, sets in cells.items()}
    return found
