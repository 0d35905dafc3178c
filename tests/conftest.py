"""Shared fixtures: an app on a freshly migrated database, its client and CLI runner.

Every database test runs on SQLite, and also on PostgreSQL when TEST_DATABASE_URL is set.
SQLite databases are copied from a template migrated once per session; PostgreSQL is migrated
once and emptied before each test.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import catalog_cache
import pytest
from alembic.script import ScriptDirectory
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import settings
from sqlalchemy import column, delete, select, table
from sqlalchemy.schema import CreateSchema, DropSchema

from rubric_app import create_app
from rubric_app.db import Base, db, make_engine
from rubric_app.migrate import alembic_config, upgrade
from rubric_app.rubric_versions import record_catalog

# Properties are checked for truth, not speed: a loaded CI machine must not turn a slow example
# into a failure (speed is measured in benchmarks/, never asserted in tests).
settings.register_profile("rubric_app", deadline=None)
settings.load_profile("rubric_app")

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgres"] if TEST_DATABASE_URL else [])

BASE_TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-not-for-production",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "RATELIMIT_ENABLED": False,
    # Cheapest argon2id parameters: the suite creates hundreds of users.
    "ARGON2_PROFILE": "CHEAPEST",
    # Jobs run inside the call that queues them, retries at once, so a download gets its PDF
    # in the same request; tests of the real queue (tests/web/test_jobs_*.py) set their own.
    "JOBS_IMMEDIATE": True,
    "JOB_RETRY_DELAY": 0,
    # Drawing two PDFs on every submit would add seconds to hundreds of tests; the tests of
    # that behaviour switch it on.
    "PDF_PREPARE_ON_SUBMIT": False,
    # Likewise counting the dashboards a change reaches (tests/web/test_states_figure_store.py).
    "FIGURES_PREPARE_ON_CHANGE": False,
}


def pytest_configure(config: pytest.Config) -> None:
    """Apps built in this process share one read of each rubric/framework folder (catalog_cache).

    Installed before collection, because some test modules build an app at import time.
    """
    monkeypatch = pytest.MonkeyPatch()
    catalog_cache.install(monkeypatch)
    config.add_cleanup(monkeypatch.undo)


def make_app(database_url: str, tmp_path: Path, **overrides: Any) -> Flask:
    """Build an app on ``database_url`` with test settings and its own instance folder."""
    config = {
        **BASE_TEST_CONFIG,
        "DATABASE_URL": database_url,
        "PDF_CACHE_DIR": str(tmp_path / "pdf-cache"),
        **overrides,
    }
    os.environ["RUBRIC_APP_INSTANCE_PATH"] = str(tmp_path / "instance")
    return create_app(config)


def migrate_and_load(app: Flask) -> None:
    """Bring the schema to head and record the rubric catalog."""
    upgrade(app)
    record_rubrics(app)


def record_rubrics(app: Flask) -> None:
    """Record the app's rubric catalog, as `flask rubrics load` does."""
    from rubric_app.catalog_state import current_catalog

    with app.app_context():
        record_catalog(db.session, current_catalog())
        db.session.commit()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head with the rubrics loaded, copied by each test."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.sqlite3"
    template_app = make_app(f"sqlite:///{path}", folder)
    migrate_and_load(template_app)
    with template_app.app_context():
        # Closing the last connection checkpoints the WAL into the main file, so a plain file
        # copy carries every table.
        db.engine.dispose()
    return path


def _worker_schema() -> str:
    """This test process's own PostgreSQL schema: per pytest-xdist worker and per run.

    The process id keeps two runs at once (two terminals, two engineers) on one database apart.
    """
    return f"test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


def _worker_url(url: str, schema: str) -> str:
    """Create a fresh ``schema`` and return ``url`` with it as the search path.

    A fresh schema per run also means a database left behind by an older migration history
    never gets in the way.
    """
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(DropSchema(schema, cascade=True, if_exists=True))
        connection.execute(CreateSchema(schema))
    engine.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def _drop_schema(url: str, schema: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(DropSchema(schema, cascade=True, if_exists=True))
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_ready(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The PostgreSQL URL (this worker's schema), migrated to head once per session."""
    folder = tmp_path_factory.mktemp("pg")
    schema = _worker_schema()
    url = _worker_url(TEST_DATABASE_URL, schema)
    upgrade(make_app(url, folder))
    yield url
    _drop_schema(TEST_DATABASE_URL, schema)


@functools.cache
def _head_revisions() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def _at_head(app: Flask) -> bool:
    """Whether the schema is at the migrations' head (one query, no Alembic run)."""
    with app.app_context():
        versions = db.session.scalars(select(table("alembic_version", column("version_num"))))
        at_head = frozenset(versions) == _head_revisions()
        db.session.rollback()
    return at_head


def _empty_postgres(app: Flask) -> None:
    with app.app_context():
        # Children before parents, so foreign keys never block a delete.
        for table in reversed(Base.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database for one test: SQLite always, PostgreSQL when configured."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_ready")
    return url


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Per-test config overrides; override this fixture in a test module to change settings."""
    return {}


@pytest.fixture
def app(database_url: str, tmp_path: Path, app_config: dict[str, Any]) -> Iterator[Flask]:
    """The app on a fresh database with the rubrics loaded."""
    application = make_app(database_url, tmp_path, **app_config)
    if database_url.startswith("postgresql"):
        _empty_postgres(application)
        # Migrated once per session (postgres_ready); upgraded again only if a test left the
        # schema elsewhere (a migration test that fails between its downgrade and upgrade).
        if not _at_head(application):
            upgrade(application)
        record_rubrics(application)
    with application.app_context():
        yield application
        db.session.rollback()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Any:
    """The app's database session (inside the app context the ``app`` fixture pushed)."""
    return db.session
