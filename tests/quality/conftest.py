"""Fixtures for the quality gates: one seeded demo site per test process, served over loopback
for the browser.

The demo site is seeded once (SQLite copied from the migrated template) because the checks only
read pages; the fuzz, which writes, seeds sites of its own.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from helpers import PASSWORD
from pages import SITE_ADMIN, seed_two_step_user
from quality_site import (
    DemoSite,
    LiveServer,
    make_quality_app,
)
from werkzeug.serving import make_server

from rubric_app.accounts import two_step
from rubric_app.accounts.operations import find_user
from rubric_app.db import db
from rubric_app.demo import seed_demo
from rubric_app.demo_state import seed_state


@pytest.fixture(scope="session")
def demo_site(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> DemoSite:
    """The app on a SQLite copy of the template with the demo seeded (password: PASSWORD)."""
    folder = tmp_path_factory.mktemp("demo-site")
    path = folder / "demo.sqlite3"
    shutil.copyfile(sqlite_template, path)
    application = make_quality_app(f"sqlite:///{path}", folder)
    with application.app_context():
        seed_demo(db.session, PASSWORD)
        # Enough organizations sharing in Ohio that the state dashboard shows figures, charts
        # and findings (with only the demo's few it shows nothing but the privacy notice).
        seed_state(db.session, 40, "OH")
        db.session.commit()
        seed_two_step_user(db.session, PASSWORD)
        # The demo's site administrator must sign in with two steps: set them up for it.
        admin = find_user(db.session, SITE_ADMIN)
        assert admin is not None
        secret = two_step.begin_enrolment(db.session, admin)
        two_step.confirm_enrolment(db.session, admin, pyotp.TOTP(secret).now())
        db.session.commit()
    return DemoSite(app=application, two_step_secrets={SITE_ADMIN: secret})


@pytest.fixture(scope="session")
def demo_server(demo_site: DemoSite) -> Iterator[LiveServer]:
    """The demo site served on 127.0.0.1 for the browser, stopped at the end of the session."""
    server = make_server("127.0.0.1", 0, demo_site.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", server=server)
    server.shutdown()
    thread.join(timeout=10)
