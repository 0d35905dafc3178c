"""Operations on users, organizations and memberships: the only code that writes them.

Functions add and flush; the request or CLI command that calls them commits once. Every
refusal raises AccountError with a message fit to show the user. Whether the acting user is
allowed at all is the caller's question to ``rubric_app.access``; the rules that hold whoever
acts (an organization always keeps an owner) are enforced here.

Why it is long: it is the one writer of users, organizations and memberships, and their rules span
all three.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rubric_app import audit
from rubric_app.accounts.email_addresses import email_problem
from rubric_app.accounts.partner_codes import new_partner_code
from rubric_app.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password, weak_password_problem
from rubric_app.accounts.user_sessions import revoke_all
from rubric_app.hostile_input import name_problem
from rubric_app.models import (
    ENROLLMENT_BANDS,
    LOCALES,
    ORG_KINDS,
    ROLES,
    SRO_MODELS,
    Membership,
    Organization,
    User,
    utcnow,
)
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
    # The check the forms make, for the CLI too.
    problem = email_problem(email)
    if problem is not None:
        raise AccountError(f"{email!r} is not a valid email address: {problem}")
    if find_user(session, email) is not None:
        raise AccountError(
            "An account with this email address already exists. Sign in, or reset your "
            "password if you have forgotten it."
        )
    problem = name_problem(name)
    if problem is not None:
        raise AccountError(f"The name {problem}.")
    check_password_rules(password, email=email, name=name)
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
    created_by: User | None = None,
) -> Organization:
    """Create an organization after checking its kind, state code and peer-group attributes.

    A new state advocate is pending until a site administrator verifies it
    (``rubric_app.accounts.vetting``); ``created_by`` is shown to them as who asked.
    """
    org = Organization(created_by_id=created_by.id if created_by is not None else None)
    _set_profile(
        org,
        name=name,
        kind=kind,
        state=state,
        nces_id=nces_id,
        enrollment_band=enrollment_band,
        locale=locale,
        sro_model=sro_model,
    )
    session.add(org)
    session.flush()
    return org


def update_organization(
    session: Session,
    org: Organization,
    *,
    by: User | None,
    name: str,
    kind: str,
    state: str,
    nces_id: str | None = None,
    enrollment_band: str | None = None,
    locale: str | None = None,
    sro_model: str | None = None,
) -> bool:
    """Change the organization's profile with the same checks as creating it.

    Return True when the change ended a verification or a rejection: a site administrator
    approved (or refused) the old name, kind and state, not the new ones, so a verified
    organization that changes them waits for approval again (state advocates) or simply loses
    the badge (other kinds).
    """
    identity = (org.name_key, org.kind, org.state)
    _set_profile(
        org,
        name=name,
        kind=kind,
        state=state,
        nces_id=nces_id,
        enrollment_band=enrollment_band,
        locale=locale,
        sro_model=sro_model,
    )
    vetting_ended = (org.name_key, org.kind, org.state) != identity and (
        org.verified_at is not None or org.rejected_at is not None
    )
    if vetting_ended:
        org.verified_at = None
        org.verified_by_id = None
        org.rejected_at = None
    session.flush()
    audit.record(
        session,
        "org.update",
        user_id=by.id if by else None,
        org_id=org.id,
        **({"verification": "ended"} if vetting_ended else {}),
    )
    return vetting_ended


def regenerate_partner_code(session: Session, org: Organization, *, by: User | None) -> str:
    """Give the organization a new partner code; the old one stops finding it at once.

    Shares already made stay; only new partners need the new code.
    """
    org.partner_code = new_partner_code()
    session.flush()
    audit.record(session, "org.partner_code", user_id=by.id if by else None, org_id=org.id)
    return org.partner_code


def _set_profile(
    org: Organization,
    *,
    name: str,
    kind: str,
    state: str,
    nces_id: str | None,
    enrollment_band: str | None,
    locale: str | None,
    sro_model: str | None,
) -> None:
    name = name.strip()
    if not name:
        raise AccountError("Enter the organization's name.")
    problem = name_problem(name)
    if problem is not None:
        # The forms say so at the field; this holds the rule for the command line too.
        raise AccountError(f"The organization's name {problem}.")
    if kind not in ORG_KINDS:
        raise AccountError(
            f"Unknown organization kind {kind!r}; choose one of {', '.join(ORG_KINDS)}."
        )
    state = state.strip().upper()
    if not is_state_code(state):
        raise AccountError(f"{state!r} is not a two-letter US state code.")
    nces_id = (nces_id or "").strip() or None
    if nces_id is not None and not is_nces_or_ipeds_id(nces_id):
        raise AccountError(
            "An NCES district id has 7 digits and an IPEDS unit id has 6 digits; "
            "leave it empty if you have none."
        )
    for value, allowed, label in (
        (enrollment_band, ENROLLMENT_BANDS, "enrollment band"),
        (locale, LOCALES, "locale"),
        (sro_model, SRO_MODELS, "SRO staffing model"),
    ):
        if value and value not in allowed:
            raise AccountError(f"Unknown {label} {value!r}; choose one of {', '.join(allowed)}.")
    org.name = name
    org.kind = kind
    org.state = state
    org.nces_id = nces_id
    org.enrollment_band = enrollment_band or None
    org.locale = locale or None
    org.sro_model = sro_model or None


def is_nces_or_ipeds_id(value: str) -> bool:
    """Whether ``value`` looks like an NCES LEA id (7 digits) or an IPEDS unit id (6 digits)."""
    return value.isascii() and value.isdigit() and len(value) in (6, 7)


def check_password_rules(password: str, *, email: str = "", name: str = "") -> None:
    """Refuse passwords that are too short, the e-mail address, or common and easy to guess."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Use a password of at least {MIN_PASSWORD_LENGTH} characters.")
    if email and password.strip().lower() == normalize_email(email):
        raise AccountError("Do not use your email address as your password.")
    problem = weak_password_problem(password, related=(email, name))
    if problem:
        raise AccountError(problem)


