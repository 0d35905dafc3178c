"""Operations on shares: an organization lends a submitted assessment, read-only, to another.

Who can receive (``share_targets``): the *verified* state advocate(s) of the organization's own
state, and partners it was told about: the organization whose partner code someone typed, or the
organizations owned by the person whose e-mail address they typed (the partner's owner gave it
out). Nobody can browse a state's organizations, so an assessment never lands, unasked, in an
arbitrary organization's list. A pending or rejected advocate is never a target, not even by
its code, and an advocate only receives from its own state. ``share_assessment`` holds these
rules itself, and only users who have verified their e-mail address may share
(``require_verified``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app import audit
from rubric_app.accounts.operations import AccountError, normalize_email
from rubric_app.accounts.partner_codes import normalize_partner_code
from rubric_app.accounts.verification import require_verified
from rubric_app.accounts.vetting import acts_as_advocate
from rubric_app.models import Assessment, Membership, Organization, Share, User, utcnow

#: Why an organization is not among the targets, in words for the person sharing.
NOT_A_TARGET = (
    "You can share with your state's verified state advocate, or with a partner organization "
    "whose partner code (or whose owner's email address) you were given. Ask the partner's "
    "owner for the code shown on their organization page."
)


@dataclass(frozen=True)
class ShareRow:
    """One share of an assessment as the sharing page lists it."""

    id: int
    org_id: int
    org_name: str
    org_kind: str
    org_state: str
    #: Whether a site administrator verified the receiving organization (shown as a badge).
    org_verified: bool
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
            org_verified=org.verified_at is not None,
            shared_at=share.created_at,
            shared_by=name or "—",
            revoked_at=share.revoked_at,
        )
        for share, org, name in rows
    ]


def own_state_advocates(session: Session, owner_org: Organization) -> list[Organization]:
    """The verified state advocate organizations of the owner's state, by name."""
    return list(
        session.scalars(
            select(Organization)
            .where(
                Organization.kind == "state_advocate",
                Organization.state == owner_org.state,
                Organization.verified_at.is_not(None),
                Organization.id != owner_org.id,
            )
            .order_by(Organization.name, Organization.id)
        )
    )


def partners_found_by(
    session: Session, owner_org: Organization, reference: str
) -> list[Organization]:
    """The organizations ``reference`` names exactly and that may receive from the owner.

    ``reference`` is a partner code (any case, spaces or dashes) or the e-mail address of one of
    the partner's owners; anything else finds nothing. Advocates found this way still have to be
    verified and of the owner's state.
    """
    reference = reference.strip()
    code = normalize_partner_code(reference)
    if code is not None:
        query = select(Organization).where(Organization.partner_code == code)
    elif "@" in reference:
        query = (
            select(Organization)
            .join(Membership, Membership.org_id == Organization.id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.role == "owner", User.email == normalize_email(reference))
        )
    else:
        return []
    found = session.scalars(
        query.where(Organization.id != owner_org.id).order_by(Organization.name, Organization.id)
    )
    return [org for org in found if _may_receive(org, owner_org)]


def _may_receive(org: Organization, owner_org: Organization) -> bool:
    if org.kind != "state_advocate":
        return True
    return acts_as_advocate(org) and org.state == owner_org.state


def share_targets(
    session: Session, owner_org: Organization, partner: str = ""
) -> list[Organization]:
    """Whom the owner may share with: its state's verified advocates, then partners found by
    ``partner`` (a partner code or an owner's e-mail address), each once."""
    targets = own_state_advocates(session, owner_org)
    if partner:
        seen = {org.id for org in targets}
        targets += [
            org for org in partners_found_by(session, owner_org, partner) if org.id not in seen
        ]
    return targets


def share_assessment(
    session: Session,
    assessment: Assessment,
    to_org: Organization,
    *,
    by: User | None,
    partner: str = "",
    named: bool = False,
) -> Share:
    """Share a submitted assessment with another organization (or renew a revoked share).

    ``to_org`` must be one of ``share_targets(owner, partner)``: a verified advocate of the
    owner's state, or an organization ``partner`` (its code, or an owner's e-mail) names.
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
    if to_org.kind == "state_advocate" and not acts_as_advocate(to_org):
        raise AccountError(
            f"{to_org.name} is not a verified state advocate (a site administrator has not "
            "approved it), so it cannot receive assessments."
        )
    if to_org.id not in {org.id for org in share_targets(session, owner_org, partner)}:
        raise AccountError(NOT_A_TARGET)
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
