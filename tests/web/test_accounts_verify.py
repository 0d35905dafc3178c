"""Email verification through HTTP: the mailed link, its failures, and what unverified users
may not do (invite, share) until they open it."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_from, make_org, make_user, signin
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rubric_app.accounts.invitations import invitation_token, invite
from rubric_app.accounts.mail import outbox
from rubric_app.accounts.operations import find_user
from rubric_app.accounts.sharing import share_assessment
from rubric_app.accounts.tokens import make_token
from rubric_app.accounts.verification import UnverifiedError, verification_token
from rubric_app.assessments import start_assessment, submit
from rubric_app.models import Assessment, AuditEvent, Invitation, Organization, Share, User
from rubric_app.rubric_versions import latest_version

NEW_PASSWORD = "a brand new passphrase 2026"
NOTICE = "Confirm your email address to"
BANNER = "Please confirm your email address"


def signup(client: FlaskClient, email: str, name: str = "Robin Hale", query: str = ""):
    page = client.get("/signup" + query)
    return client.post(
        "/signup" + query,
        data={
            "name": name,
            "email": email,
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": csrf_from(page.data),
        },
    )


def verify_path(app: Flask) -> str:
    """The path of the verification link in the last mail."""
    with app.app_context():
        body = outbox()[-1].body
    match = re.search(r"https?://[^/\s]+(/verify/\S+)", body)
    assert match, body
    return match.group(1)


def fresh_user(session: Session, email: str) -> User:
    session.expire_all()
    user = find_user(session, email)
    assert user is not None
    return user


def verified_events(session: Session, user: User) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "auth.email_verified", AuditEvent.user_id == user.id
            )
        )
    )


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def submitted_assessment(session: Session, org: Organization, user: User) -> Assessment:
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    assessment = start_assessment(
        session, org=org, version=version, title="Policy review", period="2026-27", user=user
    )
    submit(session, assessment, user=user)
    return assessment


def test_signup_mails_a_link_and_the_user_starts_unverified(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    response = signup(client, " Robin.Hale@Example.org")
    assert response.status_code == 302
    with app.app_context():
        mails = list(outbox())
    assert [mail.to for mail in mails] == ["robin.hale@example.org"]
    assert mails[0].subject == "Confirm your email address for rubric_app"
    assert "works once, for 48 hours" in mails[0].body
    user = fresh_user(session, "robin.hale@example.org")
    assert user.email_verified_at is None
    page = client.get("/organizations/new").get_data(as_text=True)
    assert "We also sent a link to robin.hale@example.org" in page
    # The banner reminds them on every page, with a button that posts (CSRF) to resend.
    assert BANNER in page
    assert 'action="/verify/resend"' in page
    assert "Send the link again" in page
    assert "Not confirmed yet" in client.get("/account").get_data(as_text=True)


def test_the_link_verifies_once_even_when_signed_out(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    signup(client, "robin@example.org")
    path = verify_path(app)
    stranger = app.test_client()  # another browser, nobody signed in
    response = stranger.get(path)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Email address confirmed" in text
    assert "robin@example.org" in text
    assert 'href="/signin"' in text
    user = fresh_user(session, "robin@example.org")
    assert user.email_verified_at is not None
    assert [event.detail for event in verified_events(session, user)] == [
        {"via": "verification_link"}
    ]
    # The banner is gone for the signed-in user.
    assert BANNER not in client.get("/organizations/new").get_data(as_text=True)
    assert 'tag--complete">Confirmed' in client.get("/account").get_data(as_text=True)
    # Single use.
    again = client.get(path)
    assert again.status_code == 400
    again_text = again.get_data(as_text=True)
    assert "already been used" in again_text
    assert "which is confirmed: there is nothing more to do" in again_text
    assert len(verified_events(session, user)) == 1


def test_signed_in_user_who_verifies_is_led_to_the_next_step(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    signup(client, "robin@example.org")
    response = client.get(verify_path(app))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert 'href="/organizations/new"' in text
    assert "Create your organization" in text


def test_expired_link_offers_a_new_one(app: Flask, client: FlaskClient, session: Session) -> None:
    signup(client, "robin@example.org")
    path = verify_path(app)
    app.config["EMAIL_VERIFICATION_MAX_AGE"] = -1
    response = client.get(path)
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This link has expired." in text
    assert 'action="/verify/resend"' in text
    assert fresh_user(session, "robin@example.org").email_verified_at is None


def test_garbled_and_foreign_tokens_are_refused(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    signup(client, "robin@example.org")
    path = verify_path(app)
    garbled = client.get(path[:-4] + ("aaaa" if not path.endswith("aaaa") else "bbbb"))
    assert garbled.status_code == 400
    assert "not valid" in garbled.get_data(as_text=True)
    user = fresh_user(session, "robin@example.org")
    # A token signed for another purpose (here a password reset) is worthless here.
    reset_style = make_token("password-reset", {"user": user.id, "email": user.email})
    assert client.get(f"/verify/{reset_style}").status_code == 400
    # Signed out, the page says how to get a new link.
    anonymous = app.test_client().get("/verify/not-a-token").get_data(as_text=True)
    assert "Sign in" in anonymous
    assert "Send the link again" in anonymous
    assert fresh_user(session, "robin@example.org").email_verified_at is None


def test_link_for_an_address_the_account_no_longer_uses_is_refused(
    app: Flask, session: Session
) -> None:
    user = make_user(session, "robin@example.org", verified=False)
    session.commit()
    with app.test_request_context():
        token = verification_token(user)
    user.email = "robin.new@example.org"
    session.commit()
    response = app.test_client().get(f"/verify/{token}")
    assert response.status_code == 400
    assert "no longer uses" in response.get_data(as_text=True)
    assert fresh_user(session, "robin.new@example.org").email_verified_at is None


def test_unverified_owner_cannot_invite_until_verified(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    signup(client, "robin@example.org")
    verify_link = verify_path(app)
    page = client.get("/organizations/new")
    created = client.post(
        "/organizations/new",
        data={
            "name": "Harbor Schools",
            "kind": "district",
            "state": "ME",
            "nces_id": "",
            "enrollment_band": "",
            "locale": "",
            "sro_model": "",
            "csrf_token": csrf_from(page.data),
        },
    )
    assert created.status_code == 302, created.get_data(as_text=True)
    org_page = client.get("/organization").get_data(as_text=True)
    assert NOTICE + " invite colleagues" in org_page
    assert "Send invitation" not in org_page
    mails_before = len(outbox())
    refused = client.post(
        "/organization/invitations",
        data={"email": "jamie@example.org", "role": "editor", "csrf_token": csrf_from(org_page)},
    )
    assert refused.status_code == 403
    assert NOTICE + " invite colleagues" in refused.get_data(as_text=True)
    assert count(session, Invitation) == 0
    assert len(outbox()) == mails_before
    assert not session.scalars(
        select(AuditEvent).where(AuditEvent.action == "invitation.create")
    ).all()
    # Once verified, the same post goes through.
    assert "Invite your colleagues" in client.get(verify_link).get_data(as_text=True)
    org_page = client.get("/organization").get_data(as_text=True)
    assert NOTICE not in org_page
    sent = client.post(
        "/organization/invitations",
        data={"email": "jamie@example.org", "role": "editor", "csrf_token": csrf_from(org_page)},
    )
    assert sent.status_code == 302
    assert count(session, Invitation) == 1
    assert outbox()[-1].to == "jamie@example.org"


def test_unverified_co_owner_cannot_resend_an_invitation(app: Flask, session: Session) -> None:
    org = make_org(session)
    owner = make_user(session, "owner@example.org", org)
    make_user(session, "late@example.org", org, verified=False)
    invitation = invite(session, org, email="jamie@example.org", role="viewer", by=owner)
    session.commit()
    client = app.test_client()
    signin(client, "late@example.org")
    page = client.get("/organization").get_data(as_text=True)
    assert "jamie@example.org" in page
    assert "Send a new link" not in page
    response = client.post(
        f"/organization/invitations/{invitation.id}/resend",
        data={"csrf_token": csrf_from(page)},
        follow_redirects=True,
    )
    assert "Confirm your email address first" in response.get_data(as_text=True)
    session.expire_all()
    assert [i.id for i in session.scalars(select(Invitation))] == [invitation.id]
    assert session.get(Invitation, invitation.id).revoked_at is None  # type: ignore[union-attr]
    assert outbox() == []


def test_unverified_editor_cannot_share_until_verified(app: Flask, session: Session) -> None:
    org = make_org(session, "Riverton Schools", state="OH")
    partner = make_org(session, "Riverton Club", kind="afterschool_program", state="OH")
    owner = make_user(session, "owner@example.org", org)
    editor = make_user(session, "editor@example.org", org, "editor", verified=False)
    assessment = submitted_assessment(session, org, owner)
    session.commit()
    client = app.test_client()
    signin(client, "editor@example.org")
    url = f"/assessments/{assessment.id}/sharing"
    page = client.get(url).get_data(as_text=True)
    assert NOTICE + " share assessments" in page
    assert "Share read-only" not in page
    refused = client.post(
        url,
        data={
            "to_org": str(partner.id),
            "partner": partner.partner_code,
            "csrf_token": csrf_from(page),
        },
    )
    assert refused.status_code == 403
    assert NOTICE + " share assessments" in refused.get_data(as_text=True)
    assert count(session, Share) == 0
    # Verifying through the mailed link lets the same post through.
    with app.test_request_context():
        token = verification_token(editor)
    confirmed = client.get(f"/verify/{token}")
    assert confirmed.status_code == 200
    # Editors cannot invite, so the page leads to the organization rather than the invite form.
    assert "Go to your organization" in confirmed.get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert "Find partner" in page
    shared = client.post(
        url,
        data={
            "to_org": str(partner.id),
            "partner": partner.partner_code,
            "csrf_token": csrf_from(page),
        },
    )
    assert shared.status_code == 302
    assert count(session, Share) == 1


def test_verified_owner_invites_and_shares_as_before(app: Flask, session: Session) -> None:
    org = make_org(session, "Riverton Schools", state="OH")
    partner = make_org(session, "Riverton Club", kind="afterschool_program", state="OH")
    owner = make_user(session, "owner@example.org", org)
    assessment = submitted_assessment(session, org, owner)
    session.commit()
    client = app.test_client()
    signin(client, "owner@example.org")
    page = client.get("/organization").get_data(as_text=True)
    assert BANNER not in page
    assert NOTICE not in page
    invited = client.post(
        "/organization/invitations",
        data={"email": "jamie@example.org", "role": "editor", "csrf_token": csrf_from(page)},
    )
    assert invited.status_code == 302
    url = f"/assessments/{assessment.id}/sharing"
    page = client.get(url).get_data(as_text=True)
    shared = client.post(
        url,
        data={
            "to_org": str(partner.id),
            "partner": partner.partner_code,
            "csrf_token": csrf_from(page),
        },
    )
    assert shared.status_code == 302
    assert (count(session, Invitation), count(session, Share)) == (1, 1)


def test_accepting_an_invitation_verifies_the_address(app: Flask, session: Session) -> None:
    org = make_org(session)
    owner = make_user(session, "owner@example.org", org)
    make_user(session, "jamie@example.org", verified=False)
    invitation = invite(session, org, email="jamie@example.org", role="editor", by=owner)
    session.commit()
    with app.test_request_context():
        token = invitation_token(invitation)
    client = app.test_client()
    signin(client, "jamie@example.org")
    page = client.get(f"/invitations/{token}")
    joined = client.post(f"/invitations/{token}", data={"csrf_token": csrf_from(page.data)})
    assert joined.status_code == 302
    user = fresh_user(session, "jamie@example.org")
    assert user.email_verified_at is not None
    assert [event.detail for event in verified_events(session, user)] == [{"via": "invitation"}]


def test_signing_up_through_an_invitation_verifies_without_another_mail(
    app: Flask, session: Session
) -> None:
    org = make_org(session)
    owner = make_user(session, "owner@example.org", org)
    invitation = invite(session, org, email="jamie@example.org", role="editor", by=owner)
    session.commit()
    with app.test_request_context():
        token = invitation_token(invitation)
    client = app.test_client()
    response = signup(client, "jamie@example.org", query=f"?invitation={token}")
    assert response.status_code == 302
    assert fresh_user(session, "jamie@example.org").email_verified_at is not None
    assert outbox() == []


def test_completing_a_password_reset_verifies_the_address(app: Flask, session: Session) -> None:
    make_user(session, "robin@example.org", make_org(session), verified=False)
    session.commit()
    client = app.test_client()
    page = client.get("/reset")
    client.post("/reset", data={"email": "robin@example.org", "csrf_token": csrf_from(page.data)})
    with app.app_context():
        body = outbox()[-1].body
    match = re.search(r"https?://[^/\s]+(/reset/\S+)", body)
    assert match, body
    form = client.get(match.group(1))
    done = client.post(
        match.group(1),
        data={
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf_from(form.data),
        },
    )
    assert done.status_code == 302
    user = fresh_user(session, "robin@example.org")
    assert user.email_verified_at is not None
    assert [event.detail for event in verified_events(session, user)] == [{"via": "password_reset"}]


def test_resend_mails_a_fresh_working_link(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    signup(client, "robin@example.org")
    page = client.get("/account").get_data(as_text=True)
    response = client.post(
        "/verify/resend", data={"csrf_token": csrf_from(page), "next": "/account"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert [mail.to for mail in outbox()] == ["robin@example.org", "robin@example.org"]
    assert "We sent a new link to robin@example.org" in client.get("/account").get_data(
        as_text=True
    )
    assert client.get(verify_path(app)).status_code == 200
    # Asking again once verified sends nothing.
    client.post("/verify/resend", data={"csrf_token": csrf_from(page)})
    assert len(outbox()) == 2
    assert "already confirmed" in client.get("/account").get_data(as_text=True)


def test_resend_refuses_an_outside_next_and_needs_sign_in(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    signup(client, "robin@example.org")
    page = client.get("/account").get_data(as_text=True)
    response = client.post(
        "/verify/resend", data={"csrf_token": csrf_from(page), "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/account"
    anonymous = app.test_client()
    token = csrf_from(anonymous.get("/signin").data)
    refused = anonymous.post("/verify/resend", data={"csrf_token": token})
    assert refused.status_code == 302
    assert refused.headers["Location"].startswith("/signin")


def test_verification_shows_in_the_organization_audit_log(app: Flask, session: Session) -> None:
    org = make_org(session)
    make_user(session, "owner@example.org", org)
    user = make_user(session, "robin@example.org", org, "owner", verified=False)
    user.current_org_id = org.id
    session.commit()
    with app.test_request_context():
        token = verification_token(user)
    app.test_client().get(f"/verify/{token}")
    client = app.test_client()
    signin(client, "owner@example.org")
    log = client.get("/organization/audit").get_data(as_text=True)
    assert "Confirmed their email address" in log
    assert "via: verification_link" in log


def test_users_created_by_the_cli_and_the_demo_are_verified(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users", "create", "--email", "kim@harbor.example.org", "--name", "Kim Lee",
            "--password", "a long enough password",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert fresh_user(session, "kim@harbor.example.org").email_verified_at is not None
    result = runner.invoke(args=["demo", "seed", "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert count(session, User) > 1
    assert session.scalars(select(User).where(User.email_verified_at.is_(None))).all() == []


def test_the_operations_refuse_unverified_users_whatever_route_calls_them(
    session: Session,
) -> None:
    org = make_org(session, "Riverton Schools", state="OH")
    partner = make_org(session, "Riverton Club", kind="afterschool_program", state="OH")
    owner = make_user(session, "owner@example.org", org)
    newcomer = make_user(session, "new@example.org", org, verified=False)
    assessment = submitted_assessment(session, org, owner)
    with pytest.raises(UnverifiedError, match="Confirm your email address first"):
        invite(session, org, email="jamie@example.org", role="viewer", by=newcomer)
    with pytest.raises(UnverifiedError, match="Confirm your email address first"):
        share_assessment(session, assessment, partner, by=newcomer, partner=partner.partner_code)
    # The system (CLI, demo seed) acts without an address of its own.
    invite(session, org, email="jamie@example.org", role="viewer", by=None)
    share_assessment(session, assessment, partner, by=None, partner=partner.partner_code)
    assert (count(session, Invitation), count(session, Share)) == (1, 1)
