"""The state dashboard and its exports, as a state advocate uses them.

A small Vermont: five rural districts, four town districts and two city districts share submitted
assessments with the Vermont advocate. With K = 5 the rural figures show; the town and city ones
are hidden, and together (six) they are enough that showing rural gives neither away. The rural
and town districts agreed to be named; the city ones did not, so they appear only as unnamed
organizations. Three more organizations do not count: one revoked its share, one never shared,
one is a draft. Their names must never appear in the page, the CSV, the XLSX or the PDF.
"""

from __future__ import annotations

import csv
import gc
import http.client
import io
import random
import re
import threading
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_from, make_org, make_user, signin
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool
from werkzeug.serving import make_server

from rubric_app.accounts.sharing import revoke_share, share_assessment
from rubric_app.accounts.vetting import verify_organization
from rubric_app.assessments import ItemChange, save_items, start_assessment, submit
from rubric_app.db import db
from rubric_app.demo import generate_states
from rubric_app.models import Assessment, AuditEvent, Organization, SectionScoreRow, Share
from rubric_app.rubric_versions import latest_version, rubric_of

ADVOCATE = "advocate@vt.example.org"
EXCLUDED = ("Revoked Share District", "Never Shared District", "Draft Only District")


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SUPPRESSION_K": 5, "PAGE_SIZE": 4}


def _assessment(
    session: Session,
    org: Organization,
    *,
    maturity: float,
    advocate: Organization | None,
    submit_it: bool = True,
    revoke: bool = False,
    named: bool = True,
    period: str = "2025-26",
) -> None:
    user = make_user(session, f"owner{org.id}-{period}@example.org", org)
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    assessment = start_assessment(
        session, org=org, version=version, title="Review", period=period, user=user
    )
    states = generate_states(rubric_of(version), random.Random(org.name), maturity)
    save_items(session, assessment, [ItemChange(i, s, None) for i, s in states.items()], user=user)
    if not submit_it:
        return
    submit(session, assessment, user=user)
    if advocate is not None:
        share = share_assessment(session, assessment, advocate, by=user, named=named)
        if revoke:
            revoke_share(session, share, by=user)


@pytest.fixture
def vermont(session: Session) -> Organization:
    advocate = make_org(
        session, "Vermont Youth Justice Advocates", kind="state_advocate", state="VT"
    )
    make_user(session, ADVOCATE, advocate)
    for index in range(5):
        org = make_org(
            session, f"Rural District {index}", state="VT", locale="rural", sro_model="sheriff"
        )
        _assessment(session, org, maturity=0.3 + 0.05 * index, advocate=advocate)
    for index in range(4):
        org = make_org(
            session, f"Town District {index}", state="VT", locale="town", sro_model="local_police"
        )
        _assessment(session, org, maturity=0.5 + 0.05 * index, advocate=advocate)
    for index in range(2):
        org = make_org(session, f"City District {index}", state="VT", locale="city")
        _assessment(session, org, maturity=0.6, advocate=advocate, named=False)
    revoked = make_org(session, EXCLUDED[0], state="VT", locale="rural")
    _assessment(session, revoked, maturity=0.9, advocate=advocate, revoke=True)
    unshared = make_org(session, EXCLUDED[1], state="VT", locale="rural")
    _assessment(session, unshared, maturity=0.9, advocate=None)
    draft = make_org(session, EXCLUDED[2], state="VT", locale="rural")
    _assessment(session, draft, maturity=0.9, advocate=advocate, submit_it=False)
    session.commit()
    return advocate


def _page(client: FlaskClient, query: str = "") -> str:
    response = client.get(f"/states/VT/dashboard{query}")
    assert response.status_code == 200, response.data[:300]
    return response.get_data(as_text=True)


