"""The home page, health check, security headers and sign-in basics."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_from, make_org, make_user, signin
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from rubric_app.catalog_state import current_catalog
from rubric_app.security import add_security_headers


def test_home_lists_every_rubric(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    for rubric in current_catalog().rubrics.values():
        assert rubric.title in page


def test_healthz_reports_database_and_versions(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200, response.json
    assert response.json == {
        "status": "ok",
        "database": "ok",
        "rubric_versions": len(current_catalog().rubrics),
    }


def test_every_page_names_an_icon_and_favicon_ico_answers(client: FlaskClient) -> None:
    # Browsers asked for /favicon.ico on every page and got a 404.
    for path in ("/", "/signin", "/no-such-page"):
        page = client.get(path).get_data(as_text=True)
        found = re.search(r'<link rel="icon" href="([^"]+)"', page)
        assert found is not None, path
        icon = client.get(found.group(1))
        assert icon.status_code == 200
        assert icon.data.startswith(b"\x00\x00\x01\x00")  # the ICO header
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data.startswith(b"\x00\x00\x01\x00")


def test_security_headers_on_pages_and_errors(client: FlaskClient) -> None:
    for url in ("/", "/signin", "/healthz", "/no-such-page"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_a_views_own_security_header_is_kept_and_none_is_doubled(client: FlaskClient) -> None:
    with client.application.test_request_context("/"):
        response = add_security_headers(
            Response("framed", headers={"x-frame-options": "SAMEORIGIN", "Vary": "Cookie"})
        )
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    for name in ("Content-Security-Policy", "Referrer-Policy", "Permissions-Policy"):
        assert len(response.headers.getlist(name)) == 1, name
    assert "Strict-Transport-Security" not in response.headers  # plain http


def test_unknown_page_is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_signin_normalises_email_and_signs_out(client: FlaskClient, session: Session) -> None:
    org = make_org(session)
    make_user(session, "Dana@Example.org", org, name="Dana Whitfield")
    session.commit()
    token = csrf_from(client.get("/signin").data)
    response = client.post(
        "/signin", data={"email": "  DANA@example.ORG ", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert "Dana Whitfield" in client.get("/").get_data(as_text=True)
    token = csrf_from(client.get("/").data)
    client.post("/signout", data={"csrf_token": token})
    assert "Dana Whitfield" not in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_with_a_message(client: FlaskClient, session: Session) -> None:
    make_user(session, "dana@example.org", make_org(session))
    session.commit()
    token = csrf_from(client.get("/signin").data)
    response = client.post(
        "/signin", data={"email": "dana@example.org", "password": "wrong", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "email address or password is not right" in response.get_data(as_text=True)


def test_signin_without_csrf_token_is_refused(client: FlaskClient, session: Session) -> None:
    make_user(session, "dana@example.org", make_org(session))
    session.commit()
    client.get("/signin")
    response = client.post("/signin", data={"email": "dana@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "Dana" not in client.get("/").get_data(as_text=True)


def test_signin_redirect_never_leaves_the_site(client: FlaskClient, session: Session) -> None:
    make_user(session, "dana@example.org", make_org(session))
    session.commit()
    token = csrf_from(client.get("/signin").data)
    response = client.post(
        "/signin?next=https://evil.example.com/",
        data={"email": "dana@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_helpers_signin(client: FlaskClient, session: Session) -> None:
    make_user(session, "sam@example.org", make_org(session), name="Sam Okafor")
    session.commit()
    signin(client, "sam@example.org")
    assert "Sam Okafor" in client.get("/").get_data(as_text=True)


def test_home_shows_a_signed_in_users_recent_work(client: FlaskClient, session: Session) -> None:
    from rubric_app.assessments import start_assessment
    from rubric_app.rubric_versions import latest_version

    org = make_org(session, name="Maple District")
    user = make_user(session, "lee@maple.example.org", org)
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    start_assessment(
        session, org=org, version=version, title="Our 2026-27 review", period="2026-27", user=user
    )
    session.commit()
    assert "Your work at" not in client.get("/").get_data(as_text=True)
    signin(client, "lee@maple.example.org")
    page = client.get("/").get_data(as_text=True)
    assert "Your work at Maple District" in page
    assert "Our 2026-27 review" in page
    assert "Draft" in page
