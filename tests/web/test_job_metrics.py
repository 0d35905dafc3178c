"""Job queue metrics (issue 15, item 8): depth, the oldest waiting job, failures and retries
on /metrics, read from the job records and a real queue, and counted by real job runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import make_user
from job_helpers import run_queued
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update
from sqlalchemy.orm import Session

from rubric_app.jobs import operations
from rubric_app.jobs.models import JOB_STATES, Job
from rubric_app.jobs.queue import dispatch

LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}


def _samples(client: FlaskClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """The /metrics page as (sample name, sorted labels) -> value."""
    response = client.get("/metrics", environ_base=LOOPBACK)
    assert response.status_code == 200
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _jobs(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], kind: str) -> dict:
    return {
        state: samples.get(("rubric_app_jobs", (("kind", kind), ("state", state))))
        for state in JOB_STATES
    }


def _request(session: Session, kind: str, key: str, user_id: int) -> Job:
    requested = operations.request_job(session, key=key, kind=kind, params={}, user_id=user_id)
    session.commit()
    return requested.job


def test_job_records_are_counted_by_kind_and_state(client: FlaskClient, session: Session) -> None:
    user = make_user(session, "owner@example.org")
    waiting = _request(session, "test.flaky", "flaky:1", user.id)
    _request(session, "test.flaky", "flaky:2", user.id)
    failed = _request(session, "test.flaky", "flaky:3", user.id)
    done = _request(session, "test.flaky", "flaky:4", user.id)
    operations.fail_job(session, failed, "broke")
    operations.finish_job(session, done, result="made", expires_at=None)
    # The first has waited ten minutes: the oldest waiting job says so.
    ten_minutes_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    session.execute(update(Job).where(Job.id == waiting.id).values(created_at=ten_minutes_ago))
    session.commit()

    samples = _samples(client)

    assert _jobs(samples, "test.flaky") == {"queued": 2, "running": 0, "done": 1, "failed": 1}
    oldest = samples[("rubric_app_job_oldest_queued_seconds", ())]
    assert 600 <= oldest < 600 + 120
    assert samples[("rubric_app_job_metrics_up", ())] == 1


def test_nothing_waiting_reads_zero(client: FlaskClient) -> None:
    samples = _samples(client)
    assert samples[("rubric_app_job_oldest_queued_seconds", ())] == 0
    assert samples[("rubric_app_job_queue_pending", ())] == 0
    assert samples[("rubric_app_job_metrics_up", ())] == 1
    # Every known kind has its series before its first job, at zero.
    for kind in ("assessment_pdf", "test.flaky"):
        assert _jobs(samples, kind) == dict.fromkeys(JOB_STATES, 0)


def _counted(client: FlaskClient, name: str, kind: str) -> float:
    # The counters belong to the process, which other tests share: compare before and after.
    return _samples(client).get((name, (("kind", kind),)), 0.0)


def test_failures_are_counted_by_kind_when_a_job_fails_for_good(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session, "owner@example.org")
    before = _counted(client, "rubric_app_job_failures_total", "test.refused")
    job = _request(session, "test.refused", "refused:1", user.id)
    dispatch(job.id)  # immediate in tests: runs here, through Huey
    after = _samples(client)
    assert after[("rubric_app_job_failures_total", (("kind", "test.refused"),))] == before + 1
    assert _jobs(after, "test.refused")["failed"] == 1


#: An app whose jobs wait in a real SQLite queue (instance/jobs.sqlite3) for a worker.
QUEUED = pytest.mark.parametrize("app_config", [{"JOBS_IMMEDIATE": False, "JOB_RETRY_DELAY": 60}])


@QUEUED
def test_queue_depth_and_retries_come_from_the_real_queue(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    user = make_user(session, "owner@example.org")
    retries_before = _counted(client, "rubric_app_job_retries_total", "test.broken")
    for number in range(3):
        job = _request(session, "test.broken", f"broken:{number}", user.id)
        dispatch(job.id)

    waiting = _samples(client)
    assert waiting[("rubric_app_job_queue_pending", ())] == 3
    assert waiting[("rubric_app_job_queue_scheduled", ())] == 0
    assert _jobs(waiting, "test.broken")["queued"] == 3

    # A worker takes them; each attempt fails and is put back to wait out its back-off.
    assert run_queued(app) == 3
    retried = _samples(client)
    assert retried[("rubric_app_job_queue_pending", ())] == 0
    assert retried[("rubric_app_job_queue_scheduled", ())] == 3
    assert (
        retried[("rubric_app_job_retries_total", (("kind", "test.broken"),))] == retries_before + 3
    )


@QUEUED
def test_an_unreadable_queue_leaves_the_job_figures_out_and_says_so(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    # The queue's file is a directory: SQLite cannot open it, as when a disk or Redis is gone.
    blocked = tmp_path / "queue-is-a-directory"
    blocked.mkdir()
    app.config["JOBS_SQLITE_PATH"] = str(blocked)
    assert client.get("/healthz", environ_base=LOOPBACK).status_code == 200
    samples = _samples(client)
    assert samples[("rubric_app_job_metrics_up", ())] == 0
    assert ("rubric_app_job_queue_pending", ()) not in samples
    # The request metrics beside them are still served.
    assert any(name == "flask_http_request_total" for name, _ in samples)
