"""The database: engine, one session per request, and the declarative Base.

SQLite (the embedded default) gets WAL, foreign keys and a busy timeout on every connection;
PostgreSQL is used as configured. The session lives on ``flask.g`` so the app stays stateless
between requests and scales out across workers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, g
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints predictably."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def sqlite_url_for(instance_path: str) -> str:
    """Return the default SQLite URL for a file under the instance folder."""
    return f"sqlite:///{Path(instance_path) / 'rubric_app.sqlite3'}"


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers and one writer work at once; the busy timeout makes concurrent writers
    # wait instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` with the connection settings the app relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 10})
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    if url.startswith("postgres://"):
        # Heroku-style URLs: SQLAlchemy only knows postgresql://
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


@dataclass(frozen=True)
class _Bound:
    """The engine and session factory of one app (tests run several apps in one process)."""

    engine: Engine
    session_factory: sessionmaker[Session]


class Database:
    """Hands out the engine and the current request's session of the current app."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["rubric_app.db"] = _Bound(
            engine=engine, session_factory=sessionmaker(bind=engine, expire_on_commit=False)
        )
        app.teardown_appcontext(self._remove_session)

    @staticmethod
    def _bound() -> _Bound:
        bound: _Bound = current_app.extensions["rubric_app.db"]
        return bound

    @property
    def engine(self) -> Engine:
        """The current app's engine."""
        return self._bound().engine

    @property
    def session(self) -> Session:
        """The session of the current request or CLI command, created on first use."""
        if "db_session" not in g:
            g.db_session = self._bound().session_factory()
        session: Session = g.db_session
        return session

    def closing_session(self, body: Iterable[T]) -> Iterator[T]:
        """Return ``body`` (a streamed response's, reading through this request's session) as
        an iterator that closes that session once the body ends or the client goes away.

        Flask tears the request's app context down (closing the session on ``g``) when the view
        returns; a streamed body runs after that, through the session object the view handed
        it, which is no longer on ``g``. Nothing closed it, so its connection stayed checked out
        until the garbage collector came by: a client that stopped reading an export kept one
        connection, and a few such downloads emptied the pool for everyone.
        """
        session = self.session  # now, in the view: the body's first read comes later

        def chunks() -> Iterator[T]:
            try:
                yield from body
            finally:
                session.close()

        return chunks()

    @staticmethod
    def _remove_session(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()
