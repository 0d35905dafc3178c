"""Routes for reviewing, submitting and reopening an assessment, and for its frozen snapshots."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from rubric_app.access import assessment_or_404, can_assessment
from rubric_app.assessments import (
    AssessmentError,
    load_states,
    reopen,
    rubric_for,
    states_from_payload,
    submit,
)
from rubric_app.db import db
from rubric_app.models import Snapshot
from rubric_app.questionnaire.blueprint import bp
from rubric_app.questionnaire.forms import ReopenForm
from rubric_app.questionnaire.helpers import answers_of, user_names
from rubric_app.questionnaire.view_data import answer_sections, attention_rows
from rubric_app.reports.pdf_jobs import prepare_after_submit
from rubric_app.scoring import score_assessment, visibility


@bp.get("/assessments/<int:assessment_id>/review")
@login_required
def review(assessment_id: int) -> ResponseReturnValue:
    """Every answer, with unanswered and flagged items picked out; submit from here."""
    session = db.session
    assessment = assessment_or_404(session, current_user, assessment_id)
    rubric = rubric_for(assessment)
    states = load_states(session, assessment)
    answers = answers_of(states)
    shown = dict(visibility(rubric, answers))
    sections = answer_sections(rubric, states, shown)
    can_edit = can_assessment(session, current_user, "edit", assessment)
    return render_template(
        "questionnaire/review.html",
        assessment=assessment,
        rubric=rubric,
        sections=sections,
        attention=attention_rows(sections),
        score=score_assessment(rubric, answers),
        unanswered=sum(s.unanswered for s in sections),
        flagged=sum(s.flagged for s in sections),
        can_edit=can_edit,
        can_submit=can_assessment(session, current_user, "submit", assessment),
        form=FlaskForm(),
    )


@bp.post("/assessments/<int:assessment_id>/submit")
@login_required
def submit_assessment(assessment_id: int) -> ResponseReturnValue:
    """Lock the assessment and freeze a snapshot with its content hash."""
    session = db.session
    assessment = assessment_or_404(session, current_user, assessment_id)
    if assessment.status != "draft":
        flash("This assessment is already submitted.", "info")
        return redirect(url_for("questionnaire.overview", assessment_id=assessment.id))
    assessment = assessment_or_404(session, current_user, assessment_id, "submit")
    try:
        snapshot = submit(session, assessment, user=current_user)
    except AssessmentError as error:
        # A teammate submitted first; ``submit`` re-checks the status under the lock.
        session.rollback()
        flash(str(error), "info")
        return redirect(url_for("questionnaire.overview", assessment_id=assessment_id))
    session.commit()
    # The PDFs are drawn in the background now, so the first download is a cache hit.
    prepare_after_submit(session, assessment, current_user.id)
    # The task list shows what to do next; the checksum stays in its technical details.
    flash(f"Submitted. Snapshot {snapshot.number} keeps these answers as they are now.", "success")
    return redirect(url_for("questionnaire.overview", assessment_id=assessment.id))


@bp.post("/assessments/<int:assessment_id>/reopen")
@login_required
def reopen_assessment(assessment_id: int) -> ResponseReturnValue:
    """Unlock a submitted assessment (owners only); the reason goes to the audit log."""
    session = db.session
    assessment = assessment_or_404(session, current_user, assessment_id, "reopen")
    form = ReopenForm()
    if not form.validate_on_submit():
        flash(" ".join(form.reason.errors) or "Could not reopen the assessment.", "error")
        return redirect(url_for("questionnaire.overview", assessment_id=assessment.id))
    try:
        reopen(session, assessment, user=current_user, reason=form.reason.data or "")
    except AssessmentError as error:
        session.rollback()
        flash(str(error), "info")
        return redirect(url_for("questionnaire.overview", assessment_id=assessment_id))
    session.commit()
    flash("Reopened for changes. Earlier snapshots stay available below.", "success")
    return redirect(url_for("questionnaire.overview", assessment_id=assessment.id))


@bp.get("/assessments/<int:assessment_id>/snapshots/<int:number>")
@login_required
def snapshot(assessment_id: int, number: int) -> ResponseReturnValue:
    """A frozen, submitted snapshot: its answers, hash, and who submitted it when."""
    session = db.session
    assessment = assessment_or_404(session, current_user, assessment_id)
    frozen = session.scalar(
        select(Snapshot).where(Snapshot.assessment_id == assessment.id, Snapshot.number == number)
    )
    if frozen is None:
        abort(404)
    rubric = rubric_for(assessment)
    states = states_from_payload(frozen.payload)
    shown = dict(visibility(rubric, answers_of(states)))
    return render_template(
        "questionnaire/snapshot.html",
        assessment=assessment,
        snapshot=frozen,
        rubric=rubric,
        sections=answer_sections(rubric, states, shown),
        score=score_assessment(rubric, answers_of(states)),
        submitted_by=user_names({frozen.submitted_by_id}).get(frozen.submitted_by_id or 0, "—"),
        rubric_version=frozen.payload.get("rubric_version", ""),
    )
