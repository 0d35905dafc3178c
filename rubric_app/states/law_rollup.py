"""The state dashboard's "Your state's law" part: how many organizations meet each requirement.

For each framework of the advocate's state with a rule over the dashboard's rubric, the share
of organizations in the view (sharing with the advocate, matching the filters) whose *latest*
shared assessment in the view meets, partly meets, does not meet, or cannot tell each
requirement. Nothing is rebuilt in Python: one grouped query packs, per assessment, the state of
each cached item result (``ItemResult``) the requirements read into integers, then groups the
assessments by them, so a few hundred rows stand for thousands of organizations; the pure
``frameworks.tally`` unpacks and judges them (``counts_of_packed``, ``outcome_of_counts``) and
applies the small-number rule (``shown_outcomes``). The complementary rule against the view one
level up (one filter cleared) runs the same query grouped by that filter's values, like
``privacy.protect_figures`` does for item figures; a filtered view's own counts are the cell of
its value in the first of those breakdowns, so it needs no query of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ARRAY, Integer, String, and_, bindparam, case, func, literal, select, tuple_
from sqlalchemy.orm import Session

from rubric_app.frameworks.evaluate import OUTCOMES, Outcome
from rubric_app.frameworks.model import Framework
from rubric_app.frameworks.tally import (
    PAIRS_PER_CODE,
    STATE_BITS,
    STATE_CODES,
    CheckSet,
    OutcomeShare,
    RequirementTally,
    check_pairs,
    check_sets,
    counts_of_packed,
    outcome_counts,
    shown_outcomes,
    tally_counted,
)
from rubric_app.models import Assessment, ItemResult, Share
from rubric_app.rubrics.model import Rubric
from rubric_app.scoring import hidden_cells

from .breakdowns import FILTER_COLUMNS, without_filter
from .resolved import ScopeRow, matches
from .rollup import Scope, live_share, scope_select

#: Grouped counts per filter value (None without a breakdown): ((present, full, none) per
#: requirement, flattened; organizations).
Groups = dict[Any, list[tuple[tuple[int, ...], int]]]


@dataclass(frozen=True)
class RequirementShares:
    """One requirement with the share of organizations per outcome (words, never colour)."""

    requirement_id: str
    citation: str
    statement: str
    #: False when the requirement has no rule over the dashboard's rubric.
    covered: bool
    shares: tuple[OutcomeShare, ...]


@dataclass(frozen=True)
class FrameworkShares:
    """One framework of the state across the organizations in the view."""

    framework_id: str
    title: str
    citation: str
    text_date: str
    status: str
    partial: bool
    #: Organizations counted (each once, at its latest shared assessment in the view).
    organizations: int
    requirements: tuple[RequirementShares, ...]


def _latest(scope: Scope, by: str | None) -> Any:
    """Each organization's latest assessment in scope (per value of ``by``, for a period
    breakdown): id and the value of ``by`` (None without one)."""
    query_scope = scope if by is None else without_filter(scope, by)
    category = FILTER_COLUMNS[by] if by else literal(None)
    # An organization has one kind, locale, ...: only a period splits it into several groups.
    partition = (Assessment.org_id, Assessment.period) if by == "period" else (Assessment.org_id,)
    ranked = (
        scope_select(query_scope)
        .add_columns(
            category.label("category"),
            func.row_number()
            .over(
                partition_by=partition,
                order_by=(
                    Assessment.period.desc(),
                    Assessment.submitted_at.desc(),
                    Assessment.id.desc(),
                ),
            )
            .label("position"),
        )
        .subquery()
    )
    return select(ranked.c.id, ranked.c.category).where(ranked.c.position == 1).subquery()


def _latest_of_rows(
    session: Session, scope: Scope, by: str | None, rows: Sequence[ScopeRow]
) -> Any | None:
    """``_latest`` from the base rows the dashboard read already (``resolved.base_of``), when
    no organization has two assessments in one group (the usual case: one per period), so
    each is its own latest; the share is checked again. None when one has several (the SQL
    window then decides by submission time), or off PostgreSQL (``rollup.ids_table``)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    query_scope = scope if by is None else without_filter(scope, by)
    chosen = [row for row in rows if matches(row, query_scope)]
    groups = {(row.org_id, row.period if by == "period" else "") for row in chosen}
    if len(groups) != len(chosen):
        return None
    ids = bindparam("law_ids", [row.id for row in chosen], type_=ARRAY(Integer), unique=True)
    values = [getattr(row, by) if by else None for row in chosen]
    categories = bindparam("law_categories", values, type_=ARRAY(String), unique=True)
    given = func.unnest(ids, categories).table_valued("id", "category").render_derived()
    return (
        select(given.c.id, given.c.category)
        .join(Share, live_share(scope.advocate_org_id, given.c.id))
        .subquery()
    )


