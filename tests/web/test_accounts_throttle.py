"""Sign-in throttling that does not lock the owner out, and the e-mailed one-time sign-in link.

The limiter is on, with the production limits unless a test says otherwise. Attackers come
from 15 addresses (REMOTE_ADDR in environ_base); the owner then signs in from a new one.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_from, make_org, make_user
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.accounts.mail import outbox
from rubric_app.accounts.operations import set_password
from rubric_app.config import DefaultConfig
from rubric_app.models import AuditEvent, User

ATTACKERS = [f"198.51.100.{number}" for number in range(1, 16)]
OWNER_ADDRESS = "192.0.2.200"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}


def client_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(app: Flask, address: str, password: str, email: str = "dana@example.org") -> Any:
    client = client_at(app, address)
    token = csrf_from(client.get("/signin").data)
    return client.post("/signin", data={"email": email, "password": password, "csrf_token": token})


def text(response: Any) -> str:
    return " ".join(response.get_data(as_text=True).split())


def dana(session: Session) -> User:
    user = make_user(session, "dana@example.org", make_org(session), name="Dana Whitfield")
    session.commit()
    return user


def spray(app: Flask, per_address: int) -> list[int]:
    """Failed sign-ins at Dana's account, ``per_address`` from each of the 15 addresses."""
    statuses = []
    for address in ATTACKERS:
        for number in range(per_address):
            statuses.append(attempt(app, address, f"guess number {number}").status_code)
    return statuses


def request_link(app: Flask, client: FlaskClient, email: str = "dana@example.org") -> Any:
    token = csrf_from(client.get("/signin/link").data)
    return client.post("/signin/link", data={"email": email, "csrf_token": token})


def link_in_last_mail(app: Flask) -> str:
    with app.app_context():
        body = outbox()[-1].body
    match = re.search(r"https?://[^/\s]+(/signin/link/\S+)", body)
    assert match, body
    return match.group(1)


def test_the_production_limits_are_the_documented_ones() -> None:
    assert DefaultConfig.SIGNIN_RATE_LIMIT == "20 per 15 minutes"
    assert DefaultConfig.SIGNIN_ACCOUNT_ADDRESS_RATE_LIMIT == "5 per 15 minutes"
    assert DefaultConfig.SIGNIN_ACCOUNT_RATE_LIMIT == "30 per hour"


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            # Roomy enough that 15 addresses x 5 failures stay under it.
            "SIGNIN_ACCOUNT_RATE_LIMIT": "100 per hour",
        }
    ],
)
def test_failures_from_15_addresses_leave_the_owner_a_password_sign_in(
    app: Flask, session: Session
) -> None:
    dana(session)
    statuses = spray(app, per_address=5)
    assert statuses == [400] * 75
    # Each attacking address is now stopped for this account...
    for address in ATTACKERS:
        assert attempt(app, address, "one more guess").status_code == 429
    # ...even with the right password, so guessing it there is pointless...
    assert attempt(app, ATTACKERS[0], PASSWORD).status_code == 429
    # ...but the owner, from a new address, signs in with the password.
    response = attempt(app, OWNER_ADDRESS, PASSWORD)
    assert response.status_code == 302


def test_failures_from_15_addresses_past_the_account_limit_leave_the_owner_the_link(
    app: Flask, session: Session
) -> None:
    user = dana(session)
    statuses = spray(app, per_address=2)
    assert statuses == [400] * 30
    # The slower per-account limit (30 an hour) is used up: passwords are not checked, even
    # the right one from the owner's new address, and the page offers the one-time link.
    owner = client_at(app, OWNER_ADDRESS)
    refused = owner.post(
        "/signin",
        data={
            "email": "dana@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_from(owner.get("/signin").data),
        },
    )
    page = text(refused)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Your password was not checked" in page
    assert 'action="/signin/link"' in page
    sent = owner.post(
        "/signin/link",
        data={"email": "dana@example.org", "csrf_token": csrf_from(refused.get_data())},
    )
    assert sent.status_code == 200
    assert "we have sent it a link that signs you in" in text(sent)
    path = link_in_last_mail(app)
    # Opening the link shows a button; only pressing it signs in (mail scanners follow links).
    assert owner.get(path).status_code == 200
    assert owner.get("/account").status_code == 302
    confirm = owner.get(path)
    signed = owner.post(path, data={"csrf_token": csrf_from(confirm.data)})
    assert signed.status_code == 302
    assert owner.get("/account").status_code == 200
    events = session.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.action == "auth.signin", AuditEvent.user_id == user.id
        )
    ).all()
    assert events == [{"via": "link"}]
    # The link works once, in this browser or any other.
    again = client_at(app, ATTACKERS[0])
    reused = again.get(path)
    assert reused.status_code == 400
    assert "already been used" in text(reused)
    reused_post = owner.post(path, data={"csrf_token": csrf_from(owner.get("/account").data)})
    assert reused_post.status_code == 400


