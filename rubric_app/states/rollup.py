"""The SQL behind the state roll-ups: grouped queries over the assessments shared with an advocate.

Every query starts from one *scope*: submitted assessments of one rubric, with a live share (not
revoked) to the advocate organization, from organizations in the advocate's state, narrowed by
the dashboard's filters. Nothing here loads ORM objects in loops: the database counts, groups
and sums; Python only maps the handful of grouped rows onto the rubric.

Item figures read ``Answer`` rows and follow the scoring core's rules (``rubric_app.scoring``):
only visible, applicable, scored ratings with a valid option key count. Visibility (``show_if``)
is compiled into SQL from the pinned rubric versions, so a leftover answer on a closed branch
never counts, exactly as ``score_assessment`` would ignore it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    distinct,
    exists,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from rubric_app.models import (
    Answer,
    Assessment,
    ItemNote,
    Organization,
    RubricVersion,
    SectionScore,
    Share,
)
from rubric_app.rubric_versions import rubric_of
from rubric_app.rubrics.model import VALUE_DIMENSION, Condition, Item, Rubric, Scale
from rubric_app.scoring import PAPER_PRACTICE_THRESHOLD, is_scored_item, pooled_percent

#: Same tolerance as the scoring core uses for 'fully in place' (points >= threshold * max).
_EPSILON = 1e-9


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


@dataclass(frozen=True)
class Scope:
    """Whose shared assessments a roll-up reads: one advocate, its state, one rubric, filters."""

    advocate_org_id: int
    state: str
    rubric_key: str
    filters: Filters = Filters()


@dataclass(frozen=True)
class ScopedRubric:
    """A rubric version that assessments in scope are pinned to."""

    version_id: int
    rubric: Rubric


def _shared_base(advocate_org_id: int, state: str) -> Select[Any]:
    """Submitted assessments with a live share to the advocate, from its state (no filters)."""
    return (
        select(Assessment.id)
        .join(
            Share,
            and_(
                Share.assessment_id == Assessment.id,
                Share.to_org_id == advocate_org_id,
                Share.revoked_at.is_(None),
            ),
        )
        .join(Organization, Organization.id == Assessment.org_id)
        .where(Assessment.status == "submitted", Organization.state == state)
    )


def scope_select(scope: Scope) -> Select[Any]:
    """Return the assessments in scope: id, organization, pinned version, period and kind."""
    stmt = _shared_base(scope.advocate_org_id, scope.state).add_columns(
        Assessment.org_id,
        Assessment.rubric_version_id,
        Assessment.period,
        Organization.kind,
    )
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


def period_options(session: Session, scope: Scope) -> list[tuple[str, int]]:
    """Return (period, organizations) for the rubric's shared assessments, newest first.

    The dashboard's filters other than the period are ignored: these are the choices.
    """
    stmt = (
        _shared_base(scope.advocate_org_id, scope.state)
        .with_only_columns(Assessment.period, func.count(distinct(Assessment.org_id)))
        .where(Assessment.rubric_key == scope.rubric_key)
        .group_by(Assessment.period)
        .order_by(Assessment.period.desc())
    )
    return [(str(period), int(count)) for period, count in session.execute(stmt)]


def kind_options(session: Session, scope: Scope) -> list[str]:
    """Return the kinds of organizations that shared assessments of the rubric."""
    stmt = (
        _shared_base(scope.advocate_org_id, scope.state)
        .with_only_columns(Organization.kind)
        .where(Assessment.rubric_key == scope.rubric_key)
        .group_by(Organization.kind)
        .order_by(Organization.kind)
    )
    return list(session.scalars(stmt))


def versions_in_scope(session: Session, scope: Scope) -> list[ScopedRubric]:
    """Return the rubric versions the assessments in scope are pinned to, oldest first."""
    ids = select(scope_select(scope).subquery().c.rubric_version_id).distinct()
    rows = session.scalars(
        select(RubricVersion).where(RubricVersion.id.in_(ids)).order_by(RubricVersion.id)
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


def score_values(
    session: Session, scope: Scope
) -> dict[tuple[str, str], tuple[list[int], list[float]]]:
    """Return cached scores in scope by (section, dimension): organization ids and percents.

    Sections are read for the pooled dimension ("_all"); the overall score for every dimension.
    Only non-null scores. These are plain columns (ids and floats), never ORM objects.
    """
    s = scope_select(scope).subquery()
    stmt = (
        select(SectionScore.section_id, SectionScore.dimension, s.c.org_id, SectionScore.percent)
        .join(s, s.c.id == SectionScore.assessment_id)
        .where(
            SectionScore.percent.is_not(None),
            or_(SectionScore.section_id == "_overall", SectionScore.dimension == "_all"),
        )
    )
    grouped: dict[tuple[str, str], tuple[list[int], list[float]]] = {}
    for section_id, dimension, org_id, percent in session.execute(stmt):
        orgs, percents = grouped.setdefault((section_id, dimension), ([], []))
        orgs.append(org_id)
        percents.append(percent)
    return grouped


# --- Item figures ---------------------------------------------------------------------------


def _full_keys(rubric: Rubric, scale: Scale) -> frozenset[str]:
    """Return the option keys that count as fully in place (as the scoring core decides)."""
    limit = rubric.scoring.full_threshold * scale.max_points
    return frozenset(o.key for o in scale.options if o.points + _EPSILON >= limit)


def scored_items(rubric: Rubric) -> list[Item]:
    """Return the rubric's scored scale items in document order."""
    return [item for item in rubric.items if is_scored_item(rubric, item)]


