"""The "Proposed MOU amendments" DOCX, downloaded and read back with python-docx: the MOU's own
order, the current clause when one is anchored, the proposed language and its guidance, the
title page, the no-gap document, the download headers, access, and LibreOffice converting it."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import docx
import pypdf
import pytest
from agreement_files import mou_pdf
from flask import Flask
from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from reports_fixtures import make_assessment
from sqlalchemy.orm import Session

from rubric_app.agreements import evidence, operations
from rubric_app.assessments import ItemState
from rubric_app.catalog_state import current_catalog
from rubric_app.reports.amendments import DRAFT_NOTE, NO_GAPS_NOTE
from rubric_app.rubric_versions import latest_version, rubric_of
from rubric_app.rubrics.model import Rubric

LOCAL = "secure-local-implementation"
ORG = "Harbor Valley Unified School District"
OWNER = "owner@harbor.example.org"
VIEWER = "viewer@harbor.example.org"
OUTSIDER = "owner@elsewhere.example.org"
FILE_NAME = "harbor-valley-mou.pdf"

#: Written-side ratings below fully in place, and the clause each is anchored to (None: none).
#: The MOU's order (4.1, 5.2, 12.2) differs from the rubric's, where 12.2's item comes first.
WRITTEN_GAPS: dict[str, tuple[str, str | None]] = {
    "mou-living-document-reviewed": ("not-in-place", "12.2"),
    "mou-model-based": ("not-in-place", None),
    "mou-no-discipline-role": ("partly", "4.1"),
    "mou-information-sharing-privacy": ("partly", "5.2"),
    "complaint-process": ("partly", None),
}
EXPECTED_ORDER = [
    "mou-no-discipline-role",
    "mou-information-sharing-privacy",
    "mou-living-document-reviewed",
    "mou-model-based",
    "complaint-process",
]
#: Anchored, but not a written-side gap: practice falls short, or nothing does.
PRACTICE_GAP = ("mou-roles-responsibilities", "3.1")
NO_GAP = ("mou-purpose-stated", "1.1")


@dataclass
class World:
    assessment_id: int
    rubric: Rubric
    #: Clause number -> (page, heading, text) as extracted from the uploaded PDF.
    clauses: dict[str, tuple[int | None, str, str]]


def _states(
    rubric: Rubric, written: dict[str, str], practice: dict[str, str]
) -> dict[str, ItemState]:
    states: dict[str, ItemState] = {}
    for item in rubric.items:
        if item.type == "yes_no":
            states[item.id] = ItemState(values={"value": "yes"})
        elif item.scored:
            ratings = {"policy": written.get(item.id, "fully")}
            ratings["practice"] = practice.get(item.id, "fully")
            states[item.id] = ItemState(values={dim: ratings[dim] for dim in item.dimensions})
    return states


def _world(session: Session, *, gaps: bool = True) -> World:
    org = make_org(session, ORG)
    owner = make_user(session, OWNER, org, "owner")
    make_user(session, VIEWER, org, "viewer")
    make_user(session, OUTSIDER, make_org(session, "Elsewhere City Schools"), "owner")
    version = latest_version(session, LOCAL)
    assert version is not None
    rubric = rubric_of(version)
    written = {item_id: rating for item_id, (rating, _) in WRITTEN_GAPS.items()} if gaps else {}
    practice = {PRACTICE_GAP[0]: "not-in-place"} if gaps else {}
    assessment = make_assessment(
        session, org, owner, submitted=False, states=_states(rubric, written, practice)
    )
    document = operations.upload_document(
        session, assessment, data=mou_pdf(), file_name=FILE_NAME, user=owner
    )
    by_number = {clause.number: clause for clause in document.clauses}
    anchored = [(item_id, number) for item_id, (_, number) in WRITTEN_GAPS.items() if number]
    for item_id, number in [*anchored, PRACTICE_GAP, NO_GAP]:
        evidence.decide(
            session,
            assessment,
            item_id=item_id,
            clause=by_number[number],
            decision="accepted",
            user=owner,
        )
    session.commit()
    return World(
        assessment.id,
        rubric,
        {c.number: (c.page, c.heading, c.text) for c in document.clauses},
    )


def _download(client: FlaskClient, world: World, email: str = OWNER) -> docx.document.Document:
    signin(client, email)
    response = client.get(f"/assessments/{world.assessment_id}/amendments.docx")
    assert response.status_code == 200, response.data[:300]
    return docx.Document(io.BytesIO(response.data))


def _entries(document: docx.document.Document) -> dict[str, list[str]]:
    """Each item heading with the paragraphs under it, up to the next heading."""
    entries: dict[str, list[str]] = {}
    current: list[str] | None = None
    for paragraph in document.paragraphs:
        if paragraph.style is not None and paragraph.style.name.startswith("Heading"):
            current = entries.setdefault(paragraph.text, [])
        elif current is not None and paragraph.text:
            current.append(paragraph.text)
    return entries


def _heading(rubric: Rubric, item_id: str) -> str:
    return f"{rubric.item_number(item_id)} {rubric.item(item_id).prompt}"


def test_gaps_come_in_the_mous_order_with_clause_language_and_guidance(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    world = _world(session)
    document = _download(client, world)
    rubric = world.rubric
    headings = [
        p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 2"
    ]
    assert headings == [_heading(rubric, item_id) for item_id in EXPECTED_ORDER]
    entries = _entries(document)

    sharing = entries[_heading(rubric, "mou-information-sharing-privacy")]
    page, clause_heading, text = world.clauses["5.2"]
    assert page is not None
    assert f"Current clause: MOU §5.2, p. {page} ({clause_heading}), {FILE_NAME}" in sharing
    assert sharing[sharing.index("Proposed language:") - 1] == text
    language = rubric.item("mou-information-sharing-privacy").model_language
    assert sharing[sharing.index("Proposed language:") + 1] == language
    assert sharing[:2] == [
        f"Action step: {rubric.section('civil-rights').title}",
        "Written MOU or policy: Partly in place",
    ]
    with app.app_context():
        resources = current_catalog().resources
    for resource_id in rubric.item("mou-information-sharing-privacy").guidance:
        resource = resources.get(resource_id)
        assert resource is not None
        assert any(
            line.startswith(resource.title) and line.endswith(f": {resource.url}")
            for line in sharing
        ), resource_id

    new_clause = entries[_heading(rubric, "mou-model-based")]
    assert "New clause: no clause of the agreement is anchored to this item." in new_clause
    assert not any(line.startswith("Current clause") for line in new_clause)
    assert rubric.item("mou-model-based").model_language in new_clause

    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Proposed MOU amendments"
    assert f"Organization: {ORG}" in texts
    assert "Assessment: Review 2025-26 (2025-26)" in texts
    assert f"Rubric: {rubric.title}, version {rubric.version}" in texts
    assert f"Prepared on: {dt.datetime.now(dt.UTC).date().isoformat()}" in texts
    assert DRAFT_NOTE in texts
    footer = document.sections[0].footer.paragraphs[0].text
    assert footer == "Draft for discussion, not legal advice."
    assert document.core_properties.title == f"Proposed MOU amendments: {ORG}"


def test_no_written_gap_gives_a_clear_document(client: FlaskClient, session: Session) -> None:
    world = _world(session, gaps=False)
    document = _download(client, world)
    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith("Heading")
    ]
    assert headings == [("Heading 1", "No written-policy gaps")]
    assert NO_GAPS_NOTE in [p.text for p in document.paragraphs]


def test_download_headers(client: FlaskClient, session: Session) -> None:
    world = _world(session)
    signin(client, OWNER)
    response = client.get(f"/assessments/{world.assessment_id}/amendments.docx")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="proposed-mou-amendments-harbor-valley-unified-school-district-'
        '2025-26.docx"'
    )
    assert response.headers["Cache-Control"] == "no-store"


def test_the_report_links_to_the_download(client: FlaskClient, session: Session) -> None:
    world = _world(session)
    signin(client, VIEWER)
    page = client.get(f"/assessments/{world.assessment_id}/report").get_data(as_text=True)
    assert f'href="/assessments/{world.assessment_id}/amendments.docx"' in page


def test_a_viewer_may_download_and_another_organization_gets_404(
    app: Flask, session: Session
) -> None:
    world = _world(session)
    url = f"/assessments/{world.assessment_id}/amendments.docx"
    viewer = app.test_client()
    signin(viewer, VIEWER)
    assert viewer.get(url).status_code == 200
    outsider = app.test_client()
    signin(outsider, OUTSIDER)
    assert outsider.get(url).status_code == 404
    assert app.test_client().get(url).status_code == 302  # signed out: to the sign-in page


def _office() -> str | None:
    return shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.skipif(_office() is None, reason="LibreOffice (libreoffice/soffice) is not installed")
def test_libreoffice_converts_the_document_to_pdf(
    client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    world = _world(session)
    signin(client, OWNER)
    response = client.get(f"/assessments/{world.assessment_id}/amendments.docx")
    source = tmp_path / "amendments.docx"
    source.write_bytes(response.data)
    office = _office()
    assert office is not None
    # A profile of its own, so parallel test processes never share LibreOffice's lock file.
    completed = subprocess.run(  # noqa: S603 - fixed arguments, a file this test wrote
        [
            office,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    converted = tmp_path / "amendments.pdf"
    assert completed.returncode == 0, completed.stderr
    assert converted.exists(), completed.stdout + completed.stderr
    reader = pypdf.PdfReader(converted)
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert len(reader.pages) >= 2
    assert "Proposed MOU amendments" in text
    assert "not legal advice" in text
    assert "Routine access" in text
