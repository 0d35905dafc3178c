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
    literal,
    or_,
    select,
    true,
    tuple_,
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


def period_options(session: Session, scope: Scope) -> list[str]:
    """Return the periods of the rubric's shared assessments (all filters but period ignored)."""
    stmt = (
        _shared_base(scope.advocate_org_id, scope.state)
        .with_only_columns(Assessment.period)
        .where(Assessment.rubric_key == scope.rubric_key)
        .group_by(Assessment.period)
        .order_by(Assessment.period.desc())
    )
    return list(session.scalars(stmt))


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


@dataclass(frozen=True)
class ScoreValue:
    """One cached score of one assessment in scope (a column of floats, not ORM objects)."""

    section_id: str
    dimension: str
    org_id: int
    percent: float


def score_values(session: Session, scope: Scope) -> list[ScoreValue]:
    """Return the cached overall and section scores in scope that have a value.

    Sections are read for the pooled dimension ("_all"); the overall score for every dimension.
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
    return [ScoreValue(*row) for row in session.execute(stmt)]


# --- Item figures ---------------------------------------------------------------------------


def _full_keys(rubric: Rubric, scale: Scale) -> tuple[str, ...]:
    """Return the option keys that count as fully in place (as the scoring core decides)."""
    limit = rubric.scoring.full_threshold * scale.max_points
    return tuple(o.key for o in scale.options if o.points + _EPSILON >= limit)


def scored_items(rubric: Rubric) -> list[Item]:
    """Return the rubric's scored scale items in document order."""
    return [item for item in rubric.items if is_scored_item(rubric, item)]


def _by_scale(rubric: Rubric) -> dict[str, list[str]]:
    """Return scored item ids grouped by the id of their scale."""
    groups: dict[str, list[str]] = {}
    for item in scored_items(rubric):
        assert item.scale is not None
        groups.setdefault(item.scale, []).append(item.id)
    return groups


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


def _visible_rated(
    answer: Any, versions: Sequence[ScopedRubric], *, dimensions: Sequence[str] | None = None
) -> ColumnElement[bool]:
    """Return SQL true when an answer row is a visible, valid rating of a scored item."""
    per_version = []
    for scoped in versions:
        rubric = scoped.rubric
        visibility = _Visibility(rubric, answer.assessment_id)
        by_condition: dict[Condition | None, list[str]] = {}
        for item in scored_items(rubric):
            by_condition.setdefault(item.show_if, []).append(item.id)
        visible = or_(
            *[
                and_(
                    answer.item_id.in_(ids),
                    visibility.item(rubric.item(ids[0])) if cond is not None else true(),
                )
                for cond, ids in by_condition.items()
            ]
        )
        valid = or_(
            *[
                and_(
                    answer.item_id.in_(ids),
                    answer.value.in_([o.key for o in rubric.scales[scale_id].options]),
                )
                for scale_id, ids in _by_scale(rubric).items()
            ]
        )
        dims = sorted({d for item in scored_items(rubric) for d in item.dimensions})
        per_version.append(
            and_(
                answer.rubric_version_id == scoped.version_id,
                answer.dimension.in_(dimensions if dimensions is not None else dims),
                visible,
                valid,
            )
        )
    return or_(false(), *per_version)


def _is_full(answer: Any, versions: Sequence[ScopedRubric]) -> ColumnElement[bool]:
    """Return SQL true when a (valid) rating is fully in place under its pinned version."""
    parts = []
    for scoped in versions:
        rubric = scoped.rubric
        for scale_id, ids in _by_scale(rubric).items():
            parts.append(
                and_(
                    answer.rubric_version_id == scoped.version_id,
                    answer.item_id.in_(ids),
                    answer.value.in_(_full_keys(rubric, rubric.scales[scale_id])),
                )
            )
    return or_(false(), *parts)


def _percent_of(answer: Any, versions: Sequence[ScopedRubric]) -> Any:
    """Return SQL for a rating's percent of the scale maximum, as the scoring core computes it."""
    whens = []
    for scoped in versions:
        rubric = scoped.rubric
        for scale_id, ids in _by_scale(rubric).items():
            scale = rubric.scales[scale_id]
            for option in scale.options:
                whens.append(
                    (
                        and_(
                            answer.rubric_version_id == scoped.version_id,
                            answer.item_id.in_(ids),
                            answer.value == option.key,
                        ),
                        literal(pooled_percent(option.points, scale.max_points)),
                    )
                )
    return case(*whens, else_=None)


