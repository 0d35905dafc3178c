"""Answers of every item type through the real database, pages, export and import.

A long-text answer that looks like a JSON list is stored and read back as the same text; every
type survives export and import unchanged and the export matches the answer types' JSON Schema;
a bad number or date in a file is refused with a message naming the item and the value; the
review page, the PDF report and the state CSV show the same display text.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

import jsonschema
import pytest
from answer_type_fixtures import every_type_rubric
from flask.testing import FlaskClient
from helpers import csrf_from, make_org, make_user, signin
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import share_assessment
from rubric_app.assessments import ItemChange, ItemState, load_states, save_items, submit
from rubric_app.assessments import start_assessment as start
from rubric_app.models import Answer, Assessment, Organization, User
from rubric_app.rubric_versions import latest_version, record_rubric
from rubric_app.rubrics.answer_types import items_schema

#: One answer per item type; choice labels with commas and a date show the display wording.
ANSWERS = {
    "gate": ItemState(values={"value": "yes"}),
    "rated": ItemState(values={"policy": "fully", "practice": "partly"}),
    "ticks": ItemState(values={"value": ("mou", "sop")}),
    "count": ItemState(values={"value": "3.50"}),
    "line": ItemState(values={"value": "Chief Ames"}),
    "para": ItemState(values={"value": "[1, 2]"}, comment="Typed as a list on purpose."),
    "when": ItemState(values={"value": "2026-09-08"}),
}
#: The display text each answer must have wherever it is shown.
SHOWN = (
    "MOU, signed; Standard operating procedures, 2024",
    "8 Sep 2026",
    "Partly in place",
    "3.50",
    "Chief Ames",
    "[1, 2]",
)


@dataclass
class Filled:
    org: Organization
    owner: User
    assessment: Assessment


@pytest.fixture
def filled(session: Session) -> Filled:
    rubric = every_type_rubric()
    record_rubric(session, rubric)
    org = make_org(session, "Riverton City School District")
    owner = make_user(session, "owner@riverton.example.org", org, "owner")
    version = latest_version(session, rubric.id)
    assert version is not None
    assessment = start(
        session, org=org, version=version, title="Every type", period="2025-26", user=owner
    )
    changes = [ItemChange(item_id, state, None) for item_id, state in ANSWERS.items()]
    save_items(session, assessment, changes, user=owner)
    session.commit()
    return Filled(org, owner, assessment)


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Assessment)) or 0


def _upload(client: FlaskClient, content: bytes, period: str) -> Any:
    token = csrf_from(client.get("/assessments/import").data)
    return client.post(
        "/assessments/import",
        data={"csrf_token": token, "period": period, "file": (io.BytesIO(content), "e.json")},
        content_type="multipart/form-data",
    )


def test_long_text_that_looks_like_a_list_reads_back_as_text(
    session: Session, filled: Filled
) -> None:
    stored = dict(
        session.execute(
            select(Answer.item_id, Answer.value).where(
                Answer.assessment_id == filled.assessment.id, Answer.item_id.in_(["para", "ticks"])
            )
        ).all()
    )
    # Multi-select keeps its JSON-list column format; long text is stored as typed.
    assert stored == {"para": "[1, 2]", "ticks": '["mou", "sop"]'}
    states = load_states(session, filled.assessment)
    assert states["para"].values == {"value": "[1, 2]"}
    assert states["para"].fingerprint() == ANSWERS["para"].fingerprint()
    assert states == ANSWERS


def test_every_type_survives_export_and_import(
    client: FlaskClient, session: Session, filled: Filled
) -> None:
    signin(client, filled.owner.email)
    response = client.get(f"/assessments/{filled.assessment.id}.json")
    assert response.status_code == 200
    exported = response.get_json()
    validator = jsonschema.Draft202012Validator(
        items_schema(every_type_rubric()),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    assert list(validator.iter_errors(exported["items"])) == []

    response = _upload(client, json.dumps(exported).encode(), period="2026-27")
    assert response.status_code == 302, response.get_data(as_text=True)
    imported = session.scalars(select(Assessment).where(Assessment.period == "2026-27")).one()
    assert load_states(session, imported) == ANSWERS


def test_import_refuses_a_bad_number_and_date_naming_item_and_value(
    client: FlaskClient, session: Session, filled: Filled
) -> None:
    signin(client, filled.owner.email)
    exported = client.get(f"/assessments/{filled.assessment.id}.json").get_json()
    exported["items"]["count"]["values"]["value"] = "abc"
    exported["items"]["when"]["values"]["value"] = "2026-13-45"
    before = _count(session)

    response = _upload(client, json.dumps(exported).encode(), period="2026-27")

    assert response.status_code == 400
    assert _count(session) == before
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert "Item 'count', 'value': 'abc' is not a number (write it like 12 or 3.5)." in page
    assert (
        "Item 'when', 'value': '2026-13-45' is not a real date "
        "(write it as year-month-day, like 2026-09-01)." in page
    )


@pytest.mark.parametrize("app_config", [{"SUPPRESSION_K": 1}])
def test_review_pdf_report_and_state_csv_show_the_same_text(
    client: FlaskClient, session: Session, filled: Filled
) -> None:
    # One organization shares: with K = 1 the small-number rule lets its rows through.
    signin(client, filled.owner.email)
    review = client.get(f"/assessments/{filled.assessment.id}/review")
    assert review.status_code == 200
    submit(session, filled.assessment, user=filled.owner)
    advocate = make_org(session, "Buckeye Youth Justice Coalition", kind="state_advocate")
    make_user(session, "advocate@buckeye.example.org", advocate)
    share_assessment(session, filled.assessment, advocate, by=filled.owner)
    session.commit()
    # The report page lists no item answers; the PDF shows the report context's answer lines.
    pdf = client.get(f"/assessments/{filled.assessment.id}/report.pdf")
    assert pdf.status_code == 200
    pdf_text = " ".join(
        " ".join((page.extract_text() or "").split())
        for page in PdfReader(io.BytesIO(pdf.data)).pages
    )
    signin(client, "advocate@buckeye.example.org")
    exported = client.get("/states/OH/export.csv?rubric=every-answer-type&period=")
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    labels = {row["value"] for row in rows}

    for text in SHOWN:
        assert text in review.get_data(as_text=True)
        assert text in pdf_text
        assert text in labels
    assert "MOU, signed, Standard" not in review.get_data(as_text=True)
    assert "2026-09-08" not in review.get_data(as_text=True)
