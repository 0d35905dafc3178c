"""Runs one job row: start it, call its kind's handler, record done, retry or failure.

Each run has its own app and request context and database session (never the request's, even
when the queue runs the job in-process), and commits at each step, so the status page sees
"running", the progress and the outcome while the work goes on. Errors are sorted in two:

- ``JobFailed``: the work cannot succeed; the job fails at once with the handler's message.
- anything else: while Huey has retries left the job goes back to "queued" with a note and the
  error is re-raised so Huey runs it again after the back-off; on the last attempt it fails
  with a plain reason. The traceback goes to the log, never to the page.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.orm import Session

from rubric_app.db import db

from . import operations
from .metrics import JOB_FAILURES, JOB_RETRIES
from .models import Job
from .registry import JobFailed, Made, job_kind

log = logging.getLogger(__name__)


def run_job(app: Flask, job_id: int, *, retries_left: int) -> None:
    """Run job ``job_id`` once; raise to make the queue retry it."""
    # A request context of its own: templates (a PDF's) read ``current_user`` and build URLs,
    # and a job is nobody's request (anonymous there; the job row says who asked).
    with app.app_context(), app.test_request_context("/"):
        session = db.session
        job = session.get(Job, job_id)
        if job is None or job.state == "done":
            # Deleted by a prune, or a duplicate delivery of work already done.
            return
        kind = job_kind(job.kind)
        if kind is None:
            _fail(session, job, f"This server does not know jobs of kind {job.kind}.")
            return
        operations.start_job(session, job)
        session.commit()

        def progress(percent: int, note: str = "") -> None:
            operations.set_progress(session, job_id, percent, note)
            session.commit()

        try:
            result = kind.handler(session, job, progress)
        except JobFailed as error:
            session.rollback()
            _fail(session, job, str(error))
            return
        except Exception as error:
            session.rollback()
            log.exception("Job %s (%s) failed on attempt %s", job_id, job.kind, job.attempts)
            if retries_left > 0:
                operations.retry_later(
                    session,
                    job,
                    f"Attempt {job.attempts} did not succeed ({type(error).__name__}); "
                    "trying again shortly.",
                )
                session.commit()
                JOB_RETRIES.labels(job.kind).inc()
                raise
            _fail(
                session,
                job,
                f"It stopped with an unexpected error ({type(error).__name__}) after "
                f"{job.attempts} attempt{'s' if job.attempts != 1 else ''}. "
                "Please try again later; if it keeps failing, tell the site administrator.",
            )
            return
        made = result if isinstance(result, Made) else Made(file=result)
        expires_at = job.expires_at  # a handler may set it for what it made
        operations.finish_job(
            session, job, result=made.file, expires_at=expires_at, summary=made.summary
        )
        session.commit()


def _fail(session: Session, job: Job, reason: str) -> None:
    """Fail ``job`` for good with ``reason`` (shown to the user), and count it once committed."""
    operations.fail_job(session, job, reason)
    session.commit()
    JOB_FAILURES.labels(job.kind).inc()
