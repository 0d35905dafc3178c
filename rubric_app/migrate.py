"""Run Alembic migrations against the app's database, from the CLI or from tests."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from flask import Flask

from rubric_app.config import PROJECT_ROOT
from rubric_app.db import db


def alembic_config() -> Config:
    """An Alembic config pointing at migrations/; the connection is passed in by the caller."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return config


def upgrade(app: Flask, revision: str = "head") -> None:
    """Upgrade the app's database to ``revision``."""
    config = alembic_config()
    with app.app_context(), db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
