"""Questionnaire pages over HTTP: start, task list, section forms, skip logic, validation,
review, submit, reopen and snapshots (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from helpers import confirmed_submit_data, csrf_from, make_org, make_user, signin
from sqlalchemy import select

from rubric_app.assessments import (
    ItemChange,
    ItemState,
    load_states,
    payload_hash,
    save_items,
    start_assessment,
)
from rubric_app.models import Assessment, AuditEvent, Snapshot
from rubric_app.rubric_versions import latest_version

LOCAL = "secure-local-implementation"
FIRST = "partnerships-and-mous"


@pytest.fixture
def team(session: Any) -> dict[str, Any]:
    """A district with an owner, an editor and a viewer, and an outsider elsewhere."""
    org = make_org(session, "Riverside Schools")
    other = make_org(session, "Elsewhere Schools")
    people = {
        "org": org,
        "other": other,
        "owner": make_user(session, "owner@riverside.example", org, "owner", name="Olive Owner"),
        "editor": make_user(session, "editor@riverside.example", org, "editor", name="Ed Editor"),
        "viewer": make_user(session, "viewer@riverside.example", org, "viewer"),
        "outsider": make_user(session, "someone@elsewhere.example", other, "owner"),
    }
    session.commit()
    return people


@pytest.fixture
def assessment(session: Any, team: dict[str, Any]) -> Assessment:
    version = latest_version(session, LOCAL)
    assert version is not None
    created = start_assessment(
        session,
        org=team["org"],
        version=version,
        title="MOU review",
        period="2026-27",
        user=team["owner"],
    )
    session.commit()
    return created


def section_url(assessment: Assessment, section_id: str = FIRST) -> str:
    return f"/assessments/{assessment.id}/sections/{section_id}"


def form_fields(html: str) -> dict[str, list[str]]:
    """What a browser would post from the section form as rendered (ticked boxes only)."""
    fields: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = (re.search(r'type="([^"]+)"', tag) or [None, "text"])[1]
        value = re.search(r'value="([^"]*)"', tag)
        if kind in ("radio", "checkbox") and "checked" not in tag:
            continue
        if kind == "submit":
            continue
        fields.setdefault(name.group(1), []).append(value.group(1) if value else "")
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        fields.setdefault(name, []).append(body.lstrip("\r\n"))
    return fields


def post_section(client: FlaskClient, url: str, changes: dict[str, Any], **extra: str) -> Any:
    page = client.get(url).get_data(as_text=True)
    data = form_fields(page)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value if isinstance(value, list) else [value]
    data.update({key: [value] for key, value in extra.items()})
    return client.post(url, data=data)


# --- Start -------------------------------------------------------------------------------


def test_start_page_offers_rubrics_for_the_organization_kind_first(
    client: FlaskClient, session: Any, team: dict[str, Any]
) -> None:
    program = make_org(session, "Youth Club", kind="afterschool_program")
    make_user(session, "lead@club.example", program, "owner")
    session.commit()
    signin(client, "lead@club.example")
    page = client.get("/assessments/new").get_data(as_text=True)
    offered = re.findall(r'name="rubric"[^>]*value="([^"]+)"', page) or re.findall(
        r'value="([^"]+)"[^>]*name="rubric"', page
    )
    assert offered[0] == "afterschool-law-enforcement-partnership"
    assert LOCAL in offered
    assert "Suggested for your organization" in page


def test_editor_starts_an_assessment_and_a_duplicate_period_is_refused(
    client: FlaskClient, session: Any, team: dict[str, Any]
) -> None:
    signin(client, "editor@riverside.example")
    token = csrf_from(client.get("/assessments/new").data)
    form = {"csrf_token": token, "rubric": LOCAL, "title": "MOU review", "period": "2026-27"}
    response = client.post("/assessments/new", data=form)
    assert response.status_code == 302
    created = session.scalar(select(Assessment).where(Assessment.org_id == team["org"].id))
    assert created is not None
    assert created.period == "2026-27"
    assert response.headers["Location"].endswith(f"/assessments/{created.id}")

    again = client.post("/assessments/new", data={**form, "title": "Second try"})
    assert again.status_code == 400
    text = again.get_data(as_text=True)
    assert "already has an assessment of this rubric for 2026-27" in text
    assert 'value="Second try"' in text  # what was typed is kept
    assert f'href="/assessments/{created.id}"' in text
    assert "Start another assessment of this rubric for this period anyway" in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"title": "\u202e6202 weiver UOM"},
            "Title contains an invisible formatting character (U+202E)",
        ),
        (
            {"period": "\u202e2026-27"},
            "The period contains an invisible formatting character (U+202E)",
        ),
        ({"period": "Spring"}, "Enter the period as a school year like 2026-27, or a year"),
        ({"period": "2026-28"}, "after 2026- comes 27"),
    ],
)
def test_a_title_or_period_that_would_print_backwards_or_askew_is_refused(
    client: FlaskClient, session: Any, team: dict[str, Any], changes: dict[str, str], message: str
) -> None:
    signin(client, "editor@riverside.example")
    token = csrf_from(client.get("/assessments/new").data)
    form = {"csrf_token": token, "rubric": LOCAL, "title": "MOU review", "period": "2026-27"}
    response = client.post("/assessments/new", data={**form, **changes})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session.scalar(select(Assessment).where(Assessment.org_id == team["org"].id)) is None


def test_a_second_assessment_for_the_same_period_needs_a_tick_and_its_own_title(
    client: FlaskClient, session: Any, team: dict[str, Any]
) -> None:
    signin(client, "editor@riverside.example")
    token = csrf_from(client.get("/assessments/new").data)
    form = {"csrf_token": token, "rubric": LOCAL, "title": "MOU review", "period": "2026-27"}
    assert client.post("/assessments/new", data=form).status_code == 302
    # Ticked, but with the same title (ignoring case and spaces): the two could not be told apart.
    same = client.post("/assessments/new", data={**form, "title": " mou REVIEW ", "another": "y"})
    assert same.status_code == 400
    text = same.get_data(as_text=True)
    assert "already has this title" in text
    tick = re.search(r'<input[^>]*name="another"[^>]*>', text)
    assert tick is not None
    assert "checked" in tick.group(0)  # the tick is kept
    # Ticked with a title of its own: a second assessment of the rubric for that period.
    second = client.post(
        "/assessments/new", data={**form, "title": "MOU review, north campus", "another": "y"}
    )
    assert second.status_code == 302
    titles = session.scalars(
        select(Assessment.title)
        .where(Assessment.org_id == team["org"].id, Assessment.period == "2026-27")
        .order_by(Assessment.id)
    ).all()
    assert titles == ["MOU review", "MOU review, north campus"]


def test_start_from_previous_copies_answers_forward(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    save_items(
        session,
        assessment,
        [
            ItemChange("partnership-exists", ItemState(values={"value": "yes"}), None),
            ItemChange(
                "mou-purpose-stated", ItemState(values={"policy": "fully"}, comment="OK"), None
            ),
        ],
        user=team["owner"],
    )
    session.commit()
    signin(client, "editor@riverside.example")
    token = csrf_from(client.get("/assessments/new").data)
    response = client.post(
        "/assessments/new",
        data={
            "csrf_token": token,
            "rubric": LOCAL,
            "title": "Next year",
            "period": "2027-28",
            "previous": str(assessment.id),
        },
    )
    assert response.status_code == 302
    copied = session.scalar(select(Assessment).where(Assessment.period == "2027-28"))
    states = load_states(session, copied)
    assert states["mou-purpose-stated"] == ItemState(values={"policy": "fully"}, comment="OK")
    assert copied.previous_id == assessment.id


def test_start_from_an_assessment_of_another_rubric_is_refused(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    signin(client, "owner@riverside.example")
    token = csrf_from(client.get("/assessments/new").data)
    response = client.post(
        "/assessments/new",
        data={
            "csrf_token": token,
            "rubric": "campus-policing-21cp",
            "title": "Campus",
            "period": "2026-27",
            "previous": str(assessment.id),
        },
    )
    assert response.status_code == 400
    assert "same rubric" in response.get_data(as_text=True)


def test_viewer_cannot_start_an_assessment(client: FlaskClient, team: dict[str, Any]) -> None:
    signin(client, "viewer@riverside.example")
    assert client.get("/assessments/new").status_code == 403
    assert "Start an assessment" not in client.get("/assessments").get_data(as_text=True)


# --- Task list and access ----------------------------------------------------------------


def test_task_list_shows_each_section_status(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    save_items(
        session,
        assessment,
        [
            ItemChange(
                "mou-no-discipline-role", ItemState(values={"policy": "fully"}, flagged=True), None
            )
        ],
        user=team["owner"],
    )
    session.commit()
    signin(client, "editor@riverside.example")
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "0 of 5 sections complete" in page
    assert re.search(r'id="status-civil-rights">Flagged for review<', page)
    assert re.search(rf'id="status-{FIRST}">Not started<', page)
    assert "Draft" in page


def test_outsiders_get_404_everywhere(
    client: FlaskClient, team: dict[str, Any], assessment: Assessment
) -> None:
    signin(client, "someone@elsewhere.example")
    for path in ("", "/review", f"/sections/{FIRST}", "/snapshots/1"):
        assert client.get(f"/assessments/{assessment.id}{path}").status_code == 404
    token = csrf_from(client.get("/assessments").data)
    for path in ("/submit", "/reopen", "/autosave"):
        response = client.post(f"/assessments/{assessment.id}{path}", data={"csrf_token": token})
        assert response.status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in(client: FlaskClient, assessment: Assessment) -> None:
    response = client.get(section_url(assessment))
    assert response.status_code == 302
    assert "/signin?next=" in response.headers["Location"]


# --- Section pages -----------------------------------------------------------------------


def test_section_page_has_a_fieldset_and_labelled_fields_per_item(
    client: FlaskClient, team: dict[str, Any], assessment: Assessment
) -> None:
    signin(client, "editor@riverside.example")
    page = client.get(section_url(assessment)).get_data(as_text=True)
    item = "mou-before-officers-start"
    assert f'id="item-{item}"' in page
    for suffix in (
        "policy",
        "practice",
        "na",
        "na_reason",
        "comment",
        "evidence_quote",
        "evidence_source",
        "flagged",
        "base",
    ):
        assert f'name="{item}__{suffix}"' in page
    for suffix in ("na", "na_reason", "comment", "evidence_quote", "evidence_source", "flagged"):
        assert f'for="{item}__{suffix}"' in page  # every control has a label
    assert page.count('<fieldset class="q-item') == 12
    assert page.count("<legend") >= 12 + 2 * 11
    assert 'type="application/json" id="skip-logic"' in page
    # "Improve" items wait for the partnership question.
    assert re.search(r'id="item-mou-living-document-reviewed"[^>]*hidden', page)


def test_saving_stores_answers_and_continue_moves_to_the_next_section(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    signin(client, "editor@riverside.example")
    response = post_section(
        client,
        section_url(assessment),
        {
            "partnership-exists__value": "yes",
            "mou-purpose-stated__policy": "partly",
            "mou-purpose-stated__comment": "Purpose clause is vague",
            "mou-purpose-stated__evidence_quote": "The parties agree to cooperate",
            "mou-purpose-stated__evidence_source": "MOU 2024, p. 1",
            "mou-purpose-stated__flagged": "y",
            "mou-living-document-reviewed__policy": "fully",
        },
        **{"continue": "1"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(section_url(assessment, "civil-rights"))
    session.expire_all()
    states = load_states(session, assessment)
    assert states["partnership-exists"].values == {"value": "yes"}
    assert states["mou-purpose-stated"] == ItemState(
        values={"policy": "partly"},
        comment="Purpose clause is vague",
        evidence_quote="The parties agree to cooperate",
        evidence_source="MOU 2024, p. 1",
        flagged=True,
    )
    # Shown because the gate answer in the same post opened it.
    assert states["mou-living-document-reviewed"].values == {"policy": "fully"}
    page = client.get(section_url(assessment)).get_data(as_text=True)
    assert not re.search(r'id="item-mou-living-document-reviewed"[^>]*hidden', page)


def test_items_hidden_by_skip_logic_are_not_saved(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    signin(client, "editor@riverside.example")
    response = post_section(
        client,
        section_url(assessment),
        {"partnership-exists__value": "no", "mou-living-document-reviewed__policy": "fully"},
    )
    assert response.status_code == 302
    session.expire_all()
    states = load_states(session, assessment)
    assert "mou-living-document-reviewed" not in states
    assert states["partnership-exists"].values == {"value": "no"}


def test_not_applicable_without_a_reason_re_renders_with_everything_kept(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    signin(client, "editor@riverside.example")
    response = post_section(
        client,
        section_url(assessment),
        {
            "mou-purpose-stated__na": "y",
            "mou-purpose-stated__comment": "We have no MOU yet",
            "mou-roles-responsibilities__policy": "fully",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert 'href="#mou-purpose-stated__na_reason"' in page
    assert "We have no MOU yet</textarea>" in page
    assert re.search(
        r'name="mou-purpose-stated__na"[^>]*checked|checked[^>]*name="mou-purpose-stated__na"', page
    )
    assert "Your other answers on this page were saved" in page
    session.expire_all()
    states = load_states(session, assessment)
    assert "mou-purpose-stated" not in states
    assert states["mou-roles-responsibilities"].values == {"policy": "fully"}
    # The re-rendered page carries the new base, so saving it again raises no conflict.
    fixed = form_fields(page)
    fixed["mou-purpose-stated__na_reason"] = ["The district has no officers yet"]
    again = client.post(section_url(assessment), data=fixed)
    assert again.status_code == 302
    session.expire_all()
    assert load_states(session, assessment)["mou-purpose-stated"].na_reason == (
        "The district has no officers yet"
    )


def test_viewer_is_shown_the_answers_read_only(
    client: FlaskClient, team: dict[str, Any], assessment: Assessment
) -> None:
    signin(client, "viewer@riverside.example")
    response = client.get(section_url(assessment))
    assert response.status_code == 302
    assert f"/assessments/{assessment.id}/review" in response.headers["Location"]
    token = csrf_from(client.get(f"/assessments/{assessment.id}/review").data)
    assert client.post(section_url(assessment), data={"csrf_token": token}).status_code == 403


# --- Review, submit, reopen --------------------------------------------------------------


def test_review_picks_out_unanswered_and_flagged_items_in_words(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    save_items(
        session,
        assessment,
        [
            ItemChange(
                "mou-purpose-stated",
                ItemState(values={"policy": "fully", "practice": "partly"}, flagged=True),
                None,
            )
        ],
        user=team["owner"],
    )
    session.commit()
    signin(client, "editor@riverside.example")
    page = client.get(f"/assessments/{assessment.id}/review").get_data(as_text=True)
    assert "Flagged for review" in page
    assert "Not answered" in page
    assert "Fully in place" in page
    assert "Partly in place" in page
    assert "Submit the assessment" in page


def test_submit_locks_freezes_a_snapshot_and_reopen_keeps_it(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    save_items(
        session,
        assessment,
        [ItemChange("mou-purpose-stated", ItemState(values={"policy": "fully"}), None)],
        user=team["owner"],
    )
    session.commit()
    signin(client, "editor@riverside.example")
    review = client.get(f"/assessments/{assessment.id}/review").get_data(as_text=True)
    token = csrf_from(review)
    response = client.post(
        f"/assessments/{assessment.id}/submit", data=confirmed_submit_data(review)
    )
    assert response.status_code == 302
    session.expire_all()
    assessment = session.get(Assessment, assessment.id)
    assert assessment.status == "submitted"
    assert assessment.submitted_by_id == team["editor"].id
    frozen = session.scalar(select(Snapshot).where(Snapshot.assessment_id == assessment.id))
    assert frozen.content_hash == payload_hash(frozen.payload) == assessment.snapshot_hash
    overview = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert assessment.snapshot_hash in overview
    assert "Ed Editor" in overview
    # Locked: the section page shows answers read-only, saves are refused (409: the page
    # comes back with what was posted and says why, see test_questionnaire_saving.py).
    assert client.get(section_url(assessment)).status_code == 302
    assert client.post(section_url(assessment), data={"csrf_token": token}).status_code == 409
    # Only an owner may reopen.
    assert (
        client.post(f"/assessments/{assessment.id}/reopen", data={"csrf_token": token}).status_code
        == 403
    )

    owner = client.application.test_client()
    signin(owner, "owner@riverside.example")
    owner_token = csrf_from(owner.get(f"/assessments/{assessment.id}").data)
    assert "Reopen the assessment" in owner.get(f"/assessments/{assessment.id}").get_data(
        as_text=True
    )
    response = owner.post(
        f"/assessments/{assessment.id}/reopen",
        data={"csrf_token": owner_token, "reason": "Board asked for changes"},
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Assessment, assessment.id).status == "draft"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "assessment.reopen"))
    assert event.user_id == team["owner"].id
    assert event.detail["reason"] == "Board asked for changes"
    snapshot_page = owner.get(f"/assessments/{assessment.id}/snapshots/1")
    assert snapshot_page.status_code == 200
    assert frozen.content_hash in snapshot_page.get_data(as_text=True)
    assert owner.get(f"/assessments/{assessment.id}/snapshots/2").status_code == 404


def test_assessments_list_separates_shared_ones(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    from rubric_app.accounts.sharing import share_assessment
    from rubric_app.assessments import submit

    version = latest_version(session, LOCAL)
    theirs = start_assessment(
        session,
        org=team["other"],
        version=version,
        title="Elsewhere review",
        period="2026-27",
        user=team["outsider"],
    )
    submit(session, theirs, user=team["outsider"])
    share_assessment(
        session, theirs, team["org"], by=team["outsider"], partner=team["org"].partner_code
    )
    session.commit()
    signin(client, "viewer@riverside.example")
    page = client.get("/assessments").get_data(as_text=True)
    ours, shared = page.split("Shared with Riverside Schools")
    assert "MOU review" in ours
    assert "Elsewhere review" not in ours
    assert "Elsewhere review" in shared
    assert "Elsewhere Schools" in shared


def _submit_as_owner(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> str:
    save_items(
        session,
        assessment,
        [ItemChange("mou-purpose-stated", ItemState(values={"policy": "fully"}), None)],
        user=team["owner"],
    )
    session.commit()
    signin(client, "owner@riverside.example")
    review = client.get(f"/assessments/{assessment.id}/review").get_data(as_text=True)
    response = client.post(
        f"/assessments/{assessment.id}/submit", data=confirmed_submit_data(review)
    )
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_after_submitting_the_task_list_offers_next_steps_and_folds_the_checksum(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    page = _submit_as_owner(client, session, team, assessment)
    assert "Submitted: what to do next" in page
    assert f'href="/assessments/{assessment.id}/report.pdf"' in page
    assert f'href="/assessments/{assessment.id}/actions"' in page
    assert "Share with your state advocate" in page
    assert "No state advocate is verified for OH yet" in page
    # The hash is no longer in the flash message or the summary, only in the folded details.
    session.expire_all()
    digest = session.get(Assessment, assessment.id).snapshot_hash
    assert page.count(digest) == 1
    details = re.search(r"<details[^>]*>.*?</details>", page, re.S)
    assert details is not None
    assert "Technical details" in details.group(0)
    assert "Checksum of the answers" in details.group(0)
    assert digest in details.group(0)
    assert "content hash" not in page


def test_next_steps_say_when_a_state_advocate_is_verified(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    make_org(session, "Ohio Advocates", kind="state_advocate", state="OH")
    make_org(session, "Pending Ohio", kind="state_advocate", state="OH", verified=False)
    session.commit()
    page = _submit_as_owner(client, session, team, assessment)
    assert "A verified state advocate for OH can receive it." in page
    assert "No state advocate is verified" not in page


def test_a_draft_has_no_next_steps_panel(
    client: FlaskClient, team: dict[str, Any], assessment: Assessment
) -> None:
    signin(client, "owner@riverside.example")
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "Submitted: what to do next" not in page
    assert "Technical details" not in page


def _shared_with_elsewhere(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    """Submitted by Riverside's owner and shared with Elsewhere Schools."""
    from rubric_app.accounts.sharing import share_assessment

    _submit_as_owner(client, session, team, assessment)
    session.expire_all()
    share_assessment(
        session,
        session.get(Assessment, assessment.id),
        team["other"],
        by=team["owner"],
        partner=team["other"].partner_code,
    )
    session.commit()


