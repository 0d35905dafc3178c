"""A seeded app for benchmarks: migrated database, rubrics loaded, demo organizations and users.

SQLite in a temporary folder by default; ``BENCH_DATABASE_URL`` points the benchmarks at
PostgreSQL instead (that database is emptied and migrated first, so give it a throwaway one).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import MetaData, delete

from rubric_app import create_app
from rubric_app.catalog_state import current_catalog
from rubric_app.db import Base, db
from rubric_app.demo import seed_demo
from rubric_app.migrate import upgrade
from rubric_app.rubric_versions import record_catalog

#: The password every demo user gets in benchmarks.
PASSWORD = "benchmark password, not a secret"  # noqa: S105 - throwaway demo users

_CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def bench_app(folder: Path, **overrides: Any) -> Flask:
    """An app on a fresh, migrated, seeded database, with test settings."""
    app = plain_app(folder, **overrides)
    url = app.config["DATABASE_URL"]
    if url.startswith("postgres"):
        with app.app_context():
            # Reflect rather than use Base.metadata, so Alembic's bookkeeping table goes too and
            # the upgrade below starts from nothing.
            existing = MetaData()
            existing.reflect(bind=db.engine)
            existing.drop_all(bind=db.engine)
    upgrade(app)
    with app.app_context():
        for table in reversed(Base.metadata.sorted_tables):
            db.session.execute(delete(table))
        record_catalog(db.session, current_catalog())
        seed_demo(db.session, PASSWORD)
        db.session.commit()
    return app


def plain_app(folder: Path, **overrides: Any) -> Flask:
    """An app with the benchmarks' settings on the benchmark database, as it is (no reset):
    for helper processes that work on the database ``bench_app`` prepared."""
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["RUBRIC_APP_INSTANCE_PATH"] = str(folder / "instance")
    return create_app(
        {
            "TESTING": False,
            "SECRET_KEY": "benchmark-secret-key-not-for-production",
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "RATELIMIT_ENABLED": False,
            "DATABASE_URL": url,
            "PDF_CACHE_DIR": str(folder / "pdf-cache"),
            **overrides,
        }
    )


def csrf_from(html: str) -> str:
    """The CSRF token in a rendered page."""
    match = _CSRF.search(html)
    if match is None:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def signed_in(app: Flask, email: str, password: str = PASSWORD) -> FlaskClient:
    """A test client signed in as ``email`` (a demo user by default) through the sign-in form."""
    client = app.test_client()
    token = csrf_from(client.get("/signin").get_data(as_text=True))
    response = client.post(
        "/signin", data={"email": email, "password": password, "csrf_token": token}
    )
    if response.status_code != 302:
        raise RuntimeError(f"could not sign in as {email}: {response.status_code}")
    return client
