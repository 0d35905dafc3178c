"""Alembic environment: migrate the database the app is configured for."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from rubric_app import models  # noqa: F401 - registers every table on Base.metadata
from rubric_app.db import Base

config = context.config
target_metadata = Base.metadata


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    # Called as plain `alembic ...`: build the app to find its database.
    from rubric_app import create_app
    from rubric_app.db import db

    app = create_app()
    with app.app_context(), db.engine.begin() as new_connection:
        run_with(new_connection)


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run against a database.")
run_migrations_online()
