"""Starting an assessment, optionally copying a previous one's answers forward."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rubric_app import audit
from rubric_app.assessments.locking import lock_assessment
from rubric_app.assessments.reads import find_existing, load_states
from rubric_app.assessments.saving import save_items
from rubric_app.assessments.states import AssessmentError, ItemChange
from rubric_app.models import Assessment, Organization, RubricVersion, User
from rubric_app.rubric_versions import rubric_of


def start_assessment(
    session: Session,
    *,
    org: Organization,
    version: RubricVersion,
    title: str,
    period: str,
    user: User | None,
    previous: Assessment | None = None,
    allow_second: bool = False,
) -> Assessment:
    """Start an assessment; with ``previous``, copy its answers forward for the next cycle."""
    period = period.strip()
    if not allow_second and find_existing(session, org.id, version.rubric_key, period):
        raise AssessmentError(
            f"Your organization already has an assessment of this rubric for {period}. "
            "Open it from your assessments, or choose another period."
        )
    if previous is not None and previous.org_id != org.id:
        raise AssessmentError("You can only start from one of your own organization's assessments.")
    if previous is not None:
        # Held while its answers are copied, so the copy is one consistent state of it.
        previous = lock_assessment(session, previous.id)
    assessment = Assessment(
        org_id=org.id,
        rubric_version_id=version.id,
        rubric_key=version.rubric_key,
        title=title.strip(),
        period=period,
        status="draft",
        revision=0,
        created_by_id=user.id if user else None,
        previous_id=previous.id if previous else None,
    )
    session.add(assessment)
    session.flush()
    if previous is not None:
        rubric = rubric_of(version)
        carried = {
            item_id: state
            for item_id, state in load_states(session, previous).items()
            if rubric.has_item(item_id)
        }
        changes = [ItemChange(item_id, state, None) for item_id, state in carried.items()]
        save_items(session, assessment, changes, user=user, record=False)
    audit.record(
        session,
        "assessment.start",
        user_id=user.id if user else None,
        org_id=org.id,
        target=f"assessment:{assessment.id}",
        rubric=version.rubric_key,
        version=version.version,
        previous=previous.id if previous else None,
    )
    return assessment