def _not_applicable_pairs() -> Select[Any]:
    """Return (assessment id, item id) of every item marked N/A."""
    return select(ItemNote.assessment_id, ItemNote.item_id).where(ItemNote.not_applicable.is_(True))


def _rated_answers(scope: Scope, versions: Sequence[ScopedRubric]) -> Any:
    """Return a subquery of in-scope answer rows with organization and pinned version."""
    s = scope_select(scope).subquery("scope")
    return (
        select(
            Answer.assessment_id,
            Answer.item_id,
            Answer.dimension,
            Answer.value,
            s.c.org_id,
            s.c.rubric_version_id,
        )
        .join(s, s.c.id == Answer.assessment_id)
        .where(tuple_(Answer.assessment_id, Answer.item_id).not_in(_not_applicable_pairs()))
        .subquery("rated")
    )


def item_counts_query(scope: Scope, versions: Sequence[ScopedRubric]) -> Select[Any]:
    """Return the dashboard's main grouped query: ratings per item and dimension.

    Columns: item id, dimension, rated assessments, fully-in-place assessments, organizations.
    """
    rated = _rated_answers(scope, versions)
    full = _is_full(rated.c, versions)
    return (
        select(
            rated.c.item_id,
            rated.c.dimension,
            func.count(),
            func.sum(case((full, 1), else_=0)),
            func.count(distinct(rated.c.org_id)),
        )
        .where(_visible_rated(rated.c, versions))
        .group_by(rated.c.item_id, rated.c.dimension)
    )


@dataclass(frozen=True)
class ItemCount:
    """Ratings of one item on one dimension across the scope."""

    item_id: str
    dimension: str
    rated: int
    full: int
    organizations: int


def item_counts(
    session: Session, scope: Scope, versions: Sequence[ScopedRubric]
) -> list[ItemCount]:
    """Return, per item and dimension, how many assessments rated it and rated it fully."""
    if not versions:
        return []
    return [
        ItemCount(item_id, dimension, int(rated), int(full or 0), int(orgs))
        for item_id, dimension, rated, full, orgs in session.execute(
            item_counts_query(scope, versions)
        )
    ]


@dataclass(frozen=True)
class PaperPracticeCount:
    """How often one item's first two dimensions (paper, practice) are out of line."""

    item_id: str
    both_rated: int
    paper_stronger: int
    practice_stronger: int
    organizations: int


def paper_practice_counts(
    session: Session, scope: Scope, versions: Sequence[ScopedRubric]
) -> list[PaperPracticeCount]:
    """Return, per item, assessments whose written policy runs ahead of practice or behind it.

    Uses the scoring core's rule: the first dimension's percent minus the second's at or beyond
    ``PAPER_PRACTICE_THRESHOLD`` points. Versions with fewer than two dimensions are skipped.
    """
    paired = [v for v in versions if len(v.rubric.dimensions) >= 2]
    if not paired:
        return []
    first = {v.rubric.dimensions[0].id for v in paired}
    second = {v.rubric.dimensions[1].id for v in paired}
    rated = _rated_answers(scope, paired)
    p = aliased(rated, name="paper")
    q = aliased(rated, name="practice")
    difference = _percent_of(p.c, paired) - _percent_of(q.c, paired)
    stmt = (
        select(
            p.c.item_id,
            func.count(),
            func.sum(case((difference >= PAPER_PRACTICE_THRESHOLD - _EPSILON, 1), else_=0)),
            func.sum(case((difference <= -PAPER_PRACTICE_THRESHOLD + _EPSILON, 1), else_=0)),
            func.count(distinct(p.c.org_id)),
        )
        .join(q, and_(q.c.assessment_id == p.c.assessment_id, q.c.item_id == p.c.item_id))
        .where(
            _visible_rated(p.c, paired, dimensions=sorted(first)),
            _visible_rated(q.c, paired, dimensions=sorted(second)),
        )
        .group_by(p.c.item_id)
    )
    return [
        PaperPracticeCount(item_id, int(both), int(paper or 0), int(practice or 0), int(orgs))
        for item_id, both, paper, practice, orgs in session.execute(stmt)
    ]


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
