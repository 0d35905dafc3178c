"""Open actions carried into the next period's plan: listed, carried once (double submit and
two concurrent carries), refused for done or foreign actions (SQLite, and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_from, make_user, signin
from reports_fixtures import Setup, make_assessment, make_setup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rubric_app.catalog_state import current_catalog
from rubric_app.db import db
from rubric_app.models import Action, Assessment
from rubric_app.reports.actions import ActionError, carry_action, create_action
from rubric_app.reports.view_data import build_report


def _two_periods(session: Session) -> tuple[Setup, Assessment, Action, Action]:
    """Last period (2025-26) with one open and one done action; this period started from it."""
    setup = make_setup(session)
    gaps = build_report(session, setup.assessment, current_catalog()).gaps
    open_action = create_action(
        session,
        setup.assessment,
        item_id=gaps[0].item_id,
        description="Sign the MOU clause",
        owner="Superintendent",
        status="in_progress",
        user=setup.owner,
    )
    done_action = create_action(
        session,
        setup.assessment,
        item_id=gaps[1].item_id,
        description="Train the officers",
        status="done",
        user=setup.owner,
    )
    session.commit()
    current = make_assessment(
        session, setup.org, setup.owner, period="2026-27", previous=setup.assessment
    )
    session.commit()
    return setup, current, open_action, done_action


def _copies(session: Session, assessment: Assessment) -> int:
    return session.scalar(
        select(func.count()).select_from(Action).where(Action.assessment_id == assessment.id)
    )


def test_open_actions_are_listed_and_carried_once(client: FlaskClient, session: Session) -> None:
    setup, current, open_action, _done = _two_periods(session)
    assert setup.assessment.period == "2025-26"
    signin(client, setup.owner.email)
    url = f"/assessments/{current.id}/actions"
    page = client.get(url).get_data(as_text=True)
    assert "Carried over from 2025-26" in page
    assert "Sign the MOU clause" in page
    assert "Train the officers" not in page
    carry_url = f"{url}/carry/{open_action.id}"
    assert f'action="{carry_url}"' in page

    token = csrf_from(page)
    assert client.post(carry_url, data={}).status_code == 400
    first = client.post(carry_url, data={"csrf_token": token})
    second = client.post(carry_url, data={"csrf_token": token})
    assert first.status_code == second.status_code == 302
    session.expire_all()
    copy = session.scalar(select(Action).where(Action.assessment_id == current.id))
    assert copy is not None
    assert _copies(session, current) == 1
    assert (copy.item_id, copy.description, copy.status, copy.carried_from_id) == (
        open_action.item_id,
        "Sign the MOU clause",
        "planned",
        open_action.id,
    )
    # The source stays as it was; once carried, it leaves the carry-over list.
    assert session.get(Action, open_action.id).status == "in_progress"
    after = client.get(url).get_data(as_text=True)
    assert "Carried over from" not in after
    assert "Sign the MOU clause" in after


def test_done_and_foreign_actions_are_not_carried(session: Session) -> None:
    setup, current, _open, done_action = _two_periods(session)
    with pytest.raises(ActionError, match="already done"):
        carry_action(session, current, done_action.id, user=setup.owner)
    own = create_action(
        session, current, item_id=done_action.item_id, description="New", user=setup.owner
    )
    session.commit()
    with pytest.raises(ActionError, match="previous period"):
        carry_action(session, current, own.id, user=setup.owner)
    with pytest.raises(ActionError, match="previous period"):
        carry_action(session, setup.assessment, own.id, user=setup.owner)


def test_viewers_cannot_carry(client: FlaskClient, session: Session) -> None:
    setup, current, open_action, _done = _two_periods(session)
    make_user(session, "viewer@carry.example", setup.org, "viewer")
    session.commit()
    signin(client, "viewer@carry.example")
    page = client.get(f"/assessments/{current.id}/actions").get_data(as_text=True)
    assert "Carried over from 2025-26" in page
    assert "Carry into this plan" not in page
    response = client.post(
        f"/assessments/{current.id}/actions/carry/{open_action.id}",
        data={"csrf_token": csrf_from(page)},
    )
    assert response.status_code == 403
    assert _copies(session, current) == 0


def test_two_concurrent_carries_create_one_copy(app: Flask, session: Session) -> None:
    _setup, current, open_action, _done = _two_periods(session)
    # Plain ids: the threads must not touch the test's own session.
    current_id, source_id = current.id, open_action.id
    engine = db.engine
    barrier = threading.Barrier(2)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def carry() -> None:
        try:
            with app.app_context(), Session(engine) as own:
                assessment = own.get(Assessment, current_id)
                assert assessment is not None
                barrier.wait()
                copy, created = carry_action(own, assessment, source_id, user=None)
                own.commit()
                results.append((copy.id, created))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=carry) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(created for _id, created in results) == [False, True]
    assert len({copy_id for copy_id, _created in results}) == 1
    session.expire_all()
    assert _copies(session, current) == 1
