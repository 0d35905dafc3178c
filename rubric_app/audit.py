"""The audit log: record who did what, when, in which organization."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy.orm import Session

from rubric_app.models import AuditEvent


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
    ip = request.remote_addr or "" if has_request_context() else ""
    event = AuditEvent(
        action=action, user_id=user_id, org_id=org_id, target=target, detail=detail, ip=ip
    )
    session.add(event)
    return event
