"""Housekeeping the queue runs every hour (and ``flask jobs prune`` on demand).

Deletes PDFs no download will hit (``reports.pdf_prune``), job files whose link has expired,
and job rows that ended more than ``JOB_RECORD_DAYS`` ago.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from rubric_app.db import db
from rubric_app.reports.pdf_prune import prune_pdf_cache

from . import operations
from .files import prune_job_files


@dataclass(frozen=True)
class Pruned:
    """What one prune removed."""

    pdfs: int
    job_files: int
    jobs: int


def prune_everything(app: Flask, now: dt.datetime | None = None) -> Pruned:
    """Prune the PDF cache, expired job files and old job rows; commit; say how many."""
    moment = now or operations.utcnow()
    pdfs = prune_pdf_cache(
        Path(app.config["PDF_CACHE_DIR"]),
        max_age=dt.timedelta(days=int(app.config["PDF_CACHE_MAX_AGE_DAYS"])),
        now=moment,
    )
    session = db.session
    files = prune_job_files(session, app, now=moment)
    jobs = operations.prune_jobs(
        session, older_than=moment - dt.timedelta(days=int(app.config["JOB_RECORD_DAYS"]))
    )
    session.commit()
    return Pruned(pdfs=len(pdfs), job_files=files, jobs=jobs)
