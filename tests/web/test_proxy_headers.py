"""Client addresses behind a reverse proxy: TRUSTED_PROXIES decides whether X-Forwarded-For
counts, so per-address sign-in limits work behind nginx and cannot be dodged without one."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from helpers import csrf_from


def _bad_signin(app: Flask, forwarded_for: str) -> int:
    """Post a wrong password from the proxy's address, claiming ``forwarded_for``."""
    client = app.test_client()
    environ = {"REMOTE_ADDR": "10.0.0.2"}
    # Over https (as the proxy says), Flask-WTF also checks that the Referer is this site.
    headers = {
        "X-Forwarded-For": forwarded_for,
        "X-Forwarded-Proto": "https",
        "Referer": "https://localhost/signin",
    }
    token = csrf_from(client.get("/signin", environ_base=environ, headers=headers).data)
    response = client.post(
        "/signin",
        data={
            "email": f"nobody-{forwarded_for}@example.org",
            "password": "wrong",
            "csrf_token": token,
        },
        headers=headers,
        environ_base=environ,
    )
    return response.status_code


@pytest.fixture
def app_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SIGNIN_RATE_LIMIT": "2 per 15 minutes",
        "TRUSTED_PROXIES": request.param,
    }


@pytest.mark.parametrize("app_config", [1], indirect=True)
def test_behind_one_proxy_each_client_address_has_its_own_allowance(app: Flask) -> None:
    assert [_bad_signin(app, "203.0.113.1") for _ in range(3)] == [400, 400, 429]
    # Another client behind the same proxy is not locked out by the first one's attempts.
    assert _bad_signin(app, "203.0.113.2") == 400


@pytest.mark.parametrize("app_config", [0], indirect=True)
def test_without_a_trusted_proxy_forwarded_addresses_are_ignored(app: Flask) -> None:
    # A client that makes up a new X-Forwarded-For each time still hits the per-address limit.
    codes = [_bad_signin(app, f"198.51.100.{n}") for n in range(3)]
    assert codes == [400, 400, 429]