def test_dashboard_shows_rural_figures_and_hides_town_ones(
    client: FlaskClient, vermont: Organization
) -> None:
    signin(client, ADVOCATE)
    page = _page(client)
    assert "11 submitted" in page
    assert "from 11" in page
    assert "Rural District 0" in page  # first page of participants (4 per page)

    rural = _page(client, "?locale=rural")
    assert "5 submitted" in rural
    assert "Lower quartile" in rural
    assert "Nothing is shown for these filters" not in rural

    town = _page(client, "?locale=town")
    assert "Nothing is shown for these filters" in town
    assert "Hidden to protect privacy: fewer than 5 organizations" in town
    # Nothing about the group: no count, no names, no figures, no downloads.
    assert "(n=" not in town
    assert "4 submitted" not in town
    assert "Town District" not in town
    assert "Median" not in town
    assert "export.csv" not in town
    # One calm notice, not one per cell.
    assert town.count("Hidden to protect privacy") == 1


def test_suppression_at_k_minus_one_and_k(
    client: FlaskClient, session: Session, vermont: Organization
) -> None:
    signin(client, ADVOCATE)
    town = _page(client, "?locale=town")
    assert "Nothing is shown for these filters" in town
    assert 'id="scores"' not in town
    # Add a fifth town district: now exactly K organizations, and the figures appear.
    org = make_org(session, "Town District 4", state="VT", locale="town")
    _assessment(session, org, maturity=0.6, advocate=vermont)
    session.commit()
    town = _page(client, "?locale=town")
    scores = town.split('id="scores"')[1].split("</table>")[0]
    assert "Hidden to protect privacy" not in scores.split("</tr>")[1]  # the overall row
    assert "<svg" in scores
    assert "Nothing is shown for these filters" not in town
    # The two city districts alone would now be "all locales" minus rural minus town, so one
    # of the two five-district groups is hidden with them: rural, the first of the tie.
    rural = _page(client, "?locale=rural")
    assert "Nothing is shown for these filters" in rural
    assert "would reveal a group of fewer than 5 organizations" in rural