def _matches_value(column: Any, values: Sequence[str]) -> ColumnElement[bool]:
    """Return SQL for 'the stored value is one of values' (multi-select: ticks one of them)."""
    # Multi-select answers are stored as a JSON list of keys (json.dumps, so each key is
    # quoted); a key matches when it appears quoted inside the list.
    in_list = [and_(column.like("[%"), column.like(f'%"{value}"%')) for value in values]
    return or_(column.in_(list(values)), *in_list)


class _Visibility:
    """Compiles ``show_if`` conditions of one rubric into SQL over an assessment id column."""

    def __init__(self, rubric: Rubric, assessment_id: Any) -> None:
        self.rubric = rubric
        self.assessment_id = assessment_id
        self.in_progress: set[str] = set()

    def item(self, item: Item) -> ColumnElement[bool]:
        """Return SQL true when ``item`` is visible in the assessment."""
        if item.show_if is None:
            return true()
        if item.id in self.in_progress:
            return false()  # a cycle hides, as in the scoring core
        self.in_progress.add(item.id)
        parts = [
            self.item(self.rubric.item(ref))
            for ref in item.show_if.referenced_items()
            if self.rubric.has_item(ref)
        ]
        parts.append(self.condition(item.show_if))
        self.in_progress.discard(item.id)
        return and_(*parts)

    def condition(self, condition: Condition) -> ColumnElement[bool]:
        """Return SQL for whether ``condition`` holds (visibility of what it reads aside)."""
        if condition.op == "all":
            return and_(true(), *[self.condition(c) for c in condition.conditions])
        if condition.op == "any":
            return or_(false(), *[self.condition(c) for c in condition.conditions])
        if condition.item is None:
            return false()
        dimension = condition.dimension
        if dimension is None:
            dimension = (
                self.rubric.item(condition.item).answer_dimensions[0]
                if self.rubric.has_item(condition.item)
                else VALUE_DIMENSION
            )
        ref = aliased(Answer)
        note = aliased(ItemNote)
        matches = and_(
            exists().where(
                ref.assessment_id == self.assessment_id,
                ref.item_id == condition.item,
                ref.dimension == dimension,
                _matches_value(ref.value, condition.values),
            ),
            # An N/A answer reads as no answer.
            ~exists().where(
                note.assessment_id == self.assessment_id,
                note.item_id == condition.item,
                note.not_applicable.is_(True),
            ),
        )
        return ~matches if condition.op == "not_equals" else matches


