"""Signed exports: only a file this server signed, unchanged, is imported as submitted.

An altered file (even with its snapshot hash recomputed), an unsigned file and a file signed by
another server are imported as drafts with a "not verifiable" notice, on the page and in the
CLI.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient, FlaskCliRunner
from helpers import csrf_from, make_org, make_user, signin
from reports_fixtures import make_setup
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.assessments import (
    ItemState,
    load_states,
    payload_hash,
    snapshot_payload,
    submit,
)
from rubric_app.models import Assessment, AuditEvent
from rubric_app.reports.signature import sign_export

VERIFIED = "Signed by this server and unchanged."
ALTERED = "Not verifiable: the file was changed after this server signed it."
UNSIGNED = "Not verifiable: the file carries no signature"
OTHER_SERVER = "Not verifiable: the file was signed by another server"
KEPT_AS_DRAFT = "so it was imported as a draft"


def _exported(client: FlaskClient, assessment_id: int) -> dict[str, Any]:
    response = client.get(f"/assessments/{assessment_id}.json")
    assert response.status_code == 200
    data: dict[str, Any] = response.get_json()
    return data


def _importer(client: FlaskClient, session: Session) -> FlaskClient:
    """A signed-in owner of another organization on the same server."""
    # The same district's organization on the production server (the test database holds
    # both servers' organizations): same name, kind and state as the exporting one.
    org = make_org(session, "Riverton City School District")
    make_user(session, "admin@prod.example.org", org, "owner")
    session.commit()
    importer = client.application.test_client()
    signin(importer, "admin@prod.example.org")
    return importer


def _import(
    client: FlaskClient, session: Session, data: dict[str, Any], period: str = ""
) -> tuple[Assessment, str]:
    """Upload ``data``; return the new assessment and the page the import lands on."""
    token = csrf_from(client.get("/assessments/import").data)
    response = client.post(
        "/assessments/import",
        data={
            "csrf_token": token,
            "period": period,
            "file": (io.BytesIO(json.dumps(data, indent=2).encode()), "export.json"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    session.expire_all()
    imported = session.scalars(select(Assessment).order_by(Assessment.id.desc())).first()
    assert imported is not None
    return imported, page


def _submitted_export(client: FlaskClient, session: Session) -> dict[str, Any]:
    """The signed export of a submitted assessment, downloaded by its owner (signed in)."""
    setup = make_setup(session)
    signin(client, setup.owner.email)
    return _exported(client, setup.assessment.id)


def _last_import_audit(session: Session) -> dict[str, Any]:
    event = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "assessment.import")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None
    return dict(event.detail)


def _altered(data: dict[str, Any], source: Assessment) -> tuple[Any, str, str]:
    """Change one answer and recompute the snapshot hash, as anyone editing the file can."""
    altered = json.loads(json.dumps(data))
    item_id = next(
        i
        for i, state in altered["items"].items()
        if state["values"].get("policy") == "not-in-place"
    )
    altered["items"][item_id]["values"]["policy"] = "fully"
    states = {i: ItemState.from_dict(state) for i, state in altered["items"].items()}
    forged = payload_hash(snapshot_payload(source.rubric_version, states))
    assert forged != data["snapshot_hash"]
    altered["snapshot_hash"] = forged
    return altered, item_id, forged


def test_a_signed_unchanged_export_is_verified_and_stays_submitted(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    signin(client, setup.owner.email)
    data = _exported(client, setup.assessment.id)
    signature = data["signature"]
    assert signature["algorithm"] == "HMAC-SHA256"
    assert len(signature["value"]) == 64
    # The key is derived from SECRET_KEY; the secret itself appears nowhere in the file.
    assert client.application.config["SECRET_KEY"] not in json.dumps(data)

    imported, page = _import(_importer(client, session), session, data)
    assert imported.status == "submitted"
    assert imported.snapshot_hash == setup.assessment.snapshot_hash
    assert VERIFIED in page
    assert _last_import_audit(session)["signature"] == "verified"


def test_an_altered_file_with_a_recomputed_hash_is_imported_as_a_draft(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    signin(client, setup.owner.email)
    data = _exported(client, setup.assessment.id)
    altered, item_id, forged = _altered(data, setup.assessment)

    imported, page = _import(_importer(client, session), session, altered)
    assert imported.status == "draft"
    assert imported.snapshot_hash is None
    assert ALTERED in page
    assert KEPT_AS_DRAFT in page
    audit = _last_import_audit(session)
    assert (audit["signature"], audit["status"]) == ("altered", "draft")
    # The changed answer arrived (nothing is lost), and the forged hash was a valid one: the
    # old check, which trusted the hash, would have let this file in as submitted.
    assert load_states(session, imported)[item_id].values["policy"] == "fully"
    submit(session, imported, user=None)
    assert imported.snapshot_hash == forged


def test_an_unsigned_file_is_imported_as_a_draft_not_verifiable(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    signin(client, setup.owner.email)
    data = _exported(client, setup.assessment.id)
    del data["signature"]

    imported, page = _import(_importer(client, session), session, data)
    assert imported.status == "draft"
    assert UNSIGNED in page
    assert KEPT_AS_DRAFT in page
    assert _last_import_audit(session)["signature"] == "unsigned"


def test_a_file_signed_by_another_server_is_imported_as_a_draft(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    signin(client, setup.owner.email)
    data = sign_export(_exported(client, setup.assessment.id), "another server's secret key")

    imported, page = _import(_importer(client, session), session, data)
    assert imported.status == "draft"
    assert OTHER_SERVER in page
    assert _last_import_audit(session)["signature"] == "other_server"


def test_an_export_signed_before_a_key_change_verifies_with_the_old_key_as_fallback(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    signin(client, setup.owner.email)
    data = sign_export(_exported(client, setup.assessment.id), "the key before rotation")
    importer = _importer(client, session)
    client.application.config["SECRET_KEY_FALLBACKS"] = ["the key before rotation"]
    imported, page = _import(importer, session, data)
    assert imported.status == "submitted"
    assert VERIFIED in page


def test_a_draft_export_stays_a_draft_and_says_whether_it_is_verified(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session, submitted=False)
    signin(client, setup.owner.email)
    data = _exported(client, setup.assessment.id)
    imported, page = _import(_importer(client, session), session, data)
    assert imported.status == "draft"
    assert VERIFIED in page
    assert KEPT_AS_DRAFT not in page


def test_the_import_page_calls_the_snapshot_hash_a_checksum(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    signin(client, setup.owner.email)
    page = client.get("/assessments/import").get_data(as_text=True)
    assert "snapshot hash in the file is a checksum" in page
    assert "no proof that nobody changed them" in page
    assert "not verifiable" in page


def test_cli_import_prints_the_verdict(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    setup = make_setup(session)
    session.commit()
    path = tmp_path / "export.json"
    result = runner.invoke(
        args=["assessments", "export", str(setup.assessment.id), "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(path.read_text(encoding="utf-8"))

    cases = {
        "verified": (data, VERIFIED, "submitted"),
        "altered": (_altered(data, setup.assessment)[0], ALTERED, "draft"),
        "unsigned": ({k: v for k, v in data.items() if k != "signature"}, UNSIGNED, "draft"),
        "other": (sign_export(data, "another server's secret key"), OTHER_SERVER, "draft"),
    }
    for name, (content, verdict, status) in cases.items():
        target = make_org(session, setup.org.name)  # the district, on the other server
        session.commit()
        path.write_text(json.dumps(content), encoding="utf-8")
        result = runner.invoke(args=["assessments", "import", str(path), "--org", str(target.id)])
        assert result.exit_code == 0, result.output
        assert f"Signature: {verdict}" in result.output
        assert f", {status}) into {setup.org.name}." in result.output, name
        if status == "draft":
            assert KEPT_AS_DRAFT in result.output
        imported = session.scalars(select(Assessment).where(Assessment.org_id == target.id)).one()
        assert imported.status == status


def test_a_partner_cannot_import_a_shared_assessment_as_its_own_submission(
    client: FlaskClient, session: Session
) -> None:
    """The export of an assessment shared with a partner is signed by this server, but it is
    the district's: imported by the partner it is a draft that says whose it is, so it can
    never be submitted (and counted in the state's figures) as the partner's own."""
    data = _submitted_export(client, session)
    partner = make_org(session, "Riverton Youth Sports", kind="afterschool_program")
    make_user(session, "lead@rys.example.org", partner, "owner")
    session.commit()
    lead = client.application.test_client()
    signin(lead, "lead@rys.example.org")
    imported, page = _import(lead, session, data)
    assert imported.org_id == partner.id
    assert imported.status == "draft"
    words = " ".join(page.split())
    assert "it is the assessment of Riverton City School District, not yours" in words
    assert KEPT_AS_DRAFT in words


def test_a_signed_submission_given_another_period_on_import_is_a_draft(
    client: FlaskClient, session: Session
) -> None:
    imported, page = _import(
        _importer(client, session), session, _submitted_export(client, session), "2030-31"
    )
    assert "its period was changed from 2025-26 to 2030-31" in " ".join(page.split())
    assert (imported.period, imported.status) == ("2030-31", "draft")
