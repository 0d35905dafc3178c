"""Operations on shares: an organization lends a submitted assessment, read-only, to another.

A state advocate organization only receives shares from organizations in its own state, and
only users who have verified their e-mail address may share (``require_verified``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app import audit
from rubric_app.accounts.operations import AccountError
from rubric_app.accounts.verification import require_verified
from rubric_app.models import Assessment, Organization, Share, User, utcnow


@dataclass(frozen=True)
class ShareRow:
    """One share of an assessment as the sharing page lists it."""

    id: int
    org_id: int
    org_name: str
    org_kind: str
    org_state: str
    shared_at: dt.datetime
    shared_by: str
    revoked_at: dt.datetime | None


def shares_of(session: Session, assessment: Assessment) -> list[ShareRow]:
    """Every share of the assessment, live ones first, then by organization name."""
    rows = session.execute(
        select(Share, Organization, User.name)
        .join(Organization, Organization.id == Share.to_org_id)
        .outerjoin(User, User.id == Share.created_by_id)
        .where(Share.assessment_id == assessment.id)
        .order_by(Share.revoked_at.is_not(None), Organization.name)
    )
    return [
        ShareRow(
            id=share.id,
            org_id=org.id,
            org_name=org.name,
            org_kind=org.kind,
            org_state=org.state,
            shared_at=share.created_at,
            shared_by=name or "—",
            revoked_at=share.revoked_at,
        )
        for share, org, name in rows
    ]


def share_targets(session: Session, owner_org: Organization, state: str) -> list[Organization]:
    """Organizations in ``state`` the owner may share with, by name.

    State advocates only receive shares from their own state, so in other states they are
    left out; the owner's own organization never appears.
    """
    query = select(Organization).where(Organization.state == state, Organization.id != owner_org.id)
    if state != owner_org.state:
        query = query.where(Organization.kind != "state_advocate")
    return list(session.scalars(query.order_by(Organization.name)))


def share_assessment(
    session: Session,
    assessment: Assessment,
    to_org: Organization,
    *,
    by: User | None,
    named: bool = False,
) -> Share:
    """Share a submitted assessment with another organization (or renew a revoked share).

    ``named``: the organization agrees to be named in the receiver's participant lists (a state
    advocate's dashboard and exports); sharing again changes that choice.
    """
    # Sharing reaches another organization: only from someone whose own address is proven.
    require_verified(by)
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
    share.named_in_lists = named
    session.flush()
    audit.record(
        session,
        "share.create",
        user_id=by.id if by else None,
        org_id=assessment.org_id,
        target=f"assessment:{assessment.id}",
        to_org=to_org.id,
        named=named,
    )
    return share


def revoke_share(session: Session, share: Share, *, by: User | None) -> None:
    """Stop sharing; the other organization loses access at once."""
    if share.revoked_at is not None:
        return
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
