"""The SQL behind the state roll-ups: grouped queries over the assessments shared with an advocate.

Every query starts from one *scope*: submitted assessments of one rubric, with a live share (not
revoked) to the advocate organization, from organizations in the advocate's state, narrowed by
the dashboard's filters. Nothing here loads ORM objects in loops: the database counts, groups
and sums; Python only maps the handful of grouped rows onto the rubric.

Item figures read the ``ItemResult`` rows that ``assessments.submit`` writes from
``score_assessment``: only visible, applicable, scored ratings are there, with the scoring core's
'fully in place' and paper-vs-practice verdicts, so nothing here re-derives a scoring rule.

Why it is long: each roll-up figure is its own grouped query over the one scope above; apart, the
queries would drift from the scope they share.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, TypeVarTuple, cast

from sqlalchemy import (
    ARRAY,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    distinct,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session, aliased

from rubric_app.assessments import PAIR_DIMENSION
from rubric_app.models import (
    Answer,
    Assessment,
    ItemNote,
    ItemResult,
    Organization,
    RubricVersion,
    SectionScoreRow,
    Share,
)
from rubric_app.rubric_versions import rubric_of
from rubric_app.rubrics.model import Item, Rubric
from rubric_app.scoring import NOT_ENOUGH_ANSWERS, Coverage, basis_text, is_scored_item

#: The column types of a statement that ``_within_scope`` narrows and hands back unchanged.
_Columns = TypeVarTuple("_Columns")
#: A select of any columns (SQLAlchemy 2.1 types a select by all of its column types).
AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters; an empty string means 'any'."""

    kind: str = ""
    enrollment_band: str = ""
    locale: str = ""
    sro_model: str = ""
    period: str = ""

    def as_params(self) -> dict[str, str]:
        """Return the filters that are set, as query-string parameters."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def compared(self) -> dict[str, str]:
        """Return the filters the small-number rule compares with the view one level up
        (that filter cleared): every filter set but the period.

        A dashboard view is always one period (``states.routes``: there is no all-periods
        view), so the view with the period cleared is never shown and there is nothing to
        subtract a period's view from. Had it been, no rule over partitions could protect it:
        an organization takes part in several periods, so "all periods" minus one period is
        not the other periods' groups but whoever took part in none of that one.
        """
        return {name: value for name, value in self.as_params().items() if name != "period"}

    def lists_unnamed(self) -> bool:
        """Whether per-organization rows (the participants list, the exports' answers) may
        hold organizations that did not agree to be named: not once a profile filter is set.

        Their profile is never read out of the database (``_profile_if_agreed``), but a row in
        a view filtered to "rural" says "rural" all the same; beside the unfiltered list, where
        the same row shows its score, the two would tie the profile to the score. They are
        still counted in every figure of the view.
        """
        return not any(getattr(self, name) for name in PROFILE_FILTERS)


#: The filters that describe an organization's profile (not its kind, nor the period): a row
#: listed under one of them says that much about its organization.
PROFILE_FILTERS = ("enrollment_band", "locale", "sro_model")


#: The filters a view can set, and the column each one selects on.
FILTER_COLUMNS: dict[str, Any] = {
    "kind": Organization.kind,
    "enrollment_band": Organization.enrollment_band,
    "locale": Organization.locale,
    "sro_model": Organization.sro_model,
    "period": Assessment.period,
}


@dataclass(frozen=True)
class Scope:
    """Whose shared assessments a roll-up reads: one advocate, its state, one rubric, filters."""

    advocate_org_id: int
    state: str
    rubric_key: str
    filters: Filters = Filters()

    def query_params(self) -> dict[str, Any]:
        """Return the dashboard's query string for this view (its rubric, filters, period)."""
        # The period always, even when empty: the dashboard then shows every period, where
        # leaving it out would choose a period by default.
        filters = self.filters
        return {"rubric": self.rubric_key, **filters.as_params(), "period": filters.period}


@dataclass(frozen=True)
class ScopedRubric:
    """A rubric version that assessments in scope are pinned to."""

    version_id: int
    rubric: Rubric


def live_share(advocate_org_id: int, assessment_id: Any) -> Any:
    """The condition that a share of ``assessment_id`` to the advocate is live (not revoked)."""
    return and_(
        Share.assessment_id == assessment_id,
        Share.to_org_id == advocate_org_id,
        Share.revoked_at.is_(None),
    )


def _shared_base(advocate_org_id: int, state: str) -> AnySelect:
    """Submitted assessments with a live share to the advocate, from its state (no filters)."""
    return (
        select(Assessment.id)
        .join(Share, live_share(advocate_org_id, Assessment.id))
        .join(Organization, Organization.id == Assessment.org_id)
        .where(Assessment.status == "submitted", Organization.state == state)
    )


def shared_select(advocate_org_id: int, state: str) -> AnySelect:
    """Return what ``scope_select`` returns, for every rubric shared with the advocate."""
    return _shared_base(advocate_org_id, state).add_columns(
        Assessment.org_id,
        Assessment.rubric_version_id,
        Assessment.period,
        Organization.kind,
        Share.named_in_lists,
    )


def scope_select(scope: Scope) -> AnySelect:
    """Return the assessments in scope: id, organization, pinned version, period, kind, named."""
    stmt = shared_select(scope.advocate_org_id, scope.state)
    stmt = stmt.where(Assessment.rubric_key == scope.rubric_key)
    f = scope.filters
    if f.kind:
        stmt = stmt.where(Organization.kind == f.kind)
    if f.enrollment_band:
        stmt = stmt.where(Organization.enrollment_band == f.enrollment_band)
    if f.locale:
        stmt = stmt.where(Organization.locale == f.locale)
    if f.sro_model:
        stmt = stmt.where(Organization.sro_model == f.sro_model)
    if f.period:
        stmt = stmt.where(Assessment.period == f.period)
    return stmt


def ids_table(session: Session, scope: Scope, ids: Sequence[int]) -> Any:
    """Return the assessments of ``scope``, whose ``ids`` the caller read already, as a
    subquery with one column ``id``.

    On PostgreSQL the ids go in as one array parameter, unnested: the planner probes the
    assessment-id indexes once per id, where resolving the scope again hashes every submitted
    assessment of the rubric in the country (a fifth of the time of reading Texas's cached
    scores). Elsewhere (SQLite, small data) the scope's own query, so no statement carries
    thousands of parameters.
    """
    if session.get_bind().dialect.name == "postgresql":
        array = bindparam("scope_ids", list(ids), type_=ARRAY(Integer), unique=True)
        return select(func.unnest(array).label("id")).subquery()
    return select(scope_select(scope).subquery().c.id).subquery()


# --- What the filters can choose from -------------------------------------------------------


def rubric_counts(session: Session, advocate_org_id: int, state: str) -> list[tuple[str, int]]:
    """Return (rubric key, number of shared submitted assessments) for every rubric shared."""
    stmt = (
        _shared_base(advocate_org_id, state)
        .with_only_columns(Assessment.rubric_key, func.count(Assessment.id))
        .group_by(Assessment.rubric_key)
        .order_by(Assessment.rubric_key)
    )
    return [(key, count) for key, count in session.execute(stmt)]


def rubric_titles(session: Session, keys: Sequence[str]) -> dict[str, str]:
    """Return the title of the newest stored version of each rubric key."""
    rows = session.execute(
        select(RubricVersion.rubric_key, RubricVersion.title)
        .where(RubricVersion.rubric_key.in_(list(keys)))
        .order_by(RubricVersion.id)
    )
    return {str(key): str(title) for key, title in rows}


@dataclass(frozen=True)
class FilterOptions:
    """What the period and kind filters can choose from, for one rubric's shared assessments."""

    #: (period, organizations), newest first.
    periods: list[tuple[str, int]]
    #: Kinds of organizations that shared assessments, sorted.
    kinds: list[str]


def filter_options(session: Session, scope: Scope) -> FilterOptions:
    """Return the periods (with organizations per period) and kinds to choose from.

    The dashboard's filters are ignored: these are the choices. One grouped query: an
    organization has one kind, so the organizations of a period add up over its kinds.
    """
    stmt = (
        _shared_base(scope.advocate_org_id, scope.state)
        .with_only_columns(
            Assessment.period, Organization.kind, func.count(distinct(Assessment.org_id))
        )
        .where(Assessment.rubric_key == scope.rubric_key)
        .group_by(Assessment.period, Organization.kind)
    )
    per_period: dict[str, int] = {}
    kinds: set[str] = set()
    for period, kind, count in session.execute(stmt):
        per_period[str(period)] = per_period.get(str(period), 0) + int(count)
        kinds.add(str(kind))
    return FilterOptions(sorted(per_period.items(), reverse=True), sorted(kinds))


def versions_in_scope(session: Session, scope: Scope) -> list[ScopedRubric]:
    """Return the rubric versions the assessments in scope are pinned to, oldest first."""
    ids = select(scope_select(scope).subquery().c.rubric_version_id).distinct()
    rows = session.scalars(
        select(RubricVersion).where(RubricVersion.id.in_(ids)).order_by(RubricVersion.id)
    )
    return [ScopedRubric(row.id, rubric_of(row)) for row in rows]


def versions_by_id(session: Session, ids: Iterable[int]) -> list[ScopedRubric]:
    """Return the rubric versions with these ids, oldest first (``versions_in_scope`` when the
    ids of the scope are known already)."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    rows = session.scalars(
        select(RubricVersion).where(RubricVersion.id.in_(wanted)).order_by(RubricVersion.id)
    )
    return [ScopedRubric(row.id, rubric_of(row)) for row in rows]


# --- Participation and scores ---------------------------------------------------------------


@dataclass(frozen=True)
class ParticipationCount:
    """How many organizations of one kind, and how many assessments, in one period."""

    kind: str
    period: str
    organizations: int
    assessments: int


def participation(session: Session, scope: Scope) -> list[ParticipationCount]:
    """Return organizations and assessments in scope by kind and period."""
    s = scope_select(scope).subquery()
    stmt = (
        select(s.c.kind, s.c.period, func.count(distinct(s.c.org_id)), func.count(s.c.id))
        .group_by(s.c.kind, s.c.period)
        .order_by(s.c.period.desc(), s.c.kind)
    )
    return [ParticipationCount(*row) for row in session.execute(stmt)]


def totals(session: Session, scope: Scope) -> tuple[int, int]:
    """Return (organizations, assessments) in scope."""
    s = scope_select(scope).subquery()
    row = session.execute(select(func.count(distinct(s.c.org_id)), func.count(s.c.id))).one()
    return int(row[0]), int(row[1])


def _within_scope(
    stmt: Select[*_Columns], assessment_id: Any, scope_ids: Any, *, walk_index: bool
) -> Select[*_Columns]:
    """Keep only rows whose ``assessment_id`` is in scope (``scope_ids``: a scope subquery).

    A small scope joins and starts from its assessments. With ``walk_index`` (a scope holding
    most of the rubric's assessments), "+ 0" keeps the planner off the assessment index, so it
    reads the query's covering index in group order and tests each row against the scope's id
    list: no sort for the grouping.
    """
    if walk_index:
        return stmt.where((assessment_id + 0).in_(select(scope_ids.c.id)))
    return stmt.join(scope_ids, scope_ids.c.id == assessment_id)


@dataclass
class ScoreCounts:
    """The cached scores of one (section, dimension) in scope: how many had each percent."""

    counts: list[tuple[float, int]]
    organizations: int = 0


def score_counts(
    session: Session,
    scope: Scope,
    keys: Sequence[tuple[str, str]],
    *,
    organizations: int,
    assessments: int,
) -> dict[tuple[str, str], ScoreCounts]:
    """Return cached scores in scope for each (section, dimension) key as (percent, count) pairs.

    ``organizations`` and ``assessments`` are the scope's ``totals``. Only non-null scores: a
    score below its rubric's coverage threshold is cached with a null percent, so this filter is
    the coverage rule (``left_out_counts`` says how many it left out). The
    database groups by percent: a few hundred distinct scores stand for thousands of
    assessments, and quartiles and histograms are exact over the counts. Each entry's
    ``organizations`` is how many distinct organizations stand behind that distribution.
    """
    if not keys or not assessments:
        return {}
    s = scope_select(scope).subquery()
    key = (SectionScoreRow.section_id, SectionScoreRow.dimension)
    wanted = and_(tuple_(*key).in_(list(keys)), SectionScoreRow.percent.is_not(None))
    stmt = select(*key, SectionScoreRow.percent, func.count()).where(wanted)
    stmt = _within_scope(
        stmt,
        SectionScoreRow.assessment_id,
        s,
        walk_index=_reads_most_of_rubric(session, scope, assessments),
    )
    grouped: dict[tuple[str, str], ScoreCounts] = {}
    for section_id, dimension, percent, count in session.execute(
        stmt.group_by(*key, SectionScoreRow.percent)
    ):
        entry = grouped.get((section_id, dimension))
        if entry is None:
            entry = grouped[(section_id, dimension)] = ScoreCounts([])
        # ``wanted`` keeps only non-null percents; the column itself is nullable.
        entry.counts.append((cast(float, percent), count))
    if organizations == assessments:
        # One assessment per organization: the organizations behind a figure are its scores.
        for entry in grouped.values():
            entry.organizations = sum(count for _, count in entry.counts)
    else:
        orgs = (
            select(*key, func.count(distinct(s.c.org_id)))
            .join(s, s.c.id == SectionScoreRow.assessment_id)
            .where(wanted)
            .group_by(*key)
        )
        for section_id, dimension, count in session.execute(orgs):
            grouped[(section_id, dimension)].organizations = int(count)
    return grouped


def left_out_counts(
    session: Session, scope: Scope, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Return, per (section, dimension) key, how many assessments in scope the roll-up left out.

    Left out: the score rests on too few answers (``scoring.Coverage``), so it was cached with a
    null percent beside applicable items. A step with nothing applicable (all N/A or hidden) has
    no score to leave out; rows cached before coverage counts existed have null counts and are
    not counted either. Keys with none left out are absent.
    """
    if not keys:
        return {}
    s = scope_select(scope).subquery()
    key = (SectionScoreRow.section_id, SectionScoreRow.dimension)
    stmt = (
        select(*key, func.count())
        .join(s, s.c.id == SectionScoreRow.assessment_id)
        .where(
            tuple_(*key).in_(list(keys)),
            SectionScoreRow.percent.is_(None),
            SectionScoreRow.applicable > 0,
        )
        .group_by(*key)
    )
    return {(section, dimension): int(count) for section, dimension, count in session.execute(stmt)}


# --- Item figures ---------------------------------------------------------------------------


def scored_items(rubric: Rubric) -> list[Item]:
    """Return the rubric's scored scale items in document order."""
    return [item for item in rubric.items if is_scored_item(rubric, item)]


@dataclass
class ItemTally:
    """How one item was rated across the scope: per dimension, and policy against practice.

    ``organizations`` (per dimension) and ``organizations_both`` (behind the policy-against-
    practice pairs) are filled in by ``item_tallies``.
    """

    item_id: str
    rated: dict[str, int]
    full: dict[str, int]
    organizations: dict[str, int]
    both_rated: int = 0
    organizations_both: int = 0
    paper_stronger: int = 0
    practice_stronger: int = 0


def near_scope_select(scope: Scope, by: Sequence[str]) -> AnySelect:
    """Return the assessments in scope and in the views one level up from it for ``by``.

    One level up for a filter is the view with that filter cleared; an assessment is kept when
    at most one of the filters ``by`` does not match it, so this is the union of those views.
    Each filter's value comes along as a column ``by_<name>``. Without ``by``: the scope.
    """
    if not by:
        return scope_select(scope)
    cleared = replace(scope, filters=replace(scope.filters, **dict.fromkeys(by, "")))
    stmt = scope_select(cleared).add_columns(
        *(FILTER_COLUMNS[name].label(f"by_{name}") for name in by)
    )
    if len(by) > 1:
        differs = [
            case(
                (
                    or_(
                        FILTER_COLUMNS[name].is_(None),
                        FILTER_COLUMNS[name] != getattr(scope.filters, name),
                    ),
                    1,
                ),
                else_=0,
            )
            for name in by
        ]
        stmt = stmt.where(sum(differs[1:], differs[0]) <= 1)
    return stmt


def item_results_query(
    scope: Scope, item_ids: Sequence[str] | None = None, by: Sequence[str] = ()
) -> AnySelect:
    """Return the dashboard's main grouped query: how items were rated, across the scope.

    Counts the cached ``ItemResult`` rows of the assessments in scope by item id, dimension,
    'fully in place' and paper-vs-practice label (set only on the per-item pair rows,
    ``PAIR_DIMENSION``); ``item_figures`` folds the few hundred rows into tallies.

    With ``by`` (the filters the view sets), the same query also reads the views one level up
    for each of them (``near_scope_select``) and groups by those filters' values too: the
    small-number rule's item breakdowns come out of the same rows, not a second pass over them.

    Without ``item_ids`` the query starts from the assessments in scope (best for a small
    scope). With them (the scored items of the versions in scope) and no ``by`` it walks the
    covering index in order, item by item, and keeps the rows in scope: no sort for the
    grouping, which is what a scope holding most of the rubric's assessments needs.
    """
    s = near_scope_select(scope, by).subquery()
    values = [s.c[f"by_{name}"] for name in by]
    stmt = select(
        ItemResult.item_id,
        ItemResult.dimension,
        ItemResult.full,
        ItemResult.paper_practice,
        *values,
        func.count(),
    )
    if item_ids is not None:
        stmt = stmt.where(ItemResult.item_id.in_(list(item_ids)))
    if by:
        stmt = stmt.join(s, s.c.id == ItemResult.assessment_id)
    else:
        stmt = _within_scope(stmt, ItemResult.assessment_id, s, walk_index=item_ids is not None)
    return stmt.group_by(
        ItemResult.item_id,
        ItemResult.dimension,
        ItemResult.full,
        ItemResult.paper_practice,
        *values,
    )


def scored_item_ids(versions: Sequence[ScopedRubric]) -> list[str]:
    """Return the ids of the scored items of every version in scope, sorted."""
    return sorted({item.id for v in versions for item in scored_items(v.rubric)})


def _reads_most_of_rubric(session: Session, scope: Scope, assessments: int) -> bool:
    """Return whether the scope holds at least half of the rubric's submitted assessments."""
    # Counting stops one row past twice the scope: whether there are more is all it asks. A
    # full count read every submitted assessment of the rubric in the country (about 70,000
    # at national scale) on the dashboard's way to its main query.
    enough = 2 * assessments
    some = (
        select(Assessment.id)
        .where(Assessment.rubric_key == scope.rubric_key, Assessment.status == "submitted")
        .limit(enough + 1)
        .subquery()
    )
    submitted = session.scalar(select(func.count()).select_from(some))
    return (submitted or 0) <= enough


def figures_query(
    session: Session,
    scope: Scope,
    versions: Sequence[ScopedRubric],
    assessments: int,
    by: Sequence[str] = (),
) -> AnySelect:
    """Return the grouped query ``item_figures`` runs for the scope (``item_results_query``,
    walking the covering index when the scope holds most of the rubric's assessments)."""
    walk = not by and _reads_most_of_rubric(session, scope, assessments)
    return item_results_query(scope, scored_item_ids(versions) if walk else None, by)


def item_organizations_query(scope: Scope) -> AnySelect:
    """Return (item id, dimension, distinct organizations) behind the cached item results.

    The plain ``count(DISTINCT)`` form of what ``item_figures`` counts without sorting every
    row; kept as the reference the tests hold ``item_figures`` to.
    """
    s = scope_select(scope).subquery()
    return (
        select(ItemResult.item_id, ItemResult.dimension, func.count(distinct(s.c.org_id)))
        .join(s, s.c.id == ItemResult.assessment_id)
        .group_by(ItemResult.item_id, ItemResult.dimension)
    )


@dataclass
class ItemFigures:
    """The item tallies of a scope, and the small-number rule's item breakdowns beside them."""

    tallies: dict[str, ItemTally]
    #: Filter name -> (item id, dimension) -> that filter's value -> organizations that rated
    #: the item on that dimension, one level up from the scope (that filter cleared).
    breakdowns: dict[str, dict[tuple[str, str], dict[Any, int]]]


def several_per_organization(rows: Iterable[tuple[int, int, str]], scope: Scope) -> list[int]:
    """Return the ids of (id, organization, period) rows whose organization has another row
    that a grouped figure of ``scope`` counts with it: in the same period when the scope is
    one period (each period is then a figure of its own), else any other."""
    by_cell: dict[tuple[int, str], list[int]] = {}
    for assessment_id, org_id, period in rows:
        cell = (org_id, period if scope.filters.period else "")
        by_cell.setdefault(cell, []).append(assessment_id)
    return sorted(i for ids in by_cell.values() if len(ids) > 1 for i in ids)


def item_figures(
    session: Session,
    scope: Scope,
    versions: Sequence[ScopedRubric],
    *,
    organizations: int,
    assessments: int,
    by: Sequence[str] = (),
    several: Sequence[int] | None = None,
) -> ItemFigures:
    """Return how each scored item was rated across the scope, and its breakdowns by ``by``.

    ``organizations`` and ``assessments`` are the scope's ``totals``; ``by`` the filters whose
    one-level-up breakdowns are wanted (``item_results_query``). Reads the ``ItemResult`` rows
    the scoring core wrote at submission, so visibility, N/A and paper-vs-practice follow
    ``score_assessment`` by construction.

    Organizations are counted as rows (a ``count(DISTINCT)`` would sort every row): one row per
    assessment, so only the assessments of organizations with several in one figure
    (``several``: ``several_per_organization`` over the rows the query reads; looked up here
    when not given) are counted again per organization, and put right.
    """
    if not versions or not assessments:
        return ItemFigures({}, {})
    wanted = [getattr(scope.filters, name) for name in by]
    tallies: dict[str, ItemTally] = {}
    behind: dict[tuple[str, str], int] = {}
    breakdowns: dict[str, dict[tuple[str, str], dict[Any, int]]] = {name: {} for name in by}

    def count(key: tuple[str, str], values: Sequence[Any], n: int) -> None:
        """Add ``n`` organizations behind ``key`` to each figure rows with ``values`` are in."""
        differ = [
            i for i, pair in enumerate(zip(values, wanted, strict=True)) if pair[0] != pair[1]
        ]
        if not differ:
            behind[key] = behind.get(key, 0) + n
        for index, name in enumerate(by):
            if all(i == index for i in differ):
                cell = breakdowns[name].setdefault(key, {})
                cell[values[index]] = cell.get(values[index], 0) + n

    width = len(by)
    for row in session.execute(figures_query(session, scope, versions, assessments, by)):
        item_id, dimension, full, label = row[0], row[1], row[2], row[3]
        values, n = tuple(row[4 : 4 + width]), int(row[4 + width])
        count((item_id, dimension), values, n)
        if any(value != want for value, want in zip(values, wanted, strict=True)):
            continue
        tally = tallies.setdefault(item_id, ItemTally(item_id, {}, {}, {}))
        if dimension == PAIR_DIMENSION:
            tally.both_rated += n
            tally.paper_stronger += n * (label == "paper-stronger")
            tally.practice_stronger += n * (label == "practice-stronger")
        else:
            tally.rated[dimension] = tally.rated.get(dimension, 0) + n
            tally.full[dimension] = tally.full.get(dimension, 0) + n * bool(full)
    if several is None:
        near = near_scope_select(scope, by).subquery()
        found = session.execute(select(near.c.id, near.c.org_id, near.c.period))
        several = several_per_organization(((int(i), int(o), str(p)) for i, o, p in found), scope)
    if several:
        s = near_scope_select(scope, by).subquery()
        values_of = [s.c[f"by_{name}"] for name in by]
        stmt = (
            select(ItemResult.item_id, ItemResult.dimension, *values_of, s.c.org_id, func.count())
            .join(s, s.c.id == ItemResult.assessment_id)
            .where(s.c.id.in_(list(several)))
            .group_by(ItemResult.item_id, ItemResult.dimension, *values_of, s.c.org_id)
        )
        for row in session.execute(stmt):
            # Each of one organization's rows was counted above; the organization counts once.
            count((row[0], row[1]), tuple(row[2 : 2 + width]), 1 - int(row[3 + width]))
    for (item_id, dimension), n in behind.items():
        rated = tallies.get(item_id)
        if rated is None:
            continue
        if dimension == PAIR_DIMENSION:
            rated.organizations_both = n
        else:
            rated.organizations[dimension] = n
    return ItemFigures(tallies, breakdowns)


def item_tallies(
    session: Session,
    scope: Scope,
    versions: Sequence[ScopedRubric],
    *,
    organizations: int,
    assessments: int,
) -> dict[str, ItemTally]:
    """Return how each scored item was rated across the scope (``item_figures``, no breakdowns)."""
    return item_figures(
        session, scope, versions, organizations=organizations, assessments=assessments
    ).tallies


# --- Lists ----------------------------------------------------------------------------------


def _name_if_agreed(scope_rows: Any) -> Any:
    """The organization's name where it agreed to be named when it shared, else NULL.

    Decided in SQL, so the name of an organization that did not agree never leaves the database.
    """
    return case((scope_rows.c.named_in_lists.is_(True), Organization.name), else_=None)


def _profile_if_agreed(scope_rows: Any) -> tuple[Any, ...]:
    """The organization's enrollment band, locale and SRO staffing where it agreed to be named,
    else NULL: a rare profile ("the one city district of over 25,000 students with mixed
    staffing") names an organization as surely as its name does."""
    named = scope_rows.c.named_in_lists.is_(True)
    return tuple(
        case((named, column), else_=None).label(column.key)
        for column in (Organization.enrollment_band, Organization.locale, Organization.sro_model)
    )


def _listing_order(scope_rows: Any) -> tuple[Any, ...]:
    """Named organizations by name first, then the unnamed ones (whose names must not sort)."""
    return _named_first(scope_rows.c.named_in_lists, _name_if_agreed(scope_rows))


def _named_first(named: Any, name_if_agreed: Any) -> tuple[Any, ...]:
    """``_listing_order`` over given columns: whether named, and the name where agreed."""
    return (named.desc(), name_if_agreed)


@dataclass(frozen=True)
class Participant:
    """One shared assessment in scope, for the list of participating organizations."""

    assessment_id: int
    org_id: int
    #: The organization's name, or None when it did not agree to be named when it shared (its
    #: profile below is None then too).
    org_name: str | None
    kind: str
    enrollment_band: str | None
    locale: str | None
    sro_model: str | None
    period: str
    submitted_at: Any
    overall: float | None
    #: What the overall score rests on: items answered of those that apply (None for scores
    #: cached before the counts were kept).
    answered: int | None = None
    applicable: int | None = None
    #: Whether a site administrator verified the organization (anyone can make one and share
    #: with the advocate; a made-up copy of a real district's name is not verified). Always
    #: False for an unnamed one: nothing about it is told.
    verified: bool = False

    @property
    def score_text(self) -> str:
        """The overall score for people: "39%", "not enough answers", or a dash for none."""
        if self.overall is not None:
            return f"{self.overall:.0f}%"
        if self.applicable:
            return NOT_ENOUGH_ANSWERS
        return "—"

    @property
    def basis(self) -> str:
        """What the overall score rests on, as every other score in the product says it ("from
        12 of 20 items answered"); empty for scores cached before the counts were kept."""
        if self.applicable is None or self.answered is None:
            return ""
        return basis_text(Coverage(self.answered, self.applicable, 0.0))


def _shared_rows(session: Session, scope: Scope, ids: Sequence[int] | None) -> Any:
    """The assessments in scope with their share's ``named_in_lists``, as a subquery.

    With ``ids`` (the scope's assessments, read already) the share of each is looked up by id
    (``ids_table``) instead of resolving the scope again; a share revoked since is left out all
    the same.
    """
    if ids is None:
        return scope_select(scope).subquery()
    given = ids_table(session, scope, ids)
    return (
        select(Share.assessment_id.label("id"), Share.named_in_lists)
        .join(given, live_share(scope.advocate_org_id, given.c.id))
        .subquery()
    )


def participants(
    session: Session,
    scope: Scope,
    *,
    page: int,
    page_size: int,
    total: int | None = None,
    ids: Sequence[int] | None = None,
) -> tuple[list[Participant], int]:
    """Return one page of the assessments in scope (by organization name, newest period first).

    ``total`` is how many assessments the list holds, when the caller already counted them, and
    ``ids`` which they are (``resolved.rows_in``), when the caller read them already. Under a
    profile filter the list holds only organizations that agreed to be named
    (``Filters.lists_unnamed``).
    """
    s = _shared_rows(session, scope, ids)
    if not scope.filters.lists_unnamed():
        s = select(s).where(s.c.named_in_lists.is_(True)).subquery()
    if total is None:
        total = session.scalar(select(func.count()).select_from(s)) or 0
    # The page is chosen first; only its rows look their overall score up.
    chosen = (
        select(
            Assessment.id,
            Organization.id.label("org_id"),
            _name_if_agreed(s).label("org_name"),
            Organization.kind,
            *_profile_if_agreed(s),
            Assessment.period,
            Assessment.submitted_at,
            s.c.named_in_lists,
            and_(s.c.named_in_lists.is_(True), Organization.verified_at.is_not(None)).label(
                "verified"
            ),
        )
        .join(s, s.c.id == Assessment.id)
        .join(Organization, Organization.id == Assessment.org_id)
        .order_by(*_listing_order(s), Assessment.period.desc(), Assessment.id)
        .limit(page_size)
        .offset(max(0, page - 1) * page_size)
        .subquery()
    )
    overall = aliased(SectionScoreRow)
    stmt = (
        select(
            chosen.c.id,
            chosen.c.org_id,
            chosen.c.org_name,
            chosen.c.kind,
            chosen.c.enrollment_band,
            chosen.c.locale,
            chosen.c.sro_model,
            chosen.c.period,
            chosen.c.submitted_at,
            overall.percent,
            overall.answered,
            overall.applicable,
            chosen.c.verified,
        )
        .outerjoin(
            overall,
            and_(
                overall.assessment_id == chosen.c.id,
                overall.section_id == "_overall",
                overall.dimension == "_all",
            ),
        )
        # The page's own order again (the join may return its rows in any order).
        .order_by(
            *_named_first(chosen.c.named_in_lists, chosen.c.org_name),
            chosen.c.period.desc(),
            chosen.c.id,
        )
    )
    return [Participant(*row) for row in session.execute(stmt)], int(total)


@dataclass(frozen=True)
class AnswerRow:
    """One answer of one assessment in scope, for the exports."""

    assessment_id: int
    #: None when the organization did not agree to be named when it shared.
    org_name: str | None
    kind: str
    enrollment_band: str | None
    locale: str | None
    sro_model: str | None
    period: str
    rubric_version_id: int
    item_id: str
    dimension: str
    value: str


def answer_rows(session: Session, scope: Scope, *, batch: int = 2000) -> Iterator[AnswerRow]:
    """Yield every stored answer of the assessments in scope, by organization and item.

    Streams in batches, so an export of thousands of assessments never sits in memory at once.
    Under a profile filter, only organizations that agreed to be named (``Filters.lists_unnamed``).
    """
    s = scope_select(scope).subquery()
    if not scope.filters.lists_unnamed():
        s = select(s).where(s.c.named_in_lists.is_(True)).subquery()
    stmt = (
        select(
            Assessment.id,
            _name_if_agreed(s),
            Organization.kind,
            *_profile_if_agreed(s),
            Assessment.period,
            Assessment.rubric_version_id,
            Answer.item_id,
            Answer.dimension,
            Answer.value,
        )
        .join(s, s.c.id == Assessment.id)
        .join(Organization, Organization.id == Assessment.org_id)
        .join(Answer, Answer.assessment_id == Assessment.id)
        .order_by(*_listing_order(s), Assessment.period, Assessment.id, Answer.item_id)
        .execution_options(yield_per=batch)
    )
    for row in session.execute(stmt):
        yield AnswerRow(*row)


def not_applicable_items(session: Session, scope: Scope) -> set[tuple[int, str]]:
    """Return (assessment id, item id) of items marked N/A in scope (few; for the exports)."""
    s = scope_select(scope).subquery()
    stmt = (
        select(ItemNote.assessment_id, ItemNote.item_id)
        .join(s, s.c.id == ItemNote.assessment_id)
        .where(ItemNote.not_applicable.is_(True))
    )
    return {(a, i) for a, i in session.execute(stmt)}


def rubric_versions(session: Session, ids: Iterable[int]) -> dict[int, Rubric]:
    """Return rebuilt rubrics by version id."""
    rows = session.scalars(select(RubricVersion).where(RubricVersion.id.in_(list(ids))))
    return {row.id: rubric_of(row) for row in rows}
