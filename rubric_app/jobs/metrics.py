"""The job queue's Prometheus metrics: how much work waits, how old it is, and what failed.

Two sources, because a worker is often another process (or another machine) than the web
process that answers ``/metrics``:

- **Read at each scrape** (``JobsCollector``), so any web process reports the whole system:
  the job records by kind and state (``rubric_app_jobs``; failed ones stay until the hourly
  prune), the age of the oldest job still queued (``rubric_app_job_oldest_queued_seconds``:
  it grows when no worker is taking work), and the messages waiting in the queue's broker
  (``rubric_app_job_queue_pending``; ``..._scheduled``: retries waiting out their back-off).
- **Counted where the work runs** (``JOB_FAILURES``, ``JOB_RETRIES``, by kind): exact rates for
  alerts. They are per process; with ``PROMETHEUS_MULTIPROC_DIR`` shared by the web and worker
  processes of one machine, ``/metrics`` adds them all up (``rubric_app.observability``).

A scrape that cannot read the database or the broker logs why and leaves those figures out
(``rubric_app_job_metrics_up`` says 0) rather than failing the request metrics beside them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import logging
import sqlite3
from collections.abc import Iterator

from flask import Flask
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from rubric_app.db import db

from .models import JOB_STATES, Job
from .operations import as_utc, utcnow
from .queue import job_queue
from .registry import kind_names

log = logging.getLogger(__name__)


def _read_errors() -> tuple[type[Exception], ...]:
    """What reading the records or the broker raises when it is unreachable: SQLAlchemy's,
    the SQLite queue file's, and Redis's own (when the ``redis`` extra is installed)."""
    errors: list[type[Exception]] = [SQLAlchemyError, sqlite3.Error, OSError]
    # Without the redis package there is no Redis broker either.
    with contextlib.suppress(ImportError):
        errors.append(importlib.import_module("redis.exceptions").RedisError)
    return tuple(errors)


_READ_ERRORS = _read_errors()

#: Jobs that failed for good (no retry left, or refused), by kind.
JOB_FAILURES = Counter(
    "rubric_app_job_failures",
    "Jobs that failed for good, by kind (counted by the process that ran them).",
    ["kind"],
    registry=None,
)
#: Attempts that failed and were put back in the queue to run again after a back-off.
JOB_RETRIES = Counter(
    "rubric_app_job_retries",
    "Job attempts that failed and were queued again, by kind.",
    ["kind"],
    registry=None,
)


def _families() -> tuple[GaugeMetricFamily, ...]:
    return (
        GaugeMetricFamily(
            "rubric_app_jobs",
            "Job records by kind and state (failed ones are kept until pruned).",
            labels=["kind", "state"],
        ),
        GaugeMetricFamily(
            "rubric_app_job_oldest_queued_seconds",
            "Age of the oldest job waiting to run, retries waiting out their back-off included "
            "(0 when none waits).",
        ),
        GaugeMetricFamily(
            "rubric_app_job_queue_pending",
            "Messages waiting in the job queue's broker.",
        ),
        GaugeMetricFamily(
            "rubric_app_job_queue_scheduled",
            "Retries waiting in the broker for their back-off to pass.",
        ),
        GaugeMetricFamily(
            "rubric_app_job_metrics_up",
            "1 when the job figures above were read at this scrape, 0 when they could not be.",
        ),
    )


class JobsCollector(Collector):
    """Reads the job records and the broker of ``app`` at each scrape."""

    def __init__(self, app: Flask) -> None:
        self._app = app

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Without describe() a registry would call collect() when the collector is
        # registered, that is when the app is built, before its database may exist.
        yield from _families()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        jobs, oldest, pending, scheduled, up = _families()
        try:
            counts, waited = self._read_records()
            waiting, delayed = self._read_broker()
        except _READ_ERRORS as error:
            log.warning("Job metrics left out of this scrape: %s", error)
            up.add_metric([], 0)
            yield up
            return
        # Every state of every kind this server knows (and of any other on record), zeros
        # included: a series is there before the first job and after the prune of the last.
        kinds = sorted({*kind_names(), *(kind for kind, _ in counts)})
        for kind in kinds:
            for state in JOB_STATES:
                jobs.add_metric([kind, state], counts.get((kind, state), 0))
        oldest.add_metric([], waited)
        pending.add_metric([], waiting)
        scheduled.add_metric([], delayed)
        up.add_metric([], 1)
        yield from (jobs, oldest, pending, scheduled, up)

    def _read_records(self) -> tuple[dict[tuple[str, str], int], float]:
        with self._app.app_context(), db.engine.connect() as connection:
            rows = connection.execute(
                select(Job.kind, Job.state, func.count()).group_by(Job.kind, Job.state)
            )
            counts = {(str(kind), str(state)): int(n) for kind, state, n in rows}
            first = connection.scalar(select(func.min(Job.created_at)).where(Job.state == "queued"))
        if first is None:
            return counts, 0.0
        # SQLite hands the moment back without its zone (it was stored in UTC).
        waited = (utcnow() - as_utc(first)) / dt.timedelta(seconds=1)
        return counts, max(0.0, waited)

    def _read_broker(self) -> tuple[int, int]:
        huey = job_queue(self._app).huey
        return int(huey.pending_count()), int(huey.scheduled_count())
