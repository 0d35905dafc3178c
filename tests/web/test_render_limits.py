"""Expensive renders are limited per user: two at once, then a 429 page with Retry-After.

The slots live in the database (``render_slots``), so the tests hold real renders open in real
threads (each with its own connection) through the ``render_started`` signal, and check what a
third request sees; they also check expiry (a crashed render), release on failure, release of a
streamed download only once it is sent, and two-at-most among renders racing for slots.
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import make_user, signin
from reports_fixtures import Setup, make_assessment, make_setup
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.db import db
from rubric_app.models import Assessment, utcnow
from rubric_app.render_limits import acquire_slot, held_slots, render_started

OTHER = "other@riverton.example.org"
WAIT = 15  # seconds any thread may wait for another; the tests take well under that


@pytest.fixture
def setup(session: Session) -> Setup:
    built = make_setup(session)
    make_assessment(session, built.org, built.owner, period="2024-25")
    make_user(session, OTHER, built.org, "viewer")
    session.commit()
    return built


def _compare_ids(setup: Setup, session: Session) -> str:
    ids = session.scalars(
        select(Assessment.id).where(Assessment.org_id == setup.org.id).order_by(Assessment.id)
    ).all()
    return ",".join(str(i) for i in ids)


def _signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    signin(client, email)
    return client


def test_third_render_gets_429_with_retry_after_then_a_slot_frees(
    app: Flask, session: Session, setup: Setup
) -> None:
    ids = _compare_ids(setup, session)
    owner = [_signed_in(app, setup.owner.email) for _ in range(3)]
    other = _signed_in(app, OTHER)
    started = threading.Semaphore(0)
    go_on = threading.Event()

    def hold(_sender: Flask, **_extra: Any) -> None:
        started.release()
        assert go_on.wait(WAIT)

    with (
        render_started.connected_to(hold, sender=app),
        ThreadPoolExecutor(max_workers=3) as pool,
    ):
        first = pool.submit(owner[0].get, f"/compare.csv?ids={ids}")
        second = pool.submit(owner[1].get, f"/compare?ids={ids}")
        try:
            assert started.acquire(timeout=WAIT)
            assert started.acquire(timeout=WAIT)
            assert held_slots(db.engine, setup.owner.id) == 2
            # A third render of any kind, by the same user, waits: 429, Retry-After, a clear page.
            refused = owner[2].get(f"/assessments/{setup.assessment.id}/report.pdf")
            assert refused.status_code == 429
            assert refused.headers["Retry-After"] == "5"
            page = refused.get_data(as_text=True)
            assert "You already have 2 downloads or comparisons being prepared" in page
            assert f'href="/assessments/{setup.assessment.id}/report.pdf"' in page
            # Someone else is not held up by this user's renders: theirs starts at once.
            other_render = pool.submit(other.get, f"/compare?ids={ids}")
            assert started.acquire(timeout=WAIT)
        finally:
            go_on.set()
        # The CSV is streamed: its slot is given back once the body has been sent.
        assert "score (% of maximum)" in first.result(WAIT).get_data(as_text=True)
        assert second.result(WAIT).status_code == 200
        assert other_render.result(WAIT).status_code == 200
    assert held_slots(db.engine, setup.owner.id) == 0
    again = owner[2].get(f"/compare.pdf?ids={ids}")
    assert again.status_code == 200
    assert again.headers["Content-Type"] == "application/pdf"


def test_a_crashed_render_holds_its_slot_only_until_it_expires(
    app: Flask, client: FlaskClient, session: Session, setup: Setup
) -> None:
    seconds = int(app.config["RENDER_SLOT_SECONDS"])
    crashed_at = utcnow() - dt.timedelta(seconds=seconds + 1)
    # Two renders that never released their slots (their worker was killed).
    for _ in range(2):
        assert (
            acquire_slot(db.engine, setup.owner.id, limit=2, seconds=seconds, now=crashed_at)
            is not None
        )
    just_before_expiry = crashed_at + dt.timedelta(seconds=seconds - 1)
    assert (
        acquire_slot(db.engine, setup.owner.id, limit=2, seconds=seconds, now=just_before_expiry)
        is None
    )
    # Now they have expired: the next render takes one over.
    signin(client, setup.owner.email)
    response = client.get(f"/compare.csv?ids={_compare_ids(setup, session)}")
    assert response.status_code == 200
    assert "score (% of maximum)" in response.get_data(as_text=True)
    # ...and gave it back; the other expired row stays until someone needs it.
    assert held_slots(db.engine, setup.owner.id) == 1
    assert acquire_slot(db.engine, setup.owner.id, limit=2, seconds=seconds) is not None
    assert acquire_slot(db.engine, setup.owner.id, limit=2, seconds=seconds) is not None
    assert acquire_slot(db.engine, setup.owner.id, limit=2, seconds=seconds) is None


def test_a_failing_render_releases_its_slot(
    app: Flask, client: FlaskClient, session: Session, setup: Setup
) -> None:
    signin(client, setup.owner.email)

    def fail(_sender: Flask, **_extra: Any) -> None:
        raise RuntimeError("renderer crashed")

    with render_started.connected_to(fail, sender=app), pytest.raises(RuntimeError):
        client.get(f"/compare.pdf?ids={_compare_ids(setup, session)}")
    assert held_slots(db.engine, setup.owner.id) == 0


def test_a_streamed_download_holds_its_slot_until_it_is_sent(
    client: FlaskClient, session: Session, setup: Setup
) -> None:
    signin(client, setup.owner.email)
    response = client.get(f"/compare.csv?ids={_compare_ids(setup, session)}")
    assert response.status_code == 200
    assert response.is_streamed
    assert held_slots(db.engine, setup.owner.id) == 1
    assert "score (% of maximum)" in response.get_data(as_text=True)
    assert held_slots(db.engine, setup.owner.id) == 0


def test_renders_racing_for_slots_get_at_most_the_limit(app: Flask, setup: Setup) -> None:
    engine = db.engine
    barrier = threading.Barrier(6)

    def race(_: int) -> int | None:
        barrier.wait(WAIT)
        slot = acquire_slot(engine, setup.owner.id, limit=2, seconds=60)
        return None if slot is None else slot.number

    with ThreadPoolExecutor(max_workers=6) as pool:
        won = [number for number in pool.map(race, range(6)) if number is not None]
    assert sorted(won) == [0, 1]


@pytest.mark.parametrize("app_config", [{"RENDER_LIMIT": 0}])
def test_limit_zero_switches_the_limit_off(
    client: FlaskClient, session: Session, setup: Setup
) -> None:
    signin(client, setup.owner.email)
    response = client.get(f"/compare.csv?ids={_compare_ids(setup, session)}")
    assert response.status_code == 200
    assert held_slots(db.engine, setup.owner.id) == 0
