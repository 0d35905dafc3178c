"""The only code that writes job rows: request (idempotent), start, progress, finish, fail, prune.

``request_job`` is the read-check-write that makes jobs idempotent: the unique ``key`` decides,
so two requests for the same work at the same moment (two workers, two users) end with one row;
the loser of the insert race gets the winner's row. A failed job, or a finished one whose
result has expired, is queued again under the same key. Like every operation, these add and
flush; the caller commits, and only then hands the job to the queue (``queue.dispatch``), so a
worker never picks up a job whose row it cannot see yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import Job

#: States in which a job will still do (or is doing) its work.
ACTIVE_STATES = ("queued", "running")


def utcnow() -> dt.datetime:
    """Return the current time in UTC."""
    return dt.datetime.now(dt.UTC)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """Return ``moment`` as an aware UTC time (SQLite hands back naive ones)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def is_expired(job: Job, now: dt.datetime | None = None) -> bool:
    """Return whether what ``job`` made is no longer offered."""
    return job.expires_at is not None and as_utc(job.expires_at) <= (now or utcnow())


#: The params key that marks a done job whose file was withdrawn (``withdraw``).
WITHDRAWN = "withdrawn"


def withdraw(job: Job) -> None:
    """End the link of a done job whose file may no longer be served (its kind's check says
    no): it counts as expired from now (asking again makes a new file) and remembers why."""
    job.expires_at = utcnow()
    job.params = {**job.params, WITHDRAWN: True}


def is_withdrawn(job: Job) -> bool:
    """Return whether ``job``'s file was withdrawn (``withdraw``)."""
    return bool(job.params.get(WITHDRAWN))


@dataclass(frozen=True)
class Requested:
    """The job for a piece of work, and whether it must be handed to the queue now."""

    job: Job
    dispatch: bool


def _reset(job: Job, user_id: int | None) -> None:
    job.state = "queued"
    job.progress = 0
    job.message = ""
    job.result = ""
    job.attempts = 0
    job.started_at = None
    job.finished_at = None
    job.expires_at = None
    job.created_at = utcnow()
    job.user_id = user_id


def request_job(
    session: Session,
    *,
    key: str,
    kind: str,
    params: dict[str, Any],
    user_id: int | None,
    rerun_done: bool = False,
    rerun_failed: bool = True,
) -> Requested:
    """Return the job for ``key``, creating or re-queueing it if it will not do the work.

    A queued, running or done (not expired) job is returned as it is, ``dispatch`` False;
    ``rerun_done`` re-queues a done one too (the caller knows its result is gone); without
    ``rerun_failed`` a failed one is returned as it is, so its reason can be shown.
    """
    job = session.scalar(
        select(Job)
        .where(Job.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if job is None:
        job = Job(key=key, kind=kind, params=params, user_id=user_id, state="queued")
        try:
            with session.begin_nested():
                session.add(job)
                session.flush()
        except IntegrityError:
            # Another request inserted the same key between our read and our insert.
            winner = session.scalar(select(Job).where(Job.key == key))
            assert winner is not None
            return Requested(job=winner, dispatch=False)
        return Requested(job=job, dispatch=True)
    if (
        job.state in ACTIVE_STATES
        or (job.state == "done" and not rerun_done and not is_expired(job))
        or (job.state == "failed" and not rerun_failed)
    ):
        return Requested(job=job, dispatch=False)
    _reset(job, user_id)
    job.params = params
    session.flush()
    return Requested(job=job, dispatch=True)


def start_job(session: Session, job: Job) -> None:
    """Mark ``job`` running and count the attempt."""
    job.state = "running"
    job.attempts += 1
    job.started_at = utcnow()
    session.flush()


def set_progress(session: Session, job_id: int, percent: int, note: str = "") -> None:
    """Record ``percent`` (clamped to 0-100) as the job's progress, and ``note`` as its
    message when given (a retry's reason stays until the work says how far it got)."""
    values: dict[str, object] = {"progress": max(0, min(100, int(percent)))}
    if note:
        values["message"] = note
    session.execute(update(Job).where(Job.id == job_id).values(**values))


def finish_job(
    session: Session,
    job: Job,
    *,
    result: str = "",
    expires_at: dt.datetime | None = None,
    summary: str = "",
) -> None:
    """Mark ``job`` done at 100 %, with what it made, a sentence saying so (``summary``, or
    none), and when that stops being offered."""
    job.state = "done"
    job.progress = 100
    job.message = summary
    job.result = result
    job.finished_at = utcnow()
    job.expires_at = expires_at
    session.flush()


def retry_later(session: Session, job: Job, reason: str) -> None:
    """Put ``job`` back to queued with ``reason`` shown, as the queue will run it again."""
    job.state = "queued"
    job.message = reason
    session.flush()


def fail_job(session: Session, job: Job, reason: str) -> None:
    """Mark ``job`` failed with ``reason`` (shown to the user)."""
    job.state = "failed"
    job.message = reason
    job.finished_at = utcnow()
    session.flush()


def job_for_user(session: Session, job_id: int, user_id: int) -> Job | None:
    """Return job ``job_id`` if ``user_id`` started it, else None (the page then says 404).

    Read fresh from the database: workers change the row while pages show it.
    """
    return session.scalar(
        select(Job)
        .where(Job.id == job_id, Job.user_id == user_id)
        .execution_options(populate_existing=True)
    )


def job_by_key(session: Session, key: str) -> Job | None:
    """Return the job for ``key``, or None (read fresh, like ``job_for_user``)."""
    return session.scalar(
        select(Job).where(Job.key == key).execution_options(populate_existing=True)
    )


def prune_jobs(session: Session, *, older_than: dt.datetime) -> int:
    """Delete finished and failed jobs that ended before ``older_than``; return how many."""
    result = session.execute(
        delete(Job).where(Job.state.in_(("done", "failed")), Job.finished_at < older_than)
    )
    return int(getattr(result, "rowcount", 0) or 0)
