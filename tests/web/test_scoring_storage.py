"""Scores survive the database: answers saved and read back score exactly as before saving.

Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (the ``session`` fixture's backends).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from rubric_app.assessments import (
    ItemChange,
    ItemState,
    load_answers,
    save_items,
    start_assessment,
    submit,
)
from rubric_app.catalog_state import current_catalog
from rubric_app.models import Organization, SectionScoreRow
from rubric_app.rubric_versions import latest_version
from rubric_app.scoring import score_assessment

LOCAL = "secure-local-implementation"


@st.composite
def item_states(draw: st.DrawFn) -> dict[str, ItemState]:
    """Random answers to the real local rubric: ratings, N/A with reasons, gaps left unanswered."""
    rubric = current_catalog().rubrics[LOCAL]
    states: dict[str, ItemState] = {}
    for item in rubric.items:
        choice = draw(st.sampled_from(["skip", "rate", "rate", "rate", "na"]))
        if item.type == "yes_no":
            states[item.id] = ItemState(values={"value": draw(st.sampled_from(["yes", "no"]))})
        elif choice == "na":
            states[item.id] = ItemState(not_applicable=True, na_reason="Not relevant here")
        elif choice == "rate":
            scale = rubric.scale_of(item)
            assert scale is not None
            keys = [option.key for option in scale.options]
            values = {
                dimension: draw(st.sampled_from(keys))
                for dimension in item.dimensions
                if draw(st.booleans()) or dimension == item.dimensions[0]
            }
            states[item.id] = ItemState(values=values, flagged=draw(st.booleans()))
    return states


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(states=item_states())
def test_scores_match_after_a_database_round_trip(
    session: Any, states: dict[str, ItemState]
) -> None:
    rubric = current_catalog().rubrics[LOCAL]
    version = latest_version(session, LOCAL)
    assert version is not None
    org = Organization(name="Round Trip District", kind="district", state="OH")
    session.add(org)
    session.flush()
    assessment = start_assessment(
        session, org=org, version=version, title="T", period="2026-27", user=None, allow_second=True
    )
    save_items(
        session,
        assessment,
        [ItemChange(item_id, state, None) for item_id, state in states.items()],
        user=None,
    )
    session.commit()
    session.expire_all()

    expected = score_assessment(rubric, {i: s.to_answer() for i, s in states.items()})
    stored = score_assessment(rubric, load_answers(session, assessment))
    assert stored == expected

    # The cached section scores the roll-ups read are the scoring core's figures too.
    submit(session, assessment, user=None)
    session.commit()
    cached = {
        (row.section_id, row.dimension): row.percent
        for row in session.scalars(
            select(SectionScoreRow).where(SectionScoreRow.assessment_id == assessment.id)
        )
    }
    assert cached[("_overall", "_all")] == expected.percent
    for section in expected.sections:
        assert cached[(section.section_id, "_all")] == section.percent
        for dimension, percent in section.by_dimension.items():
            assert cached[(section.section_id, dimension)] == percent
