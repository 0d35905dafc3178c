"""Sign-up, sign-in, sign-out everywhere, password change and reset links, through HTTP."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_from, make_org, make_user, signin
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.accounts.mail import outbox
from rubric_app.accounts.operations import find_user
from rubric_app.models import AuditEvent, User

NEW_PASSWORD = "a brand new passphrase 2026"


def post_form(client: FlaskClient, url: str, data: dict[str, str], page: str | None = None):
    """GET the page for a CSRF token, then POST ``data`` to ``url``."""
    token = csrf_from(client.get(page or url).data)
    return client.post(url, data={**data, "csrf_token": token})


def signup(client: FlaskClient, email: str, name: str = "Robin Hale", password: str = PASSWORD):
    return post_form(
        client,
        "/signup",
        {"name": name, "email": email, "password": password, "confirm": password},
    )


def link_in_last_mail(app: Flask, path_prefix: str) -> str:
    with app.app_context():
        body = outbox()[-1].body
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"\S+)", body)
    assert match, body
    return match.group(1)


def test_signup_creates_an_argon2id_account_mails_a_link_and_signin_leads_on(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    response = signup(client, "  Robin.Hale@Example.ORG ")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Check your email" in page
    user = find_user(session, "robin.hale@example.org")
    assert user is not None
    assert user.email == "robin.hale@example.org"
    assert user.password_hash.startswith("$argon2id$")
    with app.app_context():
        assert outbox()[-1].to == "robin.hale@example.org"
        assert outbox()[-1].subject == "Confirm your email address for rubric_app"
    # Sign-up alone signs nobody in: a taken address must get the very same answer.
    assert client.get("/account").status_code == 302
    token = csrf_from(client.get("/signin").data)
    signed_in = client.post(
        "/signin",
        data={"email": "robin.hale@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert signed_in.headers["Location"] == "/organizations/new"
    page = client.get("/organizations/new").get_data(as_text=True)
    assert "Create an organization" in page
    assert "invitation link" in page


def test_signup_with_a_taken_email_answers_the_same_and_mails_the_owner(
    app: Flask, session: Session
) -> None:
    make_user(session, "robin@example.org", make_org(session), name="Robin Hale")
    session.commit()
    fresh = signup(app.test_client(), "sam@example.org", name="Robin Second")
    taken = signup(app.test_client(), "ROBIN@example.org", name="Robin Second")
    assert taken.status_code == fresh.status_code == 200
    fresh_page = fresh.get_data(as_text=True).replace("sam@example.org", "ADDRESS")
    taken_page = taken.get_data(as_text=True).replace("robin@example.org", "ADDRESS")
    assert _without_csrf(taken_page) == _without_csrf(fresh_page)
    assert "already exists" not in taken_page
    with app.app_context():
        mail = outbox()[-1]
    assert mail.to == "robin@example.org"
    assert mail.subject == "Someone tried to create a rubric_app account with your address"
    assert "You already have an account with this address" in mail.body
    assert "http://localhost/signin" in mail.body
    assert "http://localhost/reset" in mail.body
    owner = find_user(session, "robin@example.org")
    assert owner is not None
    session.refresh(owner)
    assert owner.name == "Robin Hale"  # nothing about the existing account changed
    signin(app.test_client(), "robin@example.org")


def _without_csrf(page: str) -> str:
    return re.sub(r'name="csrf_token" (type="hidden" )?value="[^"]+"', "", page)


def test_signup_refuses_a_common_password_with_a_hint(
    client: FlaskClient, session: Session
) -> None:
    response = post_form(
        client,
        "/signup",
        {
            "name": "Robin",
            "email": "r@example.org",
            "password": "password1234",
            "confirm": "password1234",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This password is too easy to guess: this is a very common password." in page
    assert "Use three or four unrelated words" in page
    # The hint beside the field tells what is accepted before anyone types.
    assert "Common and leaked passwords are refused" in page
    assert find_user(session, "r@example.org") is None


def test_signup_refuses_short_and_mismatched_passwords(client: FlaskClient) -> None:
    response = post_form(
        client,
        "/signup",
        {"name": "Robin", "email": "r@example.org", "password": "short", "confirm": "other"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "at least 10 characters" in page
    assert "The two passwords are not the same" in page


def test_signin_is_audited_and_failed_signins_reach_the_org_log(
    client: FlaskClient, session: Session
) -> None:
    org = make_org(session)
    user = make_user(session, "dana@example.org", org)
    session.commit()
    post_form(client, "/signin", {"email": "dana@example.org", "password": "wrong one"})
    signin(client, "dana@example.org")
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.org_id == org.id).order_by(AuditEvent.id)
    ).all()
    assert actions[-2:] == ["auth.signin_failed", "auth.signin"]
    assert user.id is not None


def test_signout_everywhere_ends_other_sessions(app: Flask, session: Session) -> None:
    make_user(session, "dana@example.org", make_org(session), name="Dana Whitfield")
    session.commit()
    laptop, phone = app.test_client(), app.test_client()
    signin(laptop, "dana@example.org")
    signin(phone, "dana@example.org")
    assert "Dana Whitfield" in phone.get("/").get_data(as_text=True)
    response = post_form(laptop, "/signout-everywhere", {}, page="/account")
    assert response.status_code == 302
    assert "Dana Whitfield" not in phone.get("/").get_data(as_text=True)
    assert "Dana Whitfield" not in laptop.get("/").get_data(as_text=True)
    assert phone.get("/account").status_code == 302  # sent to sign in


def test_password_change_keeps_this_session_and_ends_the_others(
    app: Flask, session: Session
) -> None:
    make_user(session, "dana@example.org", make_org(session), name="Dana Whitfield")
    session.commit()
    here, elsewhere = app.test_client(), app.test_client()
    signin(here, "dana@example.org")
    signin(elsewhere, "dana@example.org")
    wrong = post_form(
        here,
        "/account/password",
        {"current_password": "not it at all", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert wrong.status_code == 400
    assert "not your current password" in wrong.get_data(as_text=True)
    response = post_form(
        here,
        "/account/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert "Dana Whitfield" in here.get("/").get_data(as_text=True)
    assert "Dana Whitfield" not in elsewhere.get("/").get_data(as_text=True)
    signin(app.test_client(), "dana@example.org", NEW_PASSWORD)


def test_reset_link_works_once_and_ends_sessions(app: Flask, session: Session) -> None:
    make_user(session, "dana@example.org", make_org(session), name="Dana Whitfield")
    session.commit()
    old_session = app.test_client()
    signin(old_session, "dana@example.org")
    client = app.test_client()
    response = post_form(client, "/reset", {"email": " Dana@Example.org"})
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    path = link_in_last_mail(app, "/reset/")
    form_page = client.get(path)
    assert form_page.status_code == 200
    done = client.post(
        path,
        data={
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf_from(form_page.data),
        },
    )
    assert done.status_code == 302
    assert done.headers["Location"] == "/signin"
    signin(app.test_client(), "dana@example.org", NEW_PASSWORD)
    assert "Dana Whitfield" not in old_session.get("/").get_data(as_text=True)
    # Single use: the hash it was issued against is gone.
    again = client.get(path)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


def test_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(
    app: Flask, client: FlaskClient
) -> None:
    response = post_form(client, "/reset", {"email": "nobody@example.org"})
    assert response.status_code == 200
    assert "If an account exists for" in response.get_data(as_text=True)
    with app.app_context():
        assert outbox() == []


def test_reset_links_expire_and_reject_tampering(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    make_user(session, "dana@example.org", make_org(session))
    session.commit()
    post_form(client, "/reset", {"email": "dana@example.org"})
    path = link_in_last_mail(app, "/reset/")
    tampered = client.get(path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb"))
    assert tampered.status_code == 400
    assert "not valid" in tampered.get_data(as_text=True)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    expired = client.get(path)
    assert expired.status_code == 400
    assert "expired" in expired.get_data(as_text=True)


def test_rehash_of_weaker_hash_on_signin(client: FlaskClient, session: Session) -> None:
    from argon2 import PasswordHasher

    user = make_user(session, "dana@example.org", make_org(session))
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    session.commit()
    # The suite runs with the cheapest profile; this test needs the production one.
    client.application.config["ARGON2_PROFILE"] = "RFC_9106_LOW_MEMORY"
    signin(client, "dana@example.org")
    session.expire_all()
    stored = session.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert "t=1," not in stored
