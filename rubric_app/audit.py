"""The audit log: record who did what, when, in which organization, and read it back.

Actions are dotted verbs. The ones in use (others may be added; unknown ones show as-is):
``auth.signup``, ``auth.signin``, ``auth.signin_failed``, ``auth.signout``,
``auth.signout_everywhere``, ``auth.password_change``, ``auth.password_reset``,
``org.create``, ``org.update``, ``membership.add``, ``membership.role``, ``membership.remove``,
``invitation.create``, ``invitation.accept``, ``invitation.revoke``, ``share.create``,
``share.revoke``, ``assessment.*`` (start, save, submit, reopen, ...) and ``export.*``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from flask import has_request_context, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rubric_app.models import AuditEvent, User

ACTION_LABELS = {
    "auth.signup": "Signed up",
    "auth.signin": "Signed in",
    "auth.signin_failed": "Failed sign-in",
    "auth.signout": "Signed out",
    "auth.signout_everywhere": "Signed out everywhere",
    "auth.password_change": "Changed password",
    "auth.password_reset": "Reset password",
    "org.create": "Created the organization",
    "org.update": "Changed the organization profile",
    "membership.add": "Added a member",
    "membership.role": "Changed a member's role",
    "membership.remove": "Removed a member",
    "invitation.create": "Invited someone",
    "invitation.accept": "Accepted an invitation",
    "invitation.revoke": "Withdrew an invitation",
    "share.create": "Shared an assessment",
    "share.revoke": "Stopped sharing an assessment",
    "assessment.start": "Started an assessment",
    "assessment.submit": "Submitted an assessment",
    "assessment.reopen": "Reopened an assessment",
}


def record(
    session: Session,
    action: str,
    *,
    user_id: int | None = None,
    org_id: int | None = None,
    target: str = "",
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the session; the caller's transaction commits it."""
    ip = (request.remote_addr or "") if has_request_context() else ""
    event = AuditEvent(
        action=action, user_id=user_id, org_id=org_id, target=target, detail=detail, ip=ip
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class AuditRow:
    """One event as the audit page shows it."""

    at: dt.datetime
    who: str
    action: str
    label: str
    target: str
    detail: str
    ip: str


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    page: int
    pages: int
    total: int


def describe_detail(detail: dict[str, Any] | None) -> str:
    """Render an event's details as "key: value" pairs, in key order."""
    if not detail:
        return ""
    return ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in sorted(detail.items()))


def events_for_org(session: Session, org_id: int, *, page: int, page_size: int) -> AuditPage:
    """One page of the organization's audit log, newest first."""
    total = (
        session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.org_id == org_id)
        )
        or 0
    )
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    rows = session.execute(
        select(AuditEvent, User.name, User.email)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.org_id == org_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return AuditPage(
        rows=[
            AuditRow(
                at=event.at,
                who=f"{name} <{email}>" if email else "—",
                action=event.action,
                label=ACTION_LABELS.get(event.action, event.action),
                target=event.target,
                detail=describe_detail(event.detail),
                ip=event.ip,
            )
            for event, name, email in rows
        ],
        page=page,
        pages=pages,
        total=total,
    )
