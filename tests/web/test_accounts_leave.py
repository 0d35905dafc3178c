"""Leaving an organization through HTTP: confirmation page, leaving, last-owner refusal, CSRF."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_from, make_org, make_user, signin
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from rubric_app.accounts.operations import (
    AccountError,
    add_member,
    leave_organization,
    membership_of,
    owner_count,
)
from rubric_app.assessments import start_assessment
from rubric_app.models import Assessment, AuditEvent, Organization, User
from rubric_app.rubric_versions import latest_version

LEAVE = "/organization/leave"
LEAVE_FORM = f'action="{LEAVE}"'


def _assessment(session: Session, org: Organization, user: User) -> Assessment:
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    return start_assessment(
        session, org=org, version=version, title="Review 2025-26", period="2025-26", user=user
    )


def _leave(client: FlaskClient) -> TestResponse:
    """Open the confirmation page and press its button."""
    page = client.get(LEAVE)
    assert page.status_code == 200
    return client.post(LEAVE, data={"csrf_token": csrf_from(page.data)})


def _leave_events(session: Session, org_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(
                AuditEvent.org_id == org_id, AuditEvent.action == "membership.leave"
            )
        )
    )


def test_viewer_leaves_loses_access_and_the_leaving_is_audited(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    org = make_org(session, "Lakeview Unified")
    owner = make_user(session, "owner@example.org", org, "owner", name="Olive Owner")
    viewer = make_user(session, "viewer@example.org", org, "viewer", name="Vic Viewer")
    assessment = _assessment(session, org, owner)
    session.commit()
    signin(client, "viewer@example.org")
    assert client.get(f"/assessments/{assessment.id}").status_code == 200

    page = client.get(LEAVE).get_data(as_text=True)
    assert "<h1>Leave Lakeview Unified</h1>" in page
    assert "Your role in Lakeview Unified is viewer." in page
    assert "has to invite you again" in page
    assert "stay with Lakeview Unified" in page
    assert "not belong to any organization" in page
    assert LEAVE_FORM in page

    response = client.post(LEAVE, data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/organizations/new"
    landing = client.get("/organizations/new").get_data(as_text=True)
    assert "You have left Lakeview Unified." in landing

    session.expire_all()
    assert membership_of(session, viewer.id, org.id) is None
    assert session.get(User, viewer.id).current_org_id is None  # type: ignore[union-attr]
    assert session.get(Organization, org.id) is not None
    (event,) = _leave_events(session, org.id)
    assert (event.user_id, event.target, event.detail) == (
        viewer.id,
        f"user:{viewer.id}",
        {"role": "viewer"},
    )
    assert client.get(f"/assessments/{assessment.id}").status_code == 404
    # No organization left: the leave page itself sends them to create one.
    assert client.get(LEAVE).headers["Location"] == "/organizations/new"

    audit = app.test_client()
    signin(audit, "owner@example.org")
    log = audit.get("/organization/audit").get_data(as_text=True)
    assert "Left the organization" in log
    assert "Vic Viewer" in log


def test_editor_in_two_organizations_is_switched_to_the_other(
    client: FlaskClient, session: Session
) -> None:
    first = make_org(session, "Alder District")
    second = make_org(session, "Birch Youth Club", kind="afterschool_program")
    owner = make_user(session, "owner@example.org", first, "owner")
    editor = make_user(session, "editor@example.org", first, "editor")
    make_user(session, "lead@example.org", second, "owner")
    add_member(session, user=editor, org=second, role="viewer")
    assessment = _assessment(session, first, owner)
    session.commit()
    assert editor.current_org_id == first.id
    signin(client, "editor@example.org")

    page = client.get(LEAVE).get_data(as_text=True)
    assert "Afterwards you will be working for Birch Youth Club." in page
    response = _leave(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "You have left Alder District. You are now working for Birch Youth Club." in home

    session.expire_all()
    assert membership_of(session, editor.id, first.id) is None
    assert membership_of(session, editor.id, second.id) is not None
    assert session.get(User, editor.id).current_org_id == second.id  # type: ignore[union-attr]
    assert len(_leave_events(session, first.id)) == 1
    assert client.get(f"/assessments/{assessment.id}").status_code == 404
    assert "Birch Youth Club" in client.get("/organization").get_data(as_text=True)


def test_last_owner_is_told_to_make_someone_else_owner_and_stays(
    client: FlaskClient, session: Session
) -> None:
    org = make_org(session, "Lakeview Unified")
    owner = make_user(session, "owner@example.org", org, "owner")
    make_user(session, "editor@example.org", org, "editor")
    session.commit()
    signin(client, "owner@example.org")

    page = client.get(LEAVE)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "You are the only owner of Lakeview Unified" in text
    assert "Make another member an owner first" in text
    assert 'href="/organization#members"' in text
    assert LEAVE_FORM not in text

    # A post anyway (an old tab, a hand-made request) is refused with the same words.
    token = csrf_from(client.get("/organization").data)
    refused = client.post(LEAVE, data={"csrf_token": token})
    assert refused.status_code == 400
    assert "You are the only owner of Lakeview Unified" in refused.get_data(as_text=True)
    session.expire_all()
    assert membership_of(session, owner.id, org.id) is not None
    assert _leave_events(session, org.id) == []


def test_only_member_is_told_plainly_and_the_organization_is_kept(
    client: FlaskClient, session: Session
) -> None:
    org = make_org(session, "Solo Afterschool", kind="afterschool_program")
    owner = make_user(session, "solo@example.org", org, "owner")
    session.commit()
    signin(client, "solo@example.org")

    text = client.get(LEAVE).get_data(as_text=True)
    assert "You are the only member of Solo Afterschool" in text
    assert "Invite a colleague as an owner" in text
    assert 'href="/organization#invitations"' in text
    assert LEAVE_FORM not in text

    token = csrf_from(client.get("/organization").data)
    assert client.post(LEAVE, data={"csrf_token": token}).status_code == 400
    session.expire_all()
    assert membership_of(session, owner.id, org.id) is not None
    assert session.get(Organization, org.id) is not None


def test_a_second_owner_can_leave(client: FlaskClient, session: Session) -> None:
    org = make_org(session, "Lakeview Unified")
    first = make_user(session, "first@example.org", org, "owner")
    second = make_user(session, "second@example.org", org, "owner")
    session.commit()
    signin(client, "second@example.org")

    response = _leave(client)
    assert response.status_code == 302
    session.expire_all()
    assert membership_of(session, second.id, org.id) is None
    assert membership_of(session, first.id, org.id).role == "owner"  # type: ignore[union-attr]
    assert owner_count(session, org.id) == 1


def test_the_last_owner_rule_holds_in_the_operation(session: Session) -> None:
    org = make_org(session, "Lakeview Unified")
    owner = make_user(session, "owner@example.org", org, "owner")
    make_user(session, "viewer@example.org", org, "viewer")
    membership = membership_of(session, owner.id, org.id)
    assert membership is not None
    with pytest.raises(AccountError, match="only owner"):
        leave_organization(session, membership)
    assert membership_of(session, owner.id, org.id) is not None


def test_leaving_without_a_csrf_token_is_refused(client: FlaskClient, session: Session) -> None:
    org = make_org(session, "Lakeview Unified")
    make_user(session, "owner@example.org", org, "owner")
    viewer = make_user(session, "viewer@example.org", org, "viewer")
    session.commit()
    signin(client, "viewer@example.org")

    assert client.post(LEAVE).status_code == 400
    assert client.post(LEAVE, data={"csrf_token": "forged"}).status_code == 400
    session.expire_all()
    assert membership_of(session, viewer.id, org.id) is not None
    assert _leave_events(session, org.id) == []


def test_signed_out_visitors_are_sent_to_sign_in(client: FlaskClient, session: Session) -> None:
    org = make_org(session, "Lakeview Unified")
    make_user(session, "owner@example.org", org, "owner")
    viewer = make_user(session, "viewer@example.org", org, "viewer")
    session.commit()

    page = client.get(LEAVE)
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/signin")
    token = csrf_from(client.get("/signin").data)
    posted = client.post(LEAVE, data={"csrf_token": token})
    assert posted.status_code == 302
    assert posted.headers["Location"].startswith("/signin")
    session.expire_all()
    assert membership_of(session, viewer.id, org.id) is not None
    assert _leave_events(session, org.id) == []


def test_every_member_finds_the_leave_link_on_the_organization_page(
    app: Flask, session: Session
) -> None:
    org = make_org(session, "Lakeview Unified")
    for role in ("owner", "editor", "viewer"):
        make_user(session, f"{role}@example.org", org, role)
    session.commit()
    for role in ("owner", "editor", "viewer"):
        client = app.test_client()
        signin(client, f"{role}@example.org")
        page = client.get("/organization").get_data(as_text=True)
        assert f'<a href="{LEAVE}">Leave this organization</a>' in page
