"""Session cookies with the production settings: Secure, HttpOnly, SameSite=Lax."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_from, make_org, make_user
from sqlalchemy.orm import Session


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True}


def test_session_cookie_is_secure_httponly_and_lax(client: FlaskClient, session: Session) -> None:
    make_user(session, "dana@example.org", make_org(session))
    session.commit()
    https = "https://localhost"
    token = csrf_from(client.get("/signin", base_url=https).data)
    response = client.post(
        "/signin",
        data={"email": "dana@example.org", "password": PASSWORD, "csrf_token": token},
        base_url=https,
        # Over HTTPS, Flask-WTF also checks that the form was posted from this site.
        headers={"Referer": f"{https}/signin"},
    )
    assert response.status_code == 302
    cookie = next(
        header for header in response.headers.getlist("Set-Cookie") if header.startswith("session=")
    )
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert "secure" in flags
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
