"""Scale-out: two web processes and one job worker share one PostgreSQL and one Redis.

The test starts real processes, as a deployment does (docs/deploy.md, "Scale out"): its own
``redis-server`` on a free port (nothing saved to disk), a fresh PostgreSQL schema in the test
database migrated with ``flask db upgrade`` and loaded with ``flask rubrics load``, two gunicorn
servers (``deploy/gunicorn.conf.py``, one process each) on two free ports, and one
``flask jobs worker``. Every process has the same SECRET_KEY, DATABASE_URL, REDIS_URL and
PDF_CACHE_DIR, and its own instance folder, so nothing is shared by accident through files.
Only REDIS_URL is given, not RATELIMIT_STORAGE_URI: the rate limits following REDIS_URL into
Redis is part of what is tested.

Over real HTTP, with one cookie jar as a browser behind a load balancer would have:

- a user signs in on web A and carries on on web B: B knows the session, accepts the CSRF token
  from A's page, and an autosave posted to B shows on A's page;
- failed sign-ins spread over A and B are counted together and hit the limit together;
- submitting through A queues the PDFs, the worker renders them, and B serves the report from
  the shared cache (a hit);
- sharing through A with the state's advocate queues the count of the advocate's dashboard,
  the worker counts it into the database, and B shows the dashboard from those figures (it
  counts nothing, so the stored row is not written again);
- each web process's ``/metrics`` reports the worker's jobs (records from PostgreSQL, the
  queue's depth from Redis).

It skips only when PostgreSQL (TEST_DATABASE_URL) or ``redis-server`` is not there. Every
process is started in its own session and stopped by its id at the end; the schema is dropped.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from helpers import PASSWORD, csrf_from, make_org, make_user
from prometheus_client.parser import text_string_to_metric_families
from pypdf import PdfReader
from reports_fixtures import make_setup
from sqlalchemy import create_engine, select
from sqlalchemy.schema import CreateSchema, DropSchema

from rubric_app import create_app
from rubric_app.db import db
from rubric_app.jobs.models import Job
from rubric_app.models import KeptFigures

ROOT = Path(__file__).resolve().parents[2]
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS_SERVER = shutil.which("redis-server")
STARTUP_BOUND = 90.0
#: Rendering two PDFs on a loaded 2-core machine takes seconds; only never finishing fails.
JOB_BOUND = 240.0
OWNER = "owner@riverton.example.org"
ADVOCATE = "advocate@scale-out.example.org"
#: The state of the seeded district and advocate (``helpers.make_org``'s default).
STATE = "OH"
SECTION = "partnerships-and-mous"
ITEM = "partnership-exists"

pytestmark = [
    pytest.mark.skipif(
        not TEST_DATABASE_URL, reason="scale-out needs PostgreSQL: TEST_DATABASE_URL is not set"
    ),
    pytest.mark.skipif(
        REDIS_SERVER is None, reason="scale-out needs Redis: redis-server is not installed"
    ),
]


@dataclass(frozen=True)
class Cluster:
    """Where the two web processes answer, and the database they share."""

    web_a: str
    web_b: str
    database_url: str
    env: dict[str, str]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait(check: Callable[[], bool], bound: float, what: str, logs: list[Path]) -> None:
    """Poll ``check`` until true; fail with the processes' logs if ``bound`` seconds pass."""
    deadline = time.monotonic() + bound
    while not check():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs)
            pytest.fail(f"{what} did not happen within {bound:.0f} s\n{tails}")
        time.sleep(0.3)


