"""Input no honest client sends ends in a clear 4xx or a re-rendered form, never a 500 (issue 12,
item 3): deep JSON, oversized JSON, lone surrogates, non-ASCII digits, 20-digit numbers and
control characters, each through the route an attacker (or an unlucky paste) would use.

Runs on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL: the 20-digit and out-of-int32
ids and page numbers are the cases where the two databases fail differently.
"""

from __future__ import annotations

import email
import io
import json
import random
from email.policy import default as default_policy
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_from, make_org, make_user, signin
from openpyxl import load_workbook
from reports_fixtures import make_setup
from smtp_sink import smtp_sink
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from test_questionnaire_pages import FIRST, LOCAL, form_fields, section_url

from rubric_app.accounts.sharing import share_assessment
from rubric_app.assessments import (
    ItemChange,
    load_states,
    save_items,
    start_assessment,
    submit,
)
from rubric_app.demo import generate_states
from rubric_app.hostile_input import MAX_JSON_DEPTH
from rubric_app.models import Assessment, Invitation, Organization
from rubric_app.rubric_versions import latest_version, rubric_of
from rubric_app.url_numbers import MAX_ID, MAX_PAGE

TWENTY_DIGITS = "9" * 20
BELL = "Bell\x07 District\x85"
# A name as it could be stored before the form rule: a header injection attempt inside.
INJECTED = "Bell\x07 District\r\nBcc: victim@elsewhere.example\x85"


def _count(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


# --- JSON bodies, before authentication -------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"[" * 30_000 + b"]" * 30_000, b'{"a":' * 30_000 + b'""' + b"}" * 30_000],
    ids=["brackets", "objects"],
)
@pytest.mark.parametrize("url", ["/signin", "/organization/invitations", "/assessments/1/autosave"])
def test_thirty_thousand_nested_brackets_are_refused_before_sign_in(
    client: FlaskClient, url: str, body: bytes
) -> None:
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json is not None
    assert response.json["reason"] == "depth"
    assert f"more than {MAX_JSON_DEPTH} levels" in response.json["message"]


