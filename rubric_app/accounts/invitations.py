"""Invitations: owners invite colleagues by e-mail; the e-mailed link is signed, expiring and
single-use (the token names the Invitation row; accepting or revoking it retires the link).

Joining needs the link itself, not just an account with the same address: holding the link is
what proves the invitee owns the address, so accepting it also verifies the address. Only users
who have verified their own address may invite (``require_verified``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app import audit
from rubric_app.accounts.email_addresses import email_problem
from rubric_app.accounts.operations import (
    AccountError,
    add_member,
    find_user,
    membership_of,
    normalize_email,
)
from rubric_app.accounts.tokens import TokenError, make_token, read_token
from rubric_app.accounts.verification import mark_verified, require_verified
from rubric_app.models import ROLES, Invitation, Membership, Organization, User, utcnow


@dataclass(frozen=True)
class PendingInvitation:
    """An open invitation as the organization page lists it."""

    id: int
    email: str
    role: str
    invited_by: str
    sent_at: dt.datetime
    expires_at: dt.datetime
    expired: bool


def invitation_token(invitation: Invitation) -> str:
    """The token for the e-mailed link of this invitation."""
    return make_token("invitation", {"invitation": invitation.id})


def invite(
    session: Session, org: Organization, *, email: str, role: str, by: User | None
) -> Invitation:
    """Create an invitation (replacing an open one to the same address) and return it."""
    # Invitations reach other people: only from someone whose own address is proven.
    require_verified(by)
    email = normalize_email(email)
    problem = email_problem(email)
    if problem is not None:
        raise AccountError(problem)
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    existing_user = find_user(session, email)
    if existing_user is not None and membership_of(session, existing_user.id, org.id):
        raise AccountError(f"{email} is already a member of {org.name}.")
    # A new invitation retires any open one, so only the newest link works.
    for old in open_invitations(session, org.id, email=email):
        old.revoked_at = utcnow()
    invitation = Invitation(
        org_id=org.id, email=email, role=role, invited_by_id=by.id if by else None
    )
    session.add(invitation)
    session.flush()
    audit.record(
        session,
        "invitation.create",
        user_id=by.id if by else None,
        org_id=org.id,
        target=f"invitation:{invitation.id}",
        email=email,
        role=role,
    )
    return invitation


def open_invitations(
    session: Session, org_id: int, *, email: str | None = None
) -> list[Invitation]:
    """Invitations of the organization neither accepted nor revoked, newest first."""
    query = select(Invitation).where(
        Invitation.org_id == org_id,
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
    )
    if email is not None:
        query = query.where(Invitation.email == normalize_email(email))
    return list(session.scalars(query.order_by(Invitation.created_at.desc(), Invitation.id.desc())))


def pending_invitations(session: Session, org_id: int) -> list[PendingInvitation]:
    """The organization's open invitations with who sent them and when they expire."""
    max_age = dt.timedelta(seconds=int(current_app.config["INVITATION_MAX_AGE"]))
    now = utcnow()
    result = []
    for invitation in open_invitations(session, org_id):
        inviter = session.get(User, invitation.invited_by_id) if invitation.invited_by_id else None
        sent_at = _aware(invitation.created_at)
        result.append(
            PendingInvitation(
                id=invitation.id,
                email=invitation.email,
                role=invitation.role,
                invited_by=inviter.name if inviter else "—",
                sent_at=sent_at,
                expires_at=sent_at + max_age,
                expired=sent_at + max_age < now,
            )
        )
    return result


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; they were stored in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def invitation_from_token(session: Session, token: str) -> Invitation:
    """The open invitation a link points at; TokenError if damaged, expired or used."""
    payload = read_token("invitation", token)
    invitation_id = payload.get("invitation")
    invitation = session.get(Invitation, invitation_id) if isinstance(invitation_id, int) else None
    if invitation is None:
        raise TokenError("This invitation no longer exists.")
    if invitation.accepted_at is not None:
        raise TokenError("This invitation has already been used.")
    if invitation.revoked_at is not None:
        raise TokenError("This invitation was withdrawn or replaced by a newer one.")
    return invitation


def accept_invitation(session: Session, invitation: Invitation, user: User) -> Membership:
    """Make the user a member with the invited role; the invitation is used up.

    The link came by mail to the invited address, so the user's address is verified too.
    """
    if normalize_email(user.email) != invitation.email:
        raise AccountError(
            f"This invitation is for {invitation.email}, but you are signed in as {user.email}. "
            "Sign out and sign in (or sign up) with the invited address."
        )
    org = session.get(Organization, invitation.org_id)
    assert org is not None  # the invitation row would have been deleted with it
    membership = membership_of(session, user.id, org.id)
    if membership is None:
        membership = add_member(session, user=user, org=org, role=invitation.role, by=user)
    invitation.accepted_at = utcnow()
    user.current_org_id = org.id
    session.flush()
    mark_verified(session, user, via="invitation")
    audit.record(
        session,
        "invitation.accept",
        user_id=user.id,
        org_id=org.id,
        target=f"invitation:{invitation.id}",
    )
    return membership


def revoke_invitation(session: Session, invitation: Invitation, *, by: User | None) -> None:
    """Withdraw an open invitation; its link stops working."""
    invitation.revoked_at = utcnow()
    session.flush()
    audit.record(
        session,
        "invitation.revoke",
        user_id=by.id if by else None,
        org_id=invitation.org_id,
        target=f"invitation:{invitation.id}",
        email=invitation.email,
    )
