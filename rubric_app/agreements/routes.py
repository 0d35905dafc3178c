"""Agreement pages: list and upload an assessment's documents, read one's clauses, delete one.

Viewing follows the assessment ("view"); uploading and deleting need the "documents" right
(owners and editors). A document is looked up inside its assessment, so another
organization's document answers 404 like the assessment itself.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from rubric_app import documents
from rubric_app.access import AssessmentAction, assessment_or_404, can
from rubric_app.agreements.blueprint import bp
from rubric_app.db import db
from rubric_app.documents.sniff import MB
from rubric_app.models import AgreementDocument, Assessment

from . import coverage, operations
from .forms import UploadForm

MEDIA_LABELS: dict[str, str] = {
    documents.PDF: "PDF",
    documents.DOCX: "Word (DOCX)",
    documents.TEXT: "Plain text",
}


def _document_or_404(assessment: Assessment, document_id: int) -> AgreementDocument:
    document = operations.get_document(db.session, assessment, document_id)
    if document is None:
        abort(404)
    return document


def _list_page(assessment: Assessment, form: UploadForm) -> str:
    return render_template(
        "agreements/list.html",
        assessment=assessment,
        documents=operations.documents_of(db.session, assessment),
        media_labels=MEDIA_LABELS,
        form=form,
        may_change=can(db.session, current_user, "documents", assessment),
        max_mb=current_app.config["DOCUMENT_MAX_BYTES"] // MB,
    )


@bp.route("/assessments/<int:assessment_id>/documents", methods=["GET", "POST"])
@login_required
def documents_page(assessment_id: int) -> ResponseReturnValue:
    """List the assessment's agreement documents; editors upload a new one here."""
    action: AssessmentAction = "documents" if request.method == "POST" else "view"
    assessment = assessment_or_404(db.session, current_user, assessment_id, action)
    form = UploadForm()
    if request.method == "GET" or not form.validate_on_submit():
        return _list_page(assessment, form), 400 if request.method == "POST" else 200
    max_bytes = int(current_app.config["DOCUMENT_MAX_BYTES"])
    upload = form.file.data
    data = upload.read(max_bytes + 1)
    try:
        document = operations.upload_document(
            db.session,
            assessment,
            data=data,
            file_name=upload.filename or "",
            user=current_user,
            label=form.label.data or "MOU",
            limits=documents.Limits(max_bytes=max_bytes),
        )
    except documents.DocumentError as error:
        db.session.rollback()
        # Shown in the error summary and at the field; nothing was stored.
        form.file.errors = [*form.file.errors, error.message]
        return _list_page(assessment, form), 400
    db.session.commit()
    flash(f"“{document.file_name}” uploaded: {document.clause_count} clauses found.", "success")
    return redirect(
        url_for("agreements.document", assessment_id=assessment.id, document_id=document.id)
    )


def _suggestions_href(assessment_id: int, section_id: str) -> str:
    """The address of a section's evidence suggestions page.

    That page (``GET /assessments/<id>/evidence/<section_id>``) is built alongside this one, so
    its endpoint is not registered here yet: the address is written out until it is, when
    ``url_for`` takes over.
    """
    return f"{request.script_root}/assessments/{assessment_id}/evidence/{section_id}"


@bp.get("/assessments/<int:assessment_id>/documents/<int:document_id>")
@login_required
def document(assessment_id: int, document_id: int) -> ResponseReturnValue:
    """One document's clauses with their numbers, pages and the items each is cited for."""
    assessment = assessment_or_404(db.session, current_user, assessment_id, "view")
    found = _document_or_404(assessment, document_id)
    shown = coverage.document_coverage(db.session, assessment, found)
    may_edit = can(db.session, current_user, "documents", assessment)
    return render_template(
        "agreements/document.html",
        assessment=assessment,
        document=found,
        coverage=shown,
        suggestion_links={
            item.section_id: _suggestions_href(assessment.id, item.section_id)
            for item in shown.uncited_full
        }
        if may_edit
        else {},
        media_label=MEDIA_LABELS.get(found.media_type, found.media_type),
        may_change=may_edit,
    )


@bp.post("/assessments/<int:assessment_id>/documents/<int:document_id>/delete")
@login_required
def delete(assessment_id: int, document_id: int) -> ResponseReturnValue:
    """Delete a document and its clauses (CSRF-checked by the global CSRFProtect)."""
    assessment = assessment_or_404(db.session, current_user, assessment_id, "documents")
    found = _document_or_404(assessment, document_id)
    name = found.file_name
    operations.delete_document(db.session, assessment, found, user=current_user)
    db.session.commit()
    flash(f"“{name}” deleted.", "success")
    return redirect(url_for("agreements.documents_page", assessment_id=assessment.id))
