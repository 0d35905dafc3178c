"""Agreement pages: list and upload an assessment's documents, read one's clauses, delete one.

The evidence pages (suggested clauses per item, decisions) are ``evidence_routes``.

Viewing follows the assessment ("view"); uploading and deleting need the "documents" right
(owners and editors). A document is looked up inside its assessment, so another
organization's document answers 404 like the assessment itself.

An upload is checked and stored in the request and read into clauses by a background job
(``extraction_jobs``); until that is done the document page says it is being read and
refreshes itself with the HTTP ``Refresh`` header (``jobs.routes.with_refresh``, with a link
that stops it), then shows the clauses, or why they could not be read.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from rubric_app import documents
from rubric_app.access import AssessmentAction, assessment_or_404, can
from rubric_app.agreements.blueprint import bp
from rubric_app.assessments import rubric_for
from rubric_app.db import db
from rubric_app.documents.sniff import MB
from rubric_app.jobs.queue import dispatch
from rubric_app.jobs.routes import refresh_wanted, with_refresh
from rubric_app.models import AgreementDocument, Assessment

from . import coverage, evidence_routes, extraction_jobs, operations
from .extraction_status import EXTRACTION_LABELS, extraction_status
from .forms import UploadForm

# The evidence pages register themselves on the same blueprint (``create_app`` imports this).
__all__ = ["bp", "evidence_routes"]

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
        extraction_labels=EXTRACTION_LABELS,
        form=form,
        may_change=can(db.session, current_user, "documents", assessment),
        first_section=rubric_for(assessment).sections[0].id,
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
    same = operations.already_uploaded(db.session, assessment, data)
    if same is not None:
        flash(
            f"This file is already uploaded as “{same.file_name}”; here it is. Nothing new "
            "was added.",
            "info",
        )
        return redirect(
            url_for("agreements.document", assessment_id=assessment.id, document_id=same.id)
        )
    try:
        document = operations.store_upload(
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
    requested = extraction_jobs.queue_extraction(db.session, document, user_id=current_user.id)
    db.session.commit()
    if requested.dispatch:
        dispatch(requested.job.id)
    # An in-process queue (or a quick worker) may have read it already.
    db.session.refresh(document)
    _flash_uploaded(document)
    return redirect(
        url_for("agreements.document", assessment_id=assessment.id, document_id=document.id)
    )


def _flash_uploaded(document: AgreementDocument) -> None:
    name = document.file_name
    if document.extraction_state == "done":
        count = document.clause_count
        flash(f"“{name}” uploaded: {count} clause{'' if count == 1 else 's'} found.", "success")
    elif document.extraction_state == "failed":
        flash(f"“{name}” was uploaded but could not be read into clauses.", "error")
    else:
        flash(f"“{name}” uploaded. It is being read into clauses.", "success")


@bp.get("/assessments/<int:assessment_id>/documents/<int:document_id>")
@login_required
def document(assessment_id: int, document_id: int) -> ResponseReturnValue:
    """One document's clauses with their numbers, pages and the items each is cited for, or that
    it is still being read."""
    assessment = assessment_or_404(db.session, current_user, assessment_id, "view")
    found = _document_or_404(assessment, document_id)
    seconds = int(current_app.config["JOB_PAGE_REFRESH"])
    extraction = extraction_status(found, refresh=seconds if refresh_wanted() else 0)
    shown = coverage.document_coverage(db.session, assessment, found)
    may_edit = can(db.session, current_user, "documents", assessment)
    page = render_template(
        "agreements/document.html",
        assessment=assessment,
        document=found,
        extraction=extraction,
        page_url=url_for("agreements.document", assessment_id=assessment.id, document_id=found.id),
        coverage=shown,
        suggestion_links={
            item.section_id: url_for(
                "agreements.evidence_page", assessment_id=assessment.id, section_id=item.section_id
            )
            for item in shown.uncited_full
        }
        if may_edit
        else {},
        media_label=MEDIA_LABELS.get(found.media_type, found.media_type),
        may_change=may_edit,
    )
    return with_refresh(current_app.make_response(page), seconds, extraction.active)


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
