"""The security baseline: headers on every blueprint's pages and errors, CSRF refusals that keep
what was typed, the recovery hook, and the request size limit."""

from __future__ import annotations

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from flask_wtf.csrf import CSRFError
from helpers import PASSWORD, csrf_from, make_org, make_user, signin
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter, Rule
from werkzeug.test import TestResponse

from rubric_app import security
from rubric_app.models import Organization, User


def assert_security_headers(response: TestResponse, where: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp, where
    assert "'unsafe-inline'" not in csp, where
    assert "frame-ancestors 'none'" in csp, where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") == "same-origin", where


def _sample_url(app: Flask, rule: Rule) -> str:
    """The rule's URL with placeholder arguments (an id that does not exist, a dummy key)."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        values[name] = 999999 if isinstance(converter, IntegerConverter) else "no-such-key"
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def test_headers_on_every_page_of_every_blueprint(app: Flask, session: Session) -> None:
    org = make_org(session)
    make_user(session, "owner@example.org", org, "owner")
    session.commit()
    signed_in = app.test_client()
    signin(signed_in, "owner@example.org")
    anonymous = app.test_client()
    checked: set[str] = set()
    with_get_routes: set[str] = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        blueprint = rule.endpoint.partition(".")[0]
        with_get_routes.add(blueprint)
        url = _sample_url(app, rule)
        for client in (signed_in, anonymous):
            response = client.get(url)
            assert_security_headers(response, f"{url} -> {response.status_code}")
        checked.add(blueprint)
    assert {"main", "accounts"} <= checked
    assert checked == with_get_routes
    # Static files, error pages and refused methods carry them too.
    for url in ("/static/css/app.css", "/no-such-page", "/assessments/999999/sharing"):
        assert_security_headers(signed_in.get(url), url)
    assert_security_headers(signed_in.delete("/signin"), "405")


def test_signin_without_token_refused_and_typed_email_kept(
    client: FlaskClient, session: Session
) -> None:
    make_user(session, "dana@example.org", make_org(session), name="Dana Whitfield")
    session.commit()
    client.get("/signin")
    response = client.post(
        "/signin", data={"email": "dana@example.org", "password": PASSWORD, "csrf_token": "stale"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This form had expired" in page
    assert 'value="dana@example.org"' in page
    assert PASSWORD not in page
    assert "Dana Whitfield" not in client.get("/").get_data(as_text=True)
    # The re-rendered form carries a fresh token that works.
    retry = client.post(
        "/signin",
        data={"email": "dana@example.org", "password": PASSWORD, "csrf_token": csrf_from(page)},
    )
    assert retry.status_code == 302


def test_signup_without_token_keeps_name_and_email_but_no_password(
    client: FlaskClient, session: Session
) -> None:
    response = client.post(
        "/signup",
        data={
            "name": "Robin Hale",
            "email": "robin@example.org",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Robin Hale"' in page
    assert 'value="robin@example.org"' in page
    assert PASSWORD not in page
    assert session.scalar(select(User.id)) is None


def test_other_forms_without_token_show_what_was_typed(
    client: FlaskClient, session: Session
) -> None:
    make_user(session, "new@example.org")
    session.commit()
    signin(client, "new@example.org")
    response = client.post(
        "/organizations/new",
        data={"name": "Harbor Point Schools", "kind": "district", "state": "ME"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This form had expired" in page
    assert "Harbor Point Schools" in page
    assert session.scalar(select(Organization.id)) is None


def test_blueprints_can_register_their_own_csrf_recovery(
    client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def recover(error: CSRFError) -> tuple[str, int]:
        seen.append(str(error.description))
        return "kept your answers", 400

    monkeypatch.setitem(security.CSRF_RECOVERY, "accounts.reset_request", recover)
    response = client.post("/reset", data={"email": "dana@example.org"})
    assert response.status_code == 400
    assert response.get_data(as_text=True) == "kept your answers"
    assert seen
    assert "CSRF" in seen[0]
    assert_security_headers(response, "recovery response")


def test_too_large_request_gets_a_clear_413(app: Flask, client: FlaskClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    token = csrf_from(client.get("/signin").data)
    response = client.post(
        "/signin",
        data={"email": "a@example.org", "password": "x" * (1024 * 1024 + 10), "csrf_token": token},
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "too large" in page
    assert "1 MB" in page
    # A form post that is too long is told how to shorten what was typed.
    assert "Shorten long texts" in " ".join(page.split())
    assert "That file is too large" not in page
    assert_security_headers(response, "413")


def test_default_config_is_secure(app: Flask) -> None:
    from rubric_app.config import DefaultConfig

    assert DefaultConfig.SESSION_COOKIE_SECURE is True
    assert DefaultConfig.SESSION_COOKIE_HTTPONLY is True
    assert DefaultConfig.SESSION_COOKIE_SAMESITE == "Lax"
    assert DefaultConfig.WTF_CSRF_TIME_LIMIT is None
    assert app.config["WTF_CSRF_ENABLED"] is not False