@contextmanager
def _process(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``argv`` in its own session, logging to ``log``; stop it (and its children) by id."""
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=35)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def _schema_url() -> Iterator[str]:
    """A fresh PostgreSQL schema for this run; yield its URL (schema as search path)."""
    schema = f"scale_out_{secrets.token_hex(4)}"
    engine = create_engine(TEST_DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(CreateSchema(schema))
    separator = "&" if "?" in TEST_DATABASE_URL else "?"
    try:
        yield f"{TEST_DATABASE_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(DropSchema(schema, cascade=True, if_exists=True))
        engine.dispose()


def _flask(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """Redis, a migrated schema, web A, web B and one worker, all sharing what must be shared."""
    assert REDIS_SERVER is not None
    redis_port = _free_port()
    logs = [tmp_path / name for name in ("redis.log", "web-a.log", "web-b.log", "worker.log")]
    with ExitStack() as stack:
        database_url = stack.enter_context(_schema_url())
        shared = {
            key: value
            for key, value in os.environ.items()
            # The test's own settings must not leak into the processes.
            if not key.startswith(("RUBRIC_APP_", "PROMETHEUS_MULTIPROC_DIR", "REDIS_URL"))
        }
        shared.update(
            {
                "DATABASE_URL": database_url,
                "SECRET_KEY": secrets.token_hex(32),
                "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                "RUBRIC_APP_PDF_CACHE_DIR": str(tmp_path / "pdf-cache"),
                "RUBRIC_APP_JOB_FILES_DIR": str(tmp_path / "job-files"),
                "RUBRIC_APP_PDF_PREPARE_ON_SUBMIT": "true",
                "RUBRIC_APP_RATELIMIT_ENABLED": "true",
                # Plain http on loopback: the browser (httpx) must send the cookies back.
                "RUBRIC_APP_SESSION_COOKIE_SECURE": "false",
                "RUBRIC_APP_REMEMBER_COOKIE_SECURE": "false",
                "RUBRIC_APP_ARGON2_PROFILE": "CHEAPEST",
            }
        )

        def own(name: str, **extra: str) -> dict[str, str]:
            return {**shared, "RUBRIC_APP_INSTANCE_PATH": str(tmp_path / name), **extra}

        # Nothing saved to disk: the run's data ends with the process.
        redis = [REDIS_SERVER, "--port", str(redis_port), "--bind", "127.0.0.1"]
        no_disk = ["--save", "", "--appendonly", "no"]
        stack.enter_context(_process([*redis, *no_disk], shared, logs[0]))
        _wait(lambda: _redis_answers(redis_port), STARTUP_BOUND, "redis-server answering", logs)
        _flask(own("migrate"), "db", "upgrade")
        _flask(own("migrate"), "rubrics", "load")

        urls = []
        for name, log in (("web-a", logs[1]), ("web-b", logs[2])):
            port = _free_port()
            env = own(name, HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="1", WEB_THREADS="4")
            gunicorn = [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py"]
            stack.enter_context(_process([*gunicorn, "wsgi:app"], env, log))
            urls.append(f"http://127.0.0.1:{port}")
        worker = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"]
        stack.enter_context(_process([*worker, "--workers", "1"], own("worker"), logs[3]))
        for url in urls:
            _wait(lambda url=url: _healthy(url), STARTUP_BOUND, f"{url}/healthz", logs)
        yield Cluster(urls[0], urls[1], database_url, own("seed"))


def _seed(cluster: Cluster) -> tuple[int, int]:
    """An owner and a rated, not yet submitted assessment, and the state's advocate; return
    the assessment's and the advocate organization's ids.

    Written by this process's own app on the run's schema (the caller points
    RUBRIC_APP_INSTANCE_PATH at a folder of the run), as an administrator's script would.
    """
    app = create_app(
        {
            "DATABASE_URL": cluster.database_url,
            "SECRET_KEY": cluster.env["SECRET_KEY"],
            "ARGON2_PROFILE": "CHEAPEST",
            "JOBS_IMMEDIATE": True,
            "PDF_PREPARE_ON_SUBMIT": False,
        }
    )
    with app.app_context():
        setup = make_setup(db.session, submitted=False)
        advocate = make_org(db.session, "Scale-out Advocates", "state_advocate", STATE)
        make_user(db.session, ADVOCATE, advocate)
        db.session.commit()
        ids = setup.assessment.id, advocate.id
        db.engine.dispose()
    return ids


def _pdf_job_states(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(select(Job.state).where(Job.kind == "assessment_pdf")))
    finally:
        engine.dispose()


def _kept_views(database_url: str) -> list[tuple[int, object]]:
    """The dashboard views in the database: (advocate, when counted)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(KeptFigures.advocate_org_id, KeptFigures.counted_at))
            return [(org_id, counted) for org_id, counted in rows]
    finally:
        engine.dispose()


def _section_fields(html: str) -> dict[str, list[str]]:
    """What a browser would post from the section form as rendered (ticked boxes only)."""
    fields: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = (re.search(r'type="([^"]+)"', tag) or [None, "text"])[1]
        if name is None or kind == "submit":
            continue
        if kind in ("radio", "checkbox") and "checked" not in tag:
            continue
        fields.setdefault(name.group(1), []).append(value.group(1) if value else "")
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        fields.setdefault(name, []).append(body.lstrip("\r\n"))
    return fields


