"""Vetting organizations: which ones a site administrator has verified, and the decisions.

A state advocate organization sees a state's dashboard and receives districts' candid
self-assessments, so anyone could impersonate one by typing its name. A new state advocate is
therefore *pending* until a site administrator verifies it (the ``/admin`` pages or
``flask orgs verify``); a pending or rejected advocate gets no dashboard and is never a share
target. Other kinds of organization need no approval, though an administrator may verify them
too (they then carry the badge). Changing a verified organization's name, kind or state ends
its verification (``update_organization``), since the approval was for the old identity.

Districts, programs and colleges are verified in bulk from a filtered list
(``unverified_organizations``, the ``/admin/organizations/unverified`` page), each one as
``verify_organization`` verifies it.

Two verified organizations of one kind and state never share a name (``name_key``): verifying
checks for a clash, and the partial unique index ``uq_organizations_verified_name`` holds the
rule when two approvals race (the second waits for the first and is then refused).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rubric_app import audit
from rubric_app.accounts.operations import AccountError
from rubric_app.hostile_input import name_problem
from rubric_app.models import Organization, User, utcnow

#: Kinds of organization that wait for a site administrator before they act as what they are.
VETTED_KINDS = frozenset({"state_advocate"})
#: How an organization got verified, as recorded in the audit log.
VERIFIED_VIA = ("admin_page", "cli", "demo")

Status = Literal["verified", "pending", "rejected", "not_needed"]


def verification_status(org: Organization) -> Status:
    """Whether the organization is verified, waiting, refused, or needs no vetting at all."""
    if org.verified_at is not None:
        return "verified"
    if org.rejected_at is not None:
        return "rejected"
    return "pending" if org.kind in VETTED_KINDS else "not_needed"


def is_verified_org(org: Organization) -> bool:
    """Whether a site administrator has verified the organization."""
    return org.verified_at is not None


def acts_as_advocate(org: Organization) -> bool:
    """Whether the organization is a *verified* state advocate (dashboard, share target)."""
    return org.kind == "state_advocate" and is_verified_org(org)


@dataclass(frozen=True)
class UnverifiedOrg:
    """One organization no site administrator has verified, as the admin pages list it: a
    state advocate waiting for approval (it asked by being created), or a district, program
    or college to verify in bulk."""

    id: int
    name: str
    kind: str
    state: str
    created_at: dt.datetime
    created_by_name: str | None
    created_by_email: str | None
    #: The verified organization whose name it repeats, if any (verifying it is refused).
    clashes_with: str | None


def pending_organizations(session: Session) -> list[UnverifiedOrg]:
    """Organizations waiting for approval, oldest request first, with who asked."""
    rows = session.execute(
        select(Organization, User.name, User.email)
        .outerjoin(User, User.id == Organization.created_by_id)
        .where(
            Organization.kind.in_(VETTED_KINDS),
            Organization.verified_at.is_(None),
            Organization.rejected_at.is_(None),
        )
        .order_by(Organization.created_at, Organization.id)
    ).all()
    return _listed(session, rows)


def _listed(session: Session, rows: Sequence[Any]) -> list[UnverifiedOrg]:
    """The admin pages' rows from (organization, creator's name, creator's e-mail) rows, each
    with the verified organization it shares a name with (one query for them all)."""
    clashes = _verified_namesakes(session, [org for org, _name, _email in rows])
    return [
        UnverifiedOrg(
            id=org.id,
            name=org.name,
            kind=org.kind,
            state=org.state,
            created_at=org.created_at,
            created_by_name=user_name,
            created_by_email=email,
            clashes_with=clashes.get((org.kind, org.state, org.name_key)),
        )
        for org, user_name, email in rows
    ]


def _verified_clash(session: Session, org: Organization) -> Organization | None:
    """The verified organization of the same kind and state with the same name key, if any."""
    return session.scalar(
        select(Organization).where(
            Organization.kind == org.kind,
            Organization.state == org.state,
            Organization.name_key == org.name_key,
            Organization.verified_at.is_not(None),
            Organization.id != org.id,
        )
    )


def _clash_message(org: Organization, clash_id: int | None) -> str:
    ref = f" (id {clash_id})" if clash_id is not None else ""
    return (
        f"A verified organization of the same kind in {org.state} is already named "
        f"“{org.name}”{ref}. Two verified organizations cannot share a name: reject this "
        "request, or ask the requester to rename their organization first."
    )


def _locked(session: Session, org: Organization) -> Organization:
    """The organization's row, locked until the transaction ends (PostgreSQL), freshly read.

    Two administrators deciding on one request at once are taken one after the other, and the
    second sees the first's decision. SQLite admits one writer at a time anyway.
    """
    locked = session.scalar(
        select(Organization)
        .where(Organization.id == org.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None:
        raise AccountError("This organization no longer exists.")
    return locked


def verify_organization(
    session: Session, org: Organization, *, by: User | None, via: str = "admin_page"
) -> bool:
    """Verify the organization; return False when it already was (nothing changes then).

    Refused (AccountError) when a verified organization of the same kind and state has the same
    name, whether found first or raised by the unique index when another approval won a race;
    the caller then rolls back its transaction.
    """
    org = _locked(session, org)
    if org.verified_at is not None:
        return False
    problem = name_problem(org.name)
    if problem is not None:
        # Named before names were checked for look-alike letters: the clash check cannot see
        # through them, so it is not vouched for until it is renamed.
        raise AccountError(f"It cannot be verified until it is renamed: its name {problem}.")
    clash = _verified_clash(session, org)
    if clash is not None:
        raise AccountError(_clash_message(org, clash.id))
    # Written now, before the flush can fail and leave the session needing a rollback.
    refusal = _clash_message(org, None)
    org.verified_at = utcnow()
    org.verified_by_id = by.id if by is not None else None
    org.rejected_at = None
    try:
        # Another approval of the same name may have won meanwhile: the index refuses this one
        # (after waiting for it to commit). No savepoint: on SQLite a savepoint outside a
        # transaction would commit on release. The caller rolls back on AccountError.
        session.flush()
    except IntegrityError as error:
        raise AccountError(refusal) from error
    audit.record(
        session,
        "org.verify",
        user_id=by.id if by is not None else None,
        org_id=org.id,
        target=f"org:{org.id}",
        via=via,
        name=org.name,
    )
    return True


def reject_organization(session: Session, org: Organization, *, by: User | None) -> bool:
    """Refuse to verify a pending organization; return False when it was already refused.

    The organization and its members stay (nothing is lost); it simply gets no dashboard and
    receives no shares. Changing its name, kind or state asks again.
    """
    org = _locked(session, org)
    if org.verified_at is not None:
        raise AccountError(f"{org.name} is already verified; it cannot be rejected now.")
    if org.rejected_at is not None:
        return False
    org.rejected_at = utcnow()
    session.flush()
    audit.record(
        session,
        "org.reject",
        user_id=by.id if by is not None else None,
        org_id=org.id,
        target=f"org:{org.id}",
        name=org.name,
    )
    return True


#: Unverified organizations listed per page of the bulk verification page.
UNVERIFIED_PER_PAGE = 50


@dataclass(frozen=True)
class UnverifiedPage:
    """One page of unverified organizations, and how many match in all."""

    rows: tuple[UnverifiedOrg, ...]
    total: int
    page: int
    pages: int


def unverified_organizations(
    session: Session,
    *,
    state: str = "",
    kind: str = "",
    name: str = "",
    page: int = 1,
    per_page: int = UNVERIFIED_PER_PAGE,
) -> UnverifiedPage:
    """Districts, programs and colleges not verified yet, by state and name, one page of them.

    ``state`` and ``kind`` narrow the list when set; ``name`` keeps the names containing it
    (any case). A page past the end gives the last page.
    """
    conditions: list[ColumnElement[bool]] = [
        Organization.kind.not_in(VETTED_KINDS),
        Organization.verified_at.is_(None),
    ]
    if state:
        conditions.append(Organization.state == state)
    if kind:
        conditions.append(Organization.kind == kind)
    if name.strip():
        conditions.append(
            func.lower(Organization.name).contains(name.strip().lower(), autoescape=True)
        )
    total = int(
        session.scalar(select(func.count()).select_from(Organization).where(*conditions)) or 0
    )
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = session.execute(
        select(Organization, User.name, User.email)
        .outerjoin(User, User.id == Organization.created_by_id)
        .where(*conditions)
        .order_by(Organization.state, Organization.name, Organization.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return UnverifiedPage(
        rows=tuple(_listed(session, rows)),
        total=total,
        page=page,
        pages=pages,
    )


def _verified_namesakes(
    session: Session, orgs: list[Organization]
) -> dict[tuple[str, str, str], str]:
    """For a page of organizations, the verified ones they share a kind, state and name key
    with, in one query."""
    keys = {(org.kind, org.state, org.name_key) for org in orgs}
    if not keys:
        return {}
    found = session.execute(
        select(
            Organization.kind,
            Organization.state,
            Organization.name_key,
            Organization.name,
            Organization.id,
        ).where(
            tuple_(Organization.kind, Organization.state, Organization.name_key).in_(sorted(keys)),
            Organization.verified_at.is_not(None),
        )
    ).all()
    return {(kind, state, key): f"{name} (id {org_id})" for kind, state, key, name, org_id in found}
