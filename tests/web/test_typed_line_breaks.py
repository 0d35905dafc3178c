"""What people type reaches the report PDF as typed: its line breaks, and its script.

A comment of two lines ("We meet every term." then "Minutes go to the board.") was printed as
one run-on line in the PDF; the text is escaped either way. A comment in Chinese or Japanese
was drawn as empty boxes: DejaVu Sans has no such glyphs, and with no fallback font installed
WeasyPrint draws the missing-glyph box (the text layer still reads right, so only the fonts
the PDF embeds tell). Emoji (a comment "Done ✅") were boxes the same way. docs/deploy.md names
the font packages; .ci/run installs them.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
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


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the PDF itself: once
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


def _fonts_drawing(data: bytes, character: str) -> set[str]:
    """The base names (subset prefixes dropped) of the fonts that draw ``character`` in the PDF.

    Read from each font's ToUnicode map, which names the text every glyph code stands for: a
    character no installed font has is still mapped, in DejaVu Sans, to its missing-glyph box.
    """
    target = character.encode("utf-16-be").hex().upper()
    pair = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"].get_object().get("/Font", {}).values():
            font = font.get_object()
            to_unicode = font.get("/ToUnicode")
            if to_unicode is None:
                continue
            cmap = to_unicode.get_object().get_data().decode("latin-1")
            if any(text.upper() == target for _code, text in pair.findall(cmap)):
                names.add(str(font["/BaseFont"]).split("+", 1)[-1])
    return names


def _report_with_comment(client: FlaskClient, session: Session, comment: str) -> bytes:
    assessment, _, _ = _with_comment(client, session, comment)
    response = client.get(f"/assessments/{assessment.id}/report.pdf")
    assert response.status_code == 200
    return response.data


# Fonts are the same on either database: one PDF, on SQLite.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_japanese_and_emoji_in_a_comment_are_drawn_in_fonts_that_have_them(
    client: FlaskClient, session: Session
) -> None:
    data = _report_with_comment(
        client, session, "Reviewed with 日本語 speakers. Done \u2705 with the \U0001f693 unit"
    )
    assert {name.split("-")[0] for name in _fonts_drawing(data, "R")} == {"DejaVu"}
    # Each needed a font of its own: DejaVu Sans would draw its missing-glyph box.
    for character in ("日", "\u2705", "\U0001f693"):
        drawing = _fonts_drawing(data, character)
        assert drawing, f"{character!r} is not in the PDF's text"
        assert not any(name.startswith("DejaVu") for name in drawing), (character, drawing)


#: A fontconfig setup with the fallback fonts taken away, as on a machine without them.
WITHOUT_FALLBACKS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont><glob>*Emoji*</glob><glob>*Droid*</glob></rejectfont></selectfont>
</fontconfig>
"""


def test_a_missing_font_shows_as_dejavu_drawing_the_character(tmp_path: Path) -> None:
    """The check above can fail: without the fallback fonts, DejaVu Sans draws both (as boxes)."""
    config = tmp_path / "fonts.conf"
    config.write_text(WITHOUT_FALLBACKS, encoding="utf-8")
    out = tmp_path / "boxes.pdf"
    script = (
        "import sys\n"
        "from weasyprint import HTML\n"
        "HTML(string='<p style=\"font-family: DejaVu Sans\">Done \\u2705 \\u65e5</p>')"
        ".write_pdf(sys.argv[1])\n"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(config)}
    subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [sys.executable, "-c", script, str(out)], check=True, env=env
    )
    data = out.read_bytes()
    assert _fonts_drawing(data, "\u2705") == {"DejaVu-Sans"}
    assert _fonts_drawing(data, "\u65e5") == {"DejaVu-Sans"}
