"""Line breaks people type in a comment survive on the review page and in the report PDF.

A comment of two lines ("We meet every term." then "Minutes go to the board.") was printed as
one run-on line in the PDF; the text is escaped either way.
"""

from __future__ import annotations

import dataclasses
import io

from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from pypdf import PdfReader
from reports_fixtures import make_assessment, rated_states
from sqlalchemy.orm import Session

COMMENT = "We meet every term.\nMinutes <go> to the board."


def test_a_two_line_comment_stays_two_lines_on_the_page_and_in_the_pdf(
    client: FlaskClient, session: Session
) -> None:
    org = make_org(session, "Lakeside Schools")
    owner = make_user(session, "owner@lakeside.example.org", org)
    states = rated_states(session=session)
    first = next(iter(states))
    states[first] = dataclasses.replace(states[first], comment=COMMENT)
    assessment = make_assessment(session, org, owner, states=states)
    session.commit()
    signin(client, "owner@lakeside.example.org")

    review = client.get(f"/assessments/{assessment.id}/review").get_data(as_text=True)
    assert (
        '<span class="typed">We meet every term.\nMinutes &lt;go&gt; to the board.</span>' in review
    )
    pdf = client.get(f"/assessments/{assessment.id}/report.pdf")
    assert pdf.status_code == 200
    lines = [
        " ".join(line.split())
        for page in PdfReader(io.BytesIO(pdf.data)).pages
        for line in (page.extract_text() or "").splitlines()
    ]
    assert "Comment: We meet every term." in lines
    assert "Minutes <go> to the board." in lines
