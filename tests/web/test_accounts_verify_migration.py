"""The email-verification migration counts the users who existed before it as verified."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from flask import Flask

from rubric_app.db import db
from rubric_app.migrate import alembic_config, upgrade

BEFORE = "6c788de367bf"  # the revision before email verification

users = sa.table(
    "users",
    sa.column("id", sa.Integer),
    sa.column("email", sa.String),
    sa.column("name", sa.String),
    sa.column("password_hash", sa.String),
    sa.column("session_version", sa.Integer),
    sa.column("is_active", sa.Boolean),
)
verified_at = sa.table(
    "users", sa.column("email", sa.String), sa.column("email_verified_at", sa.DateTime)
)


def test_existing_users_count_as_verified_after_the_upgrade(app: Flask) -> None:
    db.session.close()  # nothing may hold the users table while it is rebuilt
    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, BEFORE)
    with db.engine.begin() as connection:
        connection.execute(
            sa.insert(users).values(
                email="old@example.org",
                name="Old Timer",
                password_hash="x",
                session_version=1,
                is_active=True,
            )
        )
    upgrade(app)
    with db.engine.connect() as connection:
        value = connection.scalar(
            sa.select(verified_at.c.email_verified_at).where(
                verified_at.c.email == "old@example.org"
            )
        )
    assert value is not None
