"""Accepted agreement evidence cited in the report page, the report PDF (text and links read back
with pypdf) and the JSON export; a deleted file's citation kept without a link; and a new
decision giving the PDF a new cache key (issue 18, item 3)."""

from __future__ import annotations

import html
import io
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from agreement_files import mou_docx, mou_pdf
from flask import Flask, render_template
from flask.testing import FlaskClient
from helpers import signin
from pypdf import PdfReader
from reports_fixtures import Setup, make_setup
from sqlalchemy.orm import Session

from rubric_app.agreements import evidence, operations
from rubric_app.catalog_state import current_catalog
from rubric_app.models import AgreementClause, AgreementDocument
from rubric_app.reports.pdf_documents import board_of, report_pdf_context
from rubric_app.reports.view_data import build_report


@dataclass
class Cited:
    setup: Setup
    document: AgreementDocument
    clauses: dict[str, AgreementClause]
    #: The first gap of the report (so its gap card shows the citation too).
    gap_item: str

    @property
    def base(self) -> str:
        return f"/assessments/{self.setup.assessment.id}"

    def clause_url(self, number: str) -> str:
        clause = self.clauses[number]
        return f"{self.base}/documents/{self.document.id}#clause-{clause.id}"


def _cited(session: Session, data: bytes, name: str) -> Cited:
    setup = make_setup(session)
    document = operations.upload_document(
        session, setup.assessment, data=data, file_name=name, user=setup.owner
    )
    session.commit()
    gap = build_report(session, setup.assessment, current_catalog()).gaps[0]
    cited = Cited(setup, document, {c.number: c for c in document.clauses}, gap.item_id)
    _accept(session, cited, cited.gap_item, "4.2")
    return cited


def _accept(session: Session, cited: Cited, item_id: str, number: str) -> None:
    evidence.decide(
        session,
        cited.setup.assessment,
        item_id=item_id,
        clause=cited.clauses[number],
        decision="accepted",
        user=cited.setup.owner,
    )
    session.commit()


@pytest.fixture
def from_pdf(session: Session) -> Cited:
    return _cited(session, mou_pdf(), "mou.pdf")