def outcome_groups(
    session: Session,
    scope: Scope,
    sets: Sequence[CheckSet],
    by: str | None = None,
    *,
    one_per_organization: bool = False,
    rows: Sequence[ScopeRow] | None = None,
) -> Groups:
    """Group the latest assessments in scope by the states of the pairs their requirements read.

    Without ``by``, over ``scope`` (all under the key None); with ``by``, one level up from it
    (that filter cleared), by that filter's value. Each assessment's states are packed into
    integers in SQL (``tally.pack_states``: one CASE and one sum per row, whatever the number of
    requirements), so the assessments group into the few distinct answers patterns there are.
    ``one_per_organization``: the caller knows each organization has one assessment in scope,
    so the latest need not be looked for. ``rows``: the base of the scope, read already
    (``_latest_of_rows``).
    """
    pairs = check_pairs(sets)
    lowest = sorted({pair for check_set in sets for pair in check_set.lowest})
    found = None if rows is None else _latest_of_rows(session, scope, by, rows)
    if found is not None:
        latest = found
    elif one_per_organization and by is None:
        in_scope = scope_select(scope).add_columns(literal(None).label("category")).subquery()
        latest = select(in_scope.c.id, in_scope.c.category).subquery()
    else:
        latest = _latest(scope, by)
    full, lowest_code = STATE_CODES["full"], STATE_CODES["none"]
    state = case(
        (ItemResult.full.is_(True), full),
        *(
            ((tuple_(ItemResult.item_id, ItemResult.option_key).in_(lowest), lowest_code),)
            if lowest
            else ()
        ),
        else_=STATE_CODES["partial"],
    )
    codes = []
    for start in range(0, len(pairs), PAIRS_PER_CODE):
        weight = case(
            *(
                (
                    and_(ItemResult.item_id == item, ItemResult.dimension == dimension),
                    1 << (STATE_BITS * position),
                )
                for position, (item, dimension) in enumerate(pairs[start : start + PAIRS_PER_CODE])
            ),
            else_=0,
        )
        codes.append(func.coalesce(func.sum(state * weight), 0))
    per_assessment = (
        select(latest.c.category, *(code.label(f"c{i}") for i, code in enumerate(codes)))
        .select_from(latest)
        .outerjoin(
            ItemResult,
            and_(
                ItemResult.assessment_id == latest.c.id,
                ItemResult.item_id.in_(sorted({item for item, _ in pairs})),
            ),
        )
        .group_by(latest.c.id, latest.c.category)
        .subquery()
    )
    columns = [per_assessment.c[f"c{i}"] for i in range(len(codes))]
    stmt = select(per_assessment.c.category, *columns, func.count()).group_by(
        per_assessment.c.category, *columns
    )
    groups: Groups = {}
    for row in session.execute(stmt):
        counts = counts_of_packed(sets, pairs, [int(v) for v in row[1:-1]])
        groups.setdefault(row[0], []).append((counts, int(row[-1])))
    return groups


