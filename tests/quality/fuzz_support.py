"""What the form fuzz needs besides hypothesis: the POST endpoints, values for their URL
variables, the field names each form expects, and a fingerprint of another organization's data.

Signed in as the owner of Riverton (org A), the fuzz aims at Riverton's own objects and at
Cedar Hollow's (org B, which shares nothing with Riverton); Cedar Hollow's rows must come out
unchanged whatever is posted.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from rubric_app.catalog_state import current_catalog
from rubric_app.models import (
    Action,
    Answer,
    Assessment,
    Invitation,
    ItemNote,
    Membership,
    Organization,
    Share,
    Snapshot,
    User,
    UserSession,
)

ORG_A = "Riverton City School District"
ORG_B = "Cedar Hollow Local Schools"
USER_A = "admin@riverton.example.org"
USER_B = "admin@cedar.example.org"

#: POST endpoints the fuzz leaves alone, with the reason.
NOT_FUZZED: dict[str, str] = {}

_NAME = re.compile(r'name="([^"]+)"')


def post_rules(app: Flask) -> list[Any]:
    """Every URL rule that accepts POST (form or JSON), sorted by endpoint."""
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if "POST" in (rule.methods or ()) and rule.endpoint not in NOT_FUZZED
        ),
        key=lambda rule: (rule.endpoint, rule.rule),
    )


def _org(session: Session, name: str) -> Organization:
    org = session.scalar(select(Organization).where(Organization.name == name))
    assert org is not None, f"demo organization {name!r} is missing"
    return org


def _ids(session: Session, model: Any, *where: Any) -> list[int]:
    return list(session.scalars(select(model.id).where(*where).order_by(model.id)))


def _assessments(session: Session, org: Organization) -> list[int]:
    return _ids(session, Assessment, Assessment.org_id == org.id)


def url_values(session: Session) -> dict[str, list[Any]]:
    """Candidate values for each URL variable name: org A's objects, org B's, and nonsense."""
    org_a, org_b = _org(session, ORG_A), _org(session, ORG_B)
    catalog = current_catalog()
    sections = sorted({section.id for r in catalog.rubrics.values() for section in r.sections})
    items = sorted({item.id for r in catalog.rubrics.values() for item in r.items})
    both = (org_a.id, org_b.id)
    assessments = _assessments(session, org_a) + _assessments(session, org_b)
    shares = _ids(session, Share, Share.assessment_id.in_(assessments) | Share.to_org_id.in_(both))
    members = _ids(session, Membership, Membership.org_id.in_(both))
    users = list(
        session.scalars(
            select(Membership.user_id).where(Membership.org_id.in_(both)).order_by(Membership.id)
        )
    )
    return {
        "assessment_id": [*assessments, 999_999],
        "other_id": [*assessments, 999_999],
        "org_id": [*both, 999_999],
        "section_id": [*sections, "no-such-section"],
        "item_id": [*items, "no-such-item"],
        "rubric_id": [*sorted(catalog.rubrics), "no-such-rubric"],
        "share_id": [*shares, 999_999],
        "membership_id": [*members, 999_999],
        "member_id": [*members, 999_999],
        "user_id": [*users, 999_999],
        "action_id": [*_ids(session, Action, Action.assessment_id.in_(assessments)), 999_999],
        "invitation_id": [*_ids(session, Invitation, Invitation.org_id.in_(both)), 999_999],
        "snapshot_id": [*_ids(session, Snapshot, Snapshot.assessment_id.in_(assessments)), 1],
        "session_id": [*_ids(session, UserSession, UserSession.user_id.in_(users)), 999_999],
        "number": [1, 2, 999],
        "state": ["OH", "CA", "ZZ"],
        "token": ["not-a-token", "a" * 200],
        "key": ["not-a-key"],
        "filename": ["x.pdf"],
        "path": ["x"],
    }


def field_names(html: str) -> list[str]:
    """The distinct form field names on a page, without the CSRF token."""
    return sorted({name for name in _NAME.findall(html) if name != "csrf_token"})


def _rows(session: Session, model: Any, *where: Any) -> list[tuple[Any, ...]]:
    columns = [column for column in model.__table__.columns if column.name != "updated_at"]
    query = select(*columns).where(*where).order_by(model.__table__.c.id)
    return [tuple(row) for row in session.execute(query)]


def fingerprint(session: Session, org_name: str = ORG_B) -> dict[str, list[tuple[Any, ...]]]:
    """Every row that belongs to ``org_name``: the organization, its members and their users,
    invitations, assessments, answers, notes, snapshots, shares (both ways) and actions.

    Saved drafts are left out on purpose: a form posted after the session ended is kept for
    whoever signs in next, before anyone can be checked, and only applied after an access
    check, so a stranger's draft row changes nothing of the organization's.
    """
    org = _org(session, org_name)
    assessments = _assessments(session, org)
    in_org = Assessment.id.in_(assessments)
    user_ids = select(Membership.user_id).where(Membership.org_id == org.id)
    return {
        "organization": _rows(session, Organization, Organization.id == org.id),
        "memberships": _rows(session, Membership, Membership.org_id == org.id),
        "users": _rows(session, User, User.id.in_(user_ids)),
        "sessions": _rows(session, UserSession, UserSession.user_id.in_(user_ids)),
        "invitations": _rows(session, Invitation, Invitation.org_id == org.id),
        "assessments": _rows(session, Assessment, in_org),
        "answers": _rows(session, Answer, Answer.assessment_id.in_(assessments)),
        "notes": _rows(session, ItemNote, ItemNote.assessment_id.in_(assessments)),
        "snapshots": _rows(session, Snapshot, Snapshot.assessment_id.in_(assessments)),
        "shares": _rows(
            session,
            Share,
            or_(Share.assessment_id.in_(assessments), Share.to_org_id == org.id),
        ),
        "actions": _rows(session, Action, Action.assessment_id.in_(assessments)),
    }