def set_password(
    session: Session,
    user: User,
    password: str,
    *,
    reason: Literal["password_change", "password_reset"],
) -> None:
    """Store a new password and end every session of the user (the caller may sign in again)."""
    check_password_rules(password, email=user.email, name=user.name)
    user.password_hash = hash_password(password)
    end_sessions(session, user)
    session.flush()
    action: audit.AuditAction = (
        "auth.password_change" if reason == "password_change" else "auth.password_reset"
    )
    audit.record(session, action, user_id=user.id, org_id=user.current_org_id)


def end_sessions(session: Session, user: User) -> None:
    """End every session of the user, on every device: each server session is revoked, and the
    session version in every cookie goes stale too."""
    user.session_version = (user.session_version or 1) + 1
    revoke_all(session, user.id, utcnow())


def add_member(
    session: Session, *, user: User, org: Organization, role: str, by: User | None = None
) -> Membership:
    """Give the user a role in the organization (or change an existing role)."""
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    membership = membership_of(session, user.id, org.id)
    if membership is not None:
        change_role(session, membership, role, by=by)
        return membership
    membership = Membership(user_id=user.id, org_id=org.id, role=role)
    session.add(membership)
    if user.current_org_id is None:
        user.current_org_id = org.id
    session.flush()
    audit.record(
        session,
        "membership.add",
        user_id=by.id if by else None,
        org_id=org.id,
        target=f"user:{user.id}",
        role=role,
    )
    return membership


def membership_of(session: Session, user_id: int, org_id: int) -> Membership | None:
    """The user's membership of the organization, if any."""
    return session.scalar(
        select(Membership).where(Membership.user_id == user_id, Membership.org_id == org_id)
    )


def change_role(session: Session, membership: Membership, role: str, *, by: User | None) -> None:
    """Give a member another role; the last owner cannot stop being an owner."""
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    if role == membership.role:
        return
    if is_last_owner(session, membership, lock=True):
        raise AccountError(
            "This is the organization's only owner. Make someone else an owner first."
        )
    membership.role = role
    session.flush()
    audit.record(
        session,
        "membership.role",
        user_id=by.id if by else None,
        org_id=membership.org_id,
        target=f"user:{membership.user_id}",
        role=role,
    )