def _one_level_up(
    session: Session, scope: Scope, sets: Sequence[CheckSet], rows: Sequence[ScopeRow] | None
) -> dict[str, Groups]:
    """For each filter the view sets, the groups of the view one level up (that filter
    cleared), by that filter's value (``outcome_groups`` with ``by``)."""
    return {
        name: outcome_groups(session, scope, sets, name, rows=rows)
        for name in scope.filters.compared()
    }


def _protected(
    scope: Scope, sets: Sequence[CheckSet], k: int, up: dict[str, Groups]
) -> dict[str, set[Outcome]]:
    """The outcome counts of each requirement to withhold so that no subtraction against the
    view one level up (``up``: one filter cleared, by that filter's value) gives a group
    under ``k`` away."""
    protected: dict[str, set[Outcome]] = {}
    for name, value in scope.filters.compared().items():
        by_value = {category: tally_counted(sets, groups) for category, groups in up[name].items()}
        for position, check_set in enumerate(sets):
            counts = {category: outcome_counts(t[position]) for category, t in by_value.items()}
            for outcome in OUTCOMES:
                sizes = {category: c[outcome] for category, c in counts.items()}
                if value in hidden_cells(sizes, k, always_hidden={None}):
                    protected.setdefault(check_set.requirement_id, set()).add(outcome)
    return protected


def framework_shares(
    session: Session,
    scope: Scope,
    framework: Framework,
    rubric: Rubric,
    k: int,
    *,
    one_per_organization: bool = False,
    rows: Sequence[ScopeRow] | None = None,
) -> FrameworkShares:
    """``framework``'s requirements across the view, judged on ``rubric`` (the newest version
    in scope), each outcome share withheld as the small-number rule says.

    ``one_per_organization``: each organization has one assessment in the view (the scope's
    organizations and assessments are equal), so the latest need not be looked for. ``rows``:
    the scope's base, read already (``resolved.base_of``).
    """
    sets = check_sets(framework, rubric)
    up = _one_level_up(session, scope, sets, rows)
    if up:
        # The view is its own value's group one level up from it: a compared filter (never
        # the period, ``Filters.compared``) is a property of the organization, so each
        # organization's latest assessment there is its latest in the view. One grouped query
        # over item results instead of two.
        name, by_value = next(iter(up.items()))
        groups = by_value.get(getattr(scope.filters, name), [])
    else:
        groups = outcome_groups(
            session, scope, sets, one_per_organization=one_per_organization, rows=rows
        ).get(None, [])
    tallies: tuple[RequirementTally, ...] = tally_counted(sets, groups)
    protected = _protected(scope, sets, k, up)
    requirements = tuple(
        RequirementShares(
            requirement_id=requirement.id,
            citation=requirement.citation,
            statement=requirement.statement,
            covered=bool(check_set.checks),
            shares=shown_outcomes(tally, k, protected.get(requirement.id, set())),
        )
        for requirement, check_set, tally in zip(framework.requirements, sets, tallies, strict=True)
    )
    return FrameworkShares(
        framework_id=framework.id,
        title=framework.title,
        citation=framework.citation,
        text_date=framework.text_date,
        status=framework.status,
        partial=framework.partial,
        organizations=sum(organizations for _, organizations in groups),
        requirements=requirements,
    )


def law_shares(
    session: Session,
    scope: Scope,
    frameworks: Sequence[Framework],
    rubric: Rubric | None,
    k: int,
    *,
    one_per_organization: bool = False,
    rows: Sequence[ScopeRow] | None = None,
) -> tuple[FrameworkShares, ...]:
    """Every framework of the state with a rule over the dashboard's rubric, across the view.

    ``rows``: the scope's base, read already (``resolved.base_of``), when the caller has it.
    """
    if rubric is None:
        return ()
    return tuple(
        framework_shares(
            session,
            scope,
            framework,
            rubric,
            k,
            one_per_organization=one_per_organization,
            rows=rows,
        )
        for framework in frameworks
        if any(r.rule_for(rubric.id) for r in framework.requirements)
    )
