"""Reading an uploaded agreement as a background job: states, the "being read" page, failures.

The queue runs for real, in-process (the test configuration's ``JOBS_IMMEDIATE``): an upload
is stored, its job is queued and run, and the page shows what the job recorded. The pending
state is made by storing a document and queueing nothing, as a busy queue would leave it.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any

import pytest
from agreement_files import TAMARACK_COUNTY, mou_text, scanned_pdf
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_from, make_org, make_user, signin
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rubric_app.agreements import extraction_jobs, operations
from rubric_app.assessments import start_assessment
from rubric_app.db import db
from rubric_app.jobs.models import Job
from rubric_app.jobs.queue import dispatch
from rubric_app.models import AgreementClause, AgreementDocument, Assessment, User
from rubric_app.rubric_versions import latest_version


@pytest.fixture
def setting(session: Session) -> dict[str, int]:
    org = make_org(session, "Tamarack County Public Schools")
    owner = make_user(session, "owner@example.org", org, "owner")
    make_user(session, "viewer@example.org", org, "viewer")
    other = make_org(session, "Elsewhere USD")
    make_user(session, "stranger@example.org", other, "owner")
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    assessment = start_assessment(
        session, org=org, version=version, title="Review", period="2026-27", user=owner
    )
    session.commit()
    return {"assessment": assessment.id, "owner": owner.id}


def _url(assessment_id: int, document_id: int | None = None) -> str:
    base = f"/assessments/{assessment_id}/documents"
    return base if document_id is None else f"{base}/{document_id}"


def _upload(client: FlaskClient, assessment_id: int, data: bytes, name: str) -> Any:
    token = csrf_from(client.get(_url(assessment_id)).data)
    return client.post(
        _url(assessment_id),
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def _only_document(session: Session) -> AgreementDocument:
    session.expire_all()
    (document,) = session.scalars(select(AgreementDocument))
    return document


def _stored_unread(session: Session, setting: dict[str, int], data: bytes) -> AgreementDocument:
    """A document stored by the upload step whose job has not run yet."""
    assessment = session.get(Assessment, setting["assessment"])
    user = session.get(User, setting["owner"])
    assert assessment is not None
    assert user is not None
    document = operations.store_upload(
        session, assessment, data=data, file_name="mou.txt", user=user
    )
    session.commit()
    return document


def _run_extraction(session: Session, document: AgreementDocument) -> Job:
    requested = extraction_jobs.queue_extraction(session, document, user_id=None)
    session.commit()
    if requested.dispatch:
        dispatch(requested.job.id)
    job = session.get(Job, requested.job.id, populate_existing=True)
    assert job is not None
    return job


def test_upload_is_read_by_its_extraction_job(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    signin(client, "owner@example.org")
    response = _upload(client, setting["assessment"], TAMARACK_COUNTY.pdf(), "county.pdf")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    document = _only_document(session)
    assert document.extraction_state == "done"
    assert f"{document.clause_count} clauses found" in page
    assert ">Section 7.02</th>" in page
    assert "Refresh" not in response.headers
    job = session.scalar(select(Job).where(Job.key == extraction_jobs.job_key(document.id)))
    assert job is not None
    assert (job.kind, job.state, job.user_id) == ("agreement_extraction", "done", setting["owner"])
    assert job.params == {"document_id": document.id}


def test_scan_is_stored_and_the_job_says_why_it_cannot_be_read(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    signin(client, "owner@example.org")
    response = _upload(client, setting["assessment"], scanned_pdf(), "scan.pdf")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    document = _only_document(session)
    assert document.extraction_state == "failed"
    assert "no text layer" in document.extraction_message
    assert document.clause_count == 0
    assert session.scalar(select(func.count()).select_from(AgreementClause)) == 0
    assert "could not be read into clauses" in page
    assert "This PDF has no text layer: it is a scan" in page
    assert 'href="#delete-document"' in page
    assert 'id="delete-document"' in page
    assert "Refresh" not in response.headers
    job = session.scalar(select(Job).where(Job.key == extraction_jobs.job_key(document.id)))
    assert job is not None
    # Refused for good, like the upload used to be: no retry can add a text layer.
    assert (job.state, job.attempts, job.message) == (
        "failed",
        1,
        document.extraction_message,
    )
    listing = client.get(_url(setting["assessment"])).get_data(as_text=True)
    assert "Could not be read" in listing
    deleted = client.post(
        f"{_url(setting['assessment'], document.id)}/delete",
        data={"csrf_token": csrf_from(page)},
        follow_redirects=True,
    )
    assert deleted.status_code == 200
    assert session.scalar(select(func.count()).select_from(AgreementDocument)) == 0


def test_document_being_read_refreshes_until_its_clauses_are_there(
    app: Flask, client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    document = _stored_unread(session, setting, mou_text().encode())
    assert (document.extraction_state, document.clause_count) == ("pending", 0)
    signin(client, "viewer@example.org")
    url = _url(setting["assessment"], document.id)
    waiting = client.get(url)
    assert waiting.status_code == 200
    assert waiting.headers["Refresh"] == str(app.config["JOB_PAGE_REFRESH"])
    assert waiting.headers["Cache-Control"] == "no-store"
    page = waiting.get_data(as_text=True)
    assert "Being read." in page
    assert f'href="{url}?refresh=off"' in page
    assert "No clauses were found" not in page
    assert "0 clauses" not in page  # not counted yet: none found is not what it means
    stopped = client.get(f"{url}?refresh=off")
    assert "Refresh" not in stopped.headers
    assert f'href="{url}">Check again</a>' in stopped.get_data(as_text=True)
    listing = client.get(_url(setting["assessment"])).get_data(as_text=True)
    assert '<td data-label="Clauses">Being read</td>' in listing

    job = _run_extraction(session, document)
    assert job.state == "done"
    read = client.get(url)
    assert "Refresh" not in read.headers
    html = read.get_data(as_text=True)
    assert "Being read" not in html
    assert ">4.2</th>" in html


def test_one_extraction_job_per_document_and_a_second_run_changes_nothing(
    session: Session, setting: dict[str, int]
) -> None:
    document = _stored_unread(session, setting, mou_text().encode())
    first = extraction_jobs.queue_extraction(session, document, user_id=None)
    second = extraction_jobs.queue_extraction(session, document, user_id=None)
    assert first.dispatch is True
    assert second.dispatch is False
    assert second.job.id == first.job.id
    session.commit()
    dispatch(first.job.id)
    session.expire_all()
    count = session.scalar(select(func.count()).select_from(AgreementClause))
    assert count == document.clause_count > 70
    again = _run_extraction(session, document)
    assert again.id == first.job.id
    assert again.state == "done"
    assert session.scalar(select(func.count()).select_from(AgreementClause)) == count
    assert session.scalar(select(func.count()).select_from(Job)) == 1


def test_two_runs_of_one_extraction_at_once_store_one_set_of_clauses(
    app: Flask, session: Session, setting: dict[str, int]
) -> None:
    """A job delivered twice, run by two workers on two connections at the same moment."""
    document = _stored_unread(session, setting, TAMARACK_COUNTY.pdf())
    requested = extraction_jobs.queue_extraction(session, document, user_id=None)
    session.commit()
    job_id, document_id = requested.job.id, document.id
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context(), Session(db.engine) as own:
                job = own.get(Job, job_id)
                assert job is not None
                barrier.wait(timeout=30)
                extraction_jobs.read_agreement(own, job, lambda _percent: own.commit())
                own.commit()
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    workers = [threading.Thread(target=run) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    session.expire_all()
    stored = session.get(AgreementDocument, document_id)
    assert stored is not None
    assert stored.extraction_state == "done"
    count = session.scalar(
        select(func.count())
        .select_from(AgreementClause)
        .where(AgreementClause.document_id == document_id)
    )
    assert count == stored.clause_count > 50


def test_a_document_deleted_before_it_is_read_fails_its_job(
    session: Session, setting: dict[str, int]
) -> None:
    document = _stored_unread(session, setting, mou_text().encode())
    requested = extraction_jobs.queue_extraction(session, document, user_id=None)
    assessment = session.get(Assessment, setting["assessment"])
    user = session.get(User, setting["owner"])
    assert assessment is not None
    assert user is not None
    operations.delete_document(session, assessment, document, user=user)
    session.commit()
    dispatch(requested.job.id)
    job = session.get(Job, requested.job.id, populate_existing=True)
    assert job is not None
    assert (job.state, job.message) == ("failed", "The document was deleted before it was read.")


def _crashing(times: int) -> Callable[..., Any]:
    """``extract_clauses`` that crashes on its first ``times`` calls, then reads for real.

    No real file makes the reader crash: it turns every damage it knows into a refusal with a
    code. A crash (a bug, a worker out of memory) is therefore injected here.
    """
    calls = {"count": 0}
    real = operations.extract_clauses

    def extract(data: bytes, limits: Any = None) -> Any:
        calls["count"] += 1
        if calls["count"] <= times:
            raise MemoryError("worker ran out of memory")
        return real(data, limits) if limits is not None else real(data)

    return extract


def test_a_crash_is_retried_and_the_retry_reads_the_document(
    monkeypatch: pytest.MonkeyPatch, session: Session, setting: dict[str, int]
) -> None:
    monkeypatch.setattr(operations, "extract_clauses", _crashing(1))
    document = _stored_unread(session, setting, mou_text().encode())
    job = _run_extraction(session, document)
    assert (job.state, job.attempts) == ("done", 2)
    session.refresh(document)
    assert document.extraction_state == "done"
    assert document.clause_count > 70


def test_a_crash_on_every_attempt_is_recorded_on_the_document(
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    client: FlaskClient,
    session: Session,
    setting: dict[str, int],
) -> None:
    monkeypatch.setattr(operations, "extract_clauses", _crashing(100))
    document = _stored_unread(session, setting, mou_text().encode())
    job = _run_extraction(session, document)
    assert (job.state, job.attempts) == ("failed", int(app.config["JOB_RETRIES"]) + 1)
    session.refresh(document)
    assert document.extraction_state == "failed"
    assert "unexpected error (MemoryError)" in document.extraction_message
    signin(client, "owner@example.org")
    response = client.get(_url(setting["assessment"], document.id))
    assert "Refresh" not in response.headers
    page = response.get_data(as_text=True)
    assert "unexpected error (MemoryError)" in page
    # The traceback's words stay in the log.
    assert "out of memory" not in page


def test_another_organization_gets_404_for_a_document_being_read(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    document = _stored_unread(session, setting, mou_text().encode())
    signin(client, "stranger@example.org")
    assert client.get(_url(setting["assessment"], document.id)).status_code == 404
