"""Two writers at the same instant: the save's read-check-write holds the assessment.

Two real connections at once: each writer is its own test client, run in its own thread, so each
request pushes its own app context and gets its own database session and connection. A
``threading.Barrier`` releases both posts together. On SQLite and on PostgreSQL, two teammates
who change the same item from the same base are never both told ``saved``; the loser gets the
conflict, and whatever was acknowledged is what the database holds. A save racing a submit
either lands before the snapshot (and is in it) or is refused as read-only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_from, make_org, make_user, signin
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_questionnaire_pages import LOCAL, form_fields, section_url
from werkzeug.test import TestResponse

from rubric_app.assessments import (
    EMPTY_STATE,
    load_states,
    reopen,
    start_assessment,
    states_from_payload,
)
from rubric_app.models import Assessment, Snapshot
from rubric_app.questionnaire.fields import BASE_SUFFIX, field_name
from rubric_app.rubric_versions import latest_version

ITEM = "mou-purpose-stated"
SAVE_ROUNDS = 200
SUBMIT_ROUNDS = 40


@pytest.fixture
def assessment(session: Session) -> Assessment:
    org = make_org(session, "Riverside Schools")
    first = make_user(session, "first@riverside.example", org, "owner")
    make_user(session, "second@riverside.example", org, "owner")
    created = start_assessment(
        session,
        org=org,
        version=latest_version(session, LOCAL),
        title="MOU review",
        period="2026-27",
        user=first,
    )
    session.commit()
    return created


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


class Writer:
    """One signed-in teammate with the section form as their browser last rendered it."""

    def __init__(self, app: Flask, email: str, assessment: Assessment) -> None:
        self.client: FlaskClient = app.test_client()
        signin(self.client, email)
        self.fields = form_fields(self.client.get(section_url(assessment)).get_data(as_text=True))
        self.token = self.fields["csrf_token"][0]
        self.autosave_url = f"/assessments/{assessment.id}/autosave"
        self.submit_url = f"/assessments/{assessment.id}/submit"

    def autosave(self, comment: str, base: str) -> TestResponse:
        data = {key: list(values) for key, values in self.fields.items()}
        data[field_name(ITEM, "comment")] = [comment]
        data[field_name(ITEM, BASE_SUFFIX)] = [base]
        return self.client.post(self.autosave_url, data=data, headers={"X-CSRFToken": self.token})

    def submit(self) -> TestResponse:
        return self.client.post(self.submit_url, data={"csrf_token": self.token})


def at_once(
    pool: ThreadPoolExecutor, first: Callable[[], TestResponse], second: Callable[[], TestResponse]
) -> tuple[TestResponse, TestResponse]:
    """Run both requests in their own threads, released together by a barrier."""
    barrier = threading.Barrier(2, timeout=30)

    def released(call: Callable[[], TestResponse]) -> TestResponse:
        barrier.wait()
        return call()

    one = pool.submit(released, first)
    two = pool.submit(released, second)
    return one.result(timeout=60), two.result(timeout=60)


def stored_comment(session: Session, assessment: Assessment) -> tuple[str, str]:
    """The stored comment of ITEM and its fingerprint, as a fresh transaction sees them."""
    session.rollback()
    state = load_states(session, assessment).get(ITEM, EMPTY_STATE)
    return state.comment, state.fingerprint()


def test_two_owners_saving_one_item_at_once_never_both_hear_saved(
    app: Flask, session: Session, assessment: Assessment, pool: ThreadPoolExecutor
) -> None:
    first = Writer(app, "first@riverside.example", assessment)
    second = Writer(app, "second@riverside.example", assessment)
    revisions: list[int] = []
    for round_number in range(SAVE_ROUNDS):
        _comment, base = stored_comment(session, assessment)
        mine, theirs = f"first {round_number}", f"second {round_number}"
        responses = at_once(
            pool, partial(first.autosave, mine, base), partial(second.autosave, theirs, base)
        )
        bodies: list[dict[str, Any]] = []
        for response in responses:
            assert response.status_code == 200, response.get_data(as_text=True)[:500]
            bodies.append(response.get_json())
        saved = [ITEM in body["saved"] for body in bodies]
        where = f"round {round_number}: " + "; ".join(
            f"{body['status']} saved={body['saved']} revision={body['revision']}" for body in bodies
        )
        assert saved.count(True) == 1, where
        winner = saved.index(True)
        loser = bodies[1 - winner]
        assert loser["status"] == "conflict", where
        assert loser["conflicts"] == [ITEM], where
        assert bodies[winner]["status"] == "saved", where
        # What was acknowledged is what is stored.
        assert stored_comment(session, assessment)[0] == (mine, theirs)[winner], where
        revisions.append(bodies[winner]["revision"])
    # Every acknowledged save got its own revision, counted up in the database.
    assert revisions == sorted(set(revisions))
    assert len(revisions) == SAVE_ROUNDS


def test_a_save_racing_a_submit_is_in_the_snapshot_or_refused(
    app: Flask, session: Session, assessment: Assessment, pool: ThreadPoolExecutor
) -> None:
    submitter = Writer(app, "first@riverside.example", assessment)
    saver = Writer(app, "second@riverside.example", assessment)
    submitter.token = csrf_from(
        submitter.client.get(f"/assessments/{assessment.id}/review").get_data(as_text=True)
    )
    outcomes: set[str] = set()
    for round_number in range(SUBMIT_ROUNDS):
        _comment, base = stored_comment(session, assessment)
        comment = f"late {round_number}"
        submitted, saved = at_once(pool, submitter.submit, partial(saver.autosave, comment, base))
        where = f"round {round_number}: {saved.get_data(as_text=True)[:300]}"
        assert submitted.status_code == 302, where
        body = saved.get_json()
        session.rollback()
        current = session.get(Assessment, assessment.id)
        assert current is not None
        session.refresh(current)
        assert current.status == "submitted", where
        snapshot = session.scalar(
            select(Snapshot)
            .where(Snapshot.assessment_id == assessment.id)
            .order_by(Snapshot.number.desc())
        )
        assert snapshot is not None
        frozen = states_from_payload(snapshot.payload)
        # Nothing lands after the snapshot: what is stored is exactly what was frozen.
        assert load_states(session, current) == {
            item_id: state for item_id, state in frozen.items() if not state.is_empty()
        }, where
        assert snapshot.revision == current.revision, where
        if saved.status_code == 200 and ITEM in body["saved"]:
            outcomes.add("saved first")
            assert frozen[ITEM].comment == comment, where
        else:
            outcomes.add("refused")
            assert saved.status_code == 409, where
            assert body["reason"] == "submitted", where
            assert "read-only" in body["message"], where
            assert frozen.get(ITEM, EMPTY_STATE).comment != comment, where
        reopen(session, current, user=None, reason="next round")
        session.commit()
    assert outcomes, "no round ran"