def remove_member(session: Session, membership: Membership, *, by: User | None) -> None:
    """Remove a member from the organization; never the last owner."""
    if is_last_owner(session, membership, lock=True):
        raise AccountError(
            "This is the organization's only owner and cannot be removed. "
            "Make someone else an owner first."
        )
    user = membership.user
    org_id = membership.org_id
    session.delete(membership)
    session.flush()
    if user.current_org_id == org_id:
        user.current_org_id = None
    audit.record(
        session,
        "membership.remove",
        user_id=by.id if by else None,
        org_id=org_id,
        target=f"user:{user.id}",
    )
    session.flush()


def is_last_owner(session: Session, membership: Membership, *, lock: bool = False) -> bool:
    """Whether the membership is its organization's only owner (who must stay an owner).

    With ``lock`` (before changing a membership), the owners' rows stay locked until the
    transaction ends: two owners leaving or demoting each other at the same moment are taken
    one after the other on PostgreSQL, so the second sees the first's change and the
    organization keeps an owner. (SQLite lets one writer at a time in anyway.)
    """
    if membership.role != "owner":
        return False
    if not lock:
        return owner_count(session, membership.org_id) <= 1
    owners = session.scalars(
        select(Membership.id)
        .where(Membership.org_id == membership.org_id, Membership.role == "owner")
        .with_for_update()
    ).all()
    return len(owners) <= 1


@dataclass(frozen=True)
class LeaveRefusal:
    """Why a member cannot leave yet, and whether they are the organization's only member."""

    message: str
    #: The only member: the way on is to invite an owner, not to change someone's role.
    alone: bool


def leave_refusal(
    session: Session, membership: Membership, *, lock: bool = False
) -> LeaveRefusal | None:
    """Why the member cannot leave the organization now, in words for them; None if they can.

    Only the last owner is held back, because an organization always keeps an owner; leaving
    never deletes the organization, not even when its last member goes.
    """
    if not is_last_owner(session, membership, lock=lock):
        return None
    name = membership.organization.name
    if member_count(session, membership.org_id) <= 1:
        return LeaveRefusal(
            f"You are the only member of {name}, and an organization always keeps an owner, "
            "so you cannot leave it yet. Invite a colleague as an owner; once they have "
            "accepted the invitation, you can leave.",
            alone=True,
        )
    return LeaveRefusal(
        f"You are the only owner of {name}, and an organization always keeps an owner, so you "
        "cannot leave it yet. Make another member an owner first (change their role on the "
        "organization page), then leave.",
        alone=False,
    )


def leave_organization(session: Session, membership: Membership) -> Organization | None:
    """End the user's own membership; return the organization they work for next, if any.

    Their answers, notes and audit entries stay with the organization (those rows name the
    user but do not depend on the membership). The last owner is refused (see leave_refusal).
    """
    refusal = leave_refusal(session, membership, lock=True)
    if refusal is not None:
        raise AccountError(refusal.message)
    user = membership.user
    org_id = membership.org_id
    role = membership.role
    next_org = org_after_leaving(session, user, org_id)
    session.delete(membership)
    user.current_org_id = next_org.id if next_org is not None else None
    session.flush()
    audit.record(
        session,
        "membership.leave",
        user_id=user.id,
        org_id=org_id,
        target=f"user:{user.id}",
        role=role,
    )
    session.flush()
    return next_org


def org_after_leaving(session: Session, user: User, org_id: int) -> Organization | None:
    """The organization the user works for once they have left ``org_id``, if any remains.

    Their current choice when it is another organization they belong to, else the first of the
    others by name (the org bar's own fallback), else None.
    """
    others = session.scalars(
        select(Organization)
        .join(Membership, Membership.org_id == Organization.id)
        .where(Membership.user_id == user.id, Membership.org_id != org_id)
        .order_by(Organization.name, Organization.id)
    ).all()
    chosen = next((org for org in others if org.id == user.current_org_id), None)
    return chosen or (others[0] if others else None)


def switch_organization(session: Session, user: User, org: Organization) -> None:
    """Make ``org`` the user's current organization (the caller has checked membership)."""
    user.current_org_id = org.id
    session.flush()


def owner_count(session: Session, org_id: int) -> int:
    """How many owners the organization has."""
    return (
        session.scalar(
            select(func.count()).where(Membership.org_id == org_id, Membership.role == "owner")
        )
        or 0
    )


def member_count(session: Session, org_id: int) -> int:
    """How many members the organization has, whatever their role."""
    return session.scalar(select(func.count()).where(Membership.org_id == org_id)) or 0
