"""Server-side sessions through HTTP: sign-out that holds against a replayed cookie, the idle
timeout and absolute lifetime, remember-me bound to a session, ids rotated at sign-in, and the
account page's list of sessions with "sign out" per session.

Time is moved by writing the session row's timestamps in the real database, as a clock would.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_from, make_org, make_user, signin
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rubric_app.models import User, UserSession, utcnow

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def browser(app: Flask, user_agent: str = FIREFOX, address: str = "192.0.2.10") -> FlaskClient:
    """A test client that sends a fixed User-Agent and client address, like one browser."""
    client = app.test_client()
    client.environ_base.update({"HTTP_USER_AGENT": user_agent, "REMOTE_ADDR": address})
    return client


def signed_in(client: FlaskClient) -> bool:
    return client.get("/account").status_code == 200


def sessions_of(session: Session, user: User) -> list[UserSession]:
    session.expire_all()
    return list(
        session.scalars(
            select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
        )
    )


def shift(session: Session, row: UserSession, **columns: dt.datetime) -> None:
    session.execute(update(UserSession).where(UserSession.id == row.id).values(**columns))
    session.commit()


def dana(session: Session) -> User:
    user = make_user(session, "dana@example.org", make_org(session), name="Dana Whitfield")
    session.commit()
    return user


def test_a_cookie_replayed_after_signout_is_refused(app: Flask, session: Session) -> None:
    user = dana(session)
    client = browser(app)
    signin(client, "dana@example.org")
    stolen = client.get_cookie("session")
    assert stolen is not None
    token = csrf_from(client.get("/account").data)
    assert client.post("/signout", data={"csrf_token": token}).status_code == 302
    assert not signed_in(client)
    replay = browser(app, address="198.51.100.66")
    replay.set_cookie("session", stolen.value)
    response = replay.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin")
    [row] = sessions_of(session, user)
    assert row.revoked_at is not None


def test_idle_sessions_end_after_the_idle_timeout(app: Flask, session: Session) -> None:
    user = dana(session)
    client = browser(app)
    signin(client, "dana@example.org")
    [row] = sessions_of(session, user)
    idle = dt.timedelta(seconds=app.config["SESSION_IDLE_TIMEOUT"])
    assert idle == dt.timedelta(hours=2)
    # Just inside the timeout the session works, and the visit counts as activity.
    shift(session, row, last_seen_at=utcnow() - idle + dt.timedelta(minutes=1))
    assert signed_in(client)
    [row] = sessions_of(session, user)
    assert utcnow() - row.last_seen_at.replace(tzinfo=dt.UTC) < dt.timedelta(minutes=1)
    # Past it, it is over.
    shift(session, row, last_seen_at=utcnow() - idle - dt.timedelta(seconds=1))
    assert not signed_in(client)


def test_sessions_end_at_their_absolute_lifetime_even_when_active(
    app: Flask, session: Session
) -> None:
    user = dana(session)
    client = browser(app)
    signin(client, "dana@example.org")
    [row] = sessions_of(session, user)
    lifetime = row.expires_at.replace(tzinfo=dt.UTC) - row.created_at.replace(tzinfo=dt.UTC)
    assert lifetime == dt.timedelta(seconds=app.config["SESSION_LIFETIME"])
    assert lifetime == dt.timedelta(hours=12)
    # Active a second ago, but started 12 hours ago: the session ends anyway.
    now = utcnow()
    shift(
        session,
        row,
        created_at=now - lifetime,
        expires_at=now - dt.timedelta(seconds=1),
        last_seen_at=now - dt.timedelta(seconds=1),
    )
    assert not signed_in(client)


def test_last_seen_is_written_at_most_once_a_minute(app: Flask, session: Session) -> None:
    user = dana(session)
    client = browser(app)
    signin(client, "dana@example.org")
    [row] = sessions_of(session, user)
    first_seen = row.last_seen_at
    for _ in range(3):
        assert signed_in(client)
    [row] = sessions_of(session, user)
    assert row.last_seen_at == first_seen
    shift(session, row, last_seen_at=utcnow() - dt.timedelta(seconds=61))
    assert signed_in(client)
    [row] = sessions_of(session, user)
    assert utcnow() - row.last_seen_at.replace(tzinfo=dt.UTC) < dt.timedelta(seconds=30)


def test_remember_me_outlives_the_browser_but_not_its_server_session(
    app: Flask, session: Session
) -> None:
    user = dana(session)
    client = browser(app)
    token = csrf_from(client.get("/signin").data)
    response = client.post(
        "/signin",
        data={
            "email": "dana@example.org",
            "password": PASSWORD,
            "remember": "y",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    remembered = client.get_cookie("remember_token")
    assert remembered is not None
    [row] = sessions_of(session, user)
    assert row.remember
    lifetime = row.expires_at.replace(tzinfo=dt.UTC) - row.created_at.replace(tzinfo=dt.UTC)
    assert lifetime == dt.timedelta(days=30)
    # The browser restarts: the session cookie is gone, the remember-me cookie signs in again.
    restarted = browser(app)
    restarted.set_cookie("remember_token", remembered.value)
    assert signed_in(restarted)
    # Idle for three hours is fine for a "keep me signed in" session.
    shift(session, row, last_seen_at=utcnow() - dt.timedelta(hours=3))
    assert signed_in(restarted)
    # Signed out from elsewhere: the remember-me cookie is refused too.
    other = browser(app, IPHONE, "203.0.113.5")
    signin(other, "dana@example.org")
    page = other.get("/account")
    assert (
        other.post(
            f"/account/sessions/{row.id}/signout", data={"csrf_token": csrf_from(page.data)}
        ).status_code
        == 302
    )
    again = browser(app)
    again.set_cookie("remember_token", remembered.value)
    assert not signed_in(again)


def test_signin_rotates_the_session_id_and_the_csrf_secret(app: Flask, session: Session) -> None:
    user = dana(session)
    client = browser(app)
    before_token = csrf_from(client.get("/signin").data)
    client.post(
        "/signin",
        data={"email": "dana@example.org", "password": PASSWORD, "csrf_token": before_token},
    )
    after_token = csrf_from(client.get("/account").data)
    assert after_token != before_token
    # A token from before sign-in (a planted or leaked one) no longer passes the CSRF check.
    assert client.post("/signout", data={"csrf_token": before_token}).status_code == 400
    assert signed_in(client)
    # Signing in again in the same browser starts a new server session and ends the old one.
    first_cookie = client.get_cookie("session")
    assert first_cookie is not None
    signin(client, "dana@example.org")
    first, second = sessions_of(session, user)
    assert first.revoked_at is not None
    assert second.revoked_at is None
    assert first.token_hash != second.token_hash
    replay = browser(app)
    replay.set_cookie("session", first_cookie.value)
    assert not signed_in(replay)


def test_the_account_page_lists_sessions_and_signs_out_one(app: Flask, session: Session) -> None:
    user = dana(session)
    laptop = browser(app, FIREFOX, "192.0.2.10")
    phone = browser(app, IPHONE, "203.0.113.5")
    signin(laptop, "dana@example.org")
    signin(phone, "dana@example.org")
    page = laptop.get("/account").get_data(as_text=True)
    assert "Where you are signed in" in page
    assert "Firefox on Windows" in page
    assert "Safari on iPhone" in page
    assert "192.0.2.10" in page
    assert "203.0.113.5" in page
    assert page.count("This browser</span>") == 1
    laptop_row, phone_row = sessions_of(session, user)
    # Without a valid CSRF token nothing happens.
    assert laptop.post(f"/account/sessions/{phone_row.id}/signout").status_code in (302, 400)
    assert signed_in(phone)
    response = laptop.post(
        f"/account/sessions/{phone_row.id}/signout", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 302
    assert "Signed out: Safari on iPhone." in laptop.get("/account").get_data(as_text=True)
    assert not signed_in(phone)
    assert signed_in(laptop)
    page = laptop.get("/account").get_data(as_text=True)
    assert "Safari on iPhone" not in page.split("Where you are signed in")[1]
    # This browser's own row signs this browser out.
    laptop.post(f"/account/sessions/{laptop_row.id}/signout", data={"csrf_token": csrf_from(page)})
    assert not signed_in(laptop)


def test_nobody_can_sign_out_another_users_session(app: Flask, session: Session) -> None:
    user = dana(session)
    make_user(session, "sam@example.org", make_org(session, "Other District"))
    session.commit()
    victim = browser(app)
    signin(victim, "dana@example.org")
    [row] = sessions_of(session, user)
    intruder = browser(app, IPHONE, "203.0.113.9")
    signin(intruder, "sam@example.org")
    page = intruder.get("/account").get_data(as_text=True)
    assert "192.0.2.10" not in page  # only one's own sessions are listed
    response = intruder.post(
        f"/account/sessions/{row.id}/signout", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 404
    assert signed_in(victim)
    anonymous = browser(app)
    assert anonymous.post(f"/account/sessions/{row.id}/signout").status_code in (302, 400)
    assert signed_in(victim)


def test_signout_everywhere_and_password_change_revoke_every_session(
    app: Flask, session: Session
) -> None:
    user = dana(session)
    here, there = browser(app), browser(app, IPHONE, "203.0.113.5")
    signin(here, "dana@example.org")
    signin(there, "dana@example.org")
    new_password = "quiet lantern orchard 2031"
    page = here.get("/account/password")
    response = here.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": new_password,
            "confirm": new_password,
            "csrf_token": csrf_from(page.data),
        },
    )
    assert response.status_code == 302
    rows = sessions_of(session, user)
    assert [row.revoked_at is None for row in rows] == [False, False, True]
    assert signed_in(here)
    assert not signed_in(there)
    signin(there, "dana@example.org", new_password)
    page = here.get("/account")
    here.post("/signout-everywhere", data={"csrf_token": csrf_from(page.data)})
    assert all(row.revoked_at is not None for row in sessions_of(session, user))
    assert not signed_in(here)
    assert not signed_in(there)
