"""The SQL roll-up against an independent computation from the scoring core, on a small state.

The state: organizations seeded in bulk by ``demo_state.seed_state``, plus assessments made
through the real operations (start, save, submit, share): one shared normally, one shared and
then revoked, one submitted but never shared, one left as a draft, and one shared with an
advocate of another state. Only the first kind may ever count.
"""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

import pytest
from helpers import make_org, make_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import revoke_share, share_assessment
from rubric_app.assessments import (
    ItemChange,
    ItemState,
    load_answers,
    rubric_for,
    save_items,
    start_assessment,
    submit,
)
from rubric_app.demo import generate_states
from rubric_app.demo_state import LOCAL_RUBRIC, seed_state
from rubric_app.models import Assessment, Organization, Share, User
from rubric_app.rubric_versions import latest_version, rubric_of
from rubric_app.scoring import (
    PAPER_PRACTICE_THRESHOLD,
    histogram,
    quartiles,
    score_assessment,
)
from rubric_app.states import resolved, rollup
from rubric_app.states.rollup import Filters, Scope
from rubric_app.states.view_data import Page, build_dashboard, participants_page


def _assess(
    session: Session, org: Organization, maturity: float, period: str = "2025-26"
) -> Assessment:
    email = f"owner{org.id}@example.org"
    user = session.scalar(select(User).where(User.email == email)) or make_user(session, email, org)
    version = latest_version(session, LOCAL_RUBRIC)
    assert version is not None
    assessment = start_assessment(
        session, org=org, version=version, title="Review", period=period, user=user
    )
    states = generate_states(rubric_of(version), random.Random(org.name), maturity)
    save_items(session, assessment, [ItemChange(i, s, None) for i, s in states.items()], user=user)
    return assessment


@pytest.fixture
def small_state(session: Session) -> dict[str, Any]:
    seeded = seed_state(session, 7, "VT", rng_seed=7, afterschool_share=0.0, previous_share=0.3)
    advocate = session.get(Organization, seeded.advocate_org_id)
    assert advocate is not None
    # Shared through the real submit path, and a gate answered "no" to exercise skip logic.
    real_org = make_org(session, "Real Shared District", state="VT", locale="rural")
    real = _assess(session, real_org, 0.7)
    gate = rubric_for(real).item("partnership-exists")
    save_items(
        session,
        real,
        [
            ItemChange(gate.id, ItemState(values={"value": "no"}), None),
            # N/A with ratings left behind: the ratings must not count.
            ItemChange(
                "mou-purpose-stated",
                ItemState(
                    values={"policy": "fully", "practice": "fully"},
                    not_applicable=True,
                    na_reason="No MOU yet.",
                ),
                None,
            ),
        ],
        user=None,
    )
    submit(session, real, user=None)
    share_assessment(session, real, advocate, by=None)
    # The same district's earlier assessment: one organization, two assessments in scope.
    earlier = _assess(session, real_org, 0.4, period="2024-25")
    submit(session, earlier, user=None)
    share_assessment(session, earlier, advocate, by=None)
    revoked = _assess(session, make_org(session, "Revoked District", state="VT"), 0.9)
    submit(session, revoked, user=None)
    revoke_share(session, share_assessment(session, revoked, advocate, by=None), by=None)
    unshared = _assess(session, make_org(session, "Unshared District", state="VT"), 0.95)
    submit(session, unshared, user=None)
    draft = _assess(session, make_org(session, "Draft District", state="VT"), 0.95)
    elsewhere_advocate = make_org(session, "NH Advocates", kind="state_advocate", state="NH")
    elsewhere = _assess(session, make_org(session, "NH District", state="NH"), 0.95)
    submit(session, elsewhere, user=None)
    share_assessment(session, elsewhere, elsewhere_advocate, by=None)
    session.commit()
    return {
        "advocate": advocate,
        "excluded": {revoked.id, unshared.id, draft.id, elsewhere.id},
        "real": real.id,
    }


def _expected_ids(session: Session, advocate: Organization, filters: Filters) -> list[int]:
    """In-scope assessment ids, decided in Python row by row (not by the roll-up's SQL)."""
    ids = []
    for assessment in session.scalars(select(Assessment)):
        org = assessment.organization
        live = [
            s
            for s in session.scalars(select(Share).where(Share.assessment_id == assessment.id))
            if s.to_org_id == advocate.id and s.revoked_at is None
        ]
        if assessment.status != "submitted" or not live or org.state != advocate.state:
            continue
        if assessment.rubric_key != LOCAL_RUBRIC:
            continue
        if filters.locale and org.locale != filters.locale:
            continue
        if filters.period and assessment.period != filters.period:
            continue
        ids.append(assessment.id)
    return ids


