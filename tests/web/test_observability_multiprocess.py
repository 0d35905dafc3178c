"""Metrics with several workers: separate processes count into PROMETHEUS_MULTIPROC_DIR and
/metrics, asked of any one of them, adds up all of them (as under gunicorn)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import BASE_TEST_CONFIG

# Run in a fresh interpreter: prometheus_client reads PROMETHEUS_MULTIPROC_DIR at import.
WORKER = """
import sys
from rubric_app import create_app
config = dict({config!r}, DATABASE_URL="sqlite:///" + sys.argv[1])
client = create_app(config).test_client()
loopback = {{"REMOTE_ADDR": "127.0.0.1"}}
if sys.argv[2] == "hit":
    assert client.get("/no-such-page", environ_base=loopback).status_code == 404
elif sys.argv[2] == "fail-a-job":
    # A worker's side: a job of a kind this server does not know fails for good, and counts.
    from rubric_app.db import db
    from rubric_app.jobs.models import Job
    from rubric_app.jobs.runner import run_job
    from rubric_app.migrate import upgrade
    app = client.application
    upgrade(app)
    with app.app_context():
        job = Job(key="retired:1", kind="retired.kind", params={{}})
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    run_job(app, job_id, retries_left=0)
else:
    response = client.get("/metrics", environ_base=loopback)
    assert response.status_code == 200
    sys.stdout.write(response.get_data(as_text=True))
"""


def _run(tmp_path: Path, metrics_dir: Path, what: str, database: str = "") -> str:
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "RUBRIC_APP_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    script = WORKER.format(config=dict(BASE_TEST_CONFIG))
    done = subprocess.run(  # noqa: S603 - our own interpreter running our own script
        [sys.executable, "-c", script, database or str(tmp_path / "unused.db"), what],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_metrics_add_up_every_worker(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    _run(tmp_path, metrics_dir, "hit")
    _run(tmp_path, metrics_dir, "hit")
    text = _run(tmp_path, metrics_dir, "scrape")
    assert 'flask_http_request_total{method="GET",status="404"} 2.0' in text
    assert 'endpoint="unmatched"' in text


def test_job_failures_counted_in_a_worker_show_in_a_web_process(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    database = str(tmp_path / "shared.db")
    _run(tmp_path, metrics_dir, "fail-a-job", database)
    text = _run(tmp_path, metrics_dir, "scrape", database)
    # Counted by the process that ran the job, and read back from its file by another.
    assert 'rubric_app_job_failures_total{kind="retired.kind"} 1.0' in text
    # Read from the job records at the scrape.
    assert 'rubric_app_jobs{kind="retired.kind",state="failed"} 1.0' in text
    assert "rubric_app_job_metrics_up 1.0" in text
