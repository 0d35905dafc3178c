"""The queue: one Huey instance per app, built from its settings, and the tasks it runs.

Storage is chosen by configuration: a SQLite file under ``instance/`` (``JOBS_SQLITE_PATH``)
by default, so one machine needs nothing extra; Redis when ``REDIS_URL`` is set, for several
machines; in-process ("immediate") when ``JOBS_IMMEDIATE`` is set, where a job runs inside the
call that queues it (tests, and scripts that want the result at once).

Only two tasks exist. ``run_job`` carries a job id and runs that row's registered kind
(``runner.run_job``), with Huey's retries and exponential back-off (``JOB_RETRIES``,
``JOB_RETRY_DELAY`` doubled each time). ``prune`` runs every hour in the consumer and deletes
old PDFs, expired job files and old job rows (``maintenance.prune_everything``).
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper

#: The modules that register job kinds; imported when the queue is built, so a worker knows
#: every kind the web processes queue.
KIND_MODULES = (
    "rubric_app.reports.pdf_jobs",
    "rubric_app.states.bulk_reports",
    "rubric_app.agreements.extraction_jobs",
    "rubric_app.states.figure_jobs",
)

#: Retry delays grow by this factor: 1x, 2x, 4x ... the base delay.
RETRY_BACKOFF = 2


@dataclass(frozen=True)
class JobQueue:
    """The app's Huey instance and the task that runs a job row."""

    huey: Huey
    run_job: TaskWrapper


def make_huey(app: Flask) -> Huey:
    """Build the Huey instance the app's settings ask for."""
    config = app.config
    name = str(config["JOBS_QUEUE_NAME"])
    if config["JOBS_IMMEDIATE"]:
        # In memory and run at once: nothing to deliver, nothing left behind.
        return MemoryHuey(name, immediate=True, results=False)
    redis_url = str(config.get("REDIS_URL") or "")
    if redis_url:
        return RedisHuey(name, url=redis_url, results=False)
    path = str(config["JOBS_SQLITE_PATH"] or Path(app.instance_path) / "jobs.sqlite3")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=path, results=False)


def init_jobs(app: Flask) -> None:
    """Know every job kind; the queue itself is built on first use (it opens its storage)."""
    for module in KIND_MODULES:
        importlib.import_module(module)
    app.extensions["rubric_app.jobs"] = _LazyQueue(app)


def _build(app: Flask) -> JobQueue:
    from .maintenance import prune_everything
    from .runner import run_job

    huey = make_huey(app)

    @huey.task(
        name="rubric_app.run_job",
        retries=int(app.config["JOB_RETRIES"]),
        retry_delay=float(app.config["JOB_RETRY_DELAY"]),
        retry_backoff=RETRY_BACKOFF,
        context=True,
    )
    def run_job_task(job_id: int, task: Any = None) -> None:
        # ``task.retries`` is how many attempts Huey still has in hand after this one.
        run_job(app, job_id, retries_left=int(getattr(task, "retries", 0) or 0))

    @huey.periodic_task(crontab(minute="17"), name="rubric_app.prune")
    def prune_task() -> None:
        with app.app_context():
            prune_everything(app)

    return JobQueue(huey=huey, run_job=run_job_task)


class _LazyQueue:
    """Builds the app's queue once, on first use, so creating the app opens no storage."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._queue: JobQueue | None = None
        self._lock = threading.Lock()

    def get(self) -> JobQueue:
        with self._lock:
            if self._queue is None:
                self._queue = _build(self._app)
            return self._queue


def job_queue(app: Flask | None = None) -> JobQueue:
    """Return the queue of ``app`` (default: the current app)."""
    lazy: _LazyQueue = (app or current_app).extensions["rubric_app.jobs"]
    return lazy.get()


def dispatch(job_id: int, app: Flask | None = None) -> None:
    """Hand job ``job_id`` to the queue. Call after the transaction that wrote the row commits."""
    job_queue(app).run_job(job_id)
