"""JSON export and import: the round trip keeps every answer and the snapshot hash; bad files
are refused with messages that name the problem, and nothing is written. Only a file this
server signed, unchanged, is imported as submitted; any other is imported as a draft."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient, FlaskCliRunner
from helpers import csrf_from, make_org, make_user, signin
from reports_fixtures import make_setup, rated_states
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rubric_app.assessments import EMPTY_STATE, ItemChange, load_states, save_items, submit
from rubric_app.models import Assessment, AuditEvent
from rubric_app.reports.export import export_assessment


def _exported(client: FlaskClient, assessment_id: int) -> dict[str, Any]:
    response = client.get(f"/assessments/{assessment_id}.json")
    assert response.status_code == 200
    data: dict[str, Any] = response.get_json()
    return data


def _upload(
    client: FlaskClient, content: bytes, period: str = "", filename: str = "export.json"
) -> Any:
    token = csrf_from(client.get("/assessments/import").data)
    return client.post(
        "/assessments/import",
        data={"csrf_token": token, "period": period, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Assessment)) or 0


def _production(session: Session) -> None:
    # The same district's organization on the production server (the test database holds
    # both servers' organizations): same name, kind and state as the exporting one.
    org = make_org(session, "Riverton City School District")
    make_user(session, "admin@prod.example.org", org, "owner")
    session.commit()


def test_round_trip_keeps_answers_and_snapshot_hash(client: FlaskClient, session: Session) -> None:
    setup = make_setup(session, submitted=False)
    # An item answered then cleared is stored as no answer at all, like one never touched.
    cleared = next(iter(rated_states(session=session)))
    save_items(
        session, setup.assessment, [ItemChange(cleared, EMPTY_STATE, None)], user=setup.owner
    )
    submit(session, setup.assessment, user=setup.owner)
    session.commit()
    original_states = load_states(session, setup.assessment)
    assert cleared not in original_states
    signin(client, setup.owner.email)
    data = _exported(client, setup.assessment.id)

    _production(session)
    importer = client.application.test_client()
    signin(importer, "admin@prod.example.org")
    response = _upload(importer, json.dumps(data).encode())

    assert response.status_code == 302, response.get_data(as_text=True)
    imported = session.scalars(select(Assessment).order_by(Assessment.id.desc())).first()
    assert imported is not None
    assert imported.id != setup.assessment.id
    assert imported.status == "submitted"
    assert imported.snapshot_hash == setup.assessment.snapshot_hash
    assert load_states(session, imported) == original_states
    again = export_assessment(session, imported)
    for key in ("items", "scores", "gaps", "snapshot_hash", "period", "title", "rubric"):
        assert again[key] == data[key]
    assert response.headers["Location"].endswith(f"/assessments/{imported.id}/report")


def test_draft_stays_draft_and_period_can_change(client: FlaskClient, session: Session) -> None:
    setup = make_setup(session, submitted=False)
    signin(client, setup.owner.email)
    data = _exported(client, setup.assessment.id)
    # Same organization, same period: refused with the reason; another period: imported.
    response = _upload(client, json.dumps(data).encode())
    assert response.status_code == 400
    assert "already has an assessment of this rubric for 2025-26" in response.get_data(as_text=True)
    response = _upload(client, json.dumps(data).encode(), period="2026-27")
    assert response.status_code == 302
    imported = session.scalars(select(Assessment).where(Assessment.period == "2026-27")).one()
    assert imported.status == "draft"
    assert imported.snapshot_hash is None
    assert load_states(session, imported) == load_states(session, setup.assessment)


def _problem(client: FlaskClient, session: Session, content: bytes) -> str:
    before = _count(session)
    response = _upload(client, content)
    assert response.status_code == 400
    assert _count(session) == before
    page: str = response.get_data(as_text=True)
    assert "The file could not be imported" in page
    return page


def test_bad_files_are_refused_with_clear_messages(client: FlaskClient, session: Session) -> None:
    setup = make_setup(session)
    signin(client, setup.owner.email)
    good = _exported(client, setup.assessment.id)
    good["period"] = "2030-31"
    gate = "partnership-exists"  # the yes/no gate question

    assert "not valid JSON" in _problem(client, session, b"{not json")
    assert "not UTF-8" in _problem(client, session, b"\xff\xfe\x00")
    assert "format" in _problem(client, session, json.dumps({"format": "other"}).encode())

    unknown_version = {**good, "rubric": {**good["rubric"], "version": "1999.9"}}
    page = _problem(client, session, json.dumps(unknown_version).encode())
    assert (
        "does not have rubric &#39;secure-local-implementation&#39; version &#39;1999.9&#39;"
        in page
    )

    changed_rubric = {**good, "rubric": {**good["rubric"], "content_hash": "0" * 64}}
    assert "differs from the one the file was made with" in _problem(
        client, session, json.dumps(changed_rubric).encode()
    )

    extra_item = {**good, "items": {**good["items"], "not-a-real-item": {"values": {}}}}
    page = _problem(client, session, json.dumps(extra_item).encode())
    assert "Items not in rubric" in page
    assert "not-a-real-item" in page

    bad_value = json.loads(json.dumps(good))
    bad_value["items"][gate] = {"values": {"value": "maybe"}}
    assert "must be &#39;yes&#39; or &#39;no&#39;" in _problem(
        client, session, json.dumps(bad_value).encode()
    )

    assert "larger than" in _problem(client, session, b" " * (1024 * 1024 + 10))


def test_viewers_cannot_import(client: FlaskClient, session: Session) -> None:
    setup = make_setup(session)
    make_user(session, "viewer@riverton.example.org", setup.org, "viewer")
    session.commit()
    signin(client, "viewer@riverton.example.org")
    assert client.get("/assessments/import").status_code == 403


def test_cli_export_and_import(runner: FlaskCliRunner, session: Session, tmp_path: Path) -> None:
    setup = make_setup(session)
    target = make_org(session, setup.org.name)  # the district, on the other server
    session.commit()
    path = tmp_path / "export.json"

    result = runner.invoke(
        args=["assessments", "export", str(setup.assessment.id), "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["assessments", "import", str(path), "--org", str(target.id)])
    assert result.exit_code == 0, result.output
    assert "Imported assessment" in result.output
    assert "Signature: Signed by this server and unchanged." in result.output
    imported = session.scalars(select(Assessment).where(Assessment.org_id == target.id)).one()
    assert imported.status == "submitted"
    assert imported.snapshot_hash == setup.assessment.snapshot_hash

    result = runner.invoke(args=["assessments", "import", str(path), "--org", str(target.id)])
    assert result.exit_code == 1
    assert "already has an assessment" in result.output


def test_cli_export_to_a_missing_folder_says_so(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    setup = make_setup(session)
    session.commit()
    target = tmp_path / "no-such-folder" / "export.json"
    result = runner.invoke(
        args=["assessments", "export", str(setup.assessment.id), "-o", str(target)]
    )
    assert result.exit_code == 1
    assert f"Error: cannot write {target}: No such file or directory." in result.output
    assert "Traceback" not in result.output
    exported = select(AuditEvent).where(AuditEvent.action == "assessment.export")
    exports = session.scalars(exported).all()
    assert exports == []
