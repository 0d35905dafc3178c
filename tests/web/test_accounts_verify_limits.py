"""Asking for the verification link again is rate limited (per account and per address), with
the limiter switched on (the other test modules run with it off)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from helpers import csrf_from, make_user, signin
from sqlalchemy.orm import Session

from rubric_app.accounts.mail import outbox


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RESET_RATE_LIMIT": "2 per hour",
    }


def resend(client: Any, address: str) -> Any:
    environ = {"REMOTE_ADDR": address}
    token = csrf_from(client.get("/account", environ_base=environ).data)
    return client.post("/verify/resend", data={"csrf_token": token}, environ_base=environ)


def test_resend_is_limited_per_account(app: Flask, session: Session) -> None:
    make_user(session, "robin@example.org", verified=False)
    make_user(session, "sam@example.org", verified=False)
    session.commit()
    client = app.test_client()
    signin(client, "robin@example.org")
    # Each request from another address: only the per-account limit can stop the third.
    statuses = [resend(client, f"198.51.100.{n}").status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    limited = resend(client, "198.51.100.9")
    assert "Too many requests for a new link for this account" in limited.get_data(as_text=True)
    assert [mail.to for mail in outbox()] == ["robin@example.org"] * 2
    # Another account is not affected.
    other = app.test_client()
    signin(other, "sam@example.org")
    assert resend(other, "198.51.100.50").status_code == 302


def test_resend_is_limited_per_address(app: Flask, session: Session) -> None:
    for name in ("a", "b", "c"):
        make_user(session, f"{name}@example.org", verified=False)
    session.commit()
    statuses = []
    for name in ("a", "b", "c"):
        client = app.test_client()
        signin(client, f"{name}@example.org")
        statuses.append(resend(client, "203.0.113.7").status_code)
    assert statuses == [302, 302, 429]
    assert len(outbox()) == 2
