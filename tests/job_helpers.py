"""Helpers for tests of the job queue: run what is queued, start a real worker process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from rubric_app.jobs import registry
from rubric_app.jobs.models import Job
from rubric_app.jobs.queue import job_queue
from rubric_app.jobs.registry import JobFailed

PROJECT_ROOT = Path(__file__).resolve().parents[1]


# Job kinds for the tests (registered at import): what a handler can do, one kind each.


def _flaky(session: Session, job: Job, progress: registry.Progress) -> str:
    """Fails on its first attempt, succeeds on the second."""
    progress(50)
    if job.attempts < 2:
        raise RuntimeError("first attempt fails")
    return "made"


def _broken(session: Session, job: Job, progress: registry.Progress) -> str:
    raise RuntimeError("always fails")


def _refused(session: Session, job: Job, progress: registry.Progress) -> str:
    raise JobFailed("The thing this job was about is gone.")


#: What ``test.counted`` read back from the job row after reporting its progress note.
NOTES_SEEN: list[str] = []


def _counted(session: Session, job: Job, progress: registry.Progress) -> registry.Made:
    """Says how far it got while it works, and what it made once done."""
    progress(50, "1 of 2 parts done.")
    fresh = session.get(Job, job.id, populate_existing=True)
    NOTES_SEEN.append(fresh.message if fresh else "")
    return registry.Made("made", "Both parts are done.")


registry.register(
    "test.counted",
    _counted,
    title="Counting test work",
    done_title="Counted test work",
    back=lambda job: ("Back to where it started", "/organization"),
)
registry.register("test.flaky", _flaky, title="Flaky test work")
registry.register("test.broken", _broken, title="Broken test work")
registry.register("test.refused", _refused, title="Refused test work")


def run_queued(app: Flask) -> int:
    """Take every task waiting in the app's queue and run it through Huey; return how many."""
    huey = job_queue(app).huey
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


@contextmanager
def worker_process(app: Flask, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``flask jobs worker`` in its own process on the app's database and queue."""
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "RUBRIC_APP_INSTANCE_PATH": str(tmp_path / "worker-instance"),
        "RUBRIC_APP_PDF_CACHE_DIR": app.config["PDF_CACHE_DIR"],
        # The queue file the app writes to (instance/jobs.sqlite3 unless set).
        "RUBRIC_APP_JOBS_SQLITE_PATH": str(job_queue(app).huey.storage.filename),
        "RUBRIC_APP_JOB_FILES_DIR": str(tmp_path / "job-files"),
    }
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker", "--workers", "1"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until(check: Callable[[], bool], *, deadline_seconds: float = 180) -> bool:
    """Poll ``check`` until it is true or the deadline passes (a slow machine is not a failure
    of the behaviour; only never getting there is)."""
    end = time.monotonic() + deadline_seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.25)
    return check()
