"""Answering details over HTTP (issue 16, items 4 and 5): N/A clears and disables the ratings,
errors name their item, the review page lists what needs attention first with "Change" links,
the task list's "Continue where you left off", and a new organization's first assessment.

SQLite, and PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
import test_questionnaire_pages as pages
from flask.testing import FlaskClient
from helpers import csrf_from, make_org, make_user, signin
from sqlalchemy import select
from test_accounts_orgs import ORG_FORM
from test_questionnaire_pages import FIRST, form_fields, post_section, section_url

from rubric_app.assessments import ItemChange, ItemState, load_states, rubric_for, save_items
from rubric_app.catalog_state import current_catalog
from rubric_app.models import Assessment, Organization
from rubric_app.questionnaire.fields import FieldError
from rubric_app.questionnaire.view_data import choose_if, numbered_errors, school_year
from rubric_app.reports.labels import item_numbers
from rubric_app.templating import AUDIENCE_LABELS

NA_ITEM = "mou-purpose-stated"

# The page tests' fixtures: a district team and a fresh local-implementation assessment.
team = pages.team
assessment = pages.assessment


def radios_of(page: str, name: str) -> list[str]:
    """The rendered <input> tags of one radio group."""
    return [tag for tag in re.findall(r"<input[^>]*>", page) if f'name="{name}"' in tag]


def full_rating(item: Any) -> dict[str, str]:
    """A complete answer for a yes/no or scale item: yes, or fully in place on every side."""
    if item.type == "yes_no":
        return {"value": "yes"}
    return dict.fromkeys(item.answer_dimensions, "fully")


def error_summary(page: str) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert match, "no error summary"
    return match.group(0)


# --- N/A clears and disables the ratings ---------------------------------------------------


def test_a_posted_na_item_stores_no_ratings_and_keeps_them_on_the_page(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    signin(client, "editor@riverside.example")
    # No reason yet: the page comes back with the error, N/A ticked and the posted ratings
    # still chosen (and not disabled: a disabled radio would not be posted without a script),
    # so that unticking N/A brings them back.
    response = post_section(
        client,
        section_url(assessment),
        {
            f"{NA_ITEM}__na": "y",
            f"{NA_ITEM}__policy": "partly",
            f"{NA_ITEM}__practice": "fully",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for dimension, chosen in (("policy", "partly"), ("practice", "fully")):
        radios = radios_of(page, f"{NA_ITEM}__{dimension}")
        assert len(radios) >= 3
        assert [tag for tag in radios if "checked" in tag] == [
            tag for tag in radios if f'value="{chosen}"' in tag
        ]
        assert not any("disabled" in tag for tag in radios)
    hint = re.search(rf'<p class="q-na-hint" id="item-{NA_ITEM}-na-hint"[^>]*>', page)
    assert hint
    assert "hidden" not in hint.group(0)
    assert f'aria-describedby="item-{NA_ITEM}-na-hint' in page
    assert load_states(session, assessment).get(NA_ITEM) is None  # nothing saved yet

    # Unticking N/A and saving that page as it came back saves the ratings.
    response = post_section(
        client,
        section_url(assessment),
        {f"{NA_ITEM}__policy": "partly", f"{NA_ITEM}__practice": "fully"},
    )
    assert response.status_code == 302
    session.expire_all()
    assert load_states(session, assessment)[NA_ITEM].values == {
        "policy": "partly",
        "practice": "fully",
    }

    # With a reason, the item saves as N/A even though ratings are posted (no script ran).
    response = post_section(
        client,
        section_url(assessment),
        {
            f"{NA_ITEM}__na": "y",
            f"{NA_ITEM}__na_reason": "No officers are assigned yet",
            f"{NA_ITEM}__policy": "partly",
        },
    )
    assert response.status_code == 302
    session.expire_all()
    state = load_states(session, assessment)[NA_ITEM]
    assert state.not_applicable is True
    assert state.values == {}
    assert state.na_reason == "No officers are assigned yet"
    page = client.get(section_url(assessment)).get_data(as_text=True)
    assert all("disabled" in tag for tag in radios_of(page, f"{NA_ITEM}__policy"))


def test_unticking_na_enables_the_ratings_again(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    save_items(
        session,
        assessment,
        [ItemChange(NA_ITEM, ItemState(not_applicable=True, na_reason="No MOU"), None)],
        user=team["owner"],
    )
    session.commit()
    signin(client, "editor@riverside.example")
    response = post_section(
        client, section_url(assessment), {f"{NA_ITEM}__na": None, f"{NA_ITEM}__policy": "fully"}
    )
    assert response.status_code == 302
    session.expire_all()
    state = load_states(session, assessment)[NA_ITEM]
    assert (state.not_applicable, state.values) == (False, {"policy": "fully"})
    page = client.get(section_url(assessment)).get_data(as_text=True)
    radios = radios_of(page, f"{NA_ITEM}__policy")
    assert not any("disabled" in tag for tag in radios)
    assert any("checked" in tag and 'value="fully"' in tag for tag in radios)
    hint = re.search(rf'<p class="q-na-hint" id="item-{NA_ITEM}-na-hint"[^>]*>', page)
    assert hint
    assert "hidden" in hint.group(0)


# --- Errors name their item ----------------------------------------------------------------


def test_every_error_names_its_item_in_the_summary_beside_the_field_and_in_autosave(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    number = rubric_for(assessment).item_number(NA_ITEM)
    assert re.fullmatch(r"\d+\.\d+", number)
    signin(client, "editor@riverside.example")
    response = post_section(client, section_url(assessment), {f"{NA_ITEM}__na": "y"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    wanted = f"{number}: Say why this item does not apply"
    assert f'<a href="#{NA_ITEM}__na_reason">{wanted}' in error_summary(page)
    beside = re.search(rf'<p class="field__error" id="{NA_ITEM}__na_reason-error">(.*?)</p>', page)
    assert beside
    assert wanted in beside.group(1)

    fields = form_fields(client.get(section_url(assessment)).get_data(as_text=True))
    fields[f"{NA_ITEM}__na"] = ["y"]
    body = client.post(
        f"/assessments/{assessment.id}/autosave",
        data=fields,
        headers={"X-CSRFToken": fields["csrf_token"][0]},
    ).get_json()
    assert body["errors"] == [
        {"field": f"{NA_ITEM}__na_reason", "message": f"{wanted}, or untick “Not applicable”."}
    ]


def test_numbered_errors_leave_fields_outside_the_items_alone(
    assessment: Assessment,
) -> None:
    rubric = rubric_for(assessment)
    errors = numbered_errors(
        rubric,
        [
            FieldError("base_revision", "Reload the page."),
            FieldError("no-such-item__comment", "Too long."),
            FieldError(f"{NA_ITEM}__comment", "Too long."),
        ],
    )
    assert [error.message for error in errors] == [
        "Reload the page.",
        "Too long.",
        f"{rubric.item_number(NA_ITEM)}: Too long.",
    ]


def test_item_numbers_follow_one_rule_for_every_rubric(app: Any) -> None:
    for rubric in current_catalog().rubrics.values():
        assert {item.id: rubric.item_number(item.id) for item in rubric.items} == item_numbers(
            rubric
        )
        first_section = rubric.sections[0]
        assert rubric.item_number(first_section.items[-1].id) == (
            f"{first_section.number}.{len(first_section.items)}"
        )


# --- Review: what needs attention first ----------------------------------------------------


def test_review_lists_unanswered_and_flagged_items_first_with_change_links(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    rubric = rubric_for(assessment)
    section = rubric.section(FIRST)
    answered_item, flagged_item, unanswered_item = section.items[0], section.items[1], NA_ITEM
    assert unanswered_item not in (answered_item.id, flagged_item.id)
    rating = full_rating(answered_item)
    save_items(
        session,
        assessment,
        [
            ItemChange(answered_item.id, ItemState(values=rating), None),
            ItemChange(
                flagged_item.id,
                ItemState(values={"policy": "fully", "practice": "fully"}, flagged=True),
                None,
            ),
        ],
        user=team["owner"],
    )
    session.commit()
    signin(client, "editor@riverside.example")
    page = client.get(f"/assessments/{assessment.id}/review").get_data(as_text=True)
    attention = page[page.index('id="attention"') : page.index('id="all-answers"')]
    change = f"/assessments/{assessment.id}/sections/{FIRST}#item-"
    assert f'href="{change}{flagged_item.id}"' in attention
    assert f'href="{change}{unanswered_item}"' in attention
    assert f"item-{answered_item.id}" not in attention
    assert 'Change<span class="visually-hidden"> the answer to ' in attention
    # The rest is folded by step, one <details> per section, closed.
    folded = page[page.index('id="all-answers"') :]
    assert folded.count('<details class="q-step">') == len(rubric.sections)
    assert f'id="item-{answered_item.id}"' in folded
    assert f'<h3 id="{FIRST}">' in folded


def test_review_for_a_viewer_has_no_change_links(
    client: FlaskClient, team: dict[str, Any], assessment: Assessment
) -> None:
    signin(client, "viewer@riverside.example")
    page = client.get(f"/assessments/{assessment.id}/review").get_data(as_text=True)
    assert 'id="attention"' in page
    assert 'class="q-change"' not in page


# --- Task list: continue where you left off ------------------------------------------------


def test_task_list_leads_to_the_first_unanswered_item_of_the_section_in_progress(
    client: FlaskClient, session: Any, team: dict[str, Any], assessment: Assessment
) -> None:
    rubric = rubric_for(assessment)
    signin(client, "editor@riverside.example")
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    first = rubric.sections[0]
    start = re.search(r'<a class="button" href="([^"]+)">Start with section 1</a>', page)
    assert start
    assert start.group(1).startswith(f"/assessments/{assessment.id}/sections/{first.id}")

    second = rubric.sections[1]
    opening = second.items[0]
    rating = full_rating(opening)
    save_items(
        session,
        assessment,
        [ItemChange(opening.id, ItemState(values=rating), None)],
        user=team["owner"],
    )
    session.commit()
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    button = re.search(r'<a class="button" href="([^"]+)">Continue where you left off</a>', page)
    assert button
    target, anchor = button.group(1).split("#")
    assert target == f"/assessments/{assessment.id}/sections/{second.id}"
    assert anchor.startswith("item-")
    assert anchor != f"item-{opening.id}"
    assert anchor[len("item-") :] in {item.id for item in second.items}


def test_viewer_is_not_offered_to_continue(
    client: FlaskClient, team: dict[str, Any], assessment: Assessment
) -> None:
    signin(client, "viewer@riverside.example")
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "Continue where you left off" not in page
    assert "Start with section" not in page


# --- A new organization's first assessment -------------------------------------------------


def test_a_new_organization_lands_on_start_your_first_assessment(
    client: FlaskClient, session: Any
) -> None:
    make_user(session, "new@lakeview.example")
    session.commit()
    signin(client, "new@lakeview.example")
    token = csrf_from(client.get("/organizations/new").data)
    form = {**ORG_FORM, "name": "Lakeview Schools", "csrf_token": token}
    response = client.post("/organizations/new", data=form)
    assert response.status_code == 302
    assert response.headers["Location"] == "/assessments/new"
    page = client.get("/assessments/new").get_data(as_text=True)
    assert "<h1>Start your first assessment</h1>" in page
    assert "Lakeview Schools is created" in page
    checked = re.findall(r'<input[^>]*name="rubric"[^>]*>', page)
    assert [tag for tag in checked if "checked" in tag] == [
        next(tag for tag in checked if 'value="secure-local-implementation"' in tag)
    ]
    assert page.count("Suggested for your organization") == 1
    assert "Start from a previous assessment" not in page  # there is none yet
    catalog = current_catalog()
    for rubric in catalog.rubrics.values():
        line = choose_if(rubric, AUDIENCE_LABELS)
        assert line.startswith("Choose this ")
        assert line in page
    period = school_year(date.today())
    assert f'value="{period}"' in page
    assert f'value="Lakeview Schools review, {period}"' in page

    # Starting with what is pre-filled works, and the next visit is an ordinary start page.
    token = csrf_from(page)
    started = client.post(
        "/assessments/new",
        data={
            "csrf_token": token,
            "rubric": "secure-local-implementation",
            "title": f"Lakeview Schools review, {period}",
            "period": period,
        },
    )
    assert started.status_code == 302
    org = session.scalar(select(Organization).where(Organization.name == "Lakeview Schools"))
    assert org is not None
    assert session.scalar(select(Assessment).where(Assessment.org_id == org.id)) is not None
    assert "<h1>Start an assessment</h1>" in client.get("/assessments/new").get_data(as_text=True)


def test_choose_if_lines_come_from_the_summary_or_the_audience(app: Any) -> None:
    rubric = current_catalog().rubrics["secure-local-implementation"]
    assert choose_if(rubric, AUDIENCE_LABELS) == (
        "Choose this for school districts and their law enforcement partners who want to set up, "
        "review or improve a school-police partnership."
    )
    from dataclasses import replace

    plain = replace(rubric, summary="A rubric.")
    assert choose_if(plain, AUDIENCE_LABELS).startswith("Choose this if you are one of these: ")


@pytest.mark.parametrize(
    ("today", "year"),
    [(date(2026, 6, 30), "2025-26"), (date(2026, 7, 1), "2026-27"), (date(2099, 12, 1), "2099-00")],
)
def test_school_year_turns_over_in_july(today: date, year: str) -> None:
    assert school_year(today) == year


def test_an_afterschool_program_gets_its_own_rubric_suggested(
    client: FlaskClient, session: Any
) -> None:
    program = make_org(session, "Youth Club", kind="afterschool_program")
    make_user(session, "lead@club.example", program, "owner")
    session.commit()
    signin(client, "lead@club.example")
    page = client.get("/assessments/new").get_data(as_text=True)
    checked = [
        tag for tag in re.findall(r'<input[^>]*name="rubric"[^>]*>', page) if "checked" in tag
    ]
    assert len(checked) == 1
    assert 'value="afterschool-law-enforcement-partnership"' in checked[0]