def test_unknown_addresses_are_throttled_like_accounts(app: Flask, session: Session) -> None:
    dana(session)
    for address in ATTACKERS[:6]:
        attempt(app, address, "guess", email="nobody@example.org")
        attempt(app, address, "guess", email="dana@example.org")
    known = attempt(app, ATTACKERS[0], "guess", email="dana@example.org")
    unknown = attempt(app, ATTACKERS[0], "guess", email="nobody@example.org")
    assert known.status_code == unknown.status_code == 400
    # Five failures per account and address are allowed; the sixth is refused, for both.
    for _ in range(4):
        known = attempt(app, ATTACKERS[0], "guess", email="dana@example.org")
        unknown = attempt(app, ATTACKERS[0], "guess", email="nobody@example.org")
    assert known.status_code == unknown.status_code == 429
    assert text(known).replace("dana@", "X@") == text(unknown).replace("nobody@", "X@")


def test_asking_for_a_link_looks_the_same_for_unknown_addresses(
    app: Flask, session: Session
) -> None:
    dana(session)
    with app.app_context():
        before = len(outbox())
    unknown = request_link(app, client_at(app, OWNER_ADDRESS), "nobody@example.org")
    assert unknown.status_code == 200
    with app.app_context():
        assert len(outbox()) == before
    known = request_link(app, client_at(app, "192.0.2.201"))
    assert text(known).replace("dana@", "X@") == text(unknown).replace("nobody@", "X@")
    with app.app_context():
        mail = outbox()[-1]
    assert mail.to == "dana@example.org"
    assert "works once, for 15 minutes" in mail.body


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "SIGNIN_LINK_RATE_LIMIT": "2 per hour",
        }
    ],
)
def test_link_requests_are_rate_limited_per_account(app: Flask, session: Session) -> None:
    dana(session)
    statuses = [request_link(app, client_at(app, address)).status_code for address in ATTACKERS[:3]]
    assert statuses == [200, 200, 429]
    with app.app_context():
        assert len([mail for mail in outbox() if "sign-in link" in mail.subject]) == 2


def test_links_that_expired_were_tampered_with_or_outlived_the_password_are_refused(
    app: Flask, session: Session
) -> None:
    user = dana(session)
    request_link(app, client_at(app, OWNER_ADDRESS))
    path = link_in_last_mail(app)
    tampered = client_at(app, OWNER_ADDRESS).get(path[:-3] + "xyz")
    assert tampered.status_code == 400
    assert "not valid" in text(tampered)

    class AnHourAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 3600

    with app.test_request_context():
        old = URLSafeTimedSerializer(
            app.config["SECRET_KEY"], salt="rubric_app.signin-link", signer=AnHourAgo
        ).dumps({"user": user.id, "fp": "whatever", "nonce": "00"})
    expired = client_at(app, OWNER_ADDRESS).get(f"/signin/link/{old}")
    assert expired.status_code == 400
    assert "expired" in text(expired)

    with app.test_request_context():
        set_password(session, user, "quiet lantern orchard 2031", reason="password_change")
        session.commit()
    stale = client_at(app, OWNER_ADDRESS).get(path)
    assert stale.status_code == 400
    assert "password was changed" in text(stale)