def _scope(advocate: Organization, filters: Filters | None = None) -> Scope:
    filters = filters or Filters()
    return Scope(advocate.id, advocate.state, LOCAL_RUBRIC, filters)


@pytest.mark.parametrize("filters", [Filters(), Filters(period="2025-26")])
def test_item_counts_match_the_scoring_core(
    session: Session, small_state: dict[str, Any], filters: Filters
) -> None:
    advocate = small_state["advocate"]
    scope = _scope(advocate, filters)
    ids = _expected_ids(session, advocate, filters)
    assert small_state["real"] in ids
    expected_rated: dict[tuple[str, str], int] = defaultdict(int)
    expected_full: dict[tuple[str, str], int] = defaultdict(int)
    expected_orgs: dict[tuple[str, str], set[int]] = defaultdict(set)
    expected_pp: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    expected_pp_orgs: dict[str, set[int]] = defaultdict(set)
    for assessment_id in ids:
        assessment = session.get(Assessment, assessment_id)
        assert assessment is not None
        rubric = rubric_for(assessment)
        score = score_assessment(rubric, load_answers(session, assessment))
        for item_id, item_score in score.items.items():
            for dim, rating in item_score.ratings.items():
                expected_rated[(item_id, dim)] += 1
                full = rating.points + 1e-9 >= rubric.scoring.full_threshold * rating.max_points
                expected_full[(item_id, dim)] += full
                expected_orgs[(item_id, dim)].add(assessment.org_id)
            pp = item_score.paper_practice
            if pp is not None:
                expected_pp[item_id][0] += 1
                expected_pp_orgs[item_id].add(assessment.org_id)
                expected_pp[item_id][1] += pp.difference >= PAPER_PRACTICE_THRESHOLD
                expected_pp[item_id][2] += pp.difference <= -PAPER_PRACTICE_THRESHOLD

    versions = rollup.versions_in_scope(session, scope)
    organizations, assessments = rollup.totals(session, scope)
    tallies = rollup.item_tallies(
        session, scope, versions, organizations=organizations, assessments=assessments
    )
    got_rated = {(i, d): n for i, t in tallies.items() for d, n in t.rated.items() if n}
    assert got_rated == dict(expected_rated)
    for (item_id, dim), _ in got_rated.items():
        tally = tallies[item_id]
        assert tally.full.get(dim, 0) == expected_full[(item_id, dim)], (item_id, dim)
        assert tally.organizations[dim] == len(expected_orgs[(item_id, dim)]), (item_id, dim)
    got_pp = {
        i: [t.both_rated, t.paper_stronger, t.practice_stronger]
        for i, t in tallies.items()
        if t.both_rated
    }
    assert got_pp == dict(expected_pp)
    for item_id, tally in tallies.items():
        if tally.both_rated:
            assert tally.organizations_both == len(expected_pp_orgs[item_id]), item_id
    # Skip logic is honoured: the 'no' answer hid the improve items for one assessment.
    hidden = [k for k in expected_rated if expected_rated[k] < len(ids)]
    assert hidden


def test_scores_and_participation_match(session: Session, small_state: dict[str, Any]) -> None:
    advocate = small_state["advocate"]
    scope = _scope(advocate)
    ids = _expected_ids(session, advocate, Filters())
    overall: list[float] = []
    by_section: dict[str, list[float | None]] = defaultdict(list)
    by_dimension: dict[str, list[float | None]] = defaultdict(list)
    orgs_by_period: dict[str, set[int]] = defaultdict(set)
    for assessment_id in ids:
        assessment = session.get(Assessment, assessment_id)
        assert assessment is not None
        score = score_assessment(rubric_for(assessment), load_answers(session, assessment))
        assert score.percent is not None
        overall.append(score.percent)
        for section in score.sections:
            by_section[section.section_id].append(section.percent)
        for dimension, percent in score.by_dimension.items():
            by_dimension[dimension].append(percent)
        orgs_by_period[assessment.period].add(assessment.org_id)

    dashboard = build_dashboard(session, scope, k=1)
    assert dashboard.assessments == len(ids)
    assert dashboard.organizations == len(set().union(*orgs_by_period.values()))
    row = dashboard.distributions[0]
    assert row.key == "_overall"
    assert row.summary == quartiles(overall)
    # Several periods: the organizations behind the distribution are counted once each.
    assert row.n == dashboard.organizations < dashboard.assessments
    rows = {r.key: r for r in dashboard.distributions}
    for section_id, percents in by_section.items():
        assert rows[section_id].summary == quartiles(percents), section_id
    for dimension, percents in by_dimension.items():
        assert rows[f"_overall:{dimension}"].summary == quartiles(percents), dimension
    assert len(rows) == 1 + len(by_dimension) + len(by_section)
    assert [b.count for b, _ in row.bins] == [b.count for b in histogram(overall)]
    got = {
        (c.period): c.organizations.value for c in dashboard.participation if c.kind == "district"
    }
    assert got == {p: float(len(orgs)) for p, orgs in orgs_by_period.items()}


