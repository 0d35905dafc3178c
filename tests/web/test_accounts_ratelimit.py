"""Rate limiting of sign-in (per account and per address), sign-up and reset requests, with
the limiter switched on (the other test modules run with it off). The owner-friendly side of
sign-in throttling (many addresses, the one-time link) is in test_accounts_throttle.py."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_from, make_org, make_user
from sqlalchemy.orm import Session


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SIGNIN_RATE_LIMIT": "3 per 15 minutes",
        "SIGNIN_ACCOUNT_ADDRESS_RATE_LIMIT": "3 per 15 minutes",
        "SIGNIN_ACCOUNT_RATE_LIMIT": "3 per 15 minutes",
        "RESET_RATE_LIMIT": "2 per hour",
    }


def attempt(client: FlaskClient, email: str, password: str, address: str = "203.0.113.7") -> Any:
    environ = {"REMOTE_ADDR": address}
    token = csrf_from(client.get("/signin", environ_base=environ).data)
    return client.post(
        "/signin",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base=environ,
    )


def test_repeated_bad_signins_are_limited_per_account(app: Flask, session: Session) -> None:
    make_user(session, "dana@example.org", make_org(session))
    session.commit()
    # Each attempt from a different address: only the per-account limit can stop them.
    for number in range(3):
        response = attempt(app.test_client(), "dana@example.org", "wrong", f"198.51.100.{number}")
        assert response.status_code == 400
    limited = attempt(app.test_client(), "DANA@example.org", PASSWORD, "198.51.100.99")
    page = " ".join(limited.get_data(as_text=True).split())
    assert limited.status_code == 429
    assert "too many failed attempts to sign in to this account" in page
    assert "we are not checking passwords for it for about 15 minutes" in page
    # The owner is offered the way past this limit: a one-time link by e-mail.
    assert 'action="/signin/link"' in page
    assert 'value="dana@example.org"' in page
    assert "Retry-After" in limited.headers
    # Another account from a fresh address is not affected.
    make_user(session, "sam@example.org", make_org(session, "Other"))
    session.commit()
    assert (
        attempt(app.test_client(), "sam@example.org", PASSWORD, "198.51.100.98").status_code == 302
    )


def test_repeated_bad_signins_are_limited_per_address(app: Flask, session: Session) -> None:
    make_user(session, "dana@example.org", make_org(session))
    session.commit()
    client = app.test_client()
    for number in range(3):
        assert attempt(client, f"guess{number}@example.org", "wrong").status_code == 400
    limited = attempt(client, "dana@example.org", PASSWORD)
    assert limited.status_code == 429
    assert "too many failed sign-in attempts from your network" in limited.get_data(as_text=True)


def test_successful_signins_do_not_use_up_the_allowance(app: Flask, session: Session) -> None:
    make_user(session, "dana@example.org", make_org(session))
    session.commit()
    for _ in range(5):
        assert attempt(app.test_client(), "dana@example.org", PASSWORD).status_code == 302


def test_reset_requests_are_limited(app: Flask, client: FlaskClient) -> None:
    statuses = []
    for _ in range(3):
        token = csrf_from(client.get("/reset").data)
        response = client.post("/reset", data={"email": "x@example.org", "csrf_token": token})
        statuses.append(response.status_code)
    assert statuses == [200, 200, 429]
    assert "Too many password reset requests" in response.get_data(as_text=True)
