"""The frameworks an organization adds to its reports beside its state's law (operations).

A state's law applies to every organization in the state; funding conditions (frameworks of
jurisdiction "federal", such as the COPS Hiring Program's) apply only to those funded, so an
owner ticks them on the organization page. This module is the only code that reads or writes
those choices (``OrganizationFramework``); each change is audited with what was added and
removed. The caller commits.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rubric_app import audit
from rubric_app.models import Organization, OrganizationFramework, User

__all__ = ["added_framework_ids", "set_added_frameworks"]


def added_framework_ids(session: Session, org_id: int) -> tuple[str, ...]:
    """The ids of the frameworks the organization added, sorted."""
    return tuple(
        session.scalars(
            select(OrganizationFramework.framework_id)
            .where(OrganizationFramework.org_id == org_id)
            .order_by(OrganizationFramework.framework_id)
        )
    )


def set_added_frameworks(
    session: Session, org: Organization, framework_ids: Collection[str], *, by: User
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Make ``framework_ids`` the organization's added frameworks; return (added, removed).

    The caller has checked the ids against the loaded frameworks the form offers. Nothing is
    written (nor audited) when nothing changes.
    """
    before = set(added_framework_ids(session, org.id))
    wanted = set(framework_ids)
    added = tuple(sorted(wanted - before))
    removed = tuple(sorted(before - wanted))
    if removed:
        session.execute(
            delete(OrganizationFramework).where(
                OrganizationFramework.org_id == org.id,
                OrganizationFramework.framework_id.in_(removed),
            )
        )
    session.add_all(
        OrganizationFramework(org_id=org.id, framework_id=framework_id, added_by_id=by.id)
        for framework_id in added
    )
    if added or removed:
        audit.record(
            session,
            "org.frameworks",
            user_id=by.id,
            org_id=org.id,
            target=f"org:{org.id}",
            added=list(added),
            removed=list(removed),
        )
    session.flush()
    return added, removed
