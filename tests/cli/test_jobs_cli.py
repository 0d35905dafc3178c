"""`flask jobs prune` and `flask jobs worker`: housekeeping; no worker for an in-process queue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from helpers import make_org, make_user
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rubric_app.jobs import operations
from rubric_app.jobs.cli import make_consumer
from rubric_app.jobs.files import files_dir
from rubric_app.jobs.models import Job
from rubric_app.models import KeptFigures
from rubric_app.states import figure_store


def test_prune_deletes_expired_files_old_jobs_and_stale_pdfs(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    user = make_user(session, "owner@example.org")
    now = operations.utcnow()
    old = operations.request_job(session, key="old", kind="k", params={}, user_id=user.id).job
    operations.finish_job(session, old, result="")
    old.finished_at = now - dt.timedelta(days=31)
    expired = operations.request_job(session, key="exp", kind="k", params={}, user_id=user.id).job
    live = operations.request_job(session, key="live", kind="k", params={}, user_id=user.id).job
    session.flush()
    folder = files_dir(app)
    folder.mkdir(parents=True)
    expired_file = folder / f"job-{expired.id}-{'a' * 16}.zip"
    live_file = folder / f"job-{live.id}-{'b' * 16}.zip"
    orphan_file = folder / f"job-999999-{'c' * 16}.zip"
    for path in (expired_file, live_file, orphan_file):
        path.write_bytes(b"PK")
    operations.finish_job(
        session, expired, result=expired_file.name, expires_at=now - dt.timedelta(minutes=1)
    )
    operations.finish_job(
        session, live, result=live_file.name, expires_at=now + dt.timedelta(hours=1)
    )
    session.commit()
    cache = Path(app.config["PDF_CACHE_DIR"])
    cache.mkdir(parents=True)
    (cache / "report-1-r1-abc-t0000000000.pdf").write_bytes(b"%PDF")
    advocate = make_org(session, "Prune Advocates", kind="state_advocate")
    old_view, new_view = (
        figure_store.StoredView(advocate.id, "OH", "rubric", {"period": period}, 5)
        for period in ("2024-25", "2025-26")
    )
    for view in (old_view, new_view):
        figure_store.write(session, view, ("figures", None), base="b", setup="s", asked=True)
    session.execute(
        update(KeptFigures)
        .where(KeptFigures.view_key == old_view.key)
        .values(counted_at=now - dt.timedelta(days=31))
    )
    session.commit()

    result = runner.invoke(args=["jobs", "prune"])
    assert result.exit_code == 0, result.output
    assert "Pruned 1 PDF(s), 2 job file(s), 1 job record(s), 1 dashboard view(s)." in result.output
    assert sorted(path.name for path in folder.iterdir()) == [live_file.name]
    session.expire_all()
    assert sorted(session.scalars(select(Job.key))) == ["exp", "live"]
    assert not any(cache.iterdir())
    assert session.scalars(select(KeptFigures.view_key)).all() == [new_view.key]


def test_no_worker_for_an_in_process_queue(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["jobs", "worker"])
    assert result.exit_code != 0
    assert "JOBS_IMMEDIATE is set" in result.output


def test_an_idle_worker_looks_at_the_queue_at_least_every_second(
    app: Flask, tmp_path: Path
) -> None:
    """Huey's default would let an idle worker wait 10 s between looks at a SQLite queue,
    longer than a person takes to open what their change queued (a dashboard, a PDF)."""
    app.config.update(JOBS_IMMEDIATE=False, JOBS_SQLITE_PATH=str(tmp_path / "queue.sqlite3"))
    consumer = make_consumer(app, 3)
    assert consumer.max_delay == app.config["JOB_POLL_MAX_SECONDS"] == 1.0
    assert len(consumer.worker_threads) == 3
