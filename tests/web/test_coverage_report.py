"""Coverage you can see (issue 16, item 1): scores say what they rest on, everywhere.

One district rates every item of the local rubric but leaves step 1 almost empty: step 1 reads
"not enough answers" on the report page, in the PDF, the JSON export, compare and its CSV, and
the state roll-up leaves it out and says so. Submitting with unanswered items needs a
confirmation that lists them. Both databases (the ``session`` fixture's backends).
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from helpers import confirmed_submit_data, csrf_from, make_org, make_user, signin
from markupsafe import escape
from openpyxl import load_workbook
from pypdf import PdfReader
from reports_fixtures import LOCAL, make_assessment, rated_states
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import share_assessment
from rubric_app.assessments import ItemChange, ItemState, rubric_for, save_items
from rubric_app.assessments.confirmation import unanswered_of
from rubric_app.catalog_state import current_catalog
from rubric_app.models import Assessment, SectionScoreRow
from rubric_app.reports.view_data import build_report
from rubric_app.rubric_versions import latest_version, rubric_of
from rubric_app.states.rollup import Scope
from rubric_app.states.view_data import build_dashboard


def thin_states(session: Session) -> tuple[dict[str, ItemState], str, list[str]]:
    """Every item rated, except that step 1 keeps one rated item: (states, step id, cleared)."""
    states = rated_states(LOCAL, session)
    version = latest_version(session, LOCAL)
    assert version is not None
    first = rubric_of(version).sections[0]
    rated = [
        item.id
        for item in first.items
        if item.type == "scale" and item.id in states and not states[item.id].not_applicable
    ]
    assert len(rated) >= 3, "step 1 needs a few rated items for this test"
    for item_id in rated[1:]:
        del states[item_id]
    return states, first.id, rated[1:]


def _thin_district(session: Session, *, submitted: bool = True) -> tuple[Assessment, Any]:
    org = make_org(session, "Thin District", state="OH")
    owner = make_user(session, "owner@thin.example.org", org, "owner")
    states, _, _ = thin_states(session)
    assessment = make_assessment(session, org, owner, submitted=submitted, states=states)
    return assessment, owner


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_report_shows_not_enough_answers_and_what_each_score_rests_on(
    client: FlaskClient, session: Session
) -> None:
    assessment, owner = _thin_district(session)
    _, step_id, cleared = thin_states(session)
    report = build_report(session, assessment, current_catalog())
    step = next(s for s in report.sections if s.section_id == step_id)
    assert step.percent is None
    assert step.level is None
    assert step.score_text == "not enough answers"
    assert step.coverage.answered == 1
    assert step.basis.startswith(f"from 1 of {step.coverage.applicable} items answered")
    assert all(d.text == "not enough answers" for d in step.by_dimension)
    # The other steps and the overall score are shown, each with what it rests on.
    shown = [s for s in report.sections if s.section_id != step_id]
    assert all(s.percent is not None for s in shown)
    assert report.percent is not None
    assert report.basis == (
        f"from {report.coverage.answered} of {report.coverage.applicable} items answered"
    )
    rubric = rubric_for(assessment)
    assert [line.item_id for line in report.unanswered] == cleared
    assert [line.number for line in report.unanswered] == [rubric.item_number(i) for i in cleared]

    signin(client, owner.email)
    page = client.get(f"/assessments/{assessment.id}/report").get_data(as_text=True)
    assert "not enough answers" in page
    assert str(escape(step.basis)) in page
    assert str(escape(report.basis)) in page
    assert 'id="unanswered-title">Unanswered items</h2>' in page
    for item_id in cleared:
        number = rubric.item_number(item_id)
        link = (
            f'href="/assessments/{assessment.id}/sections/{step_id}#item-{item_id}">Item {number}'
        )
        assert link in page


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the PDF itself: once
def test_pdf_says_not_enough_answers_and_lists_unanswered_items(
    client: FlaskClient, session: Session
) -> None:
    assessment, owner = _thin_district(session)
    _, _, cleared = thin_states(session)
    rubric = rubric_for(assessment)
    signin(client, owner.email)
    response = client.get(f"/assessments/{assessment.id}/report.pdf")
    assert response.status_code == 200
    text = _pdf_text(response.data)
    assert "not enough answers" in text
    assert "Unanswered items" in text
    assert f"{len(cleared)} items that apply are not answered" in text
    for item_id in cleared:
        assert f"Item {rubric.item_number(item_id)}" in text
    report = build_report(session, assessment, current_catalog())
    assert report.basis in text


def test_json_export_carries_coverage_and_the_unanswered_items(
    client: FlaskClient, session: Session
) -> None:
    assessment, owner = _thin_district(session)
    _, step_id, cleared = thin_states(session)
    signin(client, owner.email)
    data = json.loads(client.get(f"/assessments/{assessment.id}.json").data)
    scores = data["scores"]
    step = next(s for s in scores["sections"] if s["section_id"] == step_id)
    assert step["percent"] is None
    assert step["level"] is None
    assert step["score_text"] == "not enough answers"
    assert step["coverage"]["status"] == "not-enough-answers"
    assert step["coverage"]["answered"] == 1
    assert step["coverage"]["min_coverage"] == 0.6
    assert scores["coverage"]["status"] == "shown"
    assert scores["percent"] is not None
    assert scores["score_text"] == f"{scores['percent']:.0f}%"
    rubric = rubric_for(assessment)
    assert data["unanswered"] == [
        {"item_id": item_id, "number": rubric.item_number(item_id)} for item_id in cleared
    ]


def test_compare_page_and_csv_show_not_enough_answers_with_the_counts(
    client: FlaskClient, session: Session
) -> None:
    thin, owner = _thin_district(session)
    full = make_assessment(session, thin.organization, owner, period="2026-27")
    _, step_id, _ = thin_states(session)
    signin(client, owner.email)
    page = client.get(f"/compare?ids={full.id},{thin.id}").get_data(as_text=True)
    assert "not enough answers" in page
    assert "items answered; a score needs at least" in page

    response = client.get(f"/compare.csv?ids={full.id},{thin.id}")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header = rows[0]
    answered = [i for i, name in enumerate(header) if name.endswith(": items answered")]
    applicable = [i for i, name in enumerate(header) if name.endswith(": items that apply")]
    notes = [i for i, name in enumerate(header) if name.endswith(": note")]
    scores = [i for i, name in enumerate(header) if name.endswith(": score (% of maximum)")]
    assert len(answered) == len(applicable) == len(notes) == len(scores) == 2
    rubric = rubric_for(thin)
    step_row = next(
        row
        for row in rows[1:]
        if row[0] == "step"
        and row[2] == "all"
        and row[1].startswith(f"Step {rubric.section(step_id).number}.")
    )
    # Full review first, thin second: the thin one's step score is empty, with the words.
    assert step_row[scores[1]] == ""
    assert step_row[notes[1]] == "not enough answers"
    assert int(step_row[answered[1]]) == 1
    assert int(step_row[applicable[1]]) > 1
    assert float(step_row[scores[0]]) >= 0
    assert int(step_row[answered[0]]) == int(step_row[applicable[0]])


@pytest.mark.parametrize("app_config", [{"SUPPRESSION_K": 1}])
def test_state_rollup_leaves_out_scores_on_too_few_answers_and_says_how_many(
    client: FlaskClient, session: Session
) -> None:
    advocate = make_org(session, "Ohio Youth Advocates", kind="state_advocate", state="OH")
    make_user(session, "advocate@oh.example.org", advocate)
    thin, thin_owner = _thin_district(session)
    full_org = make_org(session, "Full District", state="OH")
    full_owner = make_user(session, "owner@full.example.org", full_org, "owner")
    full = make_assessment(session, full_org, full_owner)
    for assessment, user in ((thin, thin_owner), (full, full_owner)):
        share_assessment(session, assessment, advocate, by=user, named=True)
    session.commit()
    _, step_id, _ = thin_states(session)

    # The cache carries what the score rests on; below the threshold its percent is null.
    cached = session.scalar(
        select(SectionScoreRow).where(
            SectionScoreRow.assessment_id == thin.id,
            SectionScoreRow.section_id == step_id,
            SectionScoreRow.dimension == "_all",
        )
    )
    assert cached is not None
    assert cached.percent is None
    assert cached.answered == 1
    assert cached.applicable is not None
    assert cached.applicable > 1

    dashboard = build_dashboard(session, Scope(advocate.id, "OH", LOCAL), 1)
    rows = {row.key: row for row in dashboard.distributions}
    assert (rows[step_id].n, rows[step_id].left_out) == (1, 1)
    assert (rows["_overall"].n, rows["_overall"].left_out) == (2, 0)

    signin(client, "advocate@oh.example.org")
    page = client.get("/states/OH/dashboard").get_data(as_text=True)
    assert "Left out: not enough answers" in page
    book = load_workbook(io.BytesIO(client.get("/states/OH/export.xlsx").data))
    sheet = list(book["Scores"].iter_rows(values_only=True))
    header = list(sheet[0])
    column = header.index("Left out: not enough answers")
    by_code = {row[header.index("Score code")]: row for row in sheet[1:]}
    assert by_code[step_id][column] == 1
    assert by_code["_overall"][column] == 0
    number = rubric_for(thin).section(step_id).number
    one_page = client.get("/states/OH/summary-one-page.pdf")
    assert f"Left out for not enough answers: Step {number}: 1." in _pdf_text(one_page.data)


def test_submitting_with_unanswered_items_asks_to_confirm_them(
    client: FlaskClient, session: Session
) -> None:
    assessment, owner = _thin_district(session, submitted=False)
    _, _step_id, cleared = thin_states(session)
    rubric = rubric_for(assessment)
    signin(client, owner.email)
    review = client.get(f"/assessments/{assessment.id}/review").get_data(as_text=True)
    assert "Submit without answering the items listed above" in review
    for item_id in cleared:
        assert f'#item-{item_id}">Item {rubric.item_number(item_id)}</a>' in review

    # Without the box: nothing is submitted; the page comes back with the list and an error.
    response = client.post(
        f"/assessments/{assessment.id}/submit", data={"csrf_token": csrf_from(review)}
    )
    assert response.status_code == 200
    again = response.get_data(as_text=True)
    assert "There is a problem" in again
    numbers = ", ".join(rubric.item_number(item_id) for item_id in cleared)
    assert f"{len(cleared)} items are not answered ({numbers})" in again
    session.expire_all()
    assert session.get(Assessment, assessment.id).status == "draft"

    # With the box ticked for the items listed: submitted.
    response = client.post(
        f"/assessments/{assessment.id}/submit", data=confirmed_submit_data(again)
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Assessment, assessment.id).status == "submitted"


def test_an_item_cleared_after_the_confirmation_page_is_asked_about_again(
    client: FlaskClient, session: Session
) -> None:
    assessment, owner = _thin_district(session, submitted=False)
    signin(client, owner.email)
    review = client.get(f"/assessments/{assessment.id}/review").get_data(as_text=True)
    confirmed = confirmed_submit_data(review)
    # A teammate clears a rated item of another step after the page was shown.
    before = {line.item_id for line in unanswered_of(session, assessment)}
    rubric = rubric_for(assessment)
    target = next(
        item.id
        for item in rubric.sections[1].items
        if item.type == "scale" and item.id not in before
    )
    save_items(session, assessment, [ItemChange(target, ItemState(), None)], user=owner)
    session.commit()

    response = client.post(f"/assessments/{assessment.id}/submit", data=confirmed)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"Item {rubric.item_number(target)}" in page
    session.expire_all()
    assert session.get(Assessment, assessment.id).status == "draft"
    response = client.post(f"/assessments/{assessment.id}/submit", data=confirmed_submit_data(page))
    assert response.status_code == 302


def test_a_fully_answered_assessment_submits_without_the_box(
    client: FlaskClient, session: Session
) -> None:
    org = make_org(session, "Complete District", state="OH")
    owner = make_user(session, "owner@complete.example.org", org, "owner")
    assessment = make_assessment(session, org, owner, submitted=False)
    assert unanswered_of(session, assessment) == ()
    signin(client, owner.email)
    review = client.get(f"/assessments/{assessment.id}/review").get_data(as_text=True)
    assert "Submit without answering" not in review
    response = client.post(
        f"/assessments/{assessment.id}/submit", data={"csrf_token": csrf_from(review)}
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Assessment, assessment.id).status == "submitted"
