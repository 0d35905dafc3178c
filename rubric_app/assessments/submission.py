"""Submit (freeze a snapshot, cache the scores) and reopen (a draft again)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app import audit
from rubric_app.assessments.locking import lock_assessment
from rubric_app.assessments.reads import load_states, rubric_for
from rubric_app.assessments.score_cache import (
    clear_score_cache,
    write_item_results,
    write_section_scores,
)
from rubric_app.assessments.snapshots import payload_hash, snapshot_payload
from rubric_app.assessments.states import AssessmentError
from rubric_app.models import Assessment, Snapshot, User, utcnow
from rubric_app.scoring import score_assessment


def submit(session: Session, assessment: Assessment, *, user: User | None) -> Snapshot:
    """Lock the assessment, freeze a snapshot with its content hash, and cache its scores.

    The status is checked under the lock: a save waiting for this submit finds the assessment
    submitted, and a submit waiting for a save freezes what that save wrote.
    """
    assessment = lock_assessment(session, assessment.id)
    if assessment.status != "draft":
        raise AssessmentError("This assessment is already submitted.")
    states = load_states(session, assessment)
    payload = snapshot_payload(assessment.rubric_version, states)
    content_hash = payload_hash(payload)
    number = (
        len(
            list(
                session.scalars(select(Snapshot.id).where(Snapshot.assessment_id == assessment.id))
            )
        )
        + 1
    )
    now = utcnow()
    snapshot = Snapshot(
        assessment_id=assessment.id,
        number=number,
        revision=assessment.revision,
        content_hash=content_hash,
        payload=payload,
        submitted_at=now,
        submitted_by_id=user.id if user else None,
    )
    session.add(snapshot)
    assessment.status = "submitted"
    assessment.submitted_at = now
    assessment.submitted_by_id = user.id if user else None
    assessment.snapshot_hash = content_hash
    rubric = rubric_for(assessment)
    answers = {item_id: state.to_answer() for item_id, state in states.items()}
    score = score_assessment(rubric, answers)
    write_section_scores(session, assessment, score)
    write_item_results(session, assessment, rubric, score)
    audit.record(
        session,
        "assessment.submit",
        user_id=user.id if user else None,
        org_id=assessment.org_id,
        target=f"assessment:{assessment.id}",
        snapshot=number,
        hash=content_hash,
    )
    session.flush()
    return snapshot


def reopen(
    session: Session, assessment: Assessment, *, user: User | None, reason: str = ""
) -> None:
    """Unlock a submitted assessment for changes; its snapshots stay retrievable."""
    assessment = lock_assessment(session, assessment.id)
    if assessment.status != "submitted":
        raise AssessmentError("Only a submitted assessment can be reopened.")
    assessment.status = "draft"
    assessment.snapshot_hash = None
    clear_score_cache(session, assessment)
    audit.record(
        session,
        "assessment.reopen",
        user_id=user.id if user else None,
        org_id=assessment.org_id,
        target=f"assessment:{assessment.id}",
        reason=reason,
    )
    session.flush()
