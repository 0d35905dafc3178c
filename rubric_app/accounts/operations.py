"""Operations on users, organizations and memberships: the only code that writes them.

Functions add and flush; the request or CLI command that calls them commits once.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rubric_app import audit
from rubric_app.accounts.passwords import hash_password
from rubric_app.models import ORG_KINDS, ROLES, Membership, Organization, User
from rubric_app.us_states import is_state_code


class AccountError(ValueError):
    """A request that cannot be carried out, with a message fit to show the user."""


def normalize_email(email: str) -> str:
    """Trim and lower-case an e-mail address so that one person has one account."""
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    """The user with this e-mail address, if any."""
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(session: Session, *, email: str, name: str, password: str) -> User:
    """Create a user; refuse an e-mail address that is already taken."""
    email = normalize_email(email)
    if find_user(session, email) is not None:
        raise AccountError("An account with this email address already exists. Try signing in.")
    user = User(email=email, name=name.strip(), password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def create_organization(
    session: Session,
    *,
    name: str,
    kind: str,
    state: str,
    nces_id: str | None = None,
    enrollment_band: str | None = None,
    locale: str | None = None,
    sro_model: str | None = None,
) -> Organization:
    """Create an organization after checking its kind and state code."""
    if kind not in ORG_KINDS:
        raise AccountError(
            f"Unknown organization kind {kind!r}; choose one of {', '.join(ORG_KINDS)}."
        )
    state = state.strip().upper()
    if not is_state_code(state):
        raise AccountError(f"{state!r} is not a two-letter US state code.")
    org = Organization(
        name=name.strip(),
        kind=kind,
        state=state,
        nces_id=nces_id or None,
        enrollment_band=enrollment_band or None,
        locale=locale or None,
        sro_model=sro_model or None,
    )
    session.add(org)
    session.flush()
    return org


def add_member(
    session: Session, *, user: User, org: Organization, role: str, by: User | None = None
) -> Membership:
    """Give the user a role in the organization (or change an existing role)."""
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    membership = session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.org_id == org.id)
    )
    if membership is None:
        membership = Membership(user_id=user.id, org_id=org.id, role=role)
        session.add(membership)
    else:
        membership.role = role
    if user.current_org_id is None:
        user.current_org_id = org.id
    session.flush()
    audit.record(
        session,
        "membership.set",
        user_id=by.id if by else None,
        org_id=org.id,
        target=f"user:{user.id}",
        role=role,
    )
    return membership


def owner_count(session: Session, org_id: int) -> int:
    """How many owners the organization has."""
    return (
        session.scalar(
            select(func.count()).where(Membership.org_id == org_id, Membership.role == "owner")
        )
        or 0
    )
