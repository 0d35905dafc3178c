"""Agreement documents through HTTP: upload of each type, refusals, clause page, access, delete.

Uploads are read into clauses by the background job, which the test configuration runs
in-process (``JOBS_IMMEDIATE``); ``test_agreement_extraction.py`` covers the job's own states
(being read, a scan found only when reading, failures).
"""

from __future__ import annotations

import io
import re

import pytest
from agreement_files import docx_zip_bomb, mou_docx, mou_pdf, mou_text, renamed_program
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_from, make_org, make_user, signin
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rubric_app.assessments import start_assessment
from rubric_app.models import (
    AgreementClause,
    AgreementDocument,
    Assessment,
    AuditEvent,
    Organization,
    User,
)
from rubric_app.rubric_versions import latest_version


def _assessment(session: Session, org: Organization, user: User) -> Assessment:
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    return start_assessment(
        session, org=org, version=version, title="Review 2026-27", period="2026-27", user=user
    )


@pytest.fixture
def setting(session: Session) -> dict[str, int]:
    org = make_org(session, "Harbor Valley USD")
    owner = make_user(session, "owner@example.org", org, "owner")
    make_user(session, "editor@example.org", org, "editor")
    make_user(session, "viewer@example.org", org, "viewer")
    other = make_org(session, "Elsewhere USD")
    make_user(session, "stranger@example.org", other, "owner")
    assessment = _assessment(session, org, owner)
    session.commit()
    return {"assessment": assessment.id}


def _url(assessment_id: int) -> str:
    return f"/assessments/{assessment_id}/documents"


def _upload(client: FlaskClient, assessment_id: int, data: bytes, name: str) -> tuple[int, str]:
    token = csrf_from(client.get(_url(assessment_id)).data)
    response = client.post(
        _url(assessment_id),
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    return response.status_code, response.get_data(as_text=True)


def _documents(session: Session) -> list[AgreementDocument]:
    session.expire_all()
    return list(session.scalars(select(AgreementDocument).order_by(AgreementDocument.id)))


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("mou.pdf", "application/pdf"),
        ("mou.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("mou.txt", "text/plain"),
    ],
)
def test_editor_uploads_each_type_and_sees_its_clauses(
    client: FlaskClient, session: Session, setting: dict[str, int], name: str, media_type: str
) -> None:
    data = {"mou.pdf": mou_pdf(), "mou.docx": mou_docx(), "mou.txt": mou_text().encode()}[name]
    signin(client, "editor@example.org")
    status, page = _upload(client, setting["assessment"], data, name)
    assert status == 200
    assert "clauses found" in page
    (document,) = _documents(session)
    assert document.media_type == media_type
    assert document.file_name == name
    assert document.size == len(data)
    assert len(document.sha256) == 64
    assert document.content == data
    assert document.clause_count == len(document.clauses) > 70
    by_number = {clause.number: clause for clause in document.clauses}
    assert by_number["4.2"].heading == "Minor offenses go to the school"
    if name == "mou.pdf":
        assert by_number["4.2"].page is not None
        assert by_number["4.2"].page > 1
        assert f"<td>{by_number['4.2'].page}</td>" in page
    else:
        assert by_number["4.2"].page is None
    assert ">1.2(a)</th>" in page
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "document.upload"))
    assert event is not None
    assert event.detail["sha256"] == document.sha256


