"""Compare across rubrics through a crosswalk: an afterschool program's answers and its
district's lined up item by item, on the page and in the CSV; access unchanged (issue 19,
item 4)."""

from __future__ import annotations

import csv
import html
import io
import re

from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from pypdf import PdfReader
from reports_fixtures import make_assessment
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import share_assessment
from rubric_app.assessments import ItemState
from rubric_app.models import Assessment
from rubric_app.rubric_versions import latest_version, rubric_of

LOCAL = "secure-local-implementation"
AFTERSCHOOL = "afterschool-law-enforcement-partnership"


def _gates(session: Session, rubric_id: str) -> dict[str, ItemState]:
    version = latest_version(session, rubric_id)
    assert version is not None
    rubric = rubric_of(version)
    return {i.id: ItemState(values={"value": "yes"}) for i in rubric.items if i.type == "yes_no"}


def _both(policy: str, practice: str) -> ItemState:
    return ItemState(values={"policy": policy, "practice": practice})


def _world(session: Session) -> tuple[str, str, Assessment, Assessment]:
    district = make_org(session, "Riverton City School District")
    owner = make_user(session, "owner@riverton.example.org", district, "owner")
    program = make_org(session, "Riverton Youth Club", kind="afterschool_program")
    lead = make_user(session, "lead@youthclub.example.org", program, "owner")
    local = make_assessment(
        session,
        district,
        owner,
        states={
            **_gates(session, LOCAL),
            "mou-no-discipline-role": _both("partly", "fully"),
            "mou-information-sharing-privacy": _both("not-in-place", "partly"),
            "complaint-process": _both("fully", "fully"),
            # training-de-escalation left unanswered.
        },
    )
    afterschool = make_assessment(
        session,
        program,
        lead,
        rubric_id=AFTERSCHOOL,
        states={
            **_gates(session, AFTERSCHOOL),
            "no-discipline-role": _both("fully", "fully"),
            "information-sharing-privacy": _both("fully", "partly"),
            "concern-process": _both("fully", "fully"),
            "de-escalation": _both("partly", "partly"),
        },
    )
    share_assessment(session, local, program, by=owner, partner=program.partner_code)
    session.commit()
    return lead.email, owner.email, afterschool, local


def _row(page: str, prompt_start: str, side: str) -> list[str]:
    """The cells of the crosswalk row whose first item starts with ``prompt_start``."""
    for cells in _all_rows(page):
        if prompt_start in cells[1] and cells[2] == side:
            return cells
    raise AssertionError(f"no row {prompt_start!r} {side!r}")


def test_compare_lines_up_the_crosswalked_items_and_says_where_they_differ(
    client: FlaskClient, session: Session
) -> None:
    lead, _owner, afterschool, local = _world(session)
    signin(client, lead)
    response = client.get(f"/compare?ids={afterschool.id},{local.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "no items in common" not in page
    assert "item by item" in page

    discipline = _row(
        page, "Officers have no role in program discipline", "Written agreement or program policy"
    )
    assert discipline[0] == "Discipline"
    assert (
        "The MOU states that SROs have no role in administering school discipline"
        in (discipline[1])
    )
    assert discipline[3:] == ["Fully in place", "Partly in place", "Differs"]
    practice = _row(page, "Officers have no role in program discipline", "Practice")
    assert practice[0] == "Discipline"
    assert practice[3:] == ["Fully in place", "Fully in place", "Same"]

    sharing = [r for r in _all_rows(page) if r[0] == "Information sharing" and r[2] != "Practice"]
    assert sharing[0][3:] == ["Fully in place", "Not in place", "Differs"]
    complaints = [r for r in _all_rows(page) if r[0] == "Complaints"]
    assert {tuple(r[3:]) for r in complaints} == {("Fully in place", "Fully in place", "Same")}
    training = [r for r in _all_rows(page) if "de-escalat" in r[1].lower() and r[0] == "Training"]
    assert training
    assert all(r[4] == "Not answered" and r[5] == "Cannot tell" for r in training)
    # The summary names the topics that differ.
    assert re.search(r"lines differ: discipline, information sharing", page)


def _all_rows(page: str) -> list[list[str]]:
    """The crosswalk table's rows, six cells each: a pair's later rows (one per side) take the
    topic and items from its first row, which spans them."""
    rows: list[list[str]] = []
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        cells = [
            " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        if len(cells) == 6:
            rows.append(cells)
        elif len(cells) == 4 and rows:
            rows.append([*rows[-1][:2], *cells])
    return rows


def test_compare_csv_carries_the_crosswalk_rows(client: FlaskClient, session: Session) -> None:
    lead, _owner, afterschool, local = _world(session)
    signin(client, lead)
    response = client.get(f"/compare.csv?ids={afterschool.id},{local.id}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header = rows[0]
    crosswalk = [dict(zip(header, row, strict=True)) for row in rows[1:] if row[0] == "crosswalk"]
    discipline = [
        r
        for r in crosswalk
        if r["item"] == "no-discipline-role = mou-no-discipline-role"
        and r["dimension"] == "Written agreement or program policy"
    ]
    assert len(discipline) == 1
    notes = [value for key, value in discipline[0].items() if key.endswith(": note")]
    assert notes == ["Fully in place", "Partly in place"]
    assert discipline[0]["item text"].startswith("Differs: ")
    assert discipline[0]["step"] == "Discipline"


def _pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def test_compare_pdf_carries_the_crosswalk_lines(client: FlaskClient, session: Session) -> None:
    lead, _owner, afterschool, local = _world(session)
    signin(client, lead)
    response = client.get(f"/compare.pdf?ids={afterschool.id},{local.id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    text = _pdf_text(response.data)
    assert "Items lined up through a crosswalk" in text
    assert "item by item" in text
    assert "no items in common" not in text
    # The summary line counts the differing lines and names their topics, as on the page.
    assert re.search(r"\d+ of \d+ lines differ: discipline, information sharing", text)
    # Each answer and the relation in words: the discipline pair differs on the written side
    # and is the same in practice; the unanswered training item cannot tell.
    assert "Officers have no role in program discipline" in text
    assert re.search(
        r"Written agreement or program policy Fully in place Partly in place Differs", text
    )
    assert re.search(r"Practice Fully in place Fully in place Same", text)
    assert re.search(r"Not answered Cannot tell", text)


def test_compare_of_one_rubric_shows_no_crosswalk(client: FlaskClient, session: Session) -> None:
    _lead, owner, _afterschool, local = _world(session)
    district = local.organization
    second = make_assessment(
        session,
        district,
        make_user(session, "second@riverton.example.org", district, "editor"),
        period="2026-27",
    )
    signin(client, owner)
    page = client.get(f"/compare?ids={local.id},{second.id}").get_data(as_text=True)
    assert "item by item</h3>" not in page


def test_a_stranger_still_gets_404(client: FlaskClient, session: Session) -> None:
    _lead, _owner, afterschool, local = _world(session)
    other = make_org(session, "Elsewhere District")
    stranger = make_user(session, "x@elsewhere.example.org", other, "owner")
    signin(client, stranger.email)
    assert client.get(f"/compare?ids={afterschool.id},{local.id}").status_code == 404
    assert client.get(f"/compare.csv?ids={afterschool.id},{local.id}").status_code == 404
