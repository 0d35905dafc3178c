"""The state exports read back as spreadsheets people can use (openpyxl and csv, real files).

Eight districts share with the Delaware advocate; one item is answered by only three of them,
so its figure is hidden under K = 5 and must come out as an empty cell with a note.
"""

from __future__ import annotations

import csv
import io
import random
from typing import Any

import pytest
from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import share_assessment
from rubric_app.assessments import ItemChange, save_items, start_assessment, submit
from rubric_app.demo import generate_states
from rubric_app.rubric_versions import latest_version, rubric_of
from rubric_app.states.exports import ANSWER_HEADER
from rubric_app.states.rollup import scored_items

ADVOCATE = "advocate@de.example.org"
RUBRIC = "secure-local-implementation"
TABLES = ("Participation", "Scores", "Items", "Paper vs practice", "Answers")


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SUPPRESSION_K": 5}


@pytest.fixture
def delaware(session: Session) -> str:
    """Return the id of the item that only three districts answered."""
    advocate = make_org(session, "Delaware Youth Advocates", kind="state_advocate", state="DE")
    make_user(session, ADVOCATE, advocate)
    version = latest_version(session, RUBRIC)
    assert version is not None
    rubric = rubric_of(version)
    rare = scored_items(rubric)[0].id
    for index in range(8):
        org = make_org(
            session, f"Delaware District {index}", state="DE", locale="suburb", sro_model="sheriff"
        )
        user = make_user(session, f"owner{index}@de.example.org", org)
        assessment = start_assessment(
            session, org=org, version=version, title="Review", period="2025-26", user=user
        )
        states = generate_states(rubric, random.Random(index), 0.5)
        if index >= 3:
            states.pop(rare, None)
        changes = [ItemChange(i, s, None) for i, s in states.items()]
        save_items(session, assessment, changes, user=user)
        submit(session, assessment, user=user)
        share_assessment(session, assessment, advocate, by=user, named=True)
    session.commit()
    return rare


def _book(client: FlaskClient) -> Any:
    signin(client, ADVOCATE)
    response = client.get("/states/DE/export.xlsx?period=2025-26")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


def _table(sheet: Worksheet) -> list[dict[str, Any]]:
    rows = list(sheet.iter_rows())
    header = [cell.value for cell in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_every_table_has_a_frozen_header_a_filter_and_widths(
    client: FlaskClient, delaware: str
) -> None:
    book = _book(client)
    assert book.sheetnames == ["README", *TABLES]
    for name in TABLES:
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        last = get_column_letter(sheet.max_column)
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}", name
        for index in range(1, sheet.max_column + 1):
            assert sheet.column_dimensions[get_column_letter(index)].width >= 8, (name, index)
        assert all(cell.font.bold for cell in sheet[1]), name


def test_readme_explains_the_sheets_and_the_rule(client: FlaskClient, delaware: str) -> None:
    about = {row[0].value: row[1].value for row in _book(client)["README"].iter_rows()}
    for name in TABLES:
        assert about[name], name
    assert "fewer than 5 organizations is left empty" in about["Small-number rule"]
    # The answers undo the rule if the file travels: the sheet says so where it is described.
    assert "before passing this file on" in about["Answers"]
    assert about["Organizations"] == 8
    assert about["Period"] == "2025-26"


def test_numbers_are_numbers_and_hidden_cells_are_empty_with_a_note(
    client: FlaskClient, delaware: str
) -> None:
    book = _book(client)
    items = _table(book["Items"])
    hidden = [row for row in items if row["Item code"].value == delaware]
    assert hidden
    for row in hidden:
        assert row["Fully in place"].value is None
        assert row["Assessments rated"].value is None
        assert "fewer than 5 organizations" in row["Note"].value
    shown = [row for row in items if row["Fully in place"].value is not None]
    assert shown
    for row in shown:
        assert isinstance(row["Fully in place"].value, int | float)
        assert 0 <= row["Fully in place"].value <= 1
        assert row["Fully in place"].number_format == "0.0%"
        assert isinstance(row["Assessments rated"].value, int)
        assert row["Note"].value in (None, "")
    for row in _table(book["Scores"]):
        median = row["Median"]
        assert median.value is None or (
            isinstance(median.value, int | float) and median.number_format == "0.0%"
        )
    for sheet in TABLES:
        for row in _table(book[sheet]):
            for header, cell in row.items():
                if cell.number_format in ("0.0%", "0"):
                    assert not isinstance(cell.value, str), (sheet, header, cell.value)


def test_rubric_order_and_codes_beside_labels(
    client: FlaskClient, session: Session, delaware: str
) -> None:
    version = latest_version(session, RUBRIC)
    assert version is not None
    rubric = rubric_of(version)
    order = {item.id: index for index, item in enumerate(rubric.items)}
    book = _book(client)
    item_codes = [row["Item code"].value for row in _table(book["Items"])]
    assert item_codes == sorted(item_codes, key=order.__getitem__)
    answers = _table(book["Answers"])
    first = [row for row in answers if row["organization"].value == "Delaware District 0"]
    codes = [row["item_code"].value for row in first]
    assert codes == sorted(codes, key=order.__getitem__)
    row = first[0]
    assert (row["kind"].value, row["kind_code"].value) == ("School districts", "district")
    assert (row["locale"].value, row["locale_code"].value) == ("Suburb", "suburb")
    assert row["sro_model_code"].value == "sheriff"
    scored = [r for r in first if r["points"].value is not None]
    assert scored
    assert all(isinstance(r["points"].value, int | float) for r in scored)


def test_csv_is_the_same_table_in_plain_form(client: FlaskClient, delaware: str) -> None:
    signin(client, ADVOCATE)
    text = client.get("/states/DE/export.csv?period=2025-26").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(rows[0]) == ANSWER_HEADER
    assert {row["kind_code"] for row in rows} == {"district"}
    for row in rows:
        if row["points"]:
            float(row["points"])  # a plain number, never "3 points" or "60%"
        assert "%" not in row["points"] + row["max_points"]
    assert len({row["organization"] for row in rows}) == 8
