"""Writes the "Proposed MOU amendments" Word document from an ``AmendmentsDocument``.

Formatting only: what goes in, and in which order, is decided by ``reports.amendments``. The
document uses Word's built-in styles (Title, Heading 1-2, Quote, List Bullet), so it opens
cleanly in Word and LibreOffice, reads with a screen reader's heading navigation, and takes the
district's own template when someone applies it. Every page's footer repeats that it is a draft,
not legal advice, because pages get copied out of a document on their own.

Text from uploads (clause quotes, file names) and from users (titles) can hold characters XML 1.0
forbids, which python-docx refuses with an error; ``_xml_text`` drops them so a stray control
character in a PDF's text layer never breaks the download.
"""

from __future__ import annotations

import io
import re

import docx
from docx.document import Document
from docx.enum.text import WD_BREAK
from docx.shared import Pt

from rubric_app.reports.amendments import AmendmentsDocument, ProposedAmendment

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#: Characters XML 1.0 does not allow (C0 controls but tab and newlines, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def amendments_docx(document: AmendmentsDocument) -> bytes:
    """Return the DOCX bytes of ``document``."""
    out = docx.Document()
    _properties(out, document)
    _footer(out)
    _title_page(out, document)
    if not document.amendments:
        out.add_heading("No written-policy gaps", level=1)
        out.add_paragraph(_xml_text(document.no_gaps_note))
    else:
        out.add_heading("Proposed amendments", level=1)
        out.add_paragraph(
            _xml_text(
                f"Each entry is an item rated below fully in place for "
                f"“{document.written_label or 'the written agreement'}”. Entries with a current "
                "clause follow the agreement's own order; entries marked “New clause” have no "
                "clause of the agreement anchored to them and follow the rubric's order."
            )
        )
        for amendment in document.amendments:
            _amendment(out, amendment, document.written_label or "Written agreement")
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def download_name(document: AmendmentsDocument) -> str:
    """A safe file name such as "proposed-mou-amendments-riverton-usd-2025-26.docx"."""
    raw = f"{document.org_name}-{document.period}".lower()
    stem = "-".join(part for part in re.split(r"[^0-9a-z]+", raw) if part)[:80]
    return f"proposed-mou-amendments-{stem or document.assessment_id}.docx"


def _properties(out: Document, document: AmendmentsDocument) -> None:
    properties = out.core_properties
    properties.title = _xml_text(f"Proposed MOU amendments: {document.org_name}")[:255]
    properties.subject = _xml_text(f"{document.rubric_title}, version {document.rubric_version}")[
        :255
    ]
    properties.author = "rubric_app"
    properties.comments = document.draft_note


def _footer(out: Document) -> None:
    footer = out.sections[0].footer.paragraphs[0]
    footer.text = "Draft for discussion, not legal advice."
    footer.style = out.styles["Footer"]


def _title_page(out: Document, document: AmendmentsDocument) -> None:
    out.add_paragraph("Proposed MOU amendments", style="Title")
    for label, value in (
        ("Organization", document.org_name),
        ("Assessment", f"{document.assessment_title} ({document.period})"),
        ("Rubric", f"{document.rubric_title}, version {document.rubric_version}"),
        ("Prepared on", document.prepared_on.isoformat()),
    ):
        paragraph = out.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(_xml_text(value))
    note = out.add_paragraph()
    run = note.add_run(document.draft_note)
    run.bold = True
    run.font.size = Pt(12)
    out.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _amendment(out: Document, amendment: ProposedAmendment, written_label: str) -> None:
    out.add_heading(_xml_text(f"{amendment.item_number} {amendment.prompt}"), level=2)
    for label, value in (
        ("Action step", amendment.section_title),
        (written_label, amendment.rating),
    ):
        paragraph = out.add_paragraph()
        paragraph.add_run(_xml_text(f"{label}: ")).bold = True
        paragraph.add_run(_xml_text(value))

    if amendment.current:
        for clause in amendment.current:
            cited = out.add_paragraph()
            cited.add_run("Current clause: ").bold = True
            heading = f" ({clause.heading})" if clause.heading else ""
            cited.add_run(_xml_text(f"{clause.citation}{heading}, {clause.file_name}"))
            out.add_paragraph(_xml_text(clause.quote), style="Quote")
    else:
        out.add_paragraph().add_run(
            "New clause: no clause of the agreement is anchored to this item."
        ).bold = True

    proposed = out.add_paragraph()
    proposed.add_run(
        "What to write (the rubric has no model language for this item):"
        if amendment.proposed_is_advice
        else "Proposed language:"
    ).bold = True
    out.add_paragraph(_xml_text(amendment.proposed), style="Intense Quote")

    if amendment.guidance:
        out.add_paragraph().add_run("Guidance it rests on:").bold = True
        for resource in amendment.guidance:
            line = f"{resource.title} ({resource.publisher}"
            line += f", {resource.date})" if resource.date else ")"
            out.add_paragraph(_xml_text(f"{line}: {resource.url}"), style="List Bullet")
