"""The cached ``ItemResult`` rows: written at submit from the scoring core, gone on reopen.

The state roll-up reads these rows instead of re-deriving visibility, N/A and the
paper-vs-practice verdict, so they must say exactly what ``score_assessment`` says.
"""

from __future__ import annotations

import random
from typing import Any

from helpers import make_org, make_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import share_assessment
from rubric_app.assessments import (
    PAIR_DIMENSION,
    ItemChange,
    ItemState,
    load_answers,
    reopen,
    rubric_for,
    save_items,
    start_assessment,
    submit,
)
from rubric_app.demo import generate_states
from rubric_app.demo_state import LOCAL_RUBRIC, seed_state
from rubric_app.models import Assessment, ItemResult, Organization
from rubric_app.rubric_versions import latest_version, rubric_of
from rubric_app.scoring import score_assessment
from rubric_app.states import rollup
from rubric_app.states.rollup import Filters, Scope

Row = tuple[str, str, str | None, bool, str | None]


def _rows(session: Session, assessment_id: int) -> set[Row]:
    stmt = select(
        ItemResult.item_id,
        ItemResult.dimension,
        ItemResult.option_key,
        ItemResult.full,
        ItemResult.paper_practice,
    ).where(ItemResult.assessment_id == assessment_id)
    return {(i, d, o, bool(f), p) for i, d, o, f, p in session.execute(stmt)}


def _submitted(session: Session, org: Organization, maturity: float) -> Assessment:
    user = make_user(session, f"owner{org.id}@example.org", org)
    version = latest_version(session, LOCAL_RUBRIC)
    assert version is not None
    assessment = start_assessment(
        session, org=org, version=version, title="Review", period="2025-26", user=user
    )
    states: dict[str, ItemState] = generate_states(
        rubric_of(version), random.Random(org.name), maturity
    )
    # A gate answered "no" hides its branch; an N/A item keeps ratings that must not count.
    states["partnership-exists"] = ItemState(values={"value": "no"})
    states["mou-purpose-stated"] = ItemState(
        values={"policy": "fully", "practice": "partly"}, not_applicable=True, na_reason="None."
    )
    save_items(session, assessment, [ItemChange(i, s, None) for i, s in states.items()], user=user)
    submit(session, assessment, user=user)
    return assessment


def test_rows_agree_with_the_scoring_core_and_go_on_reopen(session: Session) -> None:
    assessment = _submitted(session, make_org(session, "Rows District", state="VT"), 0.6)
    session.commit()
    rubric = rubric_for(assessment)
    score = score_assessment(rubric, load_answers(session, assessment))
    threshold = rubric.scoring.full_threshold
    expected: set[Row] = set()
    for item_id, item_score in score.items.items():
        for dimension, rating in item_score.ratings.items():
            full = rating.points + 1e-9 >= threshold * rating.max_points
            expected.add((item_id, dimension, rating.option_key, full, None))
        if item_score.paper_practice is not None:
            expected.add((item_id, PAIR_DIMENSION, None, False, item_score.paper_practice.label))
    got = _rows(session, assessment.id)
    assert got == expected
    # The test means something: full and gap ratings, and paper-vs-practice verdicts...
    assert {full for _, d, _, full, _ in got if d != PAIR_DIMENSION} == {True, False}
    assert any(p for *_, p in got)
    # ...and neither the N/A item nor a hidden item left a row.
    assert not score.items["mou-purpose-stated"].ratings
    hidden = [i for i, s in score.items.items() if not s.visible and s.scored]
    assert hidden
    assert not {i for i, *_ in got} & {"mou-purpose-stated", *hidden}

    reopen(session, assessment, user=None, reason="Fix a rating")
    session.commit()
    assert _rows(session, assessment.id) == set()
    submit(session, assessment, user=None)
    session.commit()
    assert _rows(session, assessment.id) == expected


def test_both_ways_of_reading_the_scope_agree(session: Session) -> None:
    seeded = seed_state(session, 6, "VT", rng_seed=11, afterschool_share=0.0, previous_share=0.5)
    advocate = session.get(Organization, seeded.advocate_org_id)
    assert advocate is not None
    extra = _submitted(session, make_org(session, "Shared District", state="VT"), 0.8)
    share_assessment(session, extra, advocate, by=None)
    _submitted(session, make_org(session, "Unshared District", state="VT"), 0.9)
    session.commit()
    for filters in (Filters(), Filters(period="2025-26"), Filters(locale="rural")):
        scope = Scope(advocate.id, "VT", LOCAL_RUBRIC, filters)
        ids = rollup.scored_item_ids(rollup.versions_in_scope(session, scope))
        by_join: list[Any] = sorted(session.execute(rollup.item_results_query(scope)).all())
        by_index: list[Any] = sorted(session.execute(rollup.item_results_query(scope, ids)).all())
        assert by_join == by_index
        if filters == Filters():
            assert by_join  # something was counted


def test_the_index_walk_is_chosen_when_the_scope_holds_at_least_half(session: Session) -> None:
    """The bounded count answers as the full count did, on each side of one half."""
    seeded = seed_state(session, 6, "VT", rng_seed=5, afterschool_share=0.0, previous_share=0.0)
    session.commit()
    scope = Scope(seeded.advocate_org_id, "VT", LOCAL_RUBRIC)
    submitted = session.scalar(
        select(func.count())
        .select_from(Assessment)
        .where(Assessment.rubric_key == LOCAL_RUBRIC, Assessment.status == "submitted")
    )
    assert submitted
    half, rest = divmod(submitted, 2)
    # Exactly half (rounded up) holds "at least half"; one fewer does not.
    assert rollup._reads_most_of_rubric(session, scope, half + rest)
    assert not rollup._reads_most_of_rubric(session, scope, half + rest - 1)
    assert rollup._reads_most_of_rubric(session, scope, submitted)
    assert not rollup._reads_most_of_rubric(session, scope, 0)
