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
else:
    response = client.get("/metrics", environ_base=loopback)
    assert response.status_code == 200
    sys.stdout.write(response.get_data(as_text=True))
"""


def _run(tmp_path: Path, metrics_dir: Path, what: str) -> str:
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "RUBRIC_APP_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    script = WORKER.format(config=dict(BASE_TEST_CONFIG))
    done = subprocess.run(  # noqa: S603 - our own interpreter running our own script
        [sys.executable, "-c", script, str(tmp_path / "unused.db"), what],
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
