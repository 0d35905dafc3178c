"""The autosave's third performance round kept what it promised.

The audit record of a save is written with a Core insert (``audit.record_at_once``): the same
row ``audit.record`` would flush, in the save's own transaction. The signed session cookie is
not signed again on an autosave (the session is not modified), and the request log line still
carries the request id once per request.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_questionnaire_pages import form_fields, section_url

from rubric_app import audit
from rubric_app.assessments import (
    ItemChange,
    ItemState,
    rubric_for,
    save_items,
    start_assessment,
)
from rubric_app.models import Assessment, AuditEvent, User
from rubric_app.observability import REQUEST_LOGGER
from rubric_app.questionnaire.forms import read_section
from rubric_app.rubric_versions import latest_version
from rubric_app.scoring import visibility

_COLUMNS = ("user_id", "org_id", "action", "target", "detail", "ip")


def _draft(session: Session, name: str) -> tuple[Assessment, User]:
    org = make_org(session, f"{name} District")
    user = make_user(session, f"{name.lower()}@example.org", org)
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    assessment = start_assessment(
        session, org=org, version=version, title="T", period="2026-27", user=None
    )
    session.commit()
    return assessment, user


def _row(event: AuditEvent) -> dict[str, Any]:
    return {column: getattr(event, column) for column in _COLUMNS}


def _as_utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def test_record_at_once_writes_the_row_record_would_flush(app: Flask, session: Session) -> None:
    _assessment, user = _draft(session, "Audit")
    org_id = user.memberships[0].org_id
    fields: dict[str, Any] = {
        "user_id": user.id,
        "org_id": org_id,
        "target": "assessment:7",
        "items": ["b", "a"],
        "note": "ünïcode",
    }
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        before = dt.datetime.now(dt.UTC)
        audit.record(session, "assessment.save", **fields)
        session.flush()
        audit.record_at_once(session, "assessment.save", **fields)
        session.commit()
        after = dt.datetime.now(dt.UTC)
    session.expire_all()
    flushed, written = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()[-2:]
    assert _row(written) == _row(flushed)
    assert _row(written) == {
        "user_id": user.id,
        "org_id": org_id,
        "action": "assessment.save",
        "target": "assessment:7",
        "detail": {"items": ["b", "a"], "note": "ünïcode"},
        "ip": "203.0.113.9",
    }
    # Microseconds may be dropped by the backend; the second is what the audit page shows.
    assert before.replace(microsecond=0) <= _as_utc(written.at) <= after


def test_record_at_once_outside_a_request_has_no_address(app: Flask, session: Session) -> None:
    audit.record_at_once(session, "assessment.save", target="assessment:1")
    session.commit()
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None
    assert (event.ip, event.user_id, event.org_id, event.detail) == ("", None, None, {})


def test_a_save_rolled_back_leaves_no_audit_record(app: Flask, session: Session) -> None:
    """The audit row is written in the save's transaction: no save, no record (and the reverse
    is what every committed autosave below checks)."""
    assessment, user = _draft(session, "Rollback")
    count = len(session.scalars(select(AuditEvent.id)).all())
    result = save_items(
        session,
        assessment,
        [ItemChange("partnership-exists", ItemState(values={"value": "yes"}), None)],
        user=user,
    )
    assert result.saved == ("partnership-exists",)
    assert len(session.scalars(select(AuditEvent.id)).all()) == count + 1
    session.rollback()
    assert len(session.scalars(select(AuditEvent.id)).all()) == count
    assert session.get_one(Assessment, assessment.id).revision == 0


def _autosave(client: FlaskClient, assessment: Assessment, fields: dict[str, list[str]]) -> Any:
    return client.post(
        f"/assessments/{assessment.id}/autosave",
        data=fields,
        headers={"X-CSRFToken": fields["csrf_token"][0]},
    )


def test_an_autosave_records_who_saved_which_items(app: Flask, session: Session) -> None:
    assessment, user = _draft(session, "Recorded")
    client = app.test_client()
    signin(client, "recorded@example.org")
    fields = form_fields(client.get(section_url(assessment)).get_data(as_text=True))
    fields["partnership-exists__value"] = ["yes"]
    response = _autosave(client, assessment, fields)
    assert response.get_json()["saved"] == ["partnership-exists"]
    session.expire_all()
    event = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "assessment.save")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None
    assert _row(event) == {
        "user_id": user.id,
        "org_id": assessment.org_id,
        "action": "assessment.save",
        "target": f"assessment:{assessment.id}",
        "detail": {"items": ["partnership-exists"]},
        "ip": "127.0.0.1",
    }
    assert session.get_one(Assessment, assessment.id).revision == 1
    # An unchanged post saves nothing and records nothing.
    fields["partnership-exists__base"] = response.get_json()["bases"]["partnership-exists"]
    again = _autosave(client, assessment, fields)
    assert again.get_json()["saved"] == []
    session.expire_all()
    events = session.scalars(
        select(AuditEvent.id).where(
            AuditEvent.action == "assessment.save",
            AuditEvent.target == f"assessment:{assessment.id}",
        )
    ).all()
    assert len(events) == 1


def test_an_autosave_does_not_sign_the_session_cookie_again(app: Flask, session: Session) -> None:
    assessment, _user = _draft(session, "Cookie")
    client = app.test_client()
    signin(client, "cookie@example.org")
    fields = form_fields(client.get(section_url(assessment)).get_data(as_text=True))
    for value in ("yes", "no", "yes"):
        fields["partnership-exists__value"] = [value]
        response = _autosave(client, assessment, fields)
        assert response.get_json()["status"] == "saved", response.get_json()
        fields["partnership-exists__base"] = response.get_json()["bases"]["partnership-exists"]
        assert "Set-Cookie" not in response.headers, response.headers.get("Set-Cookie")


@pytest.mark.parametrize("incoming", ["bench-1234", None])
def test_the_autosave_log_line_carries_its_request_id_once(
    app: Flask, session: Session, caplog: pytest.LogCaptureFixture, incoming: str | None
) -> None:
    assessment, user = _draft(session, "Logged")
    client = app.test_client()
    signin(client, "logged@example.org")
    fields = form_fields(client.get(section_url(assessment)).get_data(as_text=True))
    fields["partnership-exists__value"] = ["yes"]
    headers = {"X-CSRFToken": fields["csrf_token"][0]}
    if incoming:
        headers["X-Request-ID"] = incoming
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=REQUEST_LOGGER):
        response = client.post(
            f"/assessments/{assessment.id}/autosave", data=fields, headers=headers
        )
    assert response.get_json()["saved"] == ["partnership-exists"]
    request_id = response.headers["X-Request-ID"]
    if incoming:
        assert request_id == incoming
    lines = [record for record in caplog.records if record.name == REQUEST_LOGGER]
    assert len(lines) == 1
    line = lines[0]
    message = line.getMessage()
    assert message.startswith("POST questionnaire.autosave 200 "), message
    assert f"request_id={request_id} user={user.id}" in message
    assert line.request_id == request_id  # type: ignore[attr-defined]


@pytest.mark.parametrize("partnership", ["yes", "no", ""])
def test_read_section_decides_visibility_as_over_every_answer(
    app: Flask, session: Session, partnership: str
) -> None:
    """Skip logic reads the posted section's answers lazily (only the items conditions name):
    the same visibility, for every item of the rubric, as over every state made an answer."""
    assessment, _user = _draft(session, "Visible")
    rubric = rubric_for(assessment)
    section = rubric.sections[0]
    stored = {
        # Answers stored in other sections too.
        item.id: ItemState(values={"value": "yes"}, comment="kept")
        for other in rubric.sections[1:3]
        for item in other.items
        if "value" in item.answer_dimensions
    }
    data = {"partnership-exists__value": [partnership]} if partnership else {}
    read = read_section(rubric, section, stored, data)
    merged = {**stored, **read.posted}
    expected = visibility(rubric, {key: state.to_answer() for key, state in merged.items()})
    assert dict(read.visible) == dict(expected)
    hidden = {item_id for item_id, shown in expected.items() if not shown}
    assert bool(hidden) is (partnership != "yes")
