"""Two writers at the same instant: the save's read-check-write holds the assessment.

Two real connections at once: each writer is its own test client, run in its own thread, so each
request pushes its own app context and gets its own database session and connection. A
``threading.Barrier`` releases both posts together. On SQLite and on PostgreSQL, two teammates
who change the same item from the same base are never both told ``saved``; the loser gets the
conflict, and whatever was acknowledged is what the database holds. A save racing a submit
either lands before the snapshot (and is in it) or is refused as read-only.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import confirmed_submit_data, csrf_from, make_org, make_user, signin, start_draft
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_questionnaire_pages import form_fields, section_url
from werkzeug.test import TestResponse

from rubric_app.assessments import (
    EMPTY_STATE,
    ItemChange,
    ItemState,
    load_states,
    reopen,
    save_items,
    states_from_payload,
)
from rubric_app.models import Assessment, Snapshot
from rubric_app.questionnaire.fields import BASE_SUFFIX, field_name

ITEM = "mou-purpose-stated"
SAVE_ROUNDS = 200
BUTTON_ROUNDS = 25
RESOLVE_ROUNDS = 12
SUBMIT_ROUNDS = 25
THEIRS = re.compile(rf'name="theirs-{ITEM}" value="([^"]+)"')


@pytest.fixture
def assessment(session: Session) -> Assessment:
    org = make_org(session, "Riverside Schools")
    first = make_user(session, "first@riverside.example", org, "owner")
    make_user(session, "second@riverside.example", org, "owner")
    return start_draft(session, org, first)


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
        #: The submit form's confirmation of the unanswered items (set from a review page).
        self.confirmed: dict[str, str] = {}
        self.autosave_url = f"/assessments/{assessment.id}/autosave"
        self.submit_url = f"/assessments/{assessment.id}/submit"

        self.section_url = section_url(assessment)

    def form(self, comment: str, base: str) -> dict[str, list[str]]:
        """The section form with ITEM's comment typed over the page whose ITEM showed ``base``."""
        data = {key: list(values) for key, values in self.fields.items()}
        data[field_name(ITEM, "comment")] = [comment]
        data[field_name(ITEM, BASE_SUFFIX)] = [base]
        return data

    def autosave(self, comment: str, base: str) -> TestResponse:
        return self.client.post(
            self.autosave_url, data=self.form(comment, base), headers={"X-CSRFToken": self.token}
        )

    def press_save(self, comment: str, base: str) -> TestResponse:
        """The no-JavaScript Save button."""
        return self.client.post(self.section_url, data=self.form(comment, base))

    def keep_mine_form(self, conflict_url: str) -> dict[str, str]:
        """The conflicts page as rendered now, filled in to keep my version of ITEM."""
        page = self.client.get(conflict_url).get_data(as_text=True)
        theirs = THEIRS.search(page)
        assert theirs is not None, page[:500]
        return {
            "csrf_token": csrf_from(page),
            f"theirs-{ITEM}": theirs.group(1),
            f"choice-{ITEM}": "mine",
        }

    def post(self, url: str, data: dict[str, str]) -> TestResponse:
        return self.client.post(url, data=data)

    def submit(self) -> TestResponse:
        # The items the review page listed as unanswered, confirmed (a comment changes none).
        return self.client.post(self.submit_url, data={**self.confirmed, "csrf_token": self.token})


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


def test_two_owners_pressing_save_at_once_one_saves_one_gets_the_conflicts_page(
    app: Flask, session: Session, assessment: Assessment, pool: ThreadPoolExecutor
) -> None:
    first = Writer(app, "first@riverside.example", assessment)
    second = Writer(app, "second@riverside.example", assessment)
    for round_number in range(BUTTON_ROUNDS):
        _comment, base = stored_comment(session, assessment)
        mine, theirs = f"first {round_number}", f"second {round_number}"
        responses = at_once(
            pool, partial(first.press_save, mine, base), partial(second.press_save, theirs, base)
        )
        locations = [response.headers.get("Location", "") for response in responses]
        where = f"round {round_number}: {locations}"
        assert [response.status_code for response in responses] == [302, 302], where
        saved = [location.endswith(first.section_url) for location in locations]
        assert saved.count(True) == 1, where
        winner = saved.index(True)
        assert "/conflicts/" in locations[1 - winner], where
        assert stored_comment(session, assessment)[0] == (mine, theirs)[winner], where


def test_two_owners_resolving_the_same_conflict_at_once(
    app: Flask, session: Session, assessment: Assessment, pool: ThreadPoolExecutor
) -> None:
    first = Writer(app, "first@riverside.example", assessment)
    second = Writer(app, "second@riverside.example", assessment)
    for round_number in range(RESOLVE_ROUNDS):
        _comment, base = stored_comment(session, assessment)
        # A third teammate saves first, so both pages below are stale and get the conflict.
        save_items(
            session,
            assessment,
            [ItemChange(ITEM, ItemState(comment=f"third {round_number}"), None)],
            user=None,
        )
        session.commit()
        mine, theirs = f"first {round_number}", f"second {round_number}"
        conflict_urls = []
        for writer, comment in ((first, mine), (second, theirs)):
            location = writer.press_save(comment, base).headers.get("Location", "")
            assert "/conflicts/" in location, location
            conflict_urls.append(location)
        # Both teammates have the conflicts page open (showing the third's version) before
        # either presses Keep mine; only the presses race.
        forms = [
            writer.keep_mine_form(url)
            for writer, url in zip((first, second), conflict_urls, strict=True)
        ]
        responses = at_once(
            pool,
            partial(first.post, conflict_urls[0], forms[0]),
            partial(second.post, conflict_urls[1], forms[1]),
        )
        statuses = [response.status_code for response in responses]
        where = f"round {round_number}: {statuses}"
        assert sorted(statuses) == [200, 302], where
        winner = statuses.index(302)
        loser = responses[1 - winner].get_data(as_text=True)
        # The loser is shown the winner's version side by side, to choose again.
        assert "Someone changed some of these items again" in loser, where
        assert (mine, theirs)[winner] in loser, where
        assert stored_comment(session, assessment)[0] == (mine, theirs)[winner], where


def test_a_save_racing_a_submit_is_in_the_snapshot_or_refused(
    app: Flask, session: Session, assessment: Assessment, pool: ThreadPoolExecutor
) -> None:
    submitter = Writer(app, "first@riverside.example", assessment)
    saver = Writer(app, "second@riverside.example", assessment)
    review = submitter.client.get(f"/assessments/{assessment.id}/review").get_data(as_text=True)
    submitter.token = csrf_from(review)
    submitter.confirmed = confirmed_submit_data(review)
    outcomes: set[str] = set()
    for round_number in range(SUBMIT_ROUNDS):
        _comment, base = stored_comment(session, assessment)
        comment = f"late {round_number}"
        submitted, saved = at_once(pool, submitter.submit, partial(saver.autosave, comment, base))
        body = saved.get_json()
        where = (
            f"round {round_number}: save answered {saved.status_code} "
            f"{body.get('status')} saved={body.get('saved')}"
        )
        assert submitted.status_code == 302, where
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
