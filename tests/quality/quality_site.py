"""The seeded demo site the quality gates look at, the live server and the tool paths.

Kept out of conftest.py so test modules can import it by name.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, signin, signin_two_step
from werkzeug.serving import BaseWSGIServer

from rubric_app import create_app

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = PROJECT_ROOT / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


#: The settings of tests/conftest.py's BASE_TEST_CONFIG (a conftest cannot import another one).
QUALITY_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-not-for-production",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "RATELIMIT_ENABLED": False,
    # Cheapest argon2id parameters, as in the rest of the suite.
    "ARGON2_PROFILE": "CHEAPEST",
    # Jobs run inside the call that queues them, retries at once, so a download gets its PDF
    # in the same request; tests of the real queue (tests/web/test_jobs_*.py) set their own.
    "JOBS_IMMEDIATE": True,
    "JOB_RETRY_DELAY": 0,
    # Drawing two PDFs on every submit would add seconds to hundreds of tests; the tests of
    # that behaviour switch it on.
    "PDF_PREPARE_ON_SUBMIT": False,
    # A walk over every page type can take longer than the five minutes a password step waits
    # for its code on a loaded machine; these tests check pages, not that expiry.
    "TWO_STEP_PENDING_MAX_AGE": 60 * 60,
}


def make_quality_app(database_url: str, folder: Path) -> Flask:
    """An app on ``database_url`` with test settings and its own instance folder."""
    os.environ["RUBRIC_APP_INSTANCE_PATH"] = str(folder / "instance")
    return create_app(
        {
            **QUALITY_CONFIG,
            "DATABASE_URL": database_url,
            "PDF_CACHE_DIR": str(folder / "pdf-cache"),
        }
    )


@dataclass
class DemoSite:
    """The seeded demo app, with one signed-in test client per demo user."""

    app: Flask
    clients: dict[str | None, FlaskClient] = field(default_factory=dict)
    #: Users who sign in with two steps (site administrators must): e-mail -> TOTP secret.
    two_step_secrets: dict[str, str] = field(default_factory=dict)

    def client_for(self, email: str | None) -> FlaskClient:
        """A test client signed in as ``email`` (anonymous for None), made once and reused."""
        if email not in self.clients:
            client = self.app.test_client()
            if email in self.two_step_secrets:
                signin_two_step(client, email, self.two_step_secrets[email], PASSWORD)
            elif email is not None:
                signin(client, email, PASSWORD)
            self.clients[email] = client
        return self.clients[email]


@dataclass(frozen=True)
class LiveServer:
    """A werkzeug server on a free loopback port, serving one app from a thread."""

    url: str
    server: BaseWSGIServer


def on_own_thread(work: Callable[[], None], *, name: str, minutes: int, what: str) -> None:
    """Run a Playwright pass on a thread of its own and re-raise what it raised.

    Playwright's sync API allows one running instance per thread, and the browser tests'
    session-wide instance may already be running on this process's main thread.
    """
    failure: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:
            failure.append(error)

    worker = threading.Thread(target=run, name=name)
    worker.start()
    worker.join(timeout=minutes * 60)
    assert not worker.is_alive(), f"{what} did not finish within {minutes} minutes"
    if failure:
        raise failure[0]