@dataclass(frozen=True)
class _Plan:
    """How the item query reads a set of pinned versions.

    ``dimensions`` become one column each; items without ``show_if`` are always visible, the
    others are grouped by condition, and each group's visibility becomes one flag per
    assessment, worked out once per assessment rather than once per answer.
    """

    dimensions: tuple[str, ...]
    always: tuple[tuple[int, tuple[str, ...]], ...]
    conditional: tuple[tuple[int, tuple[str, ...], ColumnElement[bool]], ...]


def _plan(versions: Sequence[ScopedRubric]) -> _Plan:
    dimensions: dict[str, None] = {}
    always = []
    conditional = []
    for scoped in versions:
        rubric = scoped.rubric
        visibility = _Visibility(rubric, Assessment.id)
        groups: dict[Condition | None, list[str]] = {}
        for item in scored_items(rubric):
            groups.setdefault(item.show_if, []).append(item.id)
            for dimension in item.dimensions:
                dimensions.setdefault(dimension, None)
        for condition, ids in groups.items():
            if condition is None:
                always.append((scoped.version_id, tuple(ids)))
            else:
                expr = visibility.item(rubric.item(ids[0]))
                conditional.append((scoped.version_id, tuple(ids), expr))
    return _Plan(tuple(dimensions), tuple(always), tuple(conditional))


def _flagged_scope(scope: Scope, plan: _Plan) -> Any:
    """Return the scope as a materialized CTE with one visibility flag per condition group."""
    flags = [
        case((and_(Assessment.rubric_version_id == vid, expr), 1), else_=0).label(f"visible_{i}")
        for i, (vid, _ids, expr) in enumerate(plan.conditional)
    ]
    # MATERIALIZED: evaluate the flags once per assessment, not once per joined answer row.
    return (
        scope_select(scope)
        .add_columns(*flags)
        .cte("scope")
        .prefix_with("MATERIALIZED", dialect="sqlite")
    )


def item_ratings_query(
    scope: Scope, versions: Sequence[ScopedRubric], *, not_applicable_only: bool = False
) -> Select[Any]:
    """Return the dashboard's main grouped query: how items were rated, across the scope.

    One row per (version, item, value on each dimension) with the number of assessments that
    gave exactly those values to a visible scored item; ``not_applicable_only`` counts only
    items marked N/A, which the caller takes away (they are rare, and found through an index,
    so the big pass over answers needs no per-row check).
    """
    plan = _plan(versions)
    s = _flagged_scope(scope, plan)
    if not_applicable_only:
        # Start from the few N/A notes in scope (found through their index), carrying the
        # scope's columns along, then fetch just their answers: the planner never has to guess
        # how many scope rows survive the visibility flags.
        source: Any = (
            select(*s.c, ItemNote.item_id.label("na_item_id"))
            .join(ItemNote, ItemNote.assessment_id == s.c.id)
            .where(ItemNote.not_applicable == true())
            .cte("not_applicable")
            .prefix_with("MATERIALIZED")
        )
        joined = and_(Answer.assessment_id == source.c.id, Answer.item_id == source.c.na_item_id)
    else:
        source = s
        joined = Answer.assessment_id == source.c.id
    visible = or_(
        false(),
        *[
            and_(source.c.rubric_version_id == vid, Answer.item_id.in_(ids))
            for vid, ids in plan.always
        ],
        *[
            and_(
                source.c.rubric_version_id == vid,
                Answer.item_id.in_(ids),
                source.c[f"visible_{i}"] == 1,
            )
            for i, (vid, ids, _expr) in enumerate(plan.conditional)
        ],
    )
    pivot = (
        select(
            source.c.rubric_version_id,
            Answer.item_id,
            *[
                func.max(case((Answer.dimension == dim, Answer.value))).label(f"dim_{j}")
                for j, dim in enumerate(plan.dimensions)
            ],
        )
        .select_from(source)
        .join(Answer, joined)
        .where(Answer.dimension.in_(plan.dimensions), visible)
        .group_by(source.c.id, source.c.rubric_version_id, Answer.item_id)
        .subquery("pivot")
    )
    columns = [pivot.c[f"dim_{j}"] for j in range(len(plan.dimensions))]
    return select(pivot.c.rubric_version_id, pivot.c.item_id, *columns, func.count()).group_by(
        pivot.c.rubric_version_id, pivot.c.item_id, *columns
    )


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


