"""The audit log: record who did what, when, in which organization, and read it back.

Actions are dotted verbs, every one of them listed in ``AuditAction`` (mypy checks each
``record`` call against it; an older stored action missing from it shows as-is). They are:
``auth.signup``, ``auth.signin``, ``auth.signin_failed``, ``auth.signout``,
``auth.signout_everywhere``, ``auth.password_change``, ``auth.password_reset``,
``auth.email_verified`` (detail ``via``: verification_link, invitation, password_reset, cli, demo),
``org.create``, ``org.update``, ``org.verify`` and ``org.reject`` (a site administrator's
decision; detail ``via``: admin_page, cli, demo), ``org.partner_code``, ``user.site_admin``,
``auth.signup_taken``, ``auth.signin_link_sent``, ``auth.session_signout`` (target ``session:N``),
``auth.two_step_*`` and ``auth.recovery_code*`` (two-step sign-in), ``org.two_step_*``,
``membership.add``, ``membership.role``, ``membership.remove``, ``membership.leave``,
``invitation.create``, ``invitation.accept``, ``invitation.revoke``,
``share.create``, ``share.revoke``, ``assessment.*`` (start, save, submit, reopen, export,
import), ``action.*``, ``compare.view``, ``compare.export``, ``state.export`` and
``demo.seed_state``. Targets name an object as "kind:id" (``user:3``,
``assessment:12``); the audit page shows them by name.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Literal, cast

from flask import has_request_context, request
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from rubric_app.db import Base
from rubric_app.models import AuditEvent, User, utcnow

#: Every action the app records; mypy checks each ``record`` call against this list, and a unit
#: test keeps it in step with ``ACTION_LABELS``.
AuditAction = Literal[
    "auth.signup",
    "auth.signin",
    "auth.signin_failed",
    "auth.signout",
    "auth.signout_everywhere",
    "auth.password_change",
    "auth.password_reset",
    "org.create",
    "org.update",
    "membership.add",
    "membership.role",
    "membership.remove",
    "membership.leave",
    "invitation.create",
    "invitation.accept",
    "invitation.revoke",
    "share.create",
    "share.revoke",
    "assessment.start",
    "assessment.save",
    "assessment.submit",
    "assessment.reopen",
    "assessment.export",
    "assessment.import",
    "action.create",
    "action.update",
    "action.complete",
    "action.carry",
    "auth.reset_requested",
    "auth.email_verified",
    "org.verify",
    "org.reject",
    "org.partner_code",
    "user.site_admin",
    "auth.two_step_on",
    "auth.two_step_off",
    "auth.two_step_moved",
    "auth.two_step_failed",
    "auth.recovery_code_used",
    "auth.recovery_codes_new",
    "org.two_step_required",
    "org.two_step_optional",
    "auth.signup_taken",
    "auth.signin_link_sent",
    "auth.session_signout",
    "compare.view",
    "compare.export",
    "state.export",
    "demo.seed_state",
    "document.upload",
    "document.delete",
    "org.frameworks",
]

ACTION_LABELS: dict[AuditAction, str] = {
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
    "membership.leave": "Left the organization",
    "invitation.create": "Invited someone",
    "invitation.accept": "Accepted an invitation",
    "invitation.revoke": "Withdrew an invitation",
    "share.create": "Shared an assessment",
    "share.revoke": "Stopped sharing an assessment",
    "assessment.start": "Started an assessment",
    "assessment.save": "Saved answers",
    "assessment.submit": "Submitted an assessment",
    "assessment.reopen": "Reopened an assessment",
    "assessment.export": "Exported an assessment",
    "assessment.import": "Imported answers",
    "action.create": "Planned an action",
    "action.update": "Changed an action",
    "action.complete": "Completed an action",
    "action.carry": "Carried an open action into the next period's plan",
    "auth.reset_requested": "Asked for a password reset link",
    "auth.email_verified": "Confirmed their email address",
    "org.verify": "Verified the organization (site administrator)",
    "org.reject": "Did not approve the organization (site administrator)",
    "org.partner_code": "Replaced the partner code",
    "user.site_admin": "Made a site administrator",
    "auth.two_step_on": "Turned on two-step sign-in",
    "auth.two_step_off": "Turned off two-step sign-in",
    "auth.two_step_moved": "Moved two-step sign-in to a new phone",
    "auth.two_step_failed": "Typed a wrong two-step code",
    "auth.recovery_code_used": "Signed in with a recovery code",
    "auth.recovery_codes_new": "Made new recovery codes",
    "org.two_step_required": "Required two-step sign-in of every member",
    "org.two_step_optional": "Made two-step sign-in optional",
    "auth.signup_taken": "Someone tried to sign up with their address",
    "auth.signin_link_sent": "Asked for a one-time sign-in link",
    "auth.session_signout": "Signed out one of their sessions",
    "compare.view": "Viewed a comparison",
    "compare.export": "Exported a comparison",
    "state.export": "Exported the state roll-up",
    "org.frameworks": "Changed the funding conditions checked in reports",
    "demo.seed_state": "Seeded demo data for a state",
    "document.upload": "Uploaded an agreement document",
    "document.delete": "Deleted an agreement document",
}
#: Longest detail value shown in full on the audit page.
DETAIL_MAX = 80


def record(
    session: Session,
    action: AuditAction,
    *,
    user_id: int | None = None,
    org_id: int | None = None,
    target: str = "",
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the session; the caller's transaction commits it."""
    event = AuditEvent(
        action=action, user_id=user_id, org_id=org_id, target=target, detail=detail, ip=_ip()
    )
    session.add(event)
    return event