def test_nothing_unshared_counts(session: Session, small_state: dict[str, Any]) -> None:
    advocate = small_state["advocate"]
    scope = _scope(advocate)
    in_scope = set(session.scalars(select(rollup.scope_select(scope).subquery().c.id)))
    assert not in_scope & small_state["excluded"]
    exported = {row.assessment_id for row in rollup.answer_rows(session, scope)}
    assert exported == in_scope
    listed, total = rollup.participants(session, scope, page=1, page_size=100)
    assert {p.assessment_id for p in listed} == in_scope
    assert total == len(in_scope)


def test_participants_by_ids_list_the_same_pages(
    session: Session, small_state: dict[str, Any]
) -> None:
    """The dashboard hands ``participants`` the ids it read already: every page is the same
    list, in the same order (named by name, then the unnamed), as resolving the scope again,
    and an id whose share was revoked since is left out."""
    advocate = small_state["advocate"]
    scope = _scope(advocate)
    ids = [row.id for row in resolved.rows_in(session, scope)]
    whole, total = rollup.participants(session, scope, page=1, page_size=1000)
    assert total == len(ids)
    assert len(whole) == len(ids) > 6
    assert any(p.org_name is None for p in whole)
    assert any(p.org_name for p in whole)
    for page in range(1, 5):
        by_ids, _ = rollup.participants(session, scope, page=page, page_size=3, ids=ids)
        again, _ = rollup.participants(session, scope, page=page, page_size=3)
        assert by_ids == again == whole[(page - 1) * 3 : page * 3]
    real = session.get(Assessment, small_state["real"])
    assert real is not None
    share = session.scalar(select(Share).where(Share.assessment_id == real.id))
    assert share is not None
    revoke_share(session, share, by=None)
    session.commit()
    listed, _ = rollup.participants(session, scope, page=1, page_size=1000, ids=ids)
    assert {p.assessment_id for p in listed} == set(ids) - {real.id}


def test_filter_options_count_organizations_per_period(
    session: Session, small_state: dict[str, Any]
) -> None:
    advocate = small_state["advocate"]
    # The filters never narrow their own choices: a kind filter leaves every option listed.
    options = rollup.filter_options(session, _scope(advocate, Filters(kind="afterschool_program")))
    orgs_by_period: dict[str, set[int]] = defaultdict(set)
    kinds: set[str] = set()
    for assessment_id in _expected_ids(session, advocate, Filters()):
        assessment = session.get(Assessment, assessment_id)
        assert assessment is not None
        orgs_by_period[assessment.period].add(assessment.org_id)
        kinds.add(assessment.organization.kind)
    expected = sorted(((p, len(o)) for p, o in orgs_by_period.items()), reverse=True)
    assert options.periods == expected
    assert len(options.periods) == 2  # the fixture's earlier period is there
    assert options.kinds == sorted(kinds)


def test_parallel_dashboard_matches_the_sequential_one(
    session: Session, small_state: dict[str, Any]
) -> None:
    # The pages run the item tallies on a second connection in a worker thread; the figures
    # must be the very same as when one session runs every query in turn.
    scope = _scope(small_state["advocate"])
    sequential = build_dashboard(session, scope, k=2)
    parallel = build_dashboard(session, scope, k=2, parallel=True)
    assert parallel == sequential
    assert parallel.sections
    assert parallel.paper_practice
    # The page of participants: the first three by name, as rollup.participants lists them.
    listed, _ = rollup.participants(session, scope, page=1, page_size=3)
    assert list(participants_page(session, scope, Page(1, 3))) == listed
    assert len(listed) == 3