def _text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_a_reader_from_another_organization_is_not_told_what_to_do_next(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    make_org(session, "Ohio Advocates", kind="state_advocate", state="OH")
    session.commit()
    _shared_with_elsewhere(client, session, team, assessment)
    base = f"/assessments/{assessment.id}"
    own_report = _text(client.get(f"{base}/report").get_data(as_text=True))
    assert "Where you stand" in own_report
    assert "Answer more of the questionnaire to see a level." in own_report
    signin(client, "someone@elsewhere.example")
    overview = client.get(base).get_data(as_text=True)
    text = _text(overview)
    assert "Riverside Schools shared this assessment with your organization to read." in text
    for owners_only in (
        "Submitted: what to do next",
        "to take to your board",
        "Ask an owner of your organization",
        "Share with your state advocate",
        "Plan actions",
    ):
        assert owners_only not in text, owners_only
    assert f'href="{base}/actions"' not in overview
    plan = _text(client.get(f"{base}/actions").get_data(as_text=True))
    assert "What Riverside Schools will do to close the gaps found in" in plan
    assert "your organization" not in plan
    report = _text(client.get(f"{base}/report").get_data(as_text=True))
    assert "Where Riverside Schools stands" in report
    assert "Where you stand" not in report
    assert "Answer more of the questionnaire" not in report
    assert "A level shows once more of the questionnaire is answered." in report
    # The owner's own report (kept per process for a submitted assessment) is not the reader's.
    signin(client, "owner@riverside.example")
    assert "Where you stand" in _text(client.get(f"{base}/report").get_data(as_text=True))


def test_once_shared_with_the_state_advocate_the_next_steps_say_with_whom(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    from rubric_app.accounts.sharing import share_assessment

    advocate = make_org(session, "Ohio Advocates", kind="state_advocate", state="OH")
    session.commit()
    _submit_as_owner(client, session, team, assessment)
    session.expire_all()
    share_assessment(session, session.get(Assessment, assessment.id), advocate, by=team["owner"])
    session.commit()
    for who in ("owner@riverside.example", "viewer@riverside.example"):
        signin(client, who)
        text = _text(client.get(f"/assessments/{assessment.id}").get_data(as_text=True))
        assert "Shared with your state advocate: Ohio Advocates." in text, who
        assert "Share with your state advocate" not in text, who
        assert "Ask an owner of your organization to share it" not in text, who