def test_brackets_inside_strings_do_not_count_as_nesting(client: FlaskClient) -> None:
    token = csrf_from(client.get("/signin").data)
    body = json.dumps({"email": "[" * 5000 + '\\"{', "password": "x"}).encode()
    response = client.post(
        "/signin", data=body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    # Read as the form: the e-mail is refused by the form, not the body by the guard.
    assert response.status_code == 400
    assert "An email address has at most 254 characters" in response.get_data(as_text=True)


def test_json_nested_exactly_to_the_limit_is_judged_by_its_shape(client: FlaskClient) -> None:
    body = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    response = client.post("/signin", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json is not None
    assert response.json["reason"] == "body"


def test_json_larger_than_max_content_length_is_refused(app: Flask, client: FlaskClient) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = b'{"email": "' + b"a" * limit + b'"}'
    response = client.post("/signin", data=body, content_type="application/json")
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "body",
    [b'{"email": "\\ud800", "password": "x"}', b'{"\\udfff": "x"}', b'{"e": ["a", "b\\ud83d"]}'],
    ids=["value", "key", "list"],
)
def test_lone_surrogate_in_a_json_body_is_refused(client: FlaskClient, body: bytes) -> None:
    response = client.post("/signin", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json is not None
    assert response.json["reason"] == "text"
    assert "lone surrogate" in response.json["message"]


def test_a_surrogate_pair_is_a_character_like_any_other(client: FlaskClient) -> None:
    token = csrf_from(client.get("/signin").data)
    body = b'{"email": "\\ud83d\\ude00@example.org", "password": "x"}'
    response = client.post(
        "/signin", data=body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    # Past the guard: the sign-in form answers (wrong credentials), not the JSON refusal.
    assert response.status_code in (200, 400)
    assert response.mimetype == "text/html"
    assert "<form" in response.get_data(as_text=True)


# --- The importer -----------------------------------------------------------------------------


def _upload(client: FlaskClient, content: bytes, period: str = "") -> Any:
    token = csrf_from(client.get("/assessments/import").data)
    return client.post(
        "/assessments/import",
        data={"csrf_token": token, "period": period, "file": (io.BytesIO(content), "export.json")},
        content_type="multipart/form-data",
    )


@pytest.fixture
def exported(client: FlaskClient, session: Session) -> dict[str, Any]:
    """A real export of a submitted assessment, with its owner signed in."""
    setup = make_setup(session, submitted=True)
    signin(client, setup.owner.email)
    response = client.get(f"/assessments/{setup.assessment.id}.json")
    assert response.status_code == 200
    data: dict[str, Any] = response.get_json()
    return data


def test_deeply_nested_json_in_the_importer_is_refused(
    client: FlaskClient, session: Session, exported: dict[str, Any]
) -> None:
    before = _count(session, Assessment)
    deep = json.dumps(exported)[:-1] + ', "extra": ' + "[" * 30_000 + "]" * 30_000 + "}"
    response = _upload(client, deep.encode())
    assert response.status_code == 400
    assert "more than 32 levels deep" in response.get_data(as_text=True)
    assert _count(session, Assessment) == before


@pytest.mark.parametrize("where", ["title", "comment", "item key"])
def test_lone_surrogate_in_an_imported_file_is_refused(
    client: FlaskClient, session: Session, exported: dict[str, Any], where: str
) -> None:
    before = _count(session, Assessment)
    if where == "title":
        exported["title"] = "Review \ud800"
    elif where == "comment":
        first = next(iter(exported["items"].values()))
        first["comment"] = "\udc00 quoted"
    else:
        exported["items"]["\ud800"] = {}
    # json.dumps escapes the surrogate as \ud800, exactly what a hand-made file would hold.
    response = _upload(client, json.dumps(exported).encode())
    assert response.status_code == 400
    assert "lone surrogate" in response.get_data(as_text=True)
    assert _count(session, Assessment) == before


@pytest.mark.parametrize(
    ("key", "text"), [("title", "Review\x07"), ("comment", "Bell\x07"), ("comment", "NEL\x85")]
)
def test_control_characters_in_an_imported_file_are_refused(
    client: FlaskClient, session: Session, exported: dict[str, Any], key: str, text: str
) -> None:
    before = _count(session, Assessment)
    if key == "title":
        exported["title"] = text
    else:
        next(iter(exported["items"].values()))["comment"] = text
    response = _upload(client, json.dumps(exported).encode())
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "control character" in page
    assert f"U+{ord(text[-1]):04X}" in page
    assert _count(session, Assessment) == before


def test_line_breaks_in_an_imported_comment_are_kept(
    client: FlaskClient, session: Session, exported: dict[str, Any]
) -> None:
    item_id, state = next(iter(exported["items"].items()))
    state["comment"] = "First line\nsecond line\twith a tab"
    exported.pop("snapshot_hash", None)
    exported["status"] = "draft"
    # Another period: the organization already has this rubric's assessment for the file's.
    response = _upload(client, json.dumps(exported).encode(), period="2030-31")
    assert response.status_code == 302, response.get_data(as_text=True).split("<h1>")[1][:3000]
    imported = session.scalars(select(Assessment).order_by(Assessment.id.desc())).first()
    assert imported is not None
    assert load_states(session, imported)[item_id].comment == "First line\nsecond line\twith a tab"


# --- Numbers in URLs ----------------------------------------------------------------------------


@pytest.fixture
def comparer(client: FlaskClient, session: Session) -> list[int]:
    """A signed-in owner whose organization has two assessments; their ids."""
    org = make_org(session, "Compare District")
    user = make_user(session, "owner@compare.example.org", org)
    version = latest_version(session, LOCAL)
    assert version is not None
    ids = [
        start_assessment(
            session, org=org, version=version, title=f"Review {p}", period=p, user=user
        ).id
        for p in ("2025-26", "2026-27")
    ]
    session.commit()
    signin(client, "owner@compare.example.org")
    return ids


BAD_IDS = ["²", "٣", "1²", TWENTY_DIGITS, str(MAX_ID + 1), "-1", "+2", " 3x"]


@pytest.mark.parametrize("path", ["/compare", "/compare.csv", "/compare.pdf"])
def test_ids_that_are_not_ascii_numbers_in_range_are_a_clear_400(
    client: FlaskClient, comparer: list[int], path: str
) -> None:
    for bad in BAD_IDS:
        response = client.get(path, query_string={"ids": f"{comparer[0]},{bad}"})
        assert response.status_code == 400, bad
        message = f"“{bad.strip()}” is not an assessment number."
        assert message in response.get_data(as_text=True)


def test_valid_ids_still_compare(client: FlaskClient, comparer: list[int]) -> None:
    response = client.get("/compare", query_string={"ids": f"{comparer[0]},{comparer[1]}"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "2025-26" in page
    assert "2026-27" in page


def test_an_id_at_the_top_of_the_range_is_simply_not_found(
    client: FlaskClient, comparer: list[int]
) -> None:
    response = client.get("/compare", query_string={"ids": f"{comparer[0]},{MAX_ID}"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        f"/assessments/{TWENTY_DIGITS}/report",
        f"/assessments/{TWENTY_DIGITS}.json",
        f"/assessments/{TWENTY_DIGITS}/sections/{FIRST}",
        f"/assessments/{MAX_ID + 1}/report",
        f"/assessments/{MAX_ID}/report",
        f"/assessments/1/actions/{TWENTY_DIGITS}/edit",
        f"/assessments/1/snapshots/{TWENTY_DIGITS}",
    ],
)
def test_path_ids_out_of_range_are_not_found(
    client: FlaskClient, comparer: list[int], path: str
) -> None:
    assert client.get(path).status_code == 404


@pytest.fixture
def advocate(client: FlaskClient, session: Session) -> Organization:
    org = make_org(session, "Vermont Advocates", kind="state_advocate", state="VT")
    make_user(session, "advocate@vt.example.org", org)
    session.commit()
    signin(client, "advocate@vt.example.org")
    return org


BAD_PAGES = ["²", "٣", TWENTY_DIGITS, str(MAX_PAGE + 1), "0", "-1", "1.5"]


def test_page_numbers_that_are_not_ascii_numbers_in_range_are_a_clear_400(
    client: FlaskClient, advocate: Organization
) -> None:
    for bad in BAD_PAGES:
        response = client.get("/organization/audit", query_string={"page": bad})
        assert response.status_code == 400, bad
        page = response.get_data(as_text=True)
        assert f"The page number must be a whole number from 1 to {MAX_PAGE:,}." in page
        assert "<h1>That request could not be understood</h1>" in page


def test_the_dashboard_shows_page_one_with_a_message_for_a_bad_page_number(
    client: FlaskClient, advocate: Organization
) -> None:
    # The dashboard never shows an error page for its query: bad filters are ignored with a
    # message, and so is a bad page number.
    for bad in BAD_PAGES:
        response = client.get("/states/VT/dashboard", query_string={"page": bad})
        assert response.status_code == 200, bad
        page = response.get_data(as_text=True)
        message = f"The page number must be a whole number from 1 to {MAX_PAGE:,}. Showing page 1."
        assert message in page


@pytest.mark.parametrize("path", ["/states/VT/dashboard", "/organization/audit"])
def test_page_numbers_in_range_are_served_even_past_the_last_page(
    client: FlaskClient, advocate: Organization, path: str
) -> None:
    for good in ["", "1", "2", str(MAX_PAGE)]:
        assert client.get(path, query_string={"page": good}).status_code == 200, good


# --- Control characters in typed text ---------------------------------------------------------

ORG_FORM = {"kind": "district", "state": "VT", "nces_id": "", "enrollment_band": ""}


@pytest.mark.parametrize("name", [BELL, "Tab\tDistrict", "Null\x00 District", "\x9b District"])
def test_organization_name_with_control_characters_is_refused_with_a_message(
    client: FlaskClient, session: Session, name: str
) -> None:
    make_user(session, "founder@example.org")
    session.commit()
    signin(client, "founder@example.org")
    before = _count(session, Organization)
    token = csrf_from(client.get("/organizations/new").data)
    response = client.post(
        "/organizations/new", data={**ORG_FORM, "name": name, "csrf_token": token}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Name of the organization contains an invisible control character" in page
    assert _count(session, Organization) == before


def test_nces_id_in_other_scripts_digits_is_refused(client: FlaskClient, session: Session) -> None:
    make_user(session, "founder@example.org")
    session.commit()
    signin(client, "founder@example.org")
    token = csrf_from(client.get("/organizations/new").data)
    response = client.post(
        "/organizations/new",
        data={**ORG_FORM, "name": "Digits", "nces_id": "٣٣٣٣٣٣٣", "csrf_token": token},
    )
    assert response.status_code == 400
    assert "An NCES district id has 7 digits" in response.get_data(as_text=True)


def _share_submitted(session: Session, org: Organization, advocate: Organization) -> None:
    user = make_user(session, f"owner{org.id}@example.org", org, name="Dana Owner")
    user.name = "Dana\x07 Owner"  # stored before the rule, straight to the row
    version = latest_version(session, LOCAL)
    assert version is not None
    assessment = start_assessment(
        session, org=org, version=version, title="Review", period="2025-26", user=user
    )
    states = generate_states(rubric_of(version), random.Random(org.name), 0.5)
    save_items(session, assessment, [ItemChange(i, s, None) for i, s in states.items()], user=user)
    submit(session, assessment, user=user)
    share_assessment(session, assessment, advocate, by=user, named=True)


@pytest.mark.parametrize("app_config", [{"SUPPRESSION_K": 1}])
def test_stored_control_characters_leave_the_xlsx_export_working(
    client: FlaskClient, session: Session, advocate: Organization
) -> None:
    # One organization shares: with K = 1 the small-number rule lets its rows through.
    # Stored without the form, as names typed before the form rule could be.
    org = make_org(session, "Bell District", state="VT", locale="rural")
    org.name = INJECTED
    _share_submitted(session, org, advocate)
    session.commit()
    response = client.get("/states/VT/export.xlsx?period=")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    # Whether CR LF reads back as LF depends on the XML library openpyxl finds (with lxml,
    # which python-docx brings, the CR survives as a character reference): compare line breaks.
    names = {
        str(row[0].value).replace("\r\n", "\n") for row in book["Answers"].iter_rows(min_row=2)
    }
    # The bell and NEL are gone; the line break stays.
    assert names == {"Bell District\nBcc: victim@elsewhere.example"}


def test_stored_control_characters_leave_the_mail_working_without_injection(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    # Stored before the rules, straight to the rows.
    org = make_org(session, "Bell District")
    org.name = INJECTED
    owner = make_user(session, "owner@bell.example.org", org, "owner", name="Dana Owner")
    owner.name = "Dana\x07\r\nOwner"
    session.commit()
    signin(client, "owner@bell.example.org")
    with smtp_sink() as sink:
        app.config.update(
            MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_USE_TLS=False
        )
        token = csrf_from(client.get("/organization").data)
        response = client.post(
            "/organization/invitations",
            data={"email": "colleague@bell.example.org", "role": "editor", "csrf_token": token},
        )
    assert response.status_code == 302
    assert _count(session, Invitation) == 1
    assert len(sink.messages) == 1
    message = email.message_from_bytes(sink.messages[0], policy=default_policy)
    assert message["Bcc"] is None
    assert message["To"] == "colleague@bell.example.org"
    subject = str(message["Subject"])
    assert (
        subject
        == "Dana  Owner invited you to Bell District  Bcc: victim@elsewhere.example on rubric_app"
    )
    body = message.get_content()
    assert "\x07" not in body
    assert "\x85" not in body
    assert "Bell District" in body


def test_section_text_with_control_characters_is_refused_and_kept(
    client: FlaskClient, session: Session, comparer: list[int]
) -> None:
    assessment = session.get(Assessment, comparer[0])
    assert assessment is not None
    url = section_url(assessment)
    fields = form_fields(client.get(url).get_data(as_text=True))
    fields["mou-purpose-stated__comment"] = ["Bell\x07 comment"]
    fields["mou-roles-responsibilities__comment"] = ["Line one\r\nline two\twith a tab"]
    response = client.post(url, data=fields)
    assert response.status_code < 500
    page = response.get_data(as_text=True)
    assert "Comment contains an invisible control character (U+0007)" in page
    # What was typed is on the page again, to fix and save.
    assert "Bell&#7; comment" in page or "Bell\x07 comment" in page
    session.expire_all()
    states = load_states(session, assessment)
    assert "mou-purpose-stated" not in states
    assert states["mou-roles-responsibilities"].comment == "Line one\nline two\twith a tab"


def test_every_form_with_text_fields_applies_the_text_rule(app: Flask) -> None:
    from flask_wtf import FlaskForm

    from rubric_app.accounts import forms as account_forms
    from rubric_app.form_base import Form, TextAllowed, is_text_field
    from rubric_app.questionnaire import forms as questionnaire_forms
    from rubric_app.reports import forms as report_forms

    classes = [
        value
        for module in (account_forms, questionnaire_forms, report_forms)
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, FlaskForm) and value is not Form
    ]
    assert len(classes) >= 12
    text_fields = 0
    with app.test_request_context():
        for form_class in classes:
            assert issubclass(form_class, Form), form_class.__name__
            form = form_class(meta={"csrf": False})
            for field in form:
                if is_text_field(type(field)):
                    text_fields += 1
                    assert isinstance(field.validators[0], TextAllowed), field.name
                else:
                    assert not any(isinstance(v, TextAllowed) for v in field.validators)
    assert text_fields >= 10
