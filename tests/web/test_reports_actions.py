"""The action plan: plan from a gap, validation that keeps input, edit, complete, next cycle."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from flask.testing import FlaskClient
from helpers import csrf_from, make_user, signin
from markupsafe import escape
from reports_fixtures import make_assessment, make_setup, rated_states
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.assessments import ItemState
from rubric_app.catalog_state import current_catalog
from rubric_app.models import Action, AuditEvent
from rubric_app.reports.actions import (
    DESCRIPTION_MAX,
    ActionError,
    advice_draft,
    create_action,
    planned_actions_for,
)
from rubric_app.reports.view_data import build_report
from rubric_app.templating import format_date


def test_plan_an_action_from_a_gap(client: FlaskClient, session: Session) -> None:
    setup = make_setup(session)
    gap = build_report(session, setup.assessment, current_catalog()).gaps[0]
    signin(client, setup.owner.email)
    url = f"/assessments/{setup.assessment.id}/actions/new"

    form = client.get(f"{url}?item={gap.item_id}").get_data(as_text=True)
    assert f'<option selected value="{gap.item_id}">' in form
    assert str(escape(gap.recommendation)) in form

    response = client.post(
        url,
        data={
            "csrf_token": csrf_from(form),
            "item_id": gap.item_id,
            "description": "  Sign the MOU before the school year.  ",
            "owner": "Superintendent",
            "due_date": "2027-08-01",
            "status": "planned",
        },
    )
    assert response.status_code == 302
    action = session.scalar(select(Action))
    assert action is not None
    assert (action.item_id, action.description, action.owner, action.due_date) == (
        gap.item_id,
        "Sign the MOU before the school year.",
        "Superintendent",
        dt.date(2027, 8, 1),
    )
    listing = client.get(f"/assessments/{setup.assessment.id}/actions").get_data(as_text=True)
    assert "Sign the MOU before the school year." in listing
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "action.create"))
    report_page = client.get(f"/assessments/{setup.assessment.id}/report").get_data(as_text=True)
    assert "Planned now" in report_page


def test_bad_action_keeps_what_was_typed(client: FlaskClient, session: Session) -> None:
    setup = make_setup(session)
    gap = build_report(session, setup.assessment, current_catalog()).gaps[0]
    signin(client, setup.owner.email)
    url = f"/assessments/{setup.assessment.id}/actions/new"
    token = csrf_from(client.get(url).data)

    fields = {"csrf_token": token, "item_id": gap.item_id, "status": "planned"}
    response = client.post(
        url,
        data={
            **fields,
            "description": "",
            "owner": "Chief of Police Ramirez",
            "due_date": "next spring",
        },
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "Describe the action." in page
    next_year = dt.date.today().year + 1
    assert f"Enter the due date as year-month-day, e.g. {next_year}-06-30." in page
    assert 'value="Chief of Police Ramirez"' in page
    assert 'value="next spring"' in page
    assert session.scalar(select(Action)) is None

    # A year mistyped as 0001 is refused too, not saved as "1 Jan 1 (overdue)".
    response = client.post(
        url, data={**fields, "description": "Meet each term", "due_date": "0001-01-01"}
    )
    assert response.status_code == 400
    assert "Enter a due date between 2000 and 2099" in response.get_data(as_text=True)
    assert session.scalar(select(Action)) is None


def test_an_owner_or_description_that_would_print_backwards_is_refused(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    gap = build_report(session, setup.assessment, current_catalog()).gaps[0]
    signin(client, setup.owner.email)
    url = f"/assessments/{setup.assessment.id}/actions/new"
    fields = {
        "csrf_token": csrf_from(client.get(url).data),
        "item_id": gap.item_id,
        "status": "planned",
        "description": "Sign the MOU.",
        "owner": "Superintendent",
    }
    for name in ("owner", "description"):
        response = client.post(url, data={**fields, name: "\u202etnednetnirepuS"})
        assert response.status_code == 400, name
        assert "invisible formatting character (U+202E)" in response.get_data(as_text=True)
    assert session.scalar(select(Action)) is None
    # The operation refuses it too, whoever calls it.
    with pytest.raises(ActionError, match="U\\+202E"):
        create_action(
            session,
            setup.assessment,
            item_id=gap.item_id,
            description="Sign the MOU.",
            owner="\u202etnednetnirepuS",
            user=setup.owner,
        )


def test_unknown_item_is_refused(client: FlaskClient, session: Session) -> None:
    setup = make_setup(session)
    signin(client, setup.owner.email)
    url = f"/assessments/{setup.assessment.id}/actions/new"
    token = csrf_from(client.get(url).data)
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "item_id": "no-such-item",
            "description": "x",
            "status": "planned",
        },
    )
    assert response.status_code == 400
    assert session.scalar(select(Action)) is None


def test_edit_and_complete(client: FlaskClient, session: Session) -> None:
    setup = make_setup(session)
    gap = build_report(session, setup.assessment, current_catalog()).gaps[0]
    action = create_action(
        session, setup.assessment, item_id=gap.item_id, description="Draft", user=setup.owner
    )
    session.commit()
    signin(client, setup.owner.email)
    edit_url = f"/assessments/{setup.assessment.id}/actions/{action.id}/edit"
    page = client.get(edit_url).get_data(as_text=True)
    assert "Draft</textarea>" in page

    response = client.post(
        edit_url,
        data={
            "csrf_token": csrf_from(page),
            "item_id": gap.item_id,
            "description": "Draft the clause with counsel",
            "owner": "Counsel",
            "due_date": "",
            "status": "in_progress",
        },
    )
    assert response.status_code == 302
    session.refresh(action)
    assert (action.description, action.status, action.due_date) == (
        "Draft the clause with counsel",
        "in_progress",
        None,
    )

    listing = client.get(f"/assessments/{setup.assessment.id}/actions").get_data(as_text=True)
    response = client.post(
        f"/assessments/{setup.assessment.id}/actions/{action.id}/complete",
        data={"csrf_token": csrf_from(listing)},
    )
    assert response.status_code == 302
    session.refresh(action)
    assert action.status == "done"
    assert action.done_at is not None
    done_at = action.done_at
    today = format_date(done_at.astimezone(dt.UTC).date())
    listing = client.get(f"/assessments/{setup.assessment.id}/actions").get_data(as_text=True)
    assert f'<span class="action__done-on">on {today}</span>' in listing
    assert f"Done on {today}." in client.get(f"/assessments/{setup.assessment.id}/report").get_data(
        as_text=True
    )

    # Rewording a done action is no new completion: its day stays.
    fields = {
        "item_id": gap.item_id,
        "description": "Clause drafted with counsel",
        "owner": "Counsel",
        "due_date": "",
    }
    page = client.get(edit_url).get_data(as_text=True)
    response = client.post(
        edit_url, data={**fields, "csrf_token": csrf_from(page), "status": "done"}
    )
    assert response.status_code == 302
    session.refresh(action)
    assert (action.description, action.done_at) == ("Clause drafted with counsel", done_at)

    # Reopened, it has no day until it is done again.
    response = client.post(
        edit_url, data={**fields, "csrf_token": csrf_from(page), "status": "in_progress"}
    )
    assert response.status_code == 302
    session.refresh(action)
    assert (action.status, action.done_at) == ("in_progress", None)
    listing = client.get(f"/assessments/{setup.assessment.id}/actions").get_data(as_text=True)
    assert "action__done-on" not in listing


def test_an_action_planned_as_done_is_dated_and_one_done_before_dates_were_kept_is_not(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    gap = build_report(session, setup.assessment, current_catalog()).gaps[0]
    before = dt.datetime.now(dt.UTC)
    action = create_action(
        session,
        setup.assessment,
        item_id=gap.item_id,
        description="Signed",
        status="done",
        user=setup.owner,
    )
    session.commit()
    session.refresh(action)
    assert action.done_at is not None
    assert before <= action.done_at.astimezone(dt.UTC) <= dt.datetime.now(dt.UTC)

    action.done_at = None  # as for actions marked done before the migration
    session.commit()
    signin(client, setup.owner.email)
    listing = client.get(f"/assessments/{setup.assessment.id}/actions").get_data(as_text=True)
    assert "action__done-on" not in listing
    assert "Done on" not in client.get(f"/assessments/{setup.assessment.id}/report").get_data(
        as_text=True
    )


def test_completing_without_csrf_is_refused(client: FlaskClient, session: Session) -> None:
    setup = make_setup(session)
    gap = build_report(session, setup.assessment, current_catalog()).gaps[0]
    action = create_action(
        session, setup.assessment, item_id=gap.item_id, description="Draft", user=setup.owner
    )
    session.commit()
    signin(client, setup.owner.email)
    response = client.post(f"/assessments/{setup.assessment.id}/actions/{action.id}/complete")
    assert response.status_code == 400
    session.refresh(action)
    assert action.status == "planned"


def test_viewers_and_other_assessments_cannot_change_actions(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    other = make_assessment(session, setup.org, setup.owner, period="2026-27")
    gap = build_report(session, setup.assessment, current_catalog()).gaps[0]
    action = create_action(
        session, setup.assessment, item_id=gap.item_id, description="Draft", user=setup.owner
    )
    make_user(session, "viewer@riverton.example.org", setup.org, "viewer")
    session.commit()

    signin(client, setup.owner.email)
    # The action belongs to another assessment of the same organization: not found there.
    assert client.get(f"/assessments/{other.id}/actions/{action.id}/edit").status_code == 404

    client.get("/")
    viewer = client.application.test_client()
    signin(viewer, "viewer@riverton.example.org")
    base = f"/assessments/{setup.assessment.id}/actions"
    assert viewer.get(base).status_code == 200
    assert viewer.get(f"{base}/new").status_code == 403
    assert viewer.get(f"{base}/{action.id}/edit").status_code == 403
    assert "Mark done" not in viewer.get(base).get_data(as_text=True)


def test_next_cycle_shows_planned_against_achieved(client: FlaskClient, session: Session) -> None:
    setup = make_setup(session)
    before = build_report(session, setup.assessment, current_catalog())
    achieved_gap, unchanged_gap = before.gaps[0], before.gaps[1]
    for gap, text in ((achieved_gap, "Sign the clause"), (unchanged_gap, "Train staff")):
        create_action(
            session, setup.assessment, item_id=gap.item_id, description=text, user=setup.owner
        )
    session.commit()
    states = rated_states(session=session)
    fully = dict.fromkeys(states[achieved_gap.item_id].values, "fully")
    states[achieved_gap.item_id] = ItemState(values=fully)
    current = make_assessment(
        session, setup.org, setup.owner, period="2026-27", previous=setup.assessment, states=states
    )

    report = build_report(session, current, current_catalog())
    results = {outcome.action.item_id: outcome.result for outcome in report.outcomes}
    assert results == {achieved_gap.item_id: "achieved", unchanged_gap.item_id: "same"}
    planned = planned_actions_for(session, current)
    assert [view.from_previous for view in planned[unchanged_gap.item_id]] == [True]
    assert [
        g.previous_actions[0].description for g in report.gaps if g.item_id == unchanged_gap.item_id
    ] == ["Train staff"]

    signin(client, setup.owner.email)
    page = client.get(f"/assessments/{current.id}/report").get_data(as_text=True)
    assert "Planned last time, achieved now" in page
    assert "Achieved: fully in place" in page
    assert "No change yet" in page
    assert "Planned in the previous assessment" in page


def test_new_action_starts_from_the_advice_for_the_short_side(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    gaps = build_report(session, setup.assessment, current_catalog()).gaps
    gap = next(g for g in gaps if g.advice)
    signin(client, setup.owner.email)
    url = f"/assessments/{setup.assessment.id}/actions/new"
    form = client.get(f"{url}?item={gap.item_id}").get_data(as_text=True)
    textarea = re.search(r'<textarea[^>]*name="description"[^>]*>(.*?)</textarea>', form, re.S)
    assert textarea is not None
    prefilled = html.unescape(textarea.group(1)).strip()
    assert prefilled == advice_draft(gap.advice, gap.recommendation)
    for _label, what in gap.advice:
        assert what.strip() in prefilled
    # Editable: what the user posts is saved, not the draft.
    response = client.post(
        url,
        data={
            "csrf_token": csrf_from(form),
            "item_id": gap.item_id,
            "description": "Our own wording.",
            "status": "planned",
        },
    )
    assert response.status_code == 302
    assert session.scalar(select(Action.description)) == "Our own wording."
    # Without a chosen gap the description starts empty.
    blank = client.get(url).get_data(as_text=True)
    empty = re.search(r'<textarea[^>]*name="description"[^>]*>(.*?)</textarea>', blank, re.S)
    assert empty is not None
    assert empty.group(1).strip() == ""


def test_advice_draft_names_each_short_side() -> None:
    both = advice_draft((("MOU", "Write it down."), ("Practice", "Do it.")), "Generic.")
    assert both == "MOU: Write it down.\n\nPractice: Do it."
    assert advice_draft((("MOU", " Write it down. "),), "Generic.") == "Write it down."
    assert advice_draft((), "Generic.") == "Generic."
    assert len(advice_draft((), "x" * 5000)) == DESCRIPTION_MAX