def test_two_web_processes_and_a_worker_share_sessions_limits_autosave_and_pdfs(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUBRIC_APP_INSTANCE_PATH", cluster.env["RUBRIC_APP_INSTANCE_PATH"])
    assessment_id, advocate_id = _seed(cluster)
    a, b = cluster.web_a, cluster.web_b
    section = f"/assessments/{assessment_id}/sections/{SECTION}"

    with httpx.Client(timeout=60) as browser:
        # Failed sign-ins spread over A and B count together: the sixth is refused on both.
        target = "someone-else@riverton.example.org"
        for attempt in range(5):
            web = (a, b)[attempt % 2]
            token = csrf_from(browser.get(f"{web}/signin").text)
            failed = browser.post(
                f"{web}/signin", data={"email": target, "password": "wrong", "csrf_token": token}
            )
            # A wrong password is a 400 with the form again; a refusal would be a 429.
            assert failed.status_code == 400, f"attempt {attempt + 1} on {web}"
        for web in (b, a):
            token = csrf_from(browser.get(f"{web}/signin").text)
            refused = browser.post(
                f"{web}/signin", data={"email": target, "password": "wrong", "csrf_token": token}
            )
            assert refused.status_code == 429, web
            assert int(refused.headers["Retry-After"]) > 0

        # Sign in on A; B knows the session.
        token = csrf_from(browser.get(f"{a}/signin").text)
        signed_in = browser.post(
            f"{a}/signin", data={"email": OWNER, "password": PASSWORD, "csrf_token": token}
        )
        assert signed_in.status_code == 302, signed_in.text[:500]
        on_b = browser.get(f"{b}{section}")
        assert on_b.status_code == 200, on_b.headers.get("Location")
        # Without the cookie, B sends the same request to sign in.
        assert httpx.get(f"{b}{section}").status_code == 302

        # An autosave posted to B with the token from A's page is saved, and A shows it.
        page_a = browser.get(f"{a}{section}")
        assert page_a.status_code == 200
        fields = _section_fields(page_a.text)
        token_a = fields["csrf_token"][0]
        note = f"Carried on from web B {secrets.token_hex(3)}"
        fields[f"{ITEM}__comment"] = [note]
        saved = browser.post(
            f"{b}/assessments/{assessment_id}/autosave",
            data=fields,
            headers={"X-CSRFToken": token_a},
        )
        assert saved.status_code == 200, saved.text[:500]
        assert saved.json()["status"] == "saved", saved.json()
        assert ITEM in saved.json()["saved"]
        assert note in browser.get(f"{a}{section}").text

        # Submitting through A queues the PDFs; the worker renders them; B serves a cache hit.
        review = browser.get(f"{a}/assessments/{assessment_id}/review")
        submitted = browser.post(
            f"{a}/assessments/{assessment_id}/submit", data={"csrf_token": csrf_from(review.text)}
        )
        assert submitted.status_code == 302, submitted.text[:500]
        assert _pdf_job_states(cluster.database_url), "submitting queued no PDF job"
        logs = sorted(Path(cluster.env["RUBRIC_APP_INSTANCE_PATH"]).parent.glob("*.log"))
        finished = ("done", "failed")
        _wait(
            lambda: all(state in finished for state in _pdf_job_states(cluster.database_url)),
            JOB_BOUND,
            "the worker finishing every PDF job",
            logs,
        )
        assert set(_pdf_job_states(cluster.database_url)) == {"done"}
        download = browser.get(f"{b}/assessments/{assessment_id}/report.pdf")
        assert download.status_code == 200
        assert download.headers["Content-Type"] == "application/pdf"
        assert download.headers["X-PDF-Cache"] == "hit"
        reader = PdfReader(io.BytesIO(download.content))
        assert len(reader.pages) > 1
        assert "Riverton City School District" in (reader.metadata.title or "")

        # Either web process reports the worker's jobs, read at the scrape: the records from
        # PostgreSQL, the queue's depth from Redis.
        done = len(_pdf_job_states(cluster.database_url))
        for web in (a, b):
            scraped = httpx.get(f"{web}/metrics", timeout=30)
            assert scraped.status_code == 200
            samples = {
                (sample.name, tuple(sorted(sample.labels.items()))): sample.value
                for family in text_string_to_metric_families(scraped.text)
                for sample in family.samples
            }
            jobs = (("kind", "assessment_pdf"), ("state", "done"))
            assert samples[("rubric_app_jobs", jobs)] == done, web
            assert samples[("rubric_app_job_queue_pending", ())] == 0, web
            assert samples[("rubric_app_job_metrics_up", ())] == 1, web

        # Sharing through A with the state's advocate: the worker counts the advocate's
        # dashboard into the database, and B shows it from there without counting again.
        sharing = browser.get(f"{a}/assessments/{assessment_id}/sharing")
        shared = browser.post(
            f"{a}/assessments/{assessment_id}/sharing",
            data={"csrf_token": csrf_from(sharing.text), "to_org": str(advocate_id)},
        )
        assert shared.status_code == 302, shared.text[:500]
        _wait(
            lambda: bool(_kept_views(cluster.database_url)),
            JOB_BOUND,
            "the worker counting the advocate's dashboard",
            logs,
        )
        counted = _kept_views(cluster.database_url)
        assert [org_id for org_id, _ in counted] == [advocate_id]
        token = csrf_from(browser.get(f"{b}/signin").text)
        signed_in = browser.post(
            f"{b}/signin", data={"email": ADVOCATE, "password": PASSWORD, "csrf_token": token}
        )
        assert signed_in.status_code == 302, signed_in.text[:500]
        dashboard = browser.get(f"{b}/states/{STATE}/dashboard")
        assert dashboard.status_code == 200
        assert "Scale-out Advocates" in dashboard.text
        time.sleep(1)  # B would store figures it counted just after the page, off the request
        assert _kept_views(cluster.database_url) == counted, "web B counted the view again"
