"""Routes for reviewing, submitting and reopening an assessment, and for its frozen snapshots."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from rubric_app.access import assessment_or_404, can
from rubric_app.assessments import (
    AssessmentError,
    load_states,
    reopen,
    rubric_for,
    states_from_payload,
)
from rubric_app.assessments.confirmation import (
    NeedsConfirmation,
    UnansweredLine,
    submit_confirmed,
    unanswered_items,
)
from rubric_app.db import db
from rubric_app.models import Assessment, Snapshot
from rubric_app.questionnaire.blueprint import bp
from rubric_app.questionnaire.forms import ReopenForm, SubmitForm
from rubric_app.questionnaire.helpers import answers_of, user_names
from rubric_app.questionnaire.view_data import answer_sections, attention_rows
from rubric_app.reports.pdf_jobs import prepare_after_submit
from rubric_app.scoring import score_assessment, visibility
from rubric_app.states.figure_jobs import advocates_sharing, count_ahead


@bp.get("/assessments/<int:assessment_id>/review")
@login_required
def review(assessment_id: int) -> ResponseReturnValue:
    """Every answer, with unanswered and flagged items picked out; submit from here."""
    assessment = assessment_or_404(db.session, current_user, assessment_id)
    return _render_review(assessment, None)


def _render_review(assessment: Assessment, form: SubmitForm | None) -> str:
    """Render the review page; ``form`` is a submit form to show again (with its errors)."""
    session = db.session
    rubric = rubric_for(assessment)
    states = load_states(session, assessment)
    answers = answers_of(states)
    shown = dict(visibility(rubric, answers))
    sections = answer_sections(rubric, states, shown)
    can_edit = can(session, current_user, "edit", assessment)
    missing = unanswered_items(rubric, states)
    if form is None:
        form = SubmitForm()
    # The box confirms exactly the list on this page, never one an earlier page showed.
    form.unanswered_seen.data = " ".join(line.item_id for line in missing)
    return render_template(
        "questionnaire/review.html",
        assessment=assessment,
        rubric=rubric,
        sections=sections,
        attention=attention_rows(sections),
        score=score_assessment(rubric, answers),
        unanswered=sum(s.unanswered for s in sections),
        unanswered_items=missing,
        flagged=sum(s.flagged for s in sections),
        can_edit=can_edit,
        can_submit=can(session, current_user, "submit", assessment),
        form=form,
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
    form = SubmitForm()
    if not form.validate_on_submit():
        return _render_review(assessment, form)
    try:
        snapshot = submit_confirmed(
            session, assessment, user=current_user, confirmed=form.confirmed_ids()
        )
    except NeedsConfirmation as needed:
        # Nothing was written; ask again with the list as it is now (the box starts unticked).
        session.rollback()
        form.confirm_unanswered.data = False
        form.confirm_unanswered.errors = [_confirmation_message(needed.unanswered)]
        return _render_review(assessment_or_404(session, current_user, assessment_id), form)
    except AssessmentError as error:
        # A teammate submitted first; ``submit`` re-checks the status under the lock.
        session.rollback()
        flash(str(error), "info")
        return redirect(url_for("questionnaire.overview", assessment_id=assessment_id))
    session.commit()
    # The PDFs are drawn in the background now, so the first download is a cache hit.
    prepare_after_submit(session, assessment, current_user.id)
    # So are the dashboards of the state advocates it is shared with.
    count_ahead(session, assessment.rubric_key, advocates_sharing(session, assessment.id))
    # The task list shows what to do next; the checksum stays in its technical details.
    flash(f"Submitted. Snapshot {snapshot.number} keeps these answers as they are now.", "success")
    return redirect(url_for("questionnaire.overview", assessment_id=assessment.id))


def _confirmation_message(unanswered: tuple[UnansweredLine, ...]) -> str:
    numbers = ", ".join(line.number for line in unanswered)
    count = len(unanswered)
    noun = "item is" if count == 1 else "items are"
    return (
        f"{count} {noun} not answered ({numbers}). Tick the box to submit without them, "
        "or answer them first."
    )


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
    # The advocates' dashboards it is shared with no longer count it.
    count_ahead(session, assessment.rubric_key, advocates_sharing(session, assessment.id))
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
