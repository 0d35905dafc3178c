"""The evidence pages: suggested clauses per item of a section, and a person's decision on one.

Viewing follows the assessment ("view"). Deciding (use as evidence, not relevant, remove) is
"edit": viewers get 403, other organizations 404 (the assessment is not theirs to see), and a
submitted assessment is refused with a message saying to reopen it. The page works without
JavaScript: every button is a small form that posts and comes back to the item.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from rubric_app.access import assessment_or_404, can
from rubric_app.agreements.blueprint import bp
from rubric_app.assessments import rubric_for
from rubric_app.db import db
from rubric_app.documents.citation import citation_text
from rubric_app.models import AgreementClause, AgreementDocument, Assessment
from rubric_app.rubrics.model import Rubric
from rubric_app.url_numbers import MAX_ID

from . import evidence
from .forms import EVIDENCE_ACTIONS, EvidenceForm
from .suggestions import build_evidence_page, scored_item_ids

READ_ONLY = "This assessment has been submitted: reopen it to change its evidence."


@bp.get("/assessments/<int:assessment_id>/evidence/<section_id>")
@login_required
def evidence_page(assessment_id: int, section_id: str) -> ResponseReturnValue:
    """Each scored item of the section: its evidence, and the clauses most likely to answer it."""
    assessment = assessment_or_404(db.session, current_user, assessment_id, "view")
    rubric = rubric_for(assessment)
    try:
        section = rubric.section(section_id)
    except KeyError:
        abort(404)
    page = build_evidence_page(db.session, assessment, rubric, section)
    may_upload = can(db.session, current_user, "documents", assessment)
    return render_template(
        "agreements/evidence.html",
        assessment=assessment,
        page=page,
        may_edit=can(db.session, current_user, "edit", assessment),
        may_upload=may_upload,
        # Said to those who could decide were it not submitted (not to viewers).
        read_only=READ_ONLY if assessment.status == "submitted" and may_upload else "",
    )


def _clause_or_400(assessment: Assessment, clause_id: str) -> AgreementClause:
    number = int(clause_id)
    clause = None
    if number <= MAX_ID:
        clause = db.session.scalar(
            select(AgreementClause)
            .join(AgreementDocument, AgreementDocument.id == AgreementClause.document_id)
            .where(AgreementClause.id == number, AgreementDocument.assessment_id == assessment.id)
        )
    if clause is None:
        # 400, not 404: the page exists; the posted clause is what is wrong (and any id reads
        # the same, so nothing is learnt about other assessments).
        abort(400, description="That clause is not in any document of this assessment.")
    return clause


@bp.post("/assessments/<int:assessment_id>/evidence")
@login_required
def decide_evidence(assessment_id: int) -> ResponseReturnValue:
    """Record a decision on a clause for an item, then go back to the item (CSRF-checked)."""
    assessment = assessment_or_404(db.session, current_user, assessment_id, "view")
    if not can(db.session, current_user, "edit", assessment):
        if assessment.status != "submitted" or not can(
            db.session, current_user, "documents", assessment
        ):
            abort(403)
        # An editor of a submitted assessment: say why, nothing changes, back to the page.
        flash(READ_ONLY, "error")
        return redirect(_back(assessment, rubric_for(assessment), EvidenceForm().item_id.data), 303)
    form = EvidenceForm()
    if not form.validate_on_submit():
        problems = [error for errors in form.errors.values() for error in errors]
        abort(400, description=" ".join(str(problem) for problem in problems))
    rubric = rubric_for(assessment)
    item_id = form.item_id.data
    if item_id not in scored_item_ids(rubric):
        abort(400, description=f"“{item_id}” is not a rated item of this assessment's rubric.")
    clause = _clause_or_400(assessment, form.clause_id.data)
    item_number = rubric.item_number(item_id)
    cited = citation_text(clause.document.label, clause.number, clause.page)
    decision = EVIDENCE_ACTIONS[form.action.data]
    if decision == "accepted":
        evidence.decide(
            db.session,
            assessment,
            item_id=item_id,
            clause=clause,
            decision="accepted",
            user=current_user,
        )
        message = f"{cited} is now evidence for item {item_number}."
    elif decision == "dismissed":
        evidence.decide(
            db.session,
            assessment,
            item_id=item_id,
            clause=clause,
            decision="dismissed",
            user=current_user,
        )
        message = f"{cited} will not be suggested for item {item_number} again."
    elif evidence.withdraw(db.session, assessment, item_id=item_id, clause_id=clause.id):
        message = f"{cited} is no longer evidence for item {item_number}."
    else:
        message = f"{cited} was not recorded for item {item_number}: nothing to remove."
    db.session.commit()
    flash(message, "success")
    return redirect(_back(assessment, rubric, item_id), 303)


def _back(assessment: Assessment, rubric: Rubric, item_id: str | None) -> str:
    """The item on its section's evidence page; the documents page for an unknown item."""
    if not item_id or not rubric.has_item(item_id):
        return url_for("agreements.documents_page", assessment_id=assessment.id)
    section_id = rubric.item(item_id).section_id
    target = url_for("agreements.evidence_page", assessment_id=assessment.id, section_id=section_id)
    return f"{target}#item-{item_id}"
