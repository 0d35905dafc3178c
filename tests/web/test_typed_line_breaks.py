"""What people type reaches the report PDF as typed: its line breaks, and its script.

A comment of two lines ("We meet every term." then "Minutes go to the board.") was printed as
one run-on line in the PDF; the text is escaped either way. A comment in Chinese or Japanese
was drawn as empty boxes: DejaVu Sans has no such glyphs, and with no fallback font installed
WeasyPrint draws the missing-glyph box (the text layer still reads right, so only the fonts
the PDF embeds tell). docs/deploy.md names the font package; .ci/run installs it.
"""

from __future__ import annotations

import dataclasses
import io

from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from pypdf import PdfReader
from reports_fixtures import make_assessment, rated_states
from sqlalchemy.orm import Session

from rubric_app.models import Assessment, Organization, User

COMMENT = "We meet every term.\nMinutes <go> to the board."


def _with_comment(
    client: FlaskClient, session: Session, comment: str
) -> tuple[Assessment, Organization, User]:
    """A submitted assessment whose first item carries ``comment``; its owner signed in."""
    org = make_org(session, "Lakeside Schools")
    owner = make_user(session, "owner@lakeside.example.org", org)
    states = rated_states(session=session)
    first = next(iter(states))
    states[first] = dataclasses.replace(states[first], comment=comment)
    assessment = make_assessment(session, org, owner, states=states)
    session.commit()
    signin(client, "owner@lakeside.example.org")
    return assessment, org, owner


def test_a_two_line_comment_stays_two_lines_on_the_page_and_in_the_pdf(
    client: FlaskClient, session: Session
) -> None:
    assessment, _, _ = _with_comment(client, session, COMMENT)

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


def _embedded_fonts(data: bytes) -> set[str]:
    """The base names of the fonts the PDF embeds (subset prefixes dropped)."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def test_a_comment_in_japanese_is_drawn_in_a_font_that_has_it(
    client: FlaskClient, session: Session
) -> None:
    assessment, org, owner = _with_comment(client, session, "Reviewed with 日本語 speakers")
    plain = make_assessment(session, org, owner, period="2024-25")
    session.commit()
    with_cjk = _embedded_fonts(client.get(f"/assessments/{assessment.id}/report.pdf").data)
    without = _embedded_fonts(client.get(f"/assessments/{plain.id}/report.pdf").data)
    assert all(name.startswith("DejaVu") for name in without), without
    # The Japanese words needed a font of their own beside DejaVu Sans.
    assert with_cjk - without, with_cjk
