"""Report PDFs made in the background: queued on submit, rendered by a job, then served from
the cache; a download that finds none yet gets a page that refreshes itself; a failed job says
why and can be tried again; and a real ``flask jobs worker`` process does the rendering.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_from, make_user, signin
from job_helpers import run_queued, wait_until, worker_process
from pypdf import PdfReader
from reports_fixtures import make_setup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rubric_app.db import db
from rubric_app.jobs.models import Job
from rubric_app.jobs.queue import job_queue
from rubric_app.reports import pdf_cache
from rubric_app.reports.pdf_documents import ASSESSMENT_PDFS

OWNER = "owner@riverton.example.org"
#: Jobs run in-process, and submitting queues the PDFs (the suite switches that off).
ON_SUBMIT = pytest.mark.parametrize("app_config", [{"PDF_PREPARE_ON_SUBMIT": True}])
#: Jobs wait in a real SQLite queue (instance/jobs.sqlite3) until a worker takes them.
QUEUED = pytest.mark.parametrize("app_config", [{"JOBS_IMMEDIATE": False}])
QUEUED_ON_SUBMIT = pytest.mark.parametrize(
    "app_config", [{"JOBS_IMMEDIATE": False, "PDF_PREPARE_ON_SUBMIT": True}]
)


def _submit(client: FlaskClient, assessment_id: int) -> None:
    token = csrf_from(client.get(f"/assessments/{assessment_id}/review").data)
    response = client.post(f"/assessments/{assessment_id}/submit", data={"csrf_token": token})
    assert response.status_code == 302


def _pdf_jobs(session: Session, document: str | None = "report") -> list[Job]:
    """The PDF jobs (of one kind of PDF, or of every kind with ``document=None``)."""
    session.expire_all()
    jobs = session.scalars(select(Job).where(Job.kind == "assessment_pdf").order_by(Job.id))
    return [job for job in jobs if document is None or job.params.get("document") == document]


def _assert_report_pdf(data: bytes) -> None:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 1
    assert "Riverton City School District" in (reader.metadata.title or "")


@ON_SUBMIT
def test_submit_queues_the_pdf_the_job_renders_it_and_the_download_is_a_cache_hit(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session, submitted=False)
    signin(client, OWNER)
    before = pdf_cache.render_counts["report"]
    _submit(client, setup.assessment.id)
    # Every PDF the assessment has is prepared: the report and the board summary.
    every = _pdf_jobs(session, None)
    assert sorted(job.params["document"] for job in every) == sorted(ASSESSMENT_PDFS)
    assert {(job.state, job.progress, job.user_id) for job in every} == {
        ("done", 100, setup.owner.id)
    }
    jobs = _pdf_jobs(session)
    assert jobs[0].key == f"pdf:{jobs[0].result}"
    assert pdf_cache.render_counts["report"] == before + 1
    response = client.get(f"/assessments/{setup.assessment.id}/report.pdf")
    assert response.status_code == 200
    assert response.headers["X-PDF-Cache"] == "hit"
    assert pdf_cache.render_counts["report"] == before + 1
    _assert_report_pdf(response.data)
    board = client.get(f"/assessments/{setup.assessment.id}/board.pdf")
    assert board.status_code == 200
    assert board.headers["X-PDF-Cache"] == "hit"


@QUEUED
def test_a_download_before_the_pdf_is_ready_gets_a_page_that_refreshes_itself(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    signin(client, OWNER)
    url = f"/assessments/{setup.assessment.id}/report.pdf"
    first = client.get(url)
    assert first.status_code == 202
    html = first.get_data(as_text=True)
    assert "The report PDF is being prepared" in html
    assert "<title>Report PDF being prepared" in html
    assert first.headers["Refresh"] == "3"
    assert f'href="{url}?refresh=off">Stop refreshing' in html
    assert first.headers["Cache-Control"] == "no-store"
    [job] = _pdf_jobs(session)
    assert job.state == "queued"
    assert f'href="/jobs/{job.id}"' in html
    # Asking again (the refresh) finds the job queued and queues nothing more.
    assert client.get(url).status_code == 202
    assert len(_pdf_jobs(session)) == 1
    assert job_queue(app).huey.pending_count() == 1
    # A teammate who asks too gets the page, without the starter's job page.
    make_user(session, "viewer@riverton.example.org", setup.org, "viewer")
    session.commit()
    teammate = client.application.test_client()
    signin(teammate, "viewer@riverton.example.org")
    theirs = teammate.get(url)
    assert theirs.status_code == 202
    assert f'href="/jobs/{job.id}"' not in theirs.get_data(as_text=True)
    assert job_queue(app).huey.pending_count() == 1

    # The job's own page says what it does and leads to the PDF.
    waiting = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "<h1>Preparing a PDF</h1>" in waiting
    assert f'<a href="{url}">Open the report PDF</a>' in waiting

    assert run_queued(app) == 1
    done = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "<h1>The PDF is ready</h1>" in done
    assert f'<a href="{url}">Open the report PDF</a>' in done
    ready = client.get(url)
    assert ready.status_code == 200
    assert ready.headers["X-PDF-Cache"] == "hit"
    _assert_report_pdf(ready.data)


@QUEUED
def test_a_failed_pdf_job_says_why_and_can_be_tried_again(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    signin(client, OWNER)
    url = f"/assessments/{setup.assessment.id}/report.pdf"
    assert client.get(url).status_code == 202
    [job] = _pdf_jobs(session)
    # The job still names an assessment, but the one it names no longer exists: it fails at
    # once (no retry can help) when the queue runs it.
    job.params = {"assessment_id": 999_999, "document": "report"}
    session.commit()
    assert run_queued(app) == 1
    [failed] = _pdf_jobs(session)
    assert (failed.state, failed.attempts) == ("failed", 1)
    status = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "The assessment no longer exists." in status

    page = client.get(url)
    assert page.status_code == 202
    html = page.get_data(as_text=True)
    assert "The report PDF could not be prepared" in html
    assert "The assessment no longer exists." in html
    # No endless refresh on a failure; a button instead.
    assert "Refresh" not in page.headers
    assert "Try again" in html
    # Showing the failure queued nothing.
    assert [j.state for j in _pdf_jobs(session)] == ["failed"]

    retry = client.post(
        f"/assessments/{setup.assessment.id}/pdf/report/prepare",
        data={"csrf_token": csrf_from(html)},
    )
    assert retry.status_code == 302
    assert retry.headers["Location"].endswith(url)
    [again] = _pdf_jobs(session)
    assert (again.id, again.state, again.message) == (job.id, "queued", "")
    assert again.params == {"assessment_id": setup.assessment.id, "document": "report"}
    assert job_queue(app).huey.pending_count() == 1


def test_the_retry_button_needs_csrf_and_access(client: FlaskClient, session: Session) -> None:
    setup = make_setup(session)
    make_user(session, "stranger@example.org")
    session.commit()
    signin(client, "stranger@example.org")
    url = f"/assessments/{setup.assessment.id}/pdf/report/prepare"
    token = csrf_from(client.get("/account").data)
    assert client.post(url, data={"csrf_token": token}).status_code == 404
    assert client.post(url).status_code == 400
    assert session.scalar(select(func.count()).select_from(Job)) == 0


@QUEUED_ON_SUBMIT
def test_a_real_worker_process_renders_the_pdf_queued_on_submit(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    setup = make_setup(session, submitted=False)
    signin(client, OWNER)
    _submit(client, setup.assessment.id)
    [job] = _pdf_jobs(session)
    assert job.state == "queued"

    def rendered() -> bool:
        db.session.expire_all()
        states = db.session.scalars(select(Job.state).where(Job.kind == "assessment_pdf")).all()
        db.session.rollback()
        return all(state in ("done", "failed") for state in states)

    with worker_process(app, tmp_path) as process:
        assert wait_until(rendered), process
    [done] = _pdf_jobs(session)
    assert (done.state, done.progress) == ("done", 100), done.message
    assert (Path(app.config["PDF_CACHE_DIR"]) / done.result).is_file()
    response = client.get(f"/assessments/{setup.assessment.id}/report.pdf")
    assert response.status_code == 200
    assert response.headers["X-PDF-Cache"] == "hit"
    _assert_report_pdf(response.data)
