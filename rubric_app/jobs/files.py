"""Files that jobs make for download (a ZIP of reports): where they live and when they go.

Each file is named after its job and a random token (``job-12-<token>.zip``), written to a
temporary name and renamed, so a download never sees half a file. The download route serves
it only to the job's user and only until the job's ``expires_at``; the hourly prune deletes it
after that, and deletes any file whose job row is gone.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import tempfile
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Job
from .operations import as_utc

_FILE_NAME = re.compile(r"^job-(\d+)-[0-9a-f]{16}\.[a-z]+$")


def files_dir(app: Flask) -> Path:
    """Return the folder of job files (``JOB_FILES_DIR``, default ``instance/job-files``)."""
    return Path(app.config["JOB_FILES_DIR"] or Path(app.instance_path) / "job-files")


def new_file_name(job: Job, suffix: str) -> str:
    """Return a fresh, unguessable file name for what ``job`` makes."""
    return f"job-{job.id}-{secrets.token_hex(8)}.{suffix}"


def open_temp(app: Flask) -> tuple[int, str]:
    """Open a temporary file in the job files folder; return its handle and name."""
    folder = files_dir(app)
    folder.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(dir=folder, suffix=".tmp")


def publish(app: Flask, temp_name: str, name: str) -> Path:
    """Rename a finished temporary file to ``name``."""
    target = files_dir(app) / name
    os.replace(temp_name, target)
    return target


def job_file(app: Flask, job: Job) -> Path | None:
    """Return the file ``job`` made, if it names one that exists."""
    if not job.result or not _FILE_NAME.match(job.result):
        return None
    path = files_dir(app) / job.result
    return path if path.is_file() else None


def prune_job_files(session: Session, app: Flask, *, now: dt.datetime) -> int:
    """Delete job files whose job is gone or expired, and dead temporary files; return how many."""
    folder = files_dir(app)
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        if path.suffix == ".tmp":
            modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
            if now - modified > dt.timedelta(hours=1):
                path.unlink(missing_ok=True)
                removed += 1
            continue
        match = _FILE_NAME.match(path.name)
        if match is None:
            continue
        row = session.execute(
            select(Job.expires_at, Job.result).where(Job.id == int(match.group(1)))
        ).first()
        if (
            row is None
            or row.result != path.name
            or (row.expires_at is not None and as_utc(row.expires_at) <= now)
        ):
            path.unlink(missing_ok=True)
            removed += 1
    return removed
