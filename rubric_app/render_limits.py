"""Per-user limits on expensive renders: at most ``RENDER_LIMIT`` at once, across all workers.

A report or comparison PDF, a state workbook or a comparison takes a second or more of CPU.
One user looping over them could keep every worker busy, so each such route is wrapped in
``@limit_renders`` (below ``@login_required``): before the view runs it takes one of the user's
slots, a row in ``render_slots`` (user, slot number 0..limit-1). The primary key allows one
holder per slot, so the limit holds across gunicorn workers and machines that share the
database, with no extra service. When every slot is taken the user gets a 429 page with
``Retry-After``; nothing is lost, the download simply has to be asked for again.

A slot is released when the response is done: at once for a response built in memory, when the
body has been sent (or the client went away) for a streamed one. A slot carries an expiry
(``RENDER_SLOT_SECONDS``), so a request whose worker crashed or was killed never holds it for
good: the next render of that user takes the expired slot over. Each render holds a random
token and releases only the slot it still holds.

``render_started`` is sent once a slot is taken, just before the view runs (with ``user_id``
and ``endpoint``), for instrumentation.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ParamSpec

from blinker import Namespace
from flask import Response, current_app, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from rubric_app.db import db
from rubric_app.models import RenderSlot, utcnow

log = logging.getLogger(__name__)

render_started = Namespace().signal("render-started")

P = ParamSpec("P")


@dataclass(frozen=True)
class Slot:
    """A render slot this process holds."""

    user_id: int
    number: int
    token: str


def acquire_slot(
    engine: Engine,
    user_id: int,
    *,
    limit: int,
    seconds: int,
    now: dt.datetime | None = None,
) -> Slot | None:
    """Take a free or expired slot of ``user_id`` for ``seconds``; None when all are held.

    Each attempt is its own short transaction on its own connection, never the request's
    session, so taking or refusing a slot commits nothing the view has not committed.
    """
    moment = now or utcnow()
    expires = moment + dt.timedelta(seconds=seconds)
    token = secrets.token_hex(16)
    # A read first, so that refusing (the common case when someone keeps clicking) writes
    # nothing: on SQLite every write takes the one database-wide write lock.
    with engine.connect() as connection:
        live = set(
            connection.scalars(
                select(RenderSlot.slot).where(
                    RenderSlot.user_id == user_id, RenderSlot.expires_at > moment
                )
            )
        )
    for number in range(limit):
        if number in live:
            continue
        # Free or expired when read; the write below decides, as another render may be
        # taking the same slot right now.
        if _insert_slot(engine, user_id, number, token, expires) or _take_expired_slot(
            engine, user_id, number, token, expires, moment
        ):
            return Slot(user_id, number, token)
    return None


def _insert_slot(
    engine: Engine, user_id: int, number: int, token: str, expires: dt.datetime
) -> bool:
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(RenderSlot).values(
                    user_id=user_id, slot=number, token=token, expires_at=expires
                )
            )
    except IntegrityError:
        # Someone holds this slot (possibly expired: the caller then tries to take it over).
        return False
    return True


def _take_expired_slot(
    engine: Engine,
    user_id: int,
    number: int,
    token: str,
    expires: dt.datetime,
    moment: dt.datetime,
) -> bool:
    # The expiry test is part of the UPDATE, so of two renders racing for the same expired
    # slot only one matches: the other re-reads the row after the first commits and finds it
    # no longer expired.
    with engine.begin() as connection:
        result = connection.execute(
            update(RenderSlot)
            .where(
                RenderSlot.user_id == user_id,
                RenderSlot.slot == number,
                RenderSlot.expires_at <= moment,
            )
            .values(token=token, expires_at=expires)
        )
    return result.rowcount == 1


def release_slot(engine: Engine, slot: Slot) -> None:
    """Give ``slot`` back, unless it expired and another render took it over meanwhile."""
    try:
        with engine.begin() as connection:
            connection.execute(
                delete(RenderSlot).where(
                    RenderSlot.user_id == slot.user_id,
                    RenderSlot.slot == slot.number,
                    RenderSlot.token == slot.token,
                )
            )
    except SQLAlchemyError:
        # The response has been sent already; the slot's expiry frees it in a while.
        log.warning("could not release render slot %s of user %s", slot.number, slot.user_id)


def held_slots(engine: Engine, user_id: int) -> int:
    """Return how many slot rows ``user_id`` has (held or expired), for checks and tests."""
    with engine.connect() as connection:
        count = connection.scalar(
            select(func.count()).select_from(RenderSlot).where(RenderSlot.user_id == user_id)
        )
    return int(count or 0)


def _release_when_done(response: Response, release: Callable[[], None]) -> Iterator[bytes]:
    """Return ``response``'s streamed body, releasing the slot after the last chunk or on close."""
    # Both are taken now, before the caller puts the returned generator in the response's place.
    body = response.response
    chunks = response.iter_encoded()

    def stream() -> Iterator[bytes]:
        try:
            yield from chunks
        finally:
            # The server closes this generator, not the body it wraps: close that too, so a
            # stream_with_context body ends its request context as it would unwrapped.
            close = getattr(body, "close", None)
            if close is not None:
                close()
            release()

    return stream()


def busy_response() -> ResponseReturnValue:
    """The 429 page shown when every render slot of the user is in use."""
    retry_after = int(current_app.config["RENDER_RETRY_AFTER"])
    response = make_response(
        render_template(
            "errors/render_busy.html",
            limit=int(current_app.config["RENDER_LIMIT"]),
            retry_after=retry_after,
            retry_url=request.full_path.rstrip("?"),
        ),
        429,
    )
    response.headers["Retry-After"] = str(retry_after)
    return response


def limit_renders(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
    """Run ``view`` only in one of the signed-in user's render slots (see the module docstring).

    Put it below ``@login_required``, so there is always a user to count against.
    """

    @functools.wraps(view)
    def limited(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        limit = int(current_app.config["RENDER_LIMIT"])
        if limit <= 0 or not current_user.is_authenticated:
            return view(*args, **kwargs)
        engine = db.engine
        slot = acquire_slot(
            engine,
            current_user.id,
            limit=limit,
            seconds=int(current_app.config["RENDER_SLOT_SECONDS"]),
        )
        if slot is None:
            return busy_response()
        release = functools.partial(release_slot, engine, slot)
        try:
            render_started.send(
                current_app._get_current_object(),  # type: ignore[attr-defined] # the real app, not the proxy
                user_id=slot.user_id,
                endpoint=request.endpoint,
            )
            response = make_response(view(*args, **kwargs))
        except BaseException:
            release()
            raise
        if response.is_streamed:
            response.response = _release_when_done(response, release)
        else:
            release()
        return response

    return limited
