"""Passwords and account enumeration: common passwords refused with a hint on every page that
sets one, and sign-in that takes the same time whether or not the address has an account."""

from __future__ import annotations

import statistics
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_from, make_org, make_user, signin
from sqlalchemy.orm import Session

from rubric_app.accounts.operations import AccountError, check_password_rules, find_user
from rubric_app.accounts.passwords import verify_password
from rubric_app.accounts.tokens import make_token, password_fingerprint

HINT = "Common and leaked passwords are refused"
REFUSED = "This password is too easy to guess"


def post(client: FlaskClient, url: str, data: dict[str, str]) -> Any:
    token = csrf_from(client.get(url).data)
    return client.post(url, data={**data, "csrf_token": token})


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("password1234", "this is a very common password"),
        ("qwertyuiop", "this is a top-100 common password"),
        ("iloveyou2024", "this is similar to a commonly used password"),
    ],
)
def test_common_and_breached_passwords_are_refused_with_the_reason(password: str, why: str) -> None:
    with pytest.raises(AccountError) as refused:
        check_password_rules(password)
    message = str(refused.value)
    assert message.startswith(f"{REFUSED}: {why}.")
    assert "Use three or four unrelated words" in message


def test_passwords_built_from_the_name_or_address_are_refused() -> None:
    with pytest.raises(AccountError, match=REFUSED):
        check_password_rules("whitfield2026", email="dana.whitfield@example.org")
    check_password_rules("whitfield2026 orchard lantern", email="dana.whitfield@example.org")


def test_password_change_and_reset_refuse_a_common_password_with_a_hint(
    app: Flask, session: Session
) -> None:
    user = make_user(session, "dana@example.org", make_org(session))
    session.commit()
    client = app.test_client()
    signin(client, "dana@example.org")
    assert HINT in client.get("/account/password").get_data(as_text=True)
    changed = post(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": "password1234", "confirm": "password1234"},
    )
    assert changed.status_code == 400
    assert f"{REFUSED}: this is a very common password." in changed.get_data(as_text=True)
    with app.test_request_context():
        reset_path = "/reset/" + make_token(
            "password-reset", {"user": user.id, "fp": password_fingerprint(user.password_hash)}
        )
    anonymous = app.test_client()
    assert HINT in anonymous.get(reset_path).get_data(as_text=True)
    reset = post(anonymous, reset_path, {"password": "qwertyuiop", "confirm": "qwertyuiop"})
    assert reset.status_code == 400
    assert f"{REFUSED}: this is a top-100 common password." in reset.get_data(as_text=True)
    session.expire_all()
    stored = find_user(session, "dana@example.org")
    assert stored is not None
    assert verify_password(stored.password_hash, PASSWORD)  # nothing changed
    assert HINT in anonymous.get("/signup").get_data(as_text=True)


# Timing parity: the production argon2id profile, whose cost dominates the request.
PRODUCTION_ARGON2 = {"ARGON2_PROFILE": "RFC_9106_LOW_MEMORY"}
RUNS = 15


@pytest.mark.parametrize("app_config", [PRODUCTION_ARGON2])
def test_signin_takes_as_long_for_an_unknown_address_as_for_a_wrong_password(
    app: Flask, session: Session
) -> None:
    make_user(session, "dana@example.org", make_org(session))
    session.commit()
    client = app.test_client()

    def timed(email: str) -> float:
        token = csrf_from(client.get("/signin").data)
        data = {"email": email, "password": "not the password", "csrf_token": token}
        start = time.perf_counter()
        response = client.post("/signin", data=data)
        elapsed = time.perf_counter() - start
        assert response.status_code == 400
        return elapsed

    timed("dana@example.org")
    timed("nobody@example.org")  # warm both paths once
    known: list[float] = []
    unknown: list[float] = []
    for _ in range(RUNS):
        # Interleaved, so that a busy machine slows both series alike.
        known.append(timed("dana@example.org"))
        unknown.append(timed("nobody@example.org"))
    known_median = statistics.median(known)
    unknown_median = statistics.median(unknown)
    ratio = unknown_median / known_median
    measured = f"known {known_median * 1000:.0f} ms, unknown {unknown_median * 1000:.0f} ms"
    print(f"sign-in medians: {measured}")  # shown with -s: the measurement behind the check
    assert 0.8 <= ratio <= 1.2, measured
    # Sanity: the argon2 work is really there (the cheap test profile takes well under 5 ms).
    assert known_median > 0.01
