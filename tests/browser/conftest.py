"""Browser fixtures shared by every browser test: a live server with demo data, Chromium, pages.

Everything in this folder is skipped, with the reason printed, when Debian's Chromium is not
installed (``.ci/run`` installs it; Playwright's own browser download is not used).

Fixtures:

- ``live_server``: a ``LiveServer`` (``.url``, ``.app``, ``.password``, ``.url_for(path)``,
  ``.session()``) serving a fresh copy of a migrated SQLite database with the rubrics loaded and
  the demo data seeded (``rubric_app.demo.seed_demo``), one copy per test, on 127.0.0.1 with a
  free port. Sign in as any demo user (e.g. ``admin@riverton.example.org``) with
  ``live_server.password`` (also the ``demo_password`` fixture).
- ``outbox``: the list of mail messages the app has recorded. The mail code (accounts) should
  append every message it sends to ``app.extensions["rubric_app.outbox"]`` (a list) when that
  key exists; this fixture creates the empty list before the first request, so tests see every
  message sent while they run.
- ``browser`` (session scope) and ``page`` (a fresh context per test, 1280x900, with a default
  timeout of 10 s).
- ``screenshot(page, name)``: saves a full-page PNG to ``$SCREENSHOT_DIR`` or
  ``test-artifacts/screenshots/`` and returns its path.
- ``signin_page(page, live_server, email)``: signs in through the real form.

Mark browser tests with ``@pytest.mark.browser``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, make_server

from rubric_app import create_app
from rubric_app.catalog_state import current_catalog
from rubric_app.db import db
from rubric_app.demo import seed_demo
from rubric_app.migrate import upgrade
from rubric_app.rubric_versions import record_catalog

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "browser-demo-password-2026"
OUTBOX_KEY = "rubric_app.outbox"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def make_live_app(database_url: str, folder: Path, **overrides: Any) -> Flask:
    """An app on ``database_url`` with test settings, served over plain http."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "browser-test-secret-key-not-for-production",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        "ARGON2_PROFILE": "CHEAPEST",
        # No worker runs beside the live server: jobs (the PDF queued on submit) run in-process.
        "JOBS_IMMEDIATE": True,
        "JOB_RETRY_DELAY": 0,
        "DATABASE_URL": database_url,
        "PDF_CACHE_DIR": str(folder / "pdf-cache"),
        **overrides,
    }
    os.environ["RUBRIC_APP_INSTANCE_PATH"] = str(folder / "instance")
    return create_app(config)


def chromium_path() -> str | None:
    """Debian's Chromium, wherever it is installed."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    return shutil.which("chromium")


def _playwright_missing() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip this folder's tests with a clear reason when Chromium or Playwright is absent."""
    reason = None
    if chromium_path() is None:
        reason = "Chromium is not installed (apt-get install chromium; .ci/run installs it)"
    elif _playwright_missing():
        reason = "Playwright is not installed (pip install -e '.[dev]')"
    if reason is None:
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def demo_password() -> str:
    """The password of every demo user in the live server's database."""
    return DEMO_PASSWORD


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head, rubrics loaded and demo data seeded; copied per test."""
    folder = tmp_path_factory.mktemp("browser-template")
    path = folder / "seeded.sqlite3"
    template_app = make_live_app(f"sqlite:///{path}", folder)
    upgrade(template_app)
    with template_app.app_context():
        record_catalog(db.session, current_catalog())
        seed_demo(db.session, DEMO_PASSWORD)
        db.session.commit()
        # Closing the last connection checkpoints the WAL into the main file.
        db.session.close()
        db.engine.dispose()
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """A running app: its base URL, the app object and the demo password."""

    url: str
    app: Flask
    password: str
    _server: BaseWSGIServer = field(repr=False)

    def url_for(self, path: str) -> str:
        """The absolute URL of a path on this server ("/assessments" -> "http://.../assessments")."""
        return self.url + path

    def session(self) -> Session:
        """A new database session on the server's database (close it when done)."""
        with self.app.app_context():
            factory = self.app.extensions["rubric_app.db"].session_factory
            session: Session = factory()
            return session


@pytest.fixture
def live_server(
    seeded_template: Path, tmp_path: Path, app_config: dict[str, Any]
) -> Iterator[LiveServer]:
    """The app on a fresh copy of the seeded database, served over HTTP in a thread."""
    path = tmp_path / "live.sqlite3"
    shutil.copyfile(seeded_template, path)
    app = make_live_app(f"sqlite:///{path}", tmp_path, **app_config)
    app.extensions.setdefault(OUTBOX_KEY, [])
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app, DEMO_PASSWORD, server)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def outbox(live_server: LiveServer) -> list[Any]:
    """Mail the app has recorded while this test runs (see the module docstring)."""
    messages: list[Any] = live_server.app.extensions.setdefault(OUTBOX_KEY, [])
    return messages


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium driven by Playwright (sync API), one per test session."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    assert executable is not None  # the folder is skipped otherwise
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page in a fresh browser context (its own cookies), closed after the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


def screenshot_dir() -> Path:
    """Where screenshots go: $SCREENSHOT_DIR, else test-artifacts/screenshots/."""
    configured = os.environ.get("SCREENSHOT_DIR")
    folder = Path(configured) if configured else PROJECT_ROOT / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def take_screenshot(page: Any, name: str) -> Path:
    """Save a full-page PNG named ``name`` and return its path."""
    path = screenshot_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot() -> Any:
    """``screenshot(page, name)``: save a full-page PNG (see ``take_screenshot``)."""
    return take_screenshot


def sign_in(page: Any, server: LiveServer, email: str, password: str | None = None) -> None:
    """Sign in through the real sign-in form and wait for the redirect."""
    page.goto(server.url_for("/signin"))
    page.locator("main input[name=email]").fill(email)
    page.locator("main input[name=password]").fill(password or server.password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


@pytest.fixture
def signin_page() -> Any:
    """``signin_page(page, live_server, email)``: sign in through the real form."""
    return sign_in
