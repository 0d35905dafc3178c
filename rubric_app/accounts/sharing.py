"""Operations on shares: an organization lends a submitted assessment, read-only, to another.

A state advocate organization only receives shares from organizations in its own state.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app import audit
from rubric_app.accounts.operations import AccountError
from rubric_app.models import Assessment, Organization, Share, User, utcnow


def share_assessment(
    session: Session, assessment: Assessment, to_org: Organization, *, by: User | None
) -> Share:
    """Share a submitted assessment with another organization (or renew a revoked share)."""
    if assessment.status != "submitted":
        raise AccountError("Only submitted assessments can be shared. Submit it first.")
    if to_org.id == assessment.org_id:
        raise AccountError("An organization cannot share with itself.")
    owner_org = session.get(Organization, assessment.org_id)
    assert owner_org is not None
    if to_org.kind == "state_advocate" and to_org.state != owner_org.state:
        raise AccountError(
            f"{to_org.name} is a state advocate for {to_org.state}; it can only receive "
            f"assessments from organizations in {to_org.state}."
        )
    share = session.scalar(
        select(Share).where(Share.assessment_id == assessment.id, Share.to_org_id == to_org.id)
    )
    if share is None:
        share = Share(
            assessment_id=assessment.id, to_org_id=to_org.id, created_by_id=by.id if by else None
        )
        session.add(share)
    else:
        share.revoked_at = None
    session.flush()
    audit.record(
        session,
        "share.create",
        user_id=by.id if by else None,
        org_id=assessment.org_id,
        target=f"assessment:{assessment.id}",
        to_org=to_org.id,
    )
    return share


def revoke_share(session: Session, share: Share, *, by: User | None) -> None:
    """Stop sharing; the other organization loses access at once."""
    share.revoked_at = utcnow()
    audit.record(
        session,
        "share.revoke",
        user_id=by.id if by else None,
        org_id=share.assessment.org_id,
        target=f"assessment:{share.assessment_id}",
        to_org=share.to_org_id,
    )
    session.flush()