def test_nothing_unshared_appears_anywhere(client: FlaskClient, vermont: Organization) -> None:
    signin(client, ADVOCATE)
    pages = [_page(client, f"?page={n}&period=") for n in (1, 2, 3)]
    csv_text = client.get("/states/VT/export.csv?period=").get_data(as_text=True)
    book = load_workbook(io.BytesIO(client.get("/states/VT/export.xlsx?period=").data))
    xlsx_text = " ".join(
        str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row
    )
    pdf = PdfReader(io.BytesIO(client.get("/states/VT/summary.pdf?period=").data))
    pdf_text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Rural District 3" in " ".join(pages)
    assert "Rural District 3" in csv_text
    assert "Rural District 3" in xlsx_text
    # The city districts did not agree to be named: counted, never named or linked.
    for name in (*EXCLUDED, "City District"):
        for text in (*pages, csv_text, xlsx_text, pdf_text):
            assert name not in text
    assert "Unnamed organization" in " ".join(pages)
    rows = list(csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert {row["organization"] for row in rows} == {
        *(f"Rural District {i}" for i in range(5)),
        *(f"Town District {i}" for i in range(4)),
        "Unnamed organization 1",
        "Unnamed organization 2",
    }


def test_exports_neutralize_formulas_and_are_audited(
    client: FlaskClient, session: Session, vermont: Organization
) -> None:
    evil = make_org(session, '=HYPERLINK("http://x.example","hi")', state="VT", locale="city")
    _assessment(session, evil, maturity=0.5, advocate=vermont)
    minus = make_org(session, "-2+3 District", state="VT", locale="city")
    _assessment(session, minus, maturity=0.5, advocate=vermont)
    session.commit()
    signin(client, ADVOCATE)
    response = client.get("/states/VT/export.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    names = {row[0] for row in rows[1:]}
    assert '\'=HYPERLINK("http://x.example","hi")' in names
    assert "'-2+3 District" in names
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names)

    book = load_workbook(io.BytesIO(client.get("/states/VT/export.xlsx").data))
    assert book.sheetnames == [
        "README",
        "Participation",
        "Scores",
        "Items",
        "Paper vs practice",
        "Answers",
    ]
    cells = [row[0] for row in book["Answers"].iter_rows(min_row=2)]
    assert all(cell.data_type != "f" for cell in cells)
    assert '\'=HYPERLINK("http://x.example","hi")' in {cell.value for cell in cells}
    about = {row[0].value: row for row in book["README"].iter_rows()}
    assert about["Organizations"][1].value == 13

    pdf = client.get("/states/VT/summary.pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert "Vermont" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    formats = [
        event.detail["format"]
        for event in session.scalars(select(AuditEvent).where(AuditEvent.action == "state.export"))
    ]
    assert sorted(formats) == ["csv", "pdf", "xlsx"]


def test_pdf_explains_hidden_figures(client: FlaskClient, vermont: Organization) -> None:
    signin(client, ADVOCATE)
    pdf = PdfReader(io.BytesIO(client.get("/states/VT/summary.pdf?locale=town").data))
    text = " ".join(page.extract_text() for page in pdf.pages)
    text = " ".join(text.split())
    assert "Nothing is shown for these filters. Hidden to protect privacy: fewer than 5" in text
    assert "(n=" not in text
    assert "Town District" not in text


def test_participants_paginate(client: FlaskClient, vermont: Organization) -> None:
    signin(client, ADVOCATE)
    first = _page(client)
    assert "Page 1 of 3" in first
    assert 'rel="next"' in first
    # Named organizations by name first, then the unnamed ones, unlinked.
    third = _page(client, "?page=3&period=2025-26")
    assert "Town District 3" in third
    assert third.count('<td data-label="Organization">Unnamed organization</td>') == 2
    assert 'rel="prev"' in third
    assert 'rel="next"' not in third


def test_a_page_past_the_end_shows_the_last_page_with_a_message(
    client: FlaskClient, vermont: Organization
) -> None:
    signin(client, ADVOCATE)
    page = _page(client, "?page=99")
    assert "There is no page 99 of participating organizations: showing page 3, the last." in page
    assert "Page 3 of 3" in page
    assert "Town District 3" in page
    assert 'rel="prev"' in page
    assert 'rel="next"' not in page
    # A withheld view lists nobody, and its page count would tell its size: no message.
    town = _page(client, "?locale=town&page=99")
    assert "There is no page" not in town


def test_an_export_the_client_stops_reading_gives_its_connection_back(
    client: FlaskClient, app: Flask, vermont: Organization
) -> None:
    """The CSV streams after the view's request context is gone; a client that reads a little
    and goes away must not keep a database connection (a few such downloads emptied the pool
    for every user until the garbage collector came by, so it is kept off here). Served over
    HTTP by a real server on its own threads, as in production."""
    signin(client, ADVOCATE)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    with app.app_context():
        pool = db.engine.pool
    assert isinstance(pool, QueuePool)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gc.disable()
    try:
        before = pool.checkedout()
        for _ in range(3):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            connection.request(
                "GET",
                "/states/VT/export.csv?period=2025-26",
                headers={"Cookie": f"{cookie.key}={cookie.value}"},
            )
            response = connection.getresponse()
            assert response.status == 200
            assert response.read(200)  # the first rows, then the client goes away
            connection.close()
        # The server notices the closed connection on its next write: wait for that (bounded).
        deadline = time.monotonic() + 20
        while pool.checkedout() != before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pool.checkedout() == before
    finally:
        gc.enable()
        server.shutdown()
        thread.join(timeout=10)


def test_participants_scores_say_what_they_rest_on(
    client: FlaskClient, session: Session, vermont: Organization
) -> None:
    """Like every other score in the product: the percent and how many items it rests on."""
    signin(client, ADVOCATE)
    page = _page(client, "?page=1&period=2025-26")
    cells = re.findall(r'<td class="num" data-label="Overall score">(.*?)</td>', page)
    assert len(cells) == 4
    row = session.execute(
        select(SectionScoreRow.percent, SectionScoreRow.answered, SectionScoreRow.applicable)
        .join(Assessment, Assessment.id == SectionScoreRow.assessment_id)
        .join(Organization, Organization.id == Assessment.org_id)
        .where(
            Organization.name == "Rural District 0",
            SectionScoreRow.section_id == "_overall",
            SectionScoreRow.dimension == "_all",
        )
    ).one()
    percent, answered, applicable = row
    assert answered
    assert applicable
    expected = f"{percent:.0f}%" if percent is not None else "not enough answers"
    basis = f"from {answered} of {applicable} items answered"
    assert f'{expected}<br><span class="muted basis">{basis}</span>' in cells


def test_participants_say_which_organizations_were_verified(
    client: FlaskClient, session: Session, vermont: Organization
) -> None:
    """Anyone can make an organization and share with the advocate, under any name: the list
    marks those a site administrator verified, and says nothing of unnamed ones."""
    for name in ("Rural District 0", "City District 0"):  # named, and unnamed
        org = session.scalar(select(Organization).where(Organization.name == name))
        assert org is not None
        verify_organization(session, org, by=None, via="cli")
    session.commit()
    signin(client, ADVOCATE)
    rows = re.findall(
        r'<td data-label="Organization">(.*?)</td>',
        " ".join(_page(client, f"?page={page}&period=2025-26") for page in (1, 2, 3)),
    )
    verified = [row for row in rows if "Verified" in row]
    assert len(verified) == 1
    assert "Rural District 0" in verified[0]
    assert rows.count("Unnamed organization") == 2


def test_bad_filters_are_ignored_with_a_message(client: FlaskClient, vermont: Organization) -> None:
    signin(client, ADVOCATE)
    page = _page(client, "?locale=moon&rubric=nope&page=x")
    assert "Unknown locale &#39;moon&#39;: showing every locale." in page
    assert "No shared assessments use that rubric" in page
    assert "11 submitted" in page


def test_an_unknown_period_names_the_period_shown(
    client: FlaskClient, session: Session, vermont: Organization
) -> None:
    """There is no every-period view: an unknown period shows the default one, named."""
    signin(client, ADVOCATE)
    page = _page(client, "?period=1999-00")
    assert "Unknown period &#39;1999-00&#39;: showing 2025-26, the latest period." in page
    assert "showing every period" not in page
    assert "11 submitted" in page
    # A later period with too few organizations for figures is not the default: say why.
    org = make_org(session, "Early Bird District", state="VT", locale="rural")
    _assessment(session, org, maturity=0.5, advocate=vermont, period="2026-27")
    session.commit()
    page = _page(client, "?period=1999-00")
    assert (
        "Unknown period &#39;1999-00&#39;: showing 2025-26, the latest period with enough "
        "organizations for figures." in page
    )


def test_only_the_states_own_advocates_see_it(
    client: FlaskClient, session: Session, vermont: Organization
) -> None:
    assert client.get("/states/VT/dashboard").status_code == 302  # sign in first
    district = session.scalar(select(Organization).where(Organization.name == "Rural District 0"))
    make_user(session, "member@district.example.org", district)
    other = make_org(session, "New Hampshire Advocates", kind="state_advocate", state="NH")
    make_user(session, "advocate@nh.example.org", other)
    session.commit()
    for email in ("member@district.example.org", "advocate@nh.example.org"):
        signin(client, email)
        for url in (
            "/states/VT/dashboard",
            "/states/VT/export.csv",
            "/states/VT/export.xlsx",
            "/states/VT/summary.pdf",
        ):
            assert client.get(url).status_code == 404, (email, url)
        index = client.get("/states").get_data(as_text=True)
        assert "/states/VT/dashboard" not in index
    assert "/states/NH/dashboard" in client.get("/states").get_data(as_text=True)
    signin(client, ADVOCATE)
    assert "/states/VT/dashboard" in client.get("/states").get_data(as_text=True)
    assert client.get("/states/NH/dashboard").status_code == 404


def test_state_dashboard_link_only_for_advocates(
    client: FlaskClient, session: Session, vermont: Organization
) -> None:
    district = session.scalar(select(Organization).where(Organization.name == "Rural District 0"))
    make_user(session, "member@district.example.org", district)
    session.commit()
    assert ">State dashboard<" not in client.get("/resources").get_data(as_text=True)
    signin(client, "member@district.example.org")
    assert ">State dashboard<" not in client.get("/").get_data(as_text=True)
    signin(client, ADVOCATE)
    assert ">State dashboard<" in client.get("/").get_data(as_text=True)


def test_sharing_asks_whether_to_be_named(
    client: FlaskClient, session: Session, vermont: Organization
) -> None:
    org = make_org(session, "Named Choice District", state="VT", locale="city")
    user = make_user(session, "named@vt.example.org", org)
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    assessment = start_assessment(
        session, org=org, version=version, title="Review", period="2025-26", user=user
    )
    submit(session, assessment, user=user)
    session.commit()
    signin(client, "named@vt.example.org")
    page = client.get(f"/assessments/{assessment.id}/sharing").get_data(as_text=True)
    assert "Name our organization in the receiver" in page
    response = client.post(
        f"/assessments/{assessment.id}/sharing",
        data={"csrf_token": csrf_from(page), "to_org": str(vermont.id), "named": "y"},
    )
    assert response.status_code == 302
    share = session.scalar(select(Share).where(Share.assessment_id == assessment.id))
    assert share is not None
    session.refresh(share)
    assert share.named_in_lists is True


@pytest.mark.parametrize("app_config", [{"SUPPRESSION_K": 1}])
def test_a_filtered_views_downloads_are_named_after_its_filters(
    client: FlaskClient, session: Session, vermont: Organization
) -> None:
    """Two views' files never take each other's name in a downloads folder."""
    city = make_org(session, "Burlington City Schools", state="VT", locale="city")
    _assessment(session, city, maturity=0.5, advocate=vermont)
    session.commit()
    signin(client, ADVOCATE)
    names = {
        url: client.get(url).headers["Content-Disposition"]
        for url in ("/states/VT/export.csv?locale=city", "/states/VT/export.csv")
    }
    assert "-city.csv" in names["/states/VT/export.csv?locale=city"]
    assert "-city" not in names["/states/VT/export.csv"]


def test_an_empty_view_says_so_and_offers_no_downloads(
    client: FlaskClient, session: Session, vermont: Organization
) -> None:
    """No Vermont district shared without SROs: the view is empty, not withheld (zeros are not
    hidden), and every part of it says that nothing matches, under the rubric's title."""
    signin(client, ADVOCATE)
    query = "?period=2025-26&sro_model=none"
    page = _page(client, query)
    title = "SECURe-aligned Local Implementation Rubric"
    assert f"{title}: no submitted assessment shared with" in page
    assert "secure-local-implementation:" not in page
    assert "No shared assessment matches these filters." in page
    assert "Nothing is shown for these filters" not in page
    # No findings that blame the small-number rule, no empty sections, no downloads.
    assert 'id="findings"' not in page
    assert "No action step has a median" not in page
    assert 'id="items"' not in page
    for link in ("export.csv", "export.xlsx", "summary.pdf", "summary-one-page.pdf", "reports.zip"):
        assert link not in page
    # Who took part still shows every period, so the advocate sees where to look instead.
    assert 'id="participation"' in page
    # Asked for anyway, the files lead back to the notice; the PDFs say so under the title.
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/states/VT/export.{fmt}{query}")
        assert response.status_code == 302
        assert "/states/VT/dashboard" in response.headers["Location"]
    token = csrf_from(client.get("/account").data)
    response = client.post(f"/states/VT/reports.zip{query}", data={"csrf_token": token})
    assert response.status_code == 302
    assert "/states/VT/dashboard" in response.headers["Location"]
    for url, empty in (
        ("summary.pdf", "No shared assessment matches these filters"),
        ("summary-one-page.pdf", "No self-assessment matches these filters"),
    ):
        reader = PdfReader(io.BytesIO(client.get(f"/states/VT/{url}{query}").data))
        assert reader.metadata is not None
        assert reader.metadata.title == f"Vermont state summary: {title}"
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
        assert title in text
        assert empty in text
        assert "secure-local-implementation" not in text
        assert "Findings" not in text
