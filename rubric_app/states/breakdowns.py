"""Roll-up queries one level up from a view: its figures by the value of one filter.

The small-number rule (``privacy``) compares a view with the view that has one filter cleared,
value by value; these grouped queries supply those counts. Like ``rollup``, the database counts
and groups; nothing loads ORM objects in loops.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import case, distinct, func, literal, select, tuple_
from sqlalchemy.orm import Session

from rubric_app.models import Assessment, ItemResult, SectionScoreRow
from rubric_app.scoring import DEFAULT_EDGES

from . import resolved
from .rollup import FILTER_COLUMNS, Scope, scope_select


def without_filter(scope: Scope, name: str) -> Scope:
    """Return ``scope`` with the filter ``name`` cleared: the view one level up."""
    return replace(scope, filters=replace(scope.filters, **{name: ""}))


def members_by(session: Session, scope: Scope, name: str) -> dict[str | None, set[int]]:
    """Return, one level up from ``scope`` (filter ``name`` cleared), each value's organizations.

    The value None gathers organizations that left that profile field empty: no view selects
    them, so they are what a subtraction of views would reveal.
    """
    column = FILTER_COLUMNS[name]
    stmt = (
        scope_select(without_filter(scope, name))
        .with_only_columns(column, Assessment.org_id)
        .distinct()
    )
    members: dict[str | None, set[int]] = {}
    for value, org_id in session.execute(stmt):
        members.setdefault(value, set()).add(int(org_id))
    return members


def item_organizations_by(
    session: Session, scope: Scope, name: str
) -> dict[tuple[str, str], dict[str | None, int]]:
    """Return, one level up from ``scope``, the organizations behind each item figure by value.

    Keys are (item id, dimension), the pair rows (``PAIR_DIMENSION``) included; values map each
    value of filter ``name`` to how many organizations rated that item on that dimension.

    The database counts rows, not distinct organizations: a ``count(DISTINCT)`` over every item
    result one level up sorts them all (on disk, for a large state). Rows are organizations
    wherever an organization has one assessment per value, which the scope's rows (already
    read, ``resolved``) tell; the assessments of organizations with several are counted apart,
    by organization, and put right here.
    """
    up = without_filter(scope, name)
    column = FILTER_COLUMNS[name].label("category")
    s = scope_select(up).add_columns(column).subquery()
    key = (ItemResult.item_id, ItemResult.dimension, s.c.category)
    found: dict[tuple[str, str], dict[str | None, int]] = {}
    for item_id, dimension, category, count in session.execute(
        select(*key, func.count()).join(s, s.c.id == ItemResult.assessment_id).group_by(*key)
    ):
        found.setdefault((item_id, dimension), {})[category] = int(count)
    several = _several_per_value(resolved.rows_in(session, up), name)
    if several:
        stmt = (
            select(*key, s.c.org_id, func.count())
            .join(s, s.c.id == ItemResult.assessment_id)
            .where(s.c.id.in_(several))
            .group_by(*key, s.c.org_id)
        )
        for item_id, dimension, category, _, count in session.execute(stmt):
            # Their rows were counted as organizations above; each organization counts once.
            found[(item_id, dimension)][category] -= int(count) - 1
    return found


def _several_per_value(rows: Sequence[resolved.ScopeRow], name: str) -> list[int]:
    """Return the ids of assessments whose organization has more than one among ``rows`` with
    the same value of filter ``name`` (several periods, when the view does not fix one)."""
    by_cell: dict[tuple[int, Any], list[int]] = {}
    for row in rows:
        by_cell.setdefault((row.org_id, getattr(row, name)), []).append(row.id)
    return sorted(i for ids in by_cell.values() if len(ids) > 1 for i in ids)


def _band_of(percent: Any) -> Any:
    """Return the SQL for the histogram band (index into ``DEFAULT_EDGES``) a score falls in.

    The same bands as ``scoring.histogram_of_counts``: [low, high), the last one closed.
    """
    edges = DEFAULT_EDGES
    last = len(edges) - 2
    return case(*((percent < edges[i + 1], i) for i in range(last)), else_=last)


def band_organizations(
    session: Session, scope: Scope, keys: Sequence[tuple[str, str]], by: str | None = None
) -> dict[tuple[str, str], dict[str | None, list[int]]]:
    """Return how many organizations have each score in each histogram band.

    Keys are (section id, dimension) of the cached scores. Without ``by``, over ``scope`` itself
    (under the value None); with ``by``, one level up from it (that filter cleared), by value.
    Organizations, not assessments: over several periods one organization may have several
    scores, and it is organizations that the small-number rule protects.
    """
    if not keys:
        return {}
    query_scope = scope if by is None else without_filter(scope, by)
    category = (FILTER_COLUMNS[by] if by else literal(None)).label("category")
    s = scope_select(query_scope).add_columns(category).subquery()
    key = (SectionScoreRow.section_id, SectionScoreRow.dimension)
    band = _band_of(SectionScoreRow.percent).label("band")
    stmt = (
        select(*key, s.c.category, band, func.count(distinct(s.c.org_id)))
        .join(s, s.c.id == SectionScoreRow.assessment_id)
        .where(
            tuple_(*key).in_(list(keys)),
            SectionScoreRow.percent >= DEFAULT_EDGES[0],
            SectionScoreRow.percent <= DEFAULT_EDGES[-1],
        )
        .group_by(*key, s.c.category, band)
    )
    found: dict[tuple[str, str], dict[str | None, list[int]]] = {}
    bands = len(DEFAULT_EDGES) - 1
    for section_id, dimension, value, index, count in session.execute(stmt):
        counts = found.setdefault((section_id, dimension), {}).setdefault(value, [0] * bands)
        counts[int(index)] = int(count)
    return found
