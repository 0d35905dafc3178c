"""Operations (issue 15, item 8): /metrics behind loopback or a bearer token, the request id,
and one log line per request."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from rubric_app.observability import REQUEST_LOGGER, safe_request_id
from tests.helpers import make_org, make_user, signin

TOKEN = "metrics-token-for-tests-0123456789"
REMOTE = {"REMOTE_ADDR": "203.0.113.7"}
LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"METRICS_TOKEN": TOKEN}


def test_metrics_from_loopback_show_latency_of_the_endpoint_just_called(
    client: FlaskClient,
) -> None:
    assert client.get("/healthz", environ_base=LOOPBACK).status_code == 200
    response = client.get("/metrics", environ_base=LOOPBACK)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert 'flask_http_request_duration_seconds_count{endpoint="main.healthz"' in text
    assert 'flask_http_request_total{method="GET",status="200"}' in text


def test_metrics_label_route_names_not_paths(client: FlaskClient) -> None:
    client.get("/no/such/page/12345", environ_base=LOOPBACK)
    text = client.get("/metrics", environ_base=LOOPBACK).get_data(as_text=True)
    assert "12345" not in text
    assert 'endpoint="unmatched",method="GET",status="404"' in text


def test_metrics_hidden_from_other_addresses_without_the_token(client: FlaskClient) -> None:
    assert client.get("/metrics", environ_base=REMOTE).status_code == 404
    wrong = {"Authorization": "Bearer not-the-token"}
    assert client.get("/metrics", environ_base=REMOTE, headers=wrong).status_code == 404


def test_metrics_open_to_the_bearer_token_from_anywhere(client: FlaskClient) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    response = client.get("/metrics", environ_base=REMOTE, headers=headers)
    assert response.status_code == 200
    assert "flask_http_request_total" in response.get_data(as_text=True)


def test_no_token_configured_means_loopback_only(app: Flask) -> None:
    app.config["METRICS_TOKEN"] = ""
    client = app.test_client()
    headers = {"Authorization": "Bearer "}
    assert client.get("/metrics", environ_base=REMOTE, headers=headers).status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_a_request_id_is_returned(client: FlaskClient) -> None:
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert len(first) == 32
    assert int(first, 16) >= 0
    assert first != second


def test_a_safe_incoming_request_id_is_echoed(client: FlaskClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "edge-7f3a.b_9"})
    assert response.headers["X-Request-ID"] == "edge-7f3a.b_9"


@pytest.mark.parametrize(
    "unsafe",
    ["a" * 65, "abc\x01def", "abc def", "id;rm -rf", "<script>", "ü-umlaut"],
)
def test_an_unsafe_incoming_request_id_is_replaced(unsafe: str) -> None:
    replaced = safe_request_id(unsafe)
    assert replaced != unsafe
    assert len(replaced) == 32


def test_an_overlong_incoming_request_id_is_replaced_in_the_response(
    client: FlaskClient,
) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "x" * 200})
    returned = response.headers["X-Request-ID"]
    assert returned != "x" * 200
    assert len(returned) == 32


def _request_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == REQUEST_LOGGER]


def test_one_log_line_per_request_with_its_fields(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    response = client.get("/healthz?token=secret-in-query", headers={"X-Request-ID": "trace-1"})
    records = _request_records(caplog)
    assert len(records) == 1
    record = records[0]
    assert record.levelno == logging.INFO
    assert record.http_method == "GET"  # type: ignore[attr-defined]
    assert record.endpoint == "main.healthz"  # type: ignore[attr-defined]
    assert record.status == response.status_code  # type: ignore[attr-defined]
    assert record.duration_ms >= 0  # type: ignore[attr-defined]
    assert record.request_id == "trace-1"  # type: ignore[attr-defined]
    assert record.user_id == "-"  # type: ignore[attr-defined]
    message = record.getMessage()
    assert "main.healthz" in message
    assert "trace-1" in message
    assert "secret-in-query" not in message
    assert "token" not in message


def test_the_log_line_names_the_signed_in_user_and_never_the_body(
    client: FlaskClient, session: Any, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user(session, "observed@example.org", make_org(session))
    session.commit()
    signin(client, "observed@example.org")
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    caplog.clear()
    client.get("/")
    records = _request_records(caplog)
    assert len(records) == 1
    assert records[0].user_id == str(user.id)  # type: ignore[attr-defined]
    # Flask-Login's get_id() is the session's secret token: it must never reach the log.
    assert records[0].getMessage().endswith(f"user={user.id}")
    caplog.clear()
    client.post("/signin", data={"email": "observed@example.org", "password": "body-secret"})
    records = _request_records(caplog)
    assert len(records) == 1
    assert "body-secret" not in records[0].getMessage()


def test_error_logs_carry_the_request_id(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/boom-for-test", "boom_for_test", boom)
    response = client.get("/boom-for-test", headers={"X-Request-ID": "err-42"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "err-42"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors
    assert all(getattr(r, "request_id", None) == "err-42" for r in errors)
