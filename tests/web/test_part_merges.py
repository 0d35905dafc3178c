"""Changes to different parts of one item merge; the same part changed twice conflicts.

Two teammates (Dana, an owner, and Sam, an editor), each their own test client and so their own
request, session and database connection, on SQLite and on PostgreSQL. An item's parts are its
ratings (one per dimension), N/A with its reason, the comment, the evidence and the flag
(``rubric_app.assessments.parts``); each page posts a base with a hash per part.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_from, make_org, make_user, signin, start_draft
from sqlalchemy.orm import Session
from test_concurrent_saves import at_once, pool
from test_questionnaire_pages import LOCAL, form_fields, section_url
from werkzeug.test import TestResponse

from rubric_app.assessments import EMPTY_STATE, ItemState, load_states
from rubric_app.models import Assessment

ITEM = "mou-purpose-stated"
RACE_ROUNDS = 25

__all__ = ["pool"]  # the fixture, used by name


@pytest.fixture
def assessment(session: Session) -> Assessment:
    org = make_org(session, "Riverside Schools")
    dana = make_user(session, "dana@riverside.example", org, "owner")
    make_user(session, "sam@riverside.example", org, "editor")
    return start_draft(session, org, dana, LOCAL)


class Page:
    """One open section page (a browser tab) of a signed-in teammate, autosaving."""

    def __init__(self, client: FlaskClient, assessment: Assessment) -> None:
        self.client = client
        self.url = section_url(assessment)
        self.fields = form_fields(client.get(self.url).get_data(as_text=True))
        self.autosave_url = f"/assessments/{assessment.id}/autosave"

    def autosave(self, **changes: list[str]) -> dict[str, Any]:
        """Type ``changes`` (by field suffix of ITEM) and autosave; take the new bases."""
        return self.autosave_response(**changes).get_json()

    def autosave_response(self, **changes: list[str]) -> TestResponse:
        for suffix, value in changes.items():
            self.fields[f"{ITEM}__{suffix}"] = value
        response = self.client.post(
            self.autosave_url,
            data=self.fields,
            headers={"X-CSRFToken": self.fields["csrf_token"][0]},
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        for item_id, base in response.get_json()["bases"].items():
            self.fields[f"{item_id}__base"] = [base]
        return response


def client_of(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    signin(client, email)
    return client


def stored(session: Session, assessment: Assessment) -> ItemState:
    session.rollback()
    return load_states(session, assessment).get(ITEM, EMPTY_STATE)


def test_ratings_and_a_comment_changed_on_two_pages_both_stay_without_a_conflict(
    app: Flask, session: Session, assessment: Assessment
) -> None:
    dana = Page(client_of(app, "dana@riverside.example"), assessment)
    sam = Page(client_of(app, "sam@riverside.example"), assessment)
    body = dana.autosave(policy=["partly"], practice=["not-in-place"])
    assert body["status"] == "saved"
    # Sam's page still shows the item unanswered; Sam types only a comment.
    body = sam.autosave(comment=["Ask the district about the 2019 addendum"])
    assert body["status"] == "saved"
    assert body["saved"] == [ITEM]
    assert "conflicts" not in body
    # Sam's page now shows older ratings than are stored: it is told to reload.
    assert body["stale"] == [ITEM]
    state = stored(session, assessment)
    assert state.values == {"policy": "partly", "practice": "not-in-place"}
    assert state.comment == "Ask the district about the 2019 addendum"
    # Sam carries on typing: still no conflict, and Dana's ratings are not cleared by the
    # unanswered radios still on Sam's page.
    body = sam.autosave(comment=["Ask the district about the 2019 addendum, and the 2021 one"])
    assert body["status"] == "saved"
    state = stored(session, assessment)
    assert state.values == {"policy": "partly", "practice": "not-in-place"}
    assert state.comment.endswith("the 2021 one")
    # Dana, whose page shows no comment, re-rates practice: the comment stays.
    assert dana.autosave(practice=["fully"])["status"] == "saved"
    state = stored(session, assessment)
    assert state.values == {"policy": "partly", "practice": "fully"}
    assert state.comment.endswith("the 2021 one")


def test_two_ratings_of_one_item_are_two_parts(
    app: Flask, session: Session, assessment: Assessment
) -> None:
    dana = Page(client_of(app, "dana@riverside.example"), assessment)
    sam = Page(client_of(app, "sam@riverside.example"), assessment)
    assert dana.autosave(policy=["fully"])["status"] == "saved"
    assert sam.autosave(practice=["partly"])["status"] == "saved"
    assert stored(session, assessment).values == {"policy": "fully", "practice": "partly"}


def test_the_same_rating_changed_on_two_pages_conflicts_and_the_page_shows_each_part(
    app: Flask, session: Session, assessment: Assessment
) -> None:
    dana = Page(client_of(app, "dana@riverside.example"), assessment)
    sam_client = client_of(app, "sam@riverside.example")
    sam = Page(sam_client, assessment)
    dana.autosave(policy=["fully"], comment=["Dana's note"])
    # Sam rates the same dimension differently and flags the item: the flag is saved at once,
    # the rating conflicts.
    body = sam.autosave(policy=["not-in-place"], flagged=["y"])
    assert body["status"] == "conflict"
    assert body["conflicts"] == [ITEM]
    assert body["conflicts_by_you"] == []
    assert body["saved"] == [ITEM]
    state = stored(session, assessment)
    assert (state.values, state.comment, state.flagged) == (
        {"policy": "fully"},
        "Dana's note",
        True,
    )

    page = sam_client.get(body["conflict_url"]).get_data(as_text=True)
    assert "Someone else changed the same answers" in page
    assert "Someone else changed this item." in page
    rows = re.findall(
        r'<tr><th scope="row">(.*?)</th><td class="typed">(.*?)</td><td class="typed">(.*?)</td>',
        page,
    )
    # Only the part changed in both places is listed, with what each version holds.
    assert rows == [("Written MOU or policy", "Not in place", "Fully in place")]
    # "My version" keeps what Sam never touched as saved: Dana's comment is in it.
    mine = page.split('id="mine-')[1].split('id="theirs-')[0]
    assert "Dana&#39;s note" in mine or "Dana's note" in mine
    theirs = re.search(rf'name="theirs-{ITEM}" value="([^"]+)"', page)
    assert theirs is not None
    response = sam_client.post(
        body["conflict_url"],
        data={
            "csrf_token": csrf_from(page),
            f"theirs-{ITEM}": theirs.group(1),
            f"choice-{ITEM}": "mine",
        },
    )
    assert response.status_code == 302
    state = stored(session, assessment)
    assert state.values == {"policy": "not-in-place"}
    assert (state.comment, state.flagged) == ("Dana's note", True)


def test_not_applicable_against_a_rating_is_a_conflict(
    app: Flask, session: Session, assessment: Assessment
) -> None:
    dana = Page(client_of(app, "dana@riverside.example"), assessment)
    sam_client = client_of(app, "sam@riverside.example")
    sam = Page(sam_client, assessment)
    dana.autosave(policy=["partly"])
    body = sam.autosave(na=["y"], na_reason=["No officers in our schools"])
    assert body["status"] == "conflict"
    state = stored(session, assessment)
    assert state.values == {"policy": "partly"}
    assert not state.not_applicable
    page = sam_client.get(body["conflict_url"]).get_data(as_text=True)
    assert "Not applicable to us" in page
    assert "Ticked. Why: No officers in our schools" in page
    assert "Partly in place" in page


def test_the_same_user_in_two_tabs_is_told_it_was_another_tab(
    app: Flask, session: Session, assessment: Assessment
) -> None:
    client = client_of(app, "sam@riverside.example")
    first, second = Page(client, assessment), Page(client, assessment)
    assert first.autosave(comment=["From the first tab"])["status"] == "saved"
    body = second.autosave(comment=["From the second tab"])
    assert body["status"] == "conflict"
    assert body["conflicts_by_you"] == [ITEM]
    page = client.get(body["conflict_url"]).get_data(as_text=True)
    assert "You changed the same answers in another tab or window" in page
    assert "You changed this item in another tab or window." in page
    assert "Someone else" not in page
    assert "From the first tab" in page
    assert "From the second tab" in page


def test_a_page_drawn_before_part_bases_conflicts_on_the_whole_item(
    app: Flask, session: Session, assessment: Assessment
) -> None:
    """A base without part hashes (a page open across the upgrade) knows the item as a whole:
    any change on both sides is a conflict, and the page says the whole item is compared."""
    dana = Page(client_of(app, "dana@riverside.example"), assessment)
    sam_client = client_of(app, "sam@riverside.example")
    sam = Page(sam_client, assessment)
    sam.fields[f"{ITEM}__base"] = [EMPTY_STATE.fingerprint()]  # the old format
    dana.autosave(policy=["partly"])
    body = sam.autosave(comment=["Only a comment"])
    assert body["status"] == "conflict"
    assert stored(session, assessment).comment == ""
    page = sam_client.get(body["conflict_url"]).get_data(as_text=True)
    assert "your version is the whole item as your page showed it" in page


def test_two_pages_changing_different_parts_at_the_same_instant_both_save(
    app: Flask, session: Session, assessment: Assessment, pool: ThreadPoolExecutor
) -> None:
    """Two connections at once (released by a barrier), under the assessment lock: whichever
    goes second merges with the first, so both are told "saved" and both parts are stored."""
    dana_client = client_of(app, "dana@riverside.example")
    sam_client = client_of(app, "sam@riverside.example")
    for round_number in range(RACE_ROUNDS):
        dana, sam = Page(dana_client, assessment), Page(sam_client, assessment)
        rating = ("partly", "fully")[round_number % 2]
        comment = f"Round {round_number}"
        bodies = [
            response.get_json()
            for response in at_once(
                pool,
                partial(dana.autosave_response, policy=[rating]),
                partial(sam.autosave_response, comment=[comment]),
            )
        ]
        where = f"round {round_number}: {[(b['status'], b['saved']) for b in bodies]}"
        assert [body["status"] for body in bodies] == ["saved", "saved"], where
        state = stored(session, assessment)
        assert (state.values, state.comment) == ({"policy": rating}, comment), where