#: Built once (``record_at_once`` runs it on every save).
_INSERT_EVENT = insert(Base.metadata.tables[AuditEvent.__tablename__])


def record_at_once(
    session: Session,
    action: AuditAction,
    *,
    user_id: int | None = None,
    org_id: int | None = None,
    target: str = "",
    **detail: Any,
) -> None:
    """Write an audit event now, with one INSERT on the session's connection: the same row as
    ``record``, in the caller's transaction (its rollback takes the event back too).

    For the hot path (every save of answers): flushing one new ``AuditEvent`` through the
    unit of work at commit cost about three times the statement itself. No object is made, so
    nothing is returned.
    """
    session.connection().execute(
        _INSERT_EVENT,
        {
            "at": utcnow(),
            "user_id": user_id,
            "org_id": org_id,
            "action": action,
            "target": target,
            "detail": detail,
            "ip": _ip(),
        },
    )


def _ip() -> str:
    """The client's address, when there is a request."""
    return (request.remote_addr or "") if has_request_context() else ""


def record_export(
    session: Session,
    *,
    org_id: int,
    assessment_id: int,
    format: str,
    user_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Record that an assessment left the app (JSON, a PDF, the amendments DOCX, by web or CLI)."""
    return record(
        session,
        "assessment.export",
        user_id=user_id,
        org_id=org_id,
        target=f"assessment:{assessment_id}",
        format=format,
        **detail,
    )


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


def describe_detail(detail: dict[str, Any] | None, org_names: dict[int, str]) -> str:
    """Render an event's details as "key: value" pairs; long lists become counts."""
    if not detail:
        return ""
    parts = []
    for key, value in sorted(detail.items()):
        if value is None or value == "":
            continue
        if key == "to_org" and isinstance(value, int):
            value = org_names.get(value, f"organization {value}")
        elif isinstance(value, list | tuple):
            value = f"{len(value)} item{'' if len(value) == 1 else 's'}"
        text = str(value)
        if key == "hash":
            text = text[:12] + "…"  # enough to tell snapshots apart
        elif len(text) > DETAIL_MAX:
            text = text[: DETAIL_MAX - 1] + "…"
        parts.append(f"{key.replace('_', ' ')}: {text}")
    return ", ".join(parts)


def _target_names(session: Session, events: list[AuditEvent]) -> dict[str, str]:
    """Readable names for "user:N" and "assessment:N" targets, looked up in two queries."""
    from rubric_app.models import Assessment

    ids: dict[str, set[int]] = {"user": set(), "assessment": set()}
    for event in events:
        kind, _, raw = event.target.partition(":")
        if kind in ids and raw.isdigit():
            ids[kind].add(int(raw))
    names: dict[str, str] = {}
    if ids["user"]:
        for user_id, name, email in session.execute(
            select(User.id, User.name, User.email).where(User.id.in_(ids["user"]))
        ):
            names[f"user:{user_id}"] = f"{name} <{email}>"
    if ids["assessment"]:
        for assessment_id, title in session.execute(
            select(Assessment.id, Assessment.title).where(Assessment.id.in_(ids["assessment"]))
        ):
            names[f"assessment:{assessment_id}"] = title
    return names


def events_for_org(session: Session, org_id: int, *, page: int, page_size: int) -> AuditPage:
    """One page of the organization's audit log, newest first, with names resolved."""
    from rubric_app.models import Organization

    total = (
        session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.org_id == org_id)
        )
        or 0
    )
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    rows = list(
        session.execute(
            select(AuditEvent, User.name, User.email)
            .outerjoin(User, User.id == AuditEvent.user_id)
            .where(AuditEvent.org_id == org_id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    )
    events = [event for event, _name, _email in rows]
    targets = _target_names(session, events)
    org_ids = {
        event.detail["to_org"]
        for event in events
        if isinstance(event.detail, dict) and isinstance(event.detail.get("to_org"), int)
    }
    org_names: dict[int, str] = {}
    if org_ids:
        # A Result has .keys(), so dict(result) would treat it as a mapping; build it by hand.
        query = select(Organization.id, Organization.name).where(Organization.id.in_(org_ids))
        org_names = {org_id: name for org_id, name in session.execute(query)}  # noqa: C416 - see above
    return AuditPage(
        rows=[
            AuditRow(
                at=event.at,
                who=f"{name} <{email}>" if email else "—",
                action=event.action,
                # Read back as any string: an event stored before its action left the list
                # still shows, under its raw name.
                label=ACTION_LABELS.get(cast(AuditAction, event.action), event.action),
                target=targets.get(event.target, event.target),
                detail=describe_detail(event.detail, org_names),
                ip=event.ip,
            )
            for event, name, email in rows
        ],
        page=page,
        pages=pages,
        total=total,
    )