def _text(page: str) -> str:
    """The page's text without tags, entities decoded and spaces normalised."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _gap_card(page: str, item_id: str) -> str:
    match = re.search(rf'<article class="gap card" id="gap-{item_id}".*?</article>', page, re.S)
    assert match is not None
    return match.group(0)


def _between(page: str, start: str, end: str) -> str:
    """From ``start`` up to the next ``end`` (or the end of the page)."""
    begin = page.index(start)
    stop = page.find(end, begin + len(start))
    return page[begin : stop if stop != -1 else len(page)]


def _pdf_text_and_links(pdf: bytes) -> tuple[str, set[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    uris = set()
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                uris.add(str(action["/URI"]))
    return text, uris


def test_the_report_page_cites_the_clause_with_page_quote_and_link(
    client: FlaskClient, session: Session, from_pdf: Cited
) -> None:
    clause = from_pdf.clauses["4.2"]
    assert clause.page is not None
    signin(client, from_pdf.setup.owner.email)
    page = client.get(f"{from_pdf.base}/report").get_data(as_text=True)

    words = f"MOU §4.2, p. {clause.page}"
    link = f'<a href="{from_pdf.clause_url("4.2")}">{words}</a>'
    # In the gap report, at the gap of the item, and in the report's own evidence section.
    assert link in _gap_card(page, from_pdf.gap_item)
    evidence_part = page[page.index('id="citations-title"') :]
    assert link in evidence_part
    assert "1 clause is cited as evidence for 1 item" in _text(evidence_part)
    quote_start = " ".join(clause.text.split())[:60]
    assert quote_start in _text(evidence_part)
    # The clause page the link leads to has the anchor.
    clause_page = client.get(from_pdf.clause_url("4.2").split("#")[0]).get_data(as_text=True)
    assert f'<tr id="clause-{clause.id}">' in clause_page


def test_a_docx_citation_has_no_page_and_the_preamble_is_named(
    client: FlaskClient, session: Session
) -> None:
    cited = _cited(session, mou_docx(), "mou.docx")
    report = build_report(session, cited.setup.assessment, current_catalog())
    other = next(gap.item_id for gap in report.gaps[1:])
    _accept(session, cited, other, "")
    signin(client, cited.setup.owner.email)
    page = _text(client.get(f"{cited.base}/report").get_data(as_text=True))
    assert "MOU §4.2 · Minor offenses go to the school" in page
    assert "MOU §4.2, p." not in page
    assert "MOU, preamble" in page


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the PDF itself: once
def test_the_pdf_cites_the_clause_with_an_absolute_link_and_a_new_decision_renews_it(
    client: FlaskClient, session: Session, from_pdf: Cited
) -> None:
    clause = from_pdf.clauses["4.2"]
    words = f"MOU §4.2, p. {clause.page}"
    signin(client, from_pdf.setup.owner.email)
    url = f"{from_pdf.base}/report.pdf"
    first = client.get(url)
    assert first.headers["X-PDF-Cache"] == "miss"
    text, uris = _pdf_text_and_links(first.data)
    assert words in text
    assert " ".join(clause.text.split())[:50] in text
    assert f"http://localhost{from_pdf.clause_url('4.2')}" in uris
    assert client.get(url).headers["X-PDF-Cache"] == "hit"

    # A new decision changes what the PDF shows: the cached copy must not be served.
    report = build_report(session, from_pdf.setup.assessment, current_catalog())
    other = next(gap.item_id for gap in report.gaps if gap.item_id != from_pdf.gap_item)
    _accept(session, from_pdf, other, "5.1")
    second = client.get(url)
    assert second.headers["X-PDF-Cache"] == "miss"
    text, uris = _pdf_text_and_links(second.data)
    page_51 = from_pdf.clauses["5.1"].page
    assert f"MOU §5.1, p. {page_51}" in text
    assert f"http://localhost{from_pdf.clause_url('5.1')}" in uris

    # Deleting the file keeps both citations, without links.
    operations.delete_document(
        session, from_pdf.setup.assessment, from_pdf.document, user=from_pdf.setup.owner
    )
    session.commit()
    third = client.get(url)
    assert third.headers["X-PDF-Cache"] == "miss"
    text, uris = _pdf_text_and_links(third.data)
    assert words in text
    assert "since deleted" in text
    assert not [uri for uri in uris if "/documents/" in uri]


def test_the_pdf_lists_citations_with_the_items_typed_evidence_and_in_the_gap_list(
    app: Flask, session: Session, from_pdf: Cited
) -> None:
    report = build_report(session, from_pdf.setup.assessment, current_catalog())
    typed = next(
        item for section in report.sections for item in section.items if item.evidence_quote
    )
    _accept(session, from_pdf, typed.item_id, "3.1")
    report = build_report(session, from_pdf.setup.assessment, current_catalog())
    with app.test_request_context("/"):
        page = render_template("pdf/report.html", **report_pdf_context(report, board_of(report)))
    block = _between(page, f'<div class="item" id="item-{typed.item_id}">', '<div class="item"')
    # After the hand-typed evidence, in the item's own block.
    assert block.index("item__evidence") < block.index(
        f'href="http://localhost{from_pdf.clause_url("3.1")}"'
    )
    gap = _between(page, f'<div class="gap" id="gap-{from_pdf.gap_item}">', '<div class="gap"')
    assert f'href="http://localhost{from_pdf.clause_url("4.2")}"' in gap


def test_the_json_export_carries_the_citations(
    client: FlaskClient, session: Session, from_pdf: Cited
) -> None:
    clause = from_pdf.clauses["4.2"]
    signin(client, from_pdf.setup.owner.email)
    data: dict[str, Any] = json.loads(client.get(f"{from_pdf.base}.json").data)
    assert data["citations"] == {
        from_pdf.gap_item: [
            {
                "citation": f"MOU §4.2, p. {clause.page}",
                "document_label": "MOU",
                "clause_number": "4.2",
                "clause_heading": clause.heading,
                "page": clause.page,
                "quote": clause.text,
                "file_name": "mou.pdf",
                "document_sha256": from_pdf.document.sha256,
                "document_kept": True,
            }
        ]
    }


def test_a_deleted_files_citation_stays_on_the_page_and_in_the_export_without_a_link(
    client: FlaskClient, session: Session, from_pdf: Cited
) -> None:
    clause = from_pdf.clauses["4.2"]
    words, full = f"MOU §4.2, p. {clause.page}", clause.text
    quote = " ".join(full.split())
    operations.delete_document(
        session, from_pdf.setup.assessment, from_pdf.document, user=from_pdf.setup.owner
    )
    session.commit()
    signin(client, from_pdf.setup.owner.email)
    page = client.get(f"{from_pdf.base}/report").get_data(as_text=True)
    card = _gap_card(page, from_pdf.gap_item)
    assert words in card
    assert "/documents/" not in card
    # No clause page is left to read the rest on, so the whole quote is printed.
    assert quote in _text(card)
    assert "since deleted; the quote is kept" in _text(card)
    data = json.loads(client.get(f"{from_pdf.base}.json").data)
    (kept,) = data["citations"][from_pdf.gap_item]
    assert (kept["citation"], kept["document_kept"], kept["quote"]) == (words, False, full)