def _add_ratings(
    tallies: dict[str, ItemTally],
    rows: Iterable[Any],
    versions: Sequence[ScopedRubric],
    dimensions: Sequence[str],
    sign: int,
) -> None:
    """Add (sign=1) or take away (sign=-1) grouped rating rows, read with the scoring rules."""
    by_id = {v.version_id: v.rubric for v in versions}
    for row in rows:
        version_id, item_id, *values, count = row
        rubric = by_id[version_id]
        item = rubric.item(item_id)
        scale = rubric.scale_of(item)
        assert scale is not None
        full_keys = _full_keys(rubric, scale)
        tally = tallies.setdefault(item_id, ItemTally(item_id, {}, {}, {}))
        given = dict(zip(dimensions, values, strict=True))
        percents: dict[str, float | None] = {}
        for dimension in item.dimensions:
            option = scale.option(given[dimension]) if given.get(dimension) else None
            if option is None:
                continue  # unrated, or a key the pinned scale does not know: not a rating
            tally.rated[dimension] = tally.rated.get(dimension, 0) + sign * count
            tally.full[dimension] = tally.full.get(dimension, 0) + sign * count * (
                option.key in full_keys
            )
            percents[dimension] = pooled_percent(option.points, scale.max_points)
        if len(rubric.dimensions) >= 2:
            first, second = rubric.dimensions[0].id, rubric.dimensions[1].id
            a, b = percents.get(first), percents.get(second)
            if a is not None and b is not None:
                difference = a - b
                tally.both_rated += sign * count
                tally.paper_stronger += (
                    sign * count * (difference >= PAPER_PRACTICE_THRESHOLD - _EPSILON)
                )
                tally.practice_stronger += (
                    sign * count * (difference <= -PAPER_PRACTICE_THRESHOLD + _EPSILON)
                )


def _valid_rating(
    version_id: Any, item_id: Any, value: Any, versions: Sequence[ScopedRubric]
) -> ColumnElement[bool]:
    """Return SQL true when ``value`` is an option key of the item's scale in its version."""
    parts = []
    for scoped in versions:
        by_scale: dict[str, list[str]] = {}
        for item in scored_items(scoped.rubric):
            assert item.scale is not None
            by_scale.setdefault(item.scale, []).append(item.id)
        for scale_id, ids in by_scale.items():
            keys = [o.key for o in scoped.rubric.scales[scale_id].options]
            parts.append(and_(version_id == scoped.version_id, item_id.in_(ids), value.in_(keys)))
    return or_(false(), *parts)


def item_organizations_query(scope: Scope, versions: Sequence[ScopedRubric]) -> Select[Any]:
    """Return distinct organizations per item behind each dimension's ratings, and both.

    Columns: item id, one count per plan dimension, then the count of organizations that rated
    the first two dimensions. Only needed when an organization has several assessments in
    scope (several periods); otherwise organizations equal assessments.
    """
    plan = _plan(versions)
    s = _flagged_scope(scope, plan)
    visible = or_(
        false(),
        *[and_(s.c.rubric_version_id == vid, Answer.item_id.in_(ids)) for vid, ids in plan.always],
        *[
            and_(s.c.rubric_version_id == vid, Answer.item_id.in_(ids), s.c[f"visible_{i}"] == 1)
            for i, (vid, ids, _expr) in enumerate(plan.conditional)
        ],
    )
    note = aliased(ItemNote)
    pivot = (
        select(
            s.c.org_id,
            s.c.rubric_version_id,
            Answer.item_id,
            *[
                func.max(case((Answer.dimension == dim, Answer.value))).label(f"dim_{j}")
                for j, dim in enumerate(plan.dimensions)
            ],
        )
        .join(Answer, Answer.assessment_id == s.c.id)
        .where(
            Answer.dimension.in_(plan.dimensions),
            visible,
            ~exists().where(
                note.assessment_id == Answer.assessment_id,
                note.item_id == Answer.item_id,
                note.not_applicable.is_(True),
            ),
        )
        .group_by(s.c.id, s.c.org_id, s.c.rubric_version_id, Answer.item_id)
        .subquery("pivot")
    )
    valid = [
        _valid_rating(pivot.c.rubric_version_id, pivot.c.item_id, pivot.c[f"dim_{j}"], versions)
        for j in range(len(plan.dimensions))
    ]
    both = and_(*valid[:2]) if len(valid) >= 2 else false()
    return select(
        pivot.c.item_id,
        *[func.count(distinct(case((v, pivot.c.org_id)))) for v in valid],
        func.count(distinct(case((both, pivot.c.org_id)))),
    ).group_by(pivot.c.item_id)


