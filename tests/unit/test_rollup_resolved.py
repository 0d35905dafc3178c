"""The dashboard's counts from the scope read once (``states.resolved``) against grouped SQL.

A small state seeded in bulk over three periods, plus assessments through the real operations
where the counting is easy to get wrong: an organization with two assessments in the same
period (rows are then not organizations), an organization with no locale (the None cell of the
small-number rule), a revoked share and one shared with another state's advocate (neither may
count). Every count of every view the dashboard asks about must equal the SQL's
(``rollup``/``breakdowns``, and a plain ``count(DISTINCT)`` for the item breakdown), and a share
made later in the same transaction must show.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import make_org, statements_run, submitted_generated
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import revoke_share, share_assessment
from rubric_app.demo_state import LOCAL_RUBRIC, seed_state
from rubric_app.models import Assessment, ItemResult, Organization
from rubric_app.rubric_versions import latest_version, rubric_of
from rubric_app.states import breakdowns, resolved, rollup
from rubric_app.states.breakdowns import FILTER_COLUMNS, without_filter
from rubric_app.states.rollup import Filters, Scope, scope_select

PERIODS = ("2023-24", "2024-25", "2025-26")


def _submitted(session: Session, org: Organization, period: str, maturity: float) -> Assessment:
    # One organization may have two assessments in one period: rows != orgs.
    return submitted_generated(session, org, period, maturity, seed=f"{org.name}:resolved")


@pytest.fixture
def state(session: Session) -> Organization:
    seeded = seed_state(session, 9, "VT", rng_seed=5, afterschool_share=0.0, periods=PERIODS)
    advocate = session.get_one(Organization, seeded.advocate_org_id)
    twice = make_org(session, "Twice A Year District", state="VT", locale="town")
    for maturity in (0.3, 0.6):
        share_assessment(
            session, _submitted(session, twice, "2025-26", maturity), advocate, by=None
        )
    share_assessment(session, _submitted(session, twice, "2024-25", 0.5), advocate, by=None)
    no_locale = make_org(session, "No Locale District", state="VT")
    share_assessment(session, _submitted(session, no_locale, "2025-26", 0.7), advocate, by=None)
    revoked = _submitted(session, make_org(session, "Revoked District", state="VT"), "2025-26", 0.9)
    revoke_share(session, share_assessment(session, revoked, advocate, by=None), by=None)
    other = make_org(session, "NH Advocates", kind="state_advocate", state="NH")
    elsewhere = _submitted(session, make_org(session, "NH District", state="NH"), "2025-26", 0.8)
    share_assessment(session, elsewhere, other, by=None)
    session.commit()
    return advocate


def _views(advocate: Organization) -> list[Scope]:
    base = Scope(advocate.id, "VT", LOCAL_RUBRIC)
    return [
        base,
        Scope(advocate.id, "VT", LOCAL_RUBRIC, Filters(period="2025-26")),
        Scope(advocate.id, "VT", LOCAL_RUBRIC, Filters(period="2024-25", locale="rural")),
        Scope(advocate.id, "VT", LOCAL_RUBRIC, Filters(locale="town")),
        Scope(advocate.id, "VT", LOCAL_RUBRIC, Filters(kind="district", period="2023-24")),
    ]


def _score_keys(session: Session) -> list[tuple[str, str]]:
    version = latest_version(session, LOCAL_RUBRIC)
    assert version is not None
    rubric = rubric_of(version)
    return [
        ("_overall", "_all"),
        *(("_overall", d.id) for d in rubric.dimensions),
        *((s.id, "_all") for s in rubric.sections),
    ]


def _distinct_item_organizations(
    session: Session, scope: Scope, name: str
) -> dict[tuple[str, str], dict[Any, int]]:
    """The item breakdown as a plain ``count(DISTINCT)``: the oracle for the row counting."""
    s = (
        scope_select(without_filter(scope, name))
        .add_columns(FILTER_COLUMNS[name].label("category"))
        .subquery()
    )
    stmt = (
        select(
            ItemResult.item_id,
            ItemResult.dimension,
            s.c.category,
            func.count(distinct(s.c.org_id)),
        )
        .join(s, s.c.id == ItemResult.assessment_id)
        .group_by(ItemResult.item_id, ItemResult.dimension, s.c.category)
    )
    found: dict[tuple[str, str], dict[Any, int]] = {}
    for item_id, dimension, category, count in session.execute(stmt):
        found.setdefault((item_id, dimension), {})[category] = int(count)
    return found


def test_view_counts_equal_the_sql(session: Session, state: Organization) -> None:
    for scope in _views(state):
        assert resolved.totals(session, scope) == rollup.totals(session, scope), scope
        assert resolved.participation(session, scope) == rollup.participation(session, scope)
        versions = {v.version_id for v in rollup.versions_in_scope(session, scope)}
        assert resolved.version_ids(session, scope) == versions
        for name in ("kind", "enrollment_band", "locale", "sro_model", "period"):
            assert resolved.members_by(session, scope, name) == breakdowns.members_by(
                session, scope, name
            ), (scope, name)
    base = _views(state)[0]
    assert resolved.filter_options(session, base) == rollup.filter_options(session, base)


def test_the_fixture_has_what_the_counting_must_handle(
    session: Session, state: Organization
) -> None:
    """Sanity of the comparison: duplicates per period, a missing locale, excluded shares."""
    rows = resolved.base_of(session, _views(state)[0])
    per_period = [(row.org_id, row.period) for row in rows]
    assert len(per_period) > len(set(per_period))
    assert any(row.locale is None for row in rows)
    assert len(rows) == 9 * 3 + 4  # the revoked and the other state's are not there


def test_score_figures_equal_the_sql(session: Session, state: Organization) -> None:
    keys = _score_keys(session)
    for scope in _views(state):
        organizations, assessments = rollup.totals(session, scope)
        expected = rollup.score_counts(
            session, scope, keys, organizations=organizations, assessments=assessments
        )
        got = resolved.score_counts(
            session, scope, keys, organizations=organizations, assessments=assessments
        )
        assert expected  # the comparison compares something
        assert set(got) == set(expected)
        for key, counts in expected.items():
            assert sorted(got[key].counts) == sorted(counts.counts), (scope, key)
            assert got[key].organizations == counts.organizations, (scope, key)
        assert resolved.left_out_counts(session, scope, keys) == rollup.left_out_counts(
            session, scope, keys
        )
        for by in (None, "kind", "enrollment_band", "locale", "sro_model", "period"):
            assert resolved.band_organizations(
                session, scope, keys, by
            ) == breakdowns.band_organizations(session, scope, keys, by), (scope, by)


def test_item_breakdown_counts_organizations_once(session: Session, state: Organization) -> None:
    for scope in _views(state):
        for name in ("locale", "period", "kind"):
            expected = _distinct_item_organizations(session, scope, name)
            assert expected
            assert breakdowns.item_organizations_by(session, scope, name) == expected, (
                scope,
                name,
            )


def test_a_share_made_in_the_same_transaction_counts(session: Session, state: Organization) -> None:
    scope = _views(state)[1]
    before = resolved.totals(session, scope)
    late = _submitted(session, make_org(session, "Late District", state="VT"), "2025-26", 0.5)
    share_assessment(session, late, state, by=None)
    after = resolved.totals(session, scope)
    assert after == (before[0] + 1, before[1] + 1)
    assert after == rollup.totals(session, scope)


def test_item_figures_count_organizations_once(session: Session, state: Organization) -> None:
    """One query's tallies and breakdowns, with and without the scope's rows, against
    ``count(DISTINCT)``: organizations with several assessments in one figure count once."""
    for scope in _views(state):
        organizations, assessments = rollup.totals(session, scope)
        versions = rollup.versions_in_scope(session, scope)
        # The filters the page compares one level up (the period is not: rollup.Filters).
        by = tuple(scope.filters.compared())
        expected_orgs = {
            (item_id, dimension): int(count)
            for item_id, dimension, count in session.execute(rollup.item_organizations_query(scope))
        }
        plain = rollup.item_tallies(
            session, scope, versions, organizations=organizations, assessments=assessments
        )
        for several in (None, resolved.several_in_figures(session, scope)):
            figures = rollup.item_figures(
                session,
                scope,
                versions,
                organizations=organizations,
                assessments=assessments,
                by=by,
                several=several,
            )
            got_orgs = {
                (tally.item_id, dimension): count
                for tally in figures.tallies.values()
                for dimension, count in tally.organizations.items()
            }
            got_orgs.update(
                {
                    (tally.item_id, "_item"): tally.organizations_both
                    for tally in figures.tallies.values()
                    if tally.both_rated
                }
            )
            assert got_orgs == expected_orgs, scope
            assert figures.tallies == plain, scope
            for name in by:
                assert figures.breakdowns[name] == _distinct_item_organizations(
                    session, scope, name
                ), (scope, name)


def test_the_scope_is_read_once_per_transaction(session: Session, state: Organization) -> None:
    """Even when the first read is what begins the transaction; a new transaction reads again."""
    engine = session.get_bind()
    views = _views(state)  # before the commit, which expires the advocate's attributes
    session.commit()
    with statements_run(engine) as statements:
        for scope in views:
            resolved.totals(session, scope)
            resolved.members_by(session, scope, "locale")
        assert len(statements) == 1
        session.commit()
        resolved.totals(session, views[0])
        assert len(statements) == 2


def test_rubric_counts_read_every_rubric_in_one_statement(
    session: Session, state: Organization
) -> None:
    """The dashboard's first question (which rubrics were shared) reads the base of each rubric
    too: the chosen rubric's counts then need no statement of their own, and equal the SQL's."""
    expected = rollup.rubric_counts(session, state.id, "VT")
    assert expected  # the comparison compares something
    views = _views(state)
    session.commit()
    engine = session.get_bind()
    with statements_run(engine) as statements:
        assert resolved.rubric_counts(session, state.id, "VT") == expected
        rows = resolved.base_of(session, views[0])
        nothing = resolved.base_of(session, Scope(state.id, "VT", "a-rubric-nobody-shared"))
        assert len(statements) == 1
    assert nothing == ()
    assert {row.id for row in rows} == {
        int(i) for i in session.scalars(select(scope_select(views[0]).subquery().c.id))
    }
    for scope in views:
        assert resolved.totals(session, scope) == rollup.totals(session, scope), scope
