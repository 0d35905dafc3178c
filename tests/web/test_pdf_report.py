"""The report PDF, parsed back: pages, text, links, outline, structure tree, fonts, cache, and a
renderer that fetches nothing from the network or outside static/."""

from __future__ import annotations

import http.server
import io
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import signin
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject
from reports_fixtures import make_setup
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.catalog_state import current_catalog
from rubric_app.models import AuditEvent
from rubric_app.reports.actions import create_action
from rubric_app.reports.pdf import StaticOnlyFetcher, render_pdf
from rubric_app.reports.view_data import build_report


def _normal(text: str) -> str:
    return " ".join(text.split())


def _outline_titles(entries: list[Any]) -> list[str]:
    titles: list[str] = []
    for entry in entries:
        if isinstance(entry, list):
            titles.extend(_outline_titles(entry))
        else:
            titles.append(_normal(entry.title))
    return titles


def _uris(reader: PdfReader) -> set[str]:
    uris = set()
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            target = annotation.get_object()
            action = target.get("/A")
            if action is not None and "/URI" in action:
                uris.add(str(action["/URI"]))
    return uris


@pytest.fixture
def downloaded(client: FlaskClient, session: Session) -> tuple[Any, bytes, Any]:
    setup = make_setup(session)
    signin(client, setup.owner.email)
    response = client.get(f"/assessments/{setup.assessment.id}/report.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return setup, response.data, response


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the PDF itself: once
def test_pdf_has_cover_sections_and_metadata(
    downloaded: tuple[Any, bytes, Any], session: Session
) -> None:
    setup, pdf, _response = downloaded
    report = build_report(session, setup.assessment, current_catalog())
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 8
    text = _normal(" ".join(page.extract_text() for page in reader.pages))
    assert "Riverton City School District" in text
    assert setup.assessment.snapshot_hash in text.replace(" ", "")
    for section in report.sections:
        assert _normal(section.title) in text, section.title
    assert report.start_here[0].recommendation.split()[0] in text
    assert "Check the wording with the police department." in text  # comment
    assert "No officers at night." in text  # N/A justification
    assert "MOU 2024, section 4.2" in text  # evidence source
    assert "Appendix: method, rubric version and provenance" in text
    # One file for every reader, downloaded here by the district's owner: no "you" in its own
    # words (the rubric's prompts may address the reader; they are the rubric's).
    assert report.level is not None
    assert "Overall level of this assessment" in text
    assert "Your overall level" not in text
    assert "you are" not in text.lower()
    # Document title and language; a tagged PDF with a structure tree.
    assert reader.metadata is not None
    assert reader.metadata.title == (
        f"Riverton City School District: {report.rubric_title} (2025-26)"
    )
    root = reader.trailer["/Root"]
    assert str(root["/Lang"]) == "en"
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the PDF itself: once
def test_pdf_outline_has_every_section(
    downloaded: tuple[Any, bytes, Any], session: Session
) -> None:
    setup, pdf, _response = downloaded
    report = build_report(session, setup.assessment, current_catalog())
    titles = _outline_titles(PdfReader(io.BytesIO(pdf)).outline)
    assert "Executive summary" in titles
    assert "Gap list" in titles
    assert "Action plan" in titles
    for section in report.sections:
        assert _normal(f"Step {section.number}. {section.title}") in titles


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the PDF itself: once
def test_pdf_links_to_every_gap_resource(
    downloaded: tuple[Any, bytes, Any], session: Session
) -> None:
    setup, pdf, _response = downloaded
    report = build_report(session, setup.assessment, current_catalog())
    uris = _uris(PdfReader(io.BytesIO(pdf)))
    expected = {resource.url for gap in report.gaps for resource in gap.resources}
    assert expected
    assert expected <= uris


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the PDF itself: once
def test_pdf_embeds_its_fonts(downloaded: tuple[Any, bytes, Any]) -> None:
    _setup, pdf, _response = downloaded
    reader = PdfReader(io.BytesIO(pdf))
    fonts: dict[str, DictionaryObject] = {}
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        for name, font in (resources.get("/Font") or {}).items():
            fonts[name] = font.get_object() if isinstance(font, IndirectObject) else font
    assert fonts
    for font in fonts.values():
        descendant = font["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"], font
        assert "DejaVu" in str(font["/BaseFont"])


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the PDF itself: once
def test_pdf_page_numbers_and_running_header(
    downloaded: tuple[Any, bytes, Any], tmp_path: Path
) -> None:
    _setup, pdf, _response = downloaded
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None
    # A fixed program on a file this test wrote: no untrusted input reaches the command.
    text = subprocess.run(  # noqa: S603
        [pdftotext, "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout.split("\f")
    assert f"Page 3 of {pages}" in text[2]
    assert "Riverton City School District" in text[2].splitlines()[0]
    assert "Page 1 of" in text[0]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the PDF itself: once
def test_second_download_comes_from_the_cache(
    client: FlaskClient, downloaded: tuple[Any, bytes, Any], session: Session, app: Flask
) -> None:
    setup, pdf, first = downloaded
    assert first.headers["X-PDF-Cache"] == "miss"
    url = f"/assessments/{setup.assessment.id}/report.pdf"
    second = client.get(url)
    assert second.headers["X-PDF-Cache"] == "hit"
    assert second.data == pdf
    cache = Path(app.config["PDF_CACHE_DIR"])
    assert len(list(cache.glob(f"report-{setup.assessment.id}-*.pdf"))) == 1

    # Planning an action changes what the PDF shows, so the next download is rebuilt.
    gap = build_report(session, setup.assessment, current_catalog()).gaps[0]
    create_action(
        session, setup.assessment, item_id=gap.item_id, description="Sign it", user=setup.owner
    )
    session.commit()
    third = client.get(url)
    assert third.headers["X-PDF-Cache"] == "miss"
    assert "Sign it" in _normal(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(third.data)).pages)
    )
    assert len(list(cache.glob(f"report-{setup.assessment.id}-*.pdf"))) == 1

    # In the order they were written: without ORDER BY, PostgreSQL may return them in any order.
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "assessment.export").order_by(AuditEvent.id)
    ).all()
    assert [(e.detail["format"], e.detail["cached"]) for e in events] == [
        ("pdf", False),
        ("pdf", True),
        ("pdf", False),
    ]


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red; }")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_renderer_fetches_nothing_over_the_network(app: Flask, local_server: str) -> None:
    html = (
        "<!doctype html><html lang='en'><head><title>t</title>"
        f"<link rel='stylesheet' href='{local_server}/remote.css'></head>"
        f"<body><p>Hello</p><img src='{local_server}/pixel.png' alt='pixel'></body></html>"
    )
    pdf = render_pdf(html, title="Network test")
    assert _Recorder.requests == []
    assert "Hello" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_fetcher_serves_static_files_and_refuses_the_rest(app: Flask, tmp_path: Path) -> None:
    static = Path(app.static_folder or "static")
    fetcher = StaticOnlyFetcher(static)
    css = fetcher.fetch((static / "css" / "pdf.css").resolve().as_uri())
    assert css.content_type == "text/css"
    assert b"@font-face" in css.read()
    secret = tmp_path / "secret.txt"
    secret.write_text("not for PDFs")
    outside = [
        secret.as_uri(),
        (static / ".." / "pyproject.toml").resolve().as_uri(),
        "https://example.org/x.css",
        "ftp://example.org/x",
    ]
    for url in outside:
        with pytest.raises(ValueError, match="PDF rendering"):
            fetcher.fetch(url)
    data = fetcher.fetch("data:text/plain;base64,aGk=")
    assert data.read() == b"hi"
