"""Journey: an editor uploads the signed MOU (PDF), opens the suggested passages, accepts three
of them for three items, sees them listed as evidence, then sees the report cite them and
follows a citation to its clause. One screenshot per step.

The decisions are read back from the database: three accepted rows, each citing the clause that
was on screen, with the document's hash.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from agreement_files import mou_pdf
from journey_helpers import Steps
from playwright.sync_api import expect
from sqlalchemy import select

from rubric_app.models import AgreementDocument, Assessment, EvidenceAnchor, Organization

pytestmark = pytest.mark.browser

EDITOR = "editor@riverton.example.org"


def test_editor_uploads_the_mou_and_accepts_three_suggestions(
    page: Any, live_server: Any, screenshot: Any, signin_page: Any, tmp_path: Path
) -> None:
    steps = Steps("evidence", screenshot)
    page.set_default_timeout(30_000)
    with live_server.session() as session:
        assessment_id = session.scalar(
            select(Assessment.id)
            .join(Organization, Organization.id == Assessment.org_id)
            .where(
                Organization.name == "Riverton City School District",
                Assessment.status == "draft",
            )
        )
    assert assessment_id is not None
    signin_page(page, live_server, EDITOR)

    # Upload the signed MOU as a PDF.
    pdf = tmp_path / "harbor-valley-mou.pdf"
    pdf.write_bytes(mou_pdf())
    page.goto(live_server.url_for(f"/assessments/{assessment_id}/documents"))
    page.get_by_label("Agreement file (PDF, Word .docx or plain text)").set_input_files(str(pdf))
    steps("upload form", page)
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("clauses found")).to_be_visible()

    # From the document list to the first section's suggestions.
    page.goto(live_server.url_for(f"/assessments/{assessment_id}/documents"))
    page.get_by_role("link", name="Find evidence for each item in these documents").click()
    page.wait_for_url(re.compile(rf"/assessments/{assessment_id}/evidence/[a-z-]+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Evidence from the agreement")
    steps("suggestions", page)

    # Accept the best suggestion of three different items.
    items = page.locator("section.evidence-item")
    chosen: list[tuple[str, str]] = []
    for position in range(items.count()):
        if len(chosen) == 3:
            break
        item = page.locator("section.evidence-item").nth(position)
        accept = item.get_by_role("button", name=re.compile(r"^Use as evidence"))
        if accept.count() == 0:
            continue
        item_id = (item.get_attribute("id") or "").removeprefix("item-")
        suggestion = item.locator("li.suggestion").first
        citation = suggestion.locator(".evidence-list__where strong").inner_text()
        expect(suggestion).to_contain_text("Matched:")
        accept.first.click()
        # Back on the same item, with the clause now listed as its evidence.
        page.wait_for_url(re.compile(rf"#item-{item_id}$"))
        expect(page.get_by_text("is now evidence for item")).to_be_visible()
        chosen.append((item_id, citation))
    assert len(chosen) == 3, "the MOU should give at least three items a suggestion"
    steps("three accepted", page)

    for item_id, citation in chosen:
        evidence = page.locator(f"#item-{item_id}").locator("ul.evidence-list")
        expect(evidence).to_contain_text(citation)
        expect(evidence.get_by_role("button", name=re.compile(r"^Remove"))).to_have_count(1)

    with live_server.session() as session:
        document = session.scalar(
            select(AgreementDocument).where(AgreementDocument.assessment_id == assessment_id)
        )
        assert document is not None
        rows = session.scalars(
            select(EvidenceAnchor)
            .where(EvidenceAnchor.assessment_id == assessment_id)
            .order_by(EvidenceAnchor.id)
        ).all()
        assert [(row.item_id, row.decision) for row in rows] == [
            (item_id, "accepted") for item_id, _ in chosen
        ]
        assert {row.document_sha256 for row in rows} == {document.sha256}
        assert all(row.page is not None for row in rows)  # a PDF has pages

    # The report cites each accepted clause in its evidence section, linking to the clause.
    page.goto(live_server.url_for(f"/assessments/{assessment_id}/report"))
    cited = page.locator("section.citations-section")
    expect(cited).to_contain_text("3 clauses are cited as evidence for 3 items")
    for _item_id, citation in chosen:
        expect(cited.get_by_role("link", name=citation)).to_have_count(1)
    steps("report citations", page)
    first = chosen[0][1]
    cited.get_by_role("link", name=first).click()
    page.wait_for_url(re.compile(rf"/assessments/{assessment_id}/documents/\d+#clause-\d+$"))
    anchor = page.url.rsplit("#", 1)[1]
    expect(page.locator(f"tr#{anchor}")).to_contain_text("Cited for")
    steps("clause view", page)