def item_tallies(
    session: Session, scope: Scope, versions: Sequence[ScopedRubric]
) -> dict[str, ItemTally]:
    """Return how each scored item was rated across the scope, by item id."""
    if not versions:
        return {}
    dimensions = _plan(versions).dimensions
    tallies: dict[str, ItemTally] = {}
    _add_ratings(
        tallies, session.execute(item_ratings_query(scope, versions)), versions, dimensions, 1
    )
    na_rows = session.execute(item_ratings_query(scope, versions, not_applicable_only=True))
    _add_ratings(tallies, na_rows, versions, dimensions, -1)
    organizations, assessments = totals(session, scope)
    if organizations == assessments:
        # One assessment per organization: organizations behind a figure = its assessments.
        for tally in tallies.values():
            tally.organizations = dict(tally.rated)
            tally.organizations_both = tally.both_rated
    else:
        for item_id, dimension, count in session.execute(item_organizations_query(scope, versions)):
            if item_id in tallies:
                tallies[item_id].organizations[dimension] = int(count)
    for item_id in [i for i, t in tallies.items() if not any(t.rated.values())]:
        del tallies[item_id]  # every rating of it was N/A
    return tallies


# --- Lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Participant:
    """One shared assessment in scope, for the list of participating organizations."""

    assessment_id: int
    org_id: int
    org_name: str
    kind: str
    enrollment_band: str | None
    locale: str | None
    sro_model: str | None
    period: str
    submitted_at: Any
    overall: float | None


def participants(
    session: Session, scope: Scope, *, page: int, page_size: int
) -> tuple[list[Participant], int]:
    """Return one page of the assessments in scope (by organization name, newest period first)."""
    s = scope_select(scope).subquery()
    total = session.scalar(select(func.count()).select_from(s)) or 0
    overall = aliased(SectionScore)
    stmt = (
        select(
            Assessment.id,
            Organization.id,
            Organization.name,
            Organization.kind,
            Organization.enrollment_band,
            Organization.locale,
            Organization.sro_model,
            Assessment.period,
            Assessment.submitted_at,
            overall.percent,
        )
        .join(s, s.c.id == Assessment.id)
        .join(Organization, Organization.id == Assessment.org_id)
        .outerjoin(
            overall,
            and_(
                overall.assessment_id == Assessment.id,
                overall.section_id == "_overall",
                overall.dimension == "_all",
            ),
        )
        .order_by(Organization.name, Assessment.period.desc(), Assessment.id)
        .limit(page_size)
        .offset(max(0, page - 1) * page_size)
    )
    return [Participant(*row) for row in session.execute(stmt)], int(total)


@dataclass(frozen=True)
class AnswerRow:
    """One answer of one assessment in scope, for the exports."""

    assessment_id: int
    org_name: str
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
    """
    s = scope_select(scope).subquery()
    stmt = (
        select(
            Assessment.id,
            Organization.name,
            Organization.kind,
            Organization.enrollment_band,
            Organization.locale,
            Organization.sro_model,
            Assessment.period,
            Assessment.rubric_version_id,
            Answer.item_id,
            Answer.dimension,
            Answer.value,
        )
        .join(s, s.c.id == Assessment.id)
        .join(Organization, Organization.id == Assessment.org_id)
        .join(Answer, Answer.assessment_id == Assessment.id)
        .order_by(Organization.name, Assessment.period, Assessment.id, Answer.item_id)
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