def test_several_documents_per_assessment(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    signin(client, "owner@example.org")
    _upload(client, setting["assessment"], mou_text().encode(), "mou.txt")
    _upload(client, setting["assessment"], b"1. Uniforms\nOfficers wear uniforms.", "sop.txt")
    listing = client.get(_url(setting["assessment"])).get_data(as_text=True)
    assert "mou.txt" in listing
    assert "sop.txt" in listing
    assert len(_documents(session)) == 2


def test_the_same_file_twice_leads_to_the_first_copy(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    """Uploading identical bytes again adds nothing (every clause would show twice on the
    evidence pages) and says where the file already is; a changed file is a new document."""
    signin(client, "owner@example.org")
    _upload(client, setting["assessment"], mou_text().encode(), "mou.txt")
    status, page = _upload(client, setting["assessment"], mou_text().encode(), "mou-copy.txt")
    assert status == 200
    assert "This file is already uploaded as “mou.txt”" in page
    (document,) = _documents(session)
    assert document.file_name == "mou.txt"
    _upload(client, setting["assessment"], (mou_text() + "\n99. Signed.").encode(), "v2.txt")
    assert [d.file_name for d in _documents(session)] == ["mou.txt", "v2.txt"]


def test_a_one_clause_document_is_counted_in_the_singular(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    signin(client, "owner@example.org")
    status, page = _upload(client, setting["assessment"], b"Officers wear uniforms.", "note.txt")
    assert status == 200
    (document,) = _documents(session)
    assert document.clause_count == 1
    assert "1 clause found." in page
    assert "Plain text, 1 clause. SHA-256" in page
    assert "1 clauses" not in page


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (renamed_program(), "mou.pdf", "is not a PDF, a Word document"),
        (docx_zip_bomb(), "bomb.docx", "would unpack to 200 MB"),
    ],
    ids=["renamed-exe", "zip-bomb"],
)
def test_refused_files_say_why_and_store_nothing(
    client: FlaskClient,
    session: Session,
    setting: dict[str, int],
    data: bytes,
    name: str,
    message: str,
) -> None:
    signin(client, "editor@example.org")
    status, page = _upload(client, setting["assessment"], data, name)
    assert status == 400
    assert message in page
    assert "error-summary" in page
    assert _documents(session) == []
    assert session.scalar(select(func.count()).select_from(AgreementClause)) == 0


@pytest.mark.parametrize("app_config", [{"DOCUMENT_MAX_BYTES": 4096}])
def test_size_limit_is_checked_on_the_content(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    signin(client, "editor@example.org")
    status, page = _upload(client, setting["assessment"], b"a" * 5000, "small-name.txt")
    assert status == 400
    assert "the limit is" in page
    assert _documents(session) == []


def test_upload_allowance_is_larger_than_the_app_body_limit(
    app: Flask, client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    # 3 MB is over MAX_CONTENT_LENGTH (2 MB) but within the 20 MB document limit.
    assert app.config["MAX_CONTENT_LENGTH"] < 3 * 1024 * 1024
    body = (mou_text() + "\n") * (3 * 1024 * 1024 // len(mou_text()) + 1)
    signin(client, "editor@example.org")
    status, _page = _upload(client, setting["assessment"], body.encode(), "long.txt")
    assert status == 200
    assert _documents(session)[0].size > 3 * 1024 * 1024


def test_viewer_sees_the_list_but_cannot_upload_or_delete(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    signin(client, "editor@example.org")
    _upload(client, setting["assessment"], mou_text().encode(), "mou.txt")
    (document,) = _documents(session)
    viewer = client.application.test_client()
    signin(viewer, "viewer@example.org")
    listing = viewer.get(_url(setting["assessment"]))
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    assert "mou.txt" in text
    assert 'enctype="multipart/form-data"' not in text
    token = csrf_from(text)
    refused = viewer.post(
        _url(setting["assessment"]),
        data={"csrf_token": token, "file": (io.BytesIO(b"1. Term\nOne year."), "x.txt")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403
    assert viewer.get(f"{_url(setting['assessment'])}/{document.id}").status_code == 200
    deleted = viewer.post(
        f"{_url(setting['assessment'])}/{document.id}/delete", data={"csrf_token": token}
    )
    assert deleted.status_code == 403
    assert len(_documents(session)) == 1


def test_other_organization_gets_404_for_the_documents_and_clauses(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    signin(client, "editor@example.org")
    _upload(client, setting["assessment"], mou_text().encode(), "mou.txt")
    (document,) = _documents(session)
    stranger = client.application.test_client()
    signin(stranger, "stranger@example.org")
    base = _url(setting["assessment"])
    assert stranger.get(base).status_code == 404
    assert stranger.get(f"{base}/{document.id}").status_code == 404
    token = csrf_from(stranger.get("/").data)
    assert (
        stranger.post(f"{base}/{document.id}/delete", data={"csrf_token": token}).status_code == 404
    )
    # The stranger's own assessment does not reach the document either.
    other = session.scalar(select(Organization).where(Organization.name == "Elsewhere USD"))
    stranger_user = session.scalar(select(User).where(User.email == "stranger@example.org"))
    assert other is not None
    assert stranger_user is not None
    own = _assessment(session, other, stranger_user)
    session.commit()
    assert stranger.get(f"{_url(own.id)}/{document.id}").status_code == 404
    assert len(_documents(session)) == 1


def test_document_under_another_assessment_id_is_404(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    signin(client, "owner@example.org")
    _upload(client, setting["assessment"], mou_text().encode(), "mou.txt")
    (document,) = _documents(session)
    org = session.scalar(select(Organization).where(Organization.name == "Harbor Valley USD"))
    owner = session.scalar(select(User).where(User.email == "owner@example.org"))
    assert org is not None
    assert owner is not None
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    second = start_assessment(
        session, org=org, version=version, title="Second", period="2027-28", user=owner
    )
    session.commit()
    assert client.get(f"{_url(second.id)}/{document.id}").status_code == 404


def test_clause_text_is_escaped_never_html(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    signin(client, "editor@example.org")
    hostile = b"1. Purpose <script>alert(1)</script>\n<img src=x onerror=alert(2)> text."
    status, page = _upload(client, setting["assessment"], hostile, "<b>mou</b>.txt")
    assert status == 200
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "<b>mou</b>" not in page


def test_editor_deletes_a_document_with_audit_entry(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    signin(client, "editor@example.org")
    _upload(client, setting["assessment"], mou_text().encode(), "mou.txt")
    (document,) = _documents(session)
    digest = document.sha256
    page = client.get(f"{_url(setting['assessment'])}/{document.id}").get_data(as_text=True)
    no_csrf = client.post(f"{_url(setting['assessment'])}/{document.id}/delete")
    assert no_csrf.status_code == 400
    assert len(_documents(session)) == 1
    response = client.post(
        f"{_url(setting['assessment'])}/{document.id}/delete",
        data={"csrf_token": csrf_from(page)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "deleted" in response.get_data(as_text=True)
    assert _documents(session) == []
    assert session.scalar(select(func.count()).select_from(AgreementClause)) == 0
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "document.delete"))
    assert event is not None
    assert event.detail["sha256"] == digest
    assert re.search(r"[0-9a-f]{64}", digest)


def test_report_links_to_the_documents(client: FlaskClient, setting: dict[str, int]) -> None:
    signin(client, "viewer@example.org")
    page = client.get(f"/assessments/{setting['assessment']}/report").get_data(as_text=True)
    assert f'href="{_url(setting["assessment"])}"' in page


def test_other_addresses_keep_the_small_body_limit(
    client: FlaskClient, setting: dict[str, int]
) -> None:
    signin(client, "editor@example.org")
    token = csrf_from(client.get("/assessments/import").data)
    response = client.post(
        "/assessments/import",
        data={"csrf_token": token, "file": (io.BytesIO(b"{" + b" " * (3 * 1024 * 1024)), "a.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413


@pytest.mark.parametrize("app_config", [{"DOCUMENT_MAX_BYTES": 1024 * 1024}])
def test_body_over_the_upload_allowance_gets_413_naming_that_limit(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    signin(client, "editor@example.org")
    token = csrf_from(client.get(_url(setting["assessment"])).data)
    response = client.post(
        _url(setting["assessment"]),
        data={"csrf_token": token, "file": (io.BytesIO(b"a" * (1536 * 1024)), "big.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "is 1 MB" in response.get_data(as_text=True)
    assert _documents(session) == []


def test_a_too_large_file_is_named_as_such_with_the_limit_and_a_way_back(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    signin(client, "editor@example.org")
    url = _url(setting["assessment"])
    token = csrf_from(client.get(url).data)
    response = client.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(b"a" * (22 * 1024 * 1024)), "mou.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "That file is too large" in page
    assert "The largest file this page accepts is 20 MB." in page
    assert f'<a href="{url}">Back to the agreement documents</a>' in page
    # The advice for long typed texts is for form posts, not for a file.
    assert "Shorten long texts" not in page
    assert _documents(session) == []


def test_a_short_name_that_would_print_backwards_is_refused(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    signin(client, "editor@example.org")
    url = _url(setting["assessment"])
    response = client.post(
        url,
        data={
            "csrf_token": csrf_from(client.get(url).data),
            "file": (io.BytesIO(mou_text().encode()), "mou.txt"),
            "label": "\u202eUOM",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "invisible formatting character (U+202E)" in response.get_data(as_text=True)
    assert _documents(session) == []


def test_the_task_list_and_section_pages_lead_to_the_documents_for_those_who_upload(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    assessment_id = setting["assessment"]
    link = f'href="{_url(assessment_id)}"'
    section = f"/assessments/{assessment_id}/sections/partnerships-and-mous"
    signin(client, "editor@example.org")
    assert link in client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    before = client.get(section).get_data(as_text=True)
    assert f"<a {link}>Upload your agreement (MOU)</a>" in before
    assert _upload(client, assessment_id, mou_text().encode(), "mou.txt")[0] == 200
    after = client.get(section).get_data(as_text=True)
    assert "Find evidence for this section in your agreement" in after
    assert f"<a {link}>Agreement documents</a>" in after
    # A viewer may not upload: the task list offers no such link.
    signin(client, "viewer@example.org")
    assert link not in client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
