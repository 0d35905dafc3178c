"""Housekeeping the queue runs every hour (and ``flask jobs prune`` on demand).

Deletes PDFs no download will hit (``reports.pdf_prune``), job files whose link has expired,
job rows that ended more than ``JOB_RECORD_DAYS`` ago, and dashboard figures counted more than
``FIGURES_KEEP_DAYS`` ago (``states.figure_store``: a view no one opens again is not kept
forever; one that is opened is counted again).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from rubric_app.db import db
from rubric_app.reports.pdf_prune import prune_pdf_cache
from rubric_app.states.figure_store import prune_figures

from . import operations
from .files import prune_job_files


@dataclass(frozen=True)
class Pruned:
    """What one prune removed."""

    pdfs: int
    job_files: int
    jobs: int
    figures: int


def prune_everything(app: Flask, now: dt.datetime | None = None) -> Pruned:
    """Prune the PDF cache, expired job files, old job rows and old dashboard figures; commit;
    say how many."""
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
    figures = prune_figures(
        session, older_than=moment - dt.timedelta(days=int(app.config["FIGURES_KEEP_DAYS"]))
    )
    session.commit()
    return Pruned(pdfs=len(pdfs), job_files=files, jobs=jobs, figures=figures)
