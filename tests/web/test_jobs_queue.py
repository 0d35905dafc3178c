"""The job queue: idempotent job rows, retries with back-off, failures users see, and the
status page (only for whoever started the job).

Jobs run for real: in-process through Huey's immediate mode, and through Huey's own dequeue and
execute on a real SQLite queue. The separate ``flask jobs worker`` process is exercised in
``test_pdf_jobs.py`` (it must know the job kinds, which the test kinds of ``job_helpers`` are
not).
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from job_helpers import NOTES_SEEN, run_queued
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rubric_app.jobs import operations
from rubric_app.jobs.models import Job
from rubric_app.jobs.queue import dispatch, job_queue


def _queue(session: Session, kind: str, user_id: int | None, key: str = "") -> Job:
    requested = operations.request_job(
        session, key=key or f"{kind}:1", kind=kind, params={}, user_id=user_id
    )
    session.commit()
    if requested.dispatch:
        dispatch(requested.job.id)
    job = session.get(Job, requested.job.id, populate_existing=True)
    assert job is not None
    return job


def test_a_second_request_for_the_same_work_returns_the_same_job(session: Session) -> None:
    user = make_user(session, "owner@example.org")
    session.commit()
    first = operations.request_job(
        session, key="work:1", kind="test.flaky", params={}, user_id=user.id
    )
    second = operations.request_job(
        session, key="work:1", kind="test.flaky", params={}, user_id=user.id
    )
    assert first.dispatch is True
    assert second.dispatch is False
    assert second.job.id == first.job.id
    operations.fail_job(session, first.job, "broke")
    again = operations.request_job(
        session, key="work:1", kind="test.flaky", params={}, user_id=user.id
    )
    # A failed job is queued again under the same key, from scratch.
    assert again.dispatch is True
    assert again.job.id == first.job.id
    assert (again.job.state, again.job.message, again.job.attempts) == ("queued", "", 0)
    kept = operations.request_job(
        session, key="work:1", kind="test.flaky", params={}, user_id=user.id, rerun_failed=False
    )
    assert kept.dispatch is False
    assert session.scalar(select(func.count()).select_from(Job)) == 1


def test_two_requests_at_once_make_one_job(app: Flask, session: Session) -> None:
    """Two connections ask for the same work at the same moment: one row, both get it."""
    user = make_user(session, "owner@example.org")
    session.commit()
    factory = app.extensions["rubric_app.db"].session_factory
    first, second = factory(), factory()
    results: dict[str, int] = {}
    try:
        mine = operations.request_job(
            first, key="race:1", kind="test.flaky", params={}, user_id=user.id
        )
        assert mine.dispatch

        def other() -> None:
            theirs = operations.request_job(
                second, key="race:1", kind="test.flaky", params={}, user_id=user.id
            )
            results["id"] = theirs.job.id
            results["dispatch"] = int(theirs.dispatch)
            second.commit()

        racer = threading.Thread(target=other)
        racer.start()
        # The second insert waits on the first (SQLite's write lock, PostgreSQL's unique index)
        # until this commit decides the race.
        racer.join(timeout=0.5)
        first.commit()
        racer.join(timeout=60)
        assert not racer.is_alive()
    finally:
        first.close()
        second.close()
    assert results == {"id": mine.job.id, "dispatch": 0}
    assert session.scalar(select(func.count()).select_from(Job)) == 1


def test_a_job_that_fails_once_is_retried_and_done(session: Session) -> None:
    user = make_user(session, "owner@example.org")
    job = _queue(session, "test.flaky", user.id)
    assert (job.state, job.attempts, job.progress, job.result) == ("done", 2, 100, "made")


def test_a_job_that_keeps_failing_fails_with_a_reason_the_user_sees(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    user = make_user(session, "owner@example.org")
    job = _queue(session, "test.broken", user.id)
    retries = int(app.config["JOB_RETRIES"])
    assert job.state == "failed"
    assert job.attempts == retries + 1
    assert "RuntimeError" in job.message
    assert f"after {retries + 1} attempts" in job.message
    signin(client, "owner@example.org")
    page = client.get(f"/jobs/{job.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Failed" in html
    assert f"after {retries + 1} attempts" in html
    assert "Refresh" not in page.headers
    # The traceback stays in the log.
    assert "always fails" not in html


def test_a_job_says_how_far_it_got_then_what_it_made_and_leads_back(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session, "owner@example.org")
    NOTES_SEEN.clear()
    job = _queue(session, "test.counted", user.id)
    # While it worked, its row (what its page shows) carried the note it gave with progress.
    assert NOTES_SEEN == ["1 of 2 parts done."]
    assert (job.state, job.result, job.message) == ("done", "made", "Both parts are done.")
    signin(client, "owner@example.org")
    html = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "<h1>Counted test work</h1>" in html
    assert "Both parts are done." in html
    assert "1 of 2 parts done." not in html
    assert '<a href="/organization">Back to where it started</a>' in html


def test_a_retried_job_keeps_its_reason_until_it_says_how_far_it_got(session: Session) -> None:
    user = make_user(session, "owner@example.org")
    job = _queue(session, "test.flaky", user.id, key="flaky:notes")
    # Progress without a note leaves the message alone; a done job without a summary has none.
    assert (job.state, job.message) == ("done", "")
    operations.retry_later(session, job, "Attempt 1 did not succeed; trying again shortly.")
    session.commit()
    operations.set_progress(session, job.id, 30)
    session.commit()
    assert session.get(Job, job.id, populate_existing=True).message.startswith("Attempt 1")
    operations.set_progress(session, job.id, 60, "3 of 5 done.")
    session.commit()
    assert session.get(Job, job.id, populate_existing=True).message == "3 of 5 done."


def test_a_job_that_cannot_succeed_is_not_retried(session: Session) -> None:
    user = make_user(session, "owner@example.org")
    job = _queue(session, "test.refused", user.id)
    assert (job.state, job.attempts) == ("failed", 1)
    assert job.message == "The thing this job was about is gone."


def test_the_status_page_is_only_for_whoever_started_the_job(
    client: FlaskClient, session: Session
) -> None:
    org = make_org(session, "Riverton City School District")
    make_user(session, "owner@example.org", org)
    teammate = make_user(session, "teammate@example.org", org)
    requested = operations.request_job(
        session, key="mine:1", kind="test.flaky", params={}, user_id=teammate.id
    )
    session.commit()
    assert client.get(f"/jobs/{requested.job.id}").status_code == 302  # sign in first
    signin(client, "owner@example.org")
    assert client.get(f"/jobs/{requested.job.id}").status_code == 404
    assert client.get(f"/jobs/{requested.job.id}/file").status_code == 404
    assert client.get("/jobs/999999").status_code == 404


def test_the_status_page_refreshes_itself_while_the_job_waits(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session, "owner@example.org")
    requested = operations.request_job(
        session, key="wait:1", kind="test.flaky", params={}, user_id=user.id
    )
    session.commit()
    operations.set_progress(session, requested.job.id, 40)
    session.commit()
    signin(client, "owner@example.org")
    page = client.get(f"/jobs/{requested.job.id}")
    assert page.headers["Refresh"] == "3"
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert 'value="40"' in html
    assert "Waiting to start" in html
    # Anyone can stop the timed refresh (WCAG 2.2.1), and start it again.
    assert f'href="/jobs/{requested.job.id}?refresh=off">Stop refreshing this page' in html
    still = client.get(f"/jobs/{requested.job.id}?refresh=off")
    assert "Refresh" not in still.headers
    assert f'href="/jobs/{requested.job.id}">Check again' in still.get_data(as_text=True)


#: An app whose jobs wait in a real SQLite queue (instance/jobs.sqlite3) for a worker.
QUEUED = pytest.mark.parametrize("app_config", [{"JOBS_IMMEDIATE": False, "JOB_RETRY_DELAY": 4}])


@QUEUED
def test_retries_wait_longer_each_time(app: Flask, session: Session) -> None:
    """On a real SQLite queue, a failed attempt is scheduled after the delay, then twice it."""
    user = make_user(session, "owner@example.org")
    job = _queue(session, "test.broken", user.id)
    assert job.state == "queued"
    huey = job_queue(app).huey
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert run_queued(app) == 1
    scheduled = huey.scheduled()
    assert len(scheduled) == 1
    retry = scheduled[0]
    assert retry.retries == int(app.config["JOB_RETRIES"]) - 1
    # Huey keeps the first wait for this retry and doubles it for the one after.
    assert retry.eta >= before + dt.timedelta(seconds=4)
    assert retry.retry_delay == 8
    session.expire_all()
    waiting = session.get(Job, job.id)
    assert waiting is not None
    assert waiting.state == "queued"
    assert "Attempt 1 did not succeed" in waiting.message
