"""Rate limits on two-step code entry (per account and per client address) and on the forms
that ask for the password or a code again, with the limiter switched on."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_from, make_org, make_user
from sqlalchemy.orm import Session

from rubric_app.accounts import two_step
from rubric_app.models import User


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "TWO_STEP_RATE_LIMIT": "3 per 15 minutes",
    }


def with_two_step(session: Session, email: str) -> tuple[User, str]:
    """A user with two-step sign-in on (set up through the operations), and the secret."""
    user = make_user(session, email, make_org(session, f"Org of {email}"))
    secret = two_step.begin_enrolment(session, user)
    two_step.confirm_enrolment(session, user, pyotp.TOTP(secret).now())
    session.commit()
    return user, secret


def password_step(email: str, address: str, app: Flask) -> FlaskClient:
    """A fresh browser at ``address`` that has passed the password step."""
    client = app.test_client()
    environ = {"REMOTE_ADDR": address}
    token = csrf_from(client.get("/signin", environ_base=environ).data)
    response = client.post(
        "/signin",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        environ_base=environ,
    )
    assert response.headers["Location"] == "/two-step"
    return client


def code_attempt(client: FlaskClient, code: str, address: str) -> Any:
    environ = {"REMOTE_ADDR": address}
    token = csrf_from(client.get("/two-step", environ_base=environ).data)
    return client.post("/two-step", data={"code": code, "csrf_token": token}, environ_base=environ)


def test_code_entry_is_limited_per_account(app: Flask, session: Session) -> None:
    _user, secret = with_two_step(session, "dana@example.org")
    # Each wrong code from another address: only the per-account limit can stop them.
    for number in range(3):
        client = password_step("dana@example.org", f"198.51.100.{number}", app)
        assert code_attempt(client, "000000", f"198.51.100.{number}").status_code == 400
    client = password_step("dana@example.org", "198.51.100.50", app)
    right = pyotp.TOTP(secret).at(time.time() + 30)
    limited = code_attempt(client, right, "198.51.100.50")
    assert limited.status_code == 429
    assert "Too many sign-in codes were tried for this account" in limited.get_data(as_text=True)
    assert "Retry-After" in limited.headers
    assert client.get("/account").status_code == 302
    # Another account is not affected.
    _other, other_secret = with_two_step(session, "sam@example.org")
    client = password_step("sam@example.org", "198.51.100.60", app)
    ok = code_attempt(client, pyotp.TOTP(other_secret).at(time.time() + 30), "198.51.100.60")
    assert ok.status_code == 302


def test_code_entry_is_limited_per_address(app: Flask, session: Session) -> None:
    for number in range(3):
        with_two_step(session, f"user{number}@example.org")
        client = password_step(f"user{number}@example.org", "203.0.113.9", app)
        assert code_attempt(client, "000000", "203.0.113.9").status_code == 400
    _user, secret = with_two_step(session, "fresh@example.org")
    client = password_step("fresh@example.org", "203.0.113.9", app)
    limited = code_attempt(client, pyotp.TOTP(secret).at(time.time() + 30), "203.0.113.9")
    assert limited.status_code == 429
    assert "from your network" in limited.get_data(as_text=True)


def test_right_codes_do_not_use_up_the_allowance(app: Flask, session: Session) -> None:
    _user, secret = with_two_step(session, "dana@example.org")
    client = password_step("dana@example.org", "192.0.2.1", app)
    code = pyotp.TOTP(secret).at(time.time() + 30)
    assert code_attempt(client, code, "192.0.2.1").status_code == 302
    # Had the success counted, the third failure would already be refused with 429.
    for _ in range(3):
        client = password_step("dana@example.org", "192.0.2.1", app)
        assert code_attempt(client, "000000", "192.0.2.1").status_code == 400
    client = password_step("dana@example.org", "192.0.2.1", app)
    assert code_attempt(client, "000000", "192.0.2.1").status_code == 429


def test_the_password_or_code_forms_are_limited(app: Flask, session: Session) -> None:
    _user, secret = with_two_step(session, "dana@example.org")
    client = password_step("dana@example.org", "192.0.2.7", app)
    assert (
        code_attempt(client, pyotp.TOTP(secret).at(time.time() + 30), "192.0.2.7").status_code
        == 302
    )
    environ = {"REMOTE_ADDR": "192.0.2.7"}
    for _ in range(3):
        token = csrf_from(client.get("/account/two-step", environ_base=environ).data)
        refused = client.post(
            "/account/two-step/disable",
            data={"off-proof": "a wrong guess", "csrf_token": token},
            environ_base=environ,
        )
        assert refused.status_code == 400
    token = csrf_from(client.get("/account/two-step", environ_base=environ).data)
    limited = client.post(
        "/account/two-step/disable",
        data={"off-proof": PASSWORD, "csrf_token": token},
        environ_base=environ,
    )
    assert limited.status_code == 429


def test_the_password_or_code_forms_share_one_allowance(app: Flask, session: Session) -> None:
    """Three forms ask for the password or a code; each with its own allowance, a browser left
    signed in would get three times the guesses."""
    _user, secret = with_two_step(session, "dana@example.org")
    client = password_step("dana@example.org", "192.0.2.8", app)
    assert (
        code_attempt(client, pyotp.TOTP(secret).at(time.time() + 30), "192.0.2.8").status_code
        == 302
    )
    environ = {"REMOTE_ADDR": "192.0.2.8"}
    forms = (
        ("/account/two-step/disable", "off-proof"),
        ("/account/two-step/recovery-codes", "codes-proof"),
        ("/account/two-step/move/start", "move-proof"),
    )
    for url, field in forms:
        token = csrf_from(client.get("/account/two-step", environ_base=environ).data)
        refused = client.post(
            url, data={field: "a wrong guess", "csrf_token": token}, environ_base=environ
        )
        assert refused.status_code == 400, url
    for url, field in forms:
        token = csrf_from(client.get("/account/two-step", environ_base=environ).data)
        limited = client.post(
            url, data={field: PASSWORD, "csrf_token": token}, environ_base=environ
        )
        assert limited.status_code == 429, url
