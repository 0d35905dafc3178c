"""National survey figures beside an item: the district report, its PDF, the state dashboard."""

from __future__ import annotations

import io
import random
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from pypdf import PdfReader
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import share_assessment
from rubric_app.assessments import ItemChange, save_items, start_assessment, submit
from rubric_app.demo import generate_states
from rubric_app.models import Assessment
from rubric_app.rubric_versions import latest_version, rubric_of

ADVOCATE = "advocate@ia.example.org"
SURVEY = "a national survey of school principals"
DISCIPLINE = "In 2015-16, 58.7 % of the written policies on the officers"  # then an apostrophe


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SUPPRESSION_K": 5}


@pytest.fixture
def iowa(session: Session) -> Assessment:
    """Five Iowa districts with weak written policies share with their advocate."""
    advocate = make_org(session, "Iowa Youth Advocates", kind="state_advocate", state="IA")
    make_user(session, ADVOCATE, advocate)
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    first = None
    for index in range(5):
        org = make_org(session, f"Iowa District {index}", state="IA", locale="rural")
        user = make_user(session, f"owner{index}@ia.example.org", org)
        assessment = start_assessment(
            session, org=org, version=version, title="Review", period="2025-26", user=user
        )
        states = generate_states(rubric_of(version), random.Random(index), 0.05)
        save_items(
            session, assessment, [ItemChange(i, s, None) for i, s in states.items()], user=user
        )
        submit(session, assessment, user=user)
        share_assessment(session, assessment, advocate, by=user, named=True)
        first = first or assessment
    session.commit()
    assert first is not None
    return first


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the PDF itself: once
def test_the_report_and_its_pdf_put_the_national_figure_beside_the_gap(
    client: FlaskClient, iowa: Assessment
) -> None:
    signin(client, "owner0@ia.example.org")
    page = client.get(f"/assessments/{iowa.id}/report").get_data(as_text=True)
    gap = page.split('id="gap-mou-no-discipline-role"')[1].split("</article>")[0]
    assert "National context" in gap
    assert DISCIPLINE in gap
    assert SURVEY in gap
    assert "not this rubric's rating" in gap
    pdf = client.get(f"/assessments/{iowa.id}/report.pdf")
    assert pdf.status_code == 200
    text = " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf.data)).pages
    )
    assert DISCIPLINE in text
    assert f"{SURVEY}, 2015-16" in text


def test_the_state_dashboard_shows_the_national_figure_beside_the_states(
    client: FlaskClient, iowa: Assessment
) -> None:
    signin(client, ADVOCATE)
    page = client.get("/states/IA/dashboard").get_data(as_text=True)
    assert "Nothing is shown for these filters" not in page
    items = page.split('id="items"')[1]
    # The item names its row (a row header), and its national context follows in a row of its
    # own tied to that header, so it is read with the item but not with each of its figures.
    header = re.search(
        r'<th scope="row" id="(item-row-[^"]+)">The MOU states that SROs have no role in '
        r"administering school",
        items,
    )
    assert header is not None
    row, context = items[header.end() :].split("</tr>")[:2]
    assert SURVEY not in row
    assert f'headers="{header.group(1)}"' in context
    assert DISCIPLINE in context
    assert SURVEY in context
    assert not re.search(r"<tr[^>]*>\s*<td>", items.split("</details>")[0])  # no item in a td
