"""The bulk path (``bulk_import.submit_many``) against the operations, one assessment at a time.

The same planned assessments go in twice, for two twin organizations: once through
``start_assessment`` -> ``save_items`` -> ``submit`` -> ``share_assessment``, once in bulk (with
``insert()`` everywhere, and with COPY on PostgreSQL). Every stored row that says something
about the assessment must come out the same: the assessment, its answers and notes, the snapshot
and its content hash, the cached section scores and item results, the shares. Ids, the owning
organization and the clock are the only columns allowed to differ.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from answer_type_fixtures import every_type_rubric
from helpers import make_org, make_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.accounts.operations import add_member
from rubric_app.accounts.sharing import share_assessment
from rubric_app.assessments import ItemChange, ItemState, save_items, start_assessment, submit
from rubric_app.bulk_import import Method, PlannedSubmission, ShareTo, stored_states, submit_many
from rubric_app.demo import generate_states
from rubric_app.demo_state import LOCAL_RUBRIC, seed_state
from rubric_app.models import (
    Answer,
    Assessment,
    ItemNote,
    ItemResult,
    Organization,
    RubricVersion,
    SectionScoreRow,
    Share,
    Snapshot,
    User,
)
from rubric_app.rubric_versions import latest_version, record_rubric, rubric_of

AFTERSCHOOL_RUBRIC = "afterschool-law-enforcement-partnership"

#: Hand-made states of the every-type rubric, with the edges storage smooths over: an empty
#: value next to a real one, a cleared item, a long text that looks like a list, N/A, a flag.
EDGE_STATES: dict[str, ItemState] = {
    "gate": ItemState(values={"value": "yes"}),
    "rated": ItemState(values={"policy": "fully", "practice": ""}, comment="Paper only so far."),
    "ticks": ItemState(values={"value": ("mou", "sop")}, flagged=True),
    "count": ItemState(values={"value": "3"}),
    "line": ItemState(values={"value": ""}),
    "para": ItemState(values={"value": "[1, 2]"}, evidence_quote="q", evidence_source="MOU p. 3"),
    "when": ItemState(),
}


def _version(session: Session, key: str) -> RubricVersion:
    version = latest_version(session, key)
    assert version is not None
    return version


def _twins(session: Session, index: int) -> tuple[Organization, Organization]:
    """Two organizations alike in everything but their name."""
    profile = {"locale": "rural", "enrollment_band": "1k_5k", "sro_model": "sheriff"}
    return (
        make_org(session, f"One By One District {index}", state="VT", **profile),
        make_org(session, f"Bulk District {index}", state="VT", **profile),
    )


def _plans(session: Session) -> list[tuple[RubricVersion, str, dict[str, ItemState], bool]]:
    """(version, period, states, named) of every assessment both paths write."""
    rng = random.Random(2026)
    local = _version(session, LOCAL_RUBRIC)
    afterschool = _version(session, AFTERSCHOOL_RUBRIC)
    record_rubric(session, every_type_rubric())
    every = _version(session, "every-answer-type")
    plans: list[tuple[RubricVersion, str, dict[str, ItemState], bool]] = []
    for number, maturity in enumerate((0.1, 0.45, 0.8)):
        plans.append((local, "2025-26", generate_states(rubric_of(local), rng, maturity), True))
        half_done = generate_states(rubric_of(afterschool), rng, maturity, completion=0.5)
        plans.append((afterschool, "2025-26", half_done, number % 2 == 0))
    plans.append((every, "2025-26", dict(EDGE_STATES), False))
    plans.append((local, "2024-25", {}, True))  # submitted with nothing answered
    return plans


def _rows(session: Session, assessment_id: int) -> dict[str, Any]:
    """Everything stored about one assessment, without ids, owner or timestamps."""

    def table(model: Any, *columns: Any) -> list[tuple[Any, ...]]:
        stmt = select(*columns).where(model.assessment_id == assessment_id)
        return sorted(tuple(row) for row in session.execute(stmt))

    assessment = session.get_one(Assessment, assessment_id)
    return {
        "assessment": (
            assessment.rubric_version_id,
            assessment.rubric_key,
            assessment.title,
            assessment.period,
            assessment.status,
            assessment.revision,
            assessment.created_by_id,
            assessment.submitted_by_id,
            assessment.snapshot_hash,
            assessment.previous_id,
            assessment.submitted_at is not None,
        ),
        "answers": table(
            Answer,
            Answer.item_id,
            Answer.dimension,
            Answer.value,
            Answer.revision,
            Answer.updated_by_id,
        ),
        "notes": table(
            ItemNote,
            ItemNote.item_id,
            ItemNote.not_applicable,
            ItemNote.na_reason,
            ItemNote.comment,
            ItemNote.evidence_quote,
            ItemNote.evidence_source,
            ItemNote.flagged,
            ItemNote.revision,
            ItemNote.updated_by_id,
        ),
        "snapshots": [
            (number, revision, content_hash, payload, by)
            for number, revision, content_hash, payload, by in session.execute(
                select(
                    Snapshot.number,
                    Snapshot.revision,
                    Snapshot.content_hash,
                    Snapshot.payload,
                    Snapshot.submitted_by_id,
                ).where(Snapshot.assessment_id == assessment_id)
            )
        ],
        "section_scores": table(
            SectionScoreRow,
            SectionScoreRow.section_id,
            SectionScoreRow.dimension,
            SectionScoreRow.percent,
            SectionScoreRow.level,
        ),
        "item_results": table(
            ItemResult,
            ItemResult.item_id,
            ItemResult.dimension,
            ItemResult.option_key,
            ItemResult.full,
            ItemResult.paper_practice,
        ),
        "shares": table(
            Share, Share.to_org_id, Share.created_by_id, Share.revoked_at, Share.named_in_lists
        ),
    }


def _one_by_one(
    session: Session,
    org: Organization,
    user: User,
    advocate: Organization,
    plan: tuple[RubricVersion, str, dict[str, ItemState], bool],
) -> int:
    version, period, states, named = plan
    assessment = start_assessment(
        session, org=org, version=version, title=f"Review {period}", period=period, user=user
    )
    changes = [ItemChange(item_id, state, None) for item_id, state in states.items()]
    save_items(session, assessment, changes, user=user)
    submit(session, assessment, user=user)
    share_assessment(session, assessment, advocate, by=user, named=named)
    return assessment.id


def _on_postgresql(session: Session) -> bool:
    return session.connection().dialect.name == "postgresql"


def test_bulk_rows_equal_the_operations_rows(session: Session) -> None:
    advocate = make_org(session, "Vermont Youth Advocates", kind="state_advocate", state="VT")
    plans = _plans(session)
    methods: list[Method] = ["insert", "copy"] if _on_postgresql(session) else ["insert"]
    for method in methods:
        twins = [_twins(session, index) for index in range(len(plans))]
        # One verified user in both twins: creator, submitter and sharer on both paths.
        user = make_user(session, f"owner-{method}@vt.example.org")
        for one, bulk in twins:
            add_member(session, user=user, org=one, role="owner")
            add_member(session, user=user, org=bulk, role="owner")
        expected = [
            _one_by_one(session, one, user, advocate, plan)
            for (one, _), plan in zip(twins, plans, strict=True)
        ]
        planned = [
            PlannedSubmission(
                org_id=bulk.id,
                version=version,
                title=f"Review {period}",
                period=period,
                states=states,
                shares=(ShareTo(advocate.id, named=named),),
            )
            for (_, bulk), (version, period, states, named) in zip(twins, plans, strict=True)
        ]
        # A batch size that splits the plans, so batches are stitched together correctly too.
        got = submit_many(session, planned, by=user.id, method=method, batch_size=3)
        session.commit()
        session.expire_all()
        assert len(got) == len(expected)
        for one_id, bulk_id in zip(expected, got, strict=True):
            assert _rows(session, bulk_id) == _rows(session, one_id), method


def test_bulk_scores_come_from_the_scoring_core(session: Session) -> None:
    """Sanity of the comparison itself: the cached rows exist and differ between maturities."""
    make_org(session, "Vermont Youth Advocates", kind="state_advocate", state="VT")
    local = _version(session, LOCAL_RUBRIC)
    rng = random.Random(5)
    org = make_org(session, "Low And High District", state="VT")
    low = generate_states(rubric_of(local), rng, 0.05)
    high = generate_states(rubric_of(local), rng, 0.95)
    ids = submit_many(
        session,
        [
            PlannedSubmission(org.id, local, "Low", "2023-24", low),
            PlannedSubmission(org.id, local, "High", "2024-25", high),
        ],
    )
    session.commit()
    overall = dict(
        session.execute(
            select(SectionScoreRow.assessment_id, SectionScoreRow.percent).where(
                SectionScoreRow.section_id == "_overall", SectionScoreRow.dimension == "_all"
            )
        ).all()
    )
    low_percent, high_percent = overall[ids[0]], overall[ids[1]]
    assert low_percent is not None
    assert high_percent is not None
    assert low_percent < high_percent
    assert session.scalar(select(ItemResult.id).where(ItemResult.assessment_id == ids[1]))


def test_stored_states_drop_what_storage_drops() -> None:
    kept = stored_states(EDGE_STATES)
    assert "when" not in kept
    # Posted with an empty value: a note row without answers, which reads back empty.
    assert kept["line"].is_empty()
    assert kept["rated"].values == {"policy": "fully"}
    assert kept["rated"].comment == "Paper only so far."
    assert kept["ticks"] == EDGE_STATES["ticks"]


def test_copy_refused_off_postgresql(session: Session) -> None:
    if _on_postgresql(session):
        pytest.skip("COPY is available here")
    with pytest.raises(ValueError, match="COPY needs PostgreSQL"):
        submit_many(session, [], method="copy")


def test_seed_state_small_run_is_complete(session: Session) -> None:
    """A tiny run of the seeder the benchmarks use: three periods, every row family present."""
    seeded = seed_state(
        session, 6, "VT", rng_seed=3, periods=("2023-24", "2024-25", "2025-26"), batch_size=4
    )
    session.commit()
    assert (seeded.organizations, seeded.assessments) == (6, 18)
    ids = list(session.scalars(select(Assessment.id).where(Assessment.status == "submitted")))
    assert len(ids) == 18
    for model in (Snapshot, SectionScoreRow, ItemResult, Share, Answer, ItemNote):
        assert set(session.scalars(select(model.assessment_id))) == set(ids), model
    periods = set(session.scalars(select(Assessment.period)))
    assert periods == {"2023-24", "2024-25", "2025-26"}
