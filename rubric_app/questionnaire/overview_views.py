"""The task list of one assessment: every section with its status, snapshots, and what can be
done next (edit, review and submit, reopen, report, sharing).
"""

from __future__ import annotations

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from rubric_app.access import assessment_or_404, can
from rubric_app.assessments import load_states, rubric_for, snapshots_of
from rubric_app.db import db
from rubric_app.questionnaire.blueprint import bp
from rubric_app.questionnaire.forms import ReopenForm
from rubric_app.questionnaire.helpers import answers_of, user_names
from rubric_app.questionnaire.next_steps import next_steps
from rubric_app.questionnaire.view_data import continue_target, task_rows
from rubric_app.reports.voice import Voice
from rubric_app.scoring import AssessmentScore, score_assessment, visibility


@bp.get("/assessments/<int:assessment_id>")
@login_required
def overview(assessment_id: int) -> ResponseReturnValue:
    """The task list: every section with its status, and what can be done next."""
    session = db.session
    assessment = assessment_or_404(session, current_user, assessment_id)
    rubric = rubric_for(assessment)
    states = load_states(session, assessment)
    score = score_assessment(rubric, answers_of(states))
    rows = task_rows(rubric, score, states, submitted=assessment.status == "submitted")
    can_edit = can(session, current_user, "edit", assessment)
    answers = answers_of(states)
    # Only someone who can still change the answers is led back into them.
    target = (
        continue_target(rubric, rows, states, visibility(rubric, answers))
        if can_edit and assessment.status == "draft"
        else None
    )
    snapshots = snapshots_of(session, assessment)
    names = user_names({assessment.submitted_by_id, assessment.created_by_id})
    names.update(user_names({snapshot.submitted_by_id for snapshot in snapshots}))
    may_share = can(session, current_user, "share", assessment)
    # A reader from an organization it was shared with reads about someone else's work.
    voice = Voice(can(session, current_user, "follow_up", assessment), assessment.organization.name)
    return render_template(
        "questionnaire/overview.html",
        assessment=assessment,
        org_name=assessment.organization.name,
        rubric=rubric,
        score=score,
        rows=rows,
        complete=sum(row.status == "complete" for row in rows),
        score_basis=_score_basis(score),
        # Once submitted, what matters is what was left out (a flagged section can be whole).
        fully_answered=sum(row.answered >= row.applicable for row in rows),
        snapshots=snapshots,
        names=names,
        can_edit=can_edit,
        continue_to=target,
        can_submit=can(session, current_user, "submit", assessment),
        can_reopen=can(session, current_user, "reopen", assessment)
        and assessment.status == "submitted",
        report_url=url_for("reports.report", assessment_id=assessment.id),
        sharing_url=url_for("accounts.sharing", assessment_id=assessment.id) if may_share else None,
        # Offered to those who may upload the agreement (MOU) whose clauses back the answers.
        documents_url=url_for("agreements.documents_page", assessment_id=assessment.id)
        if can(session, current_user, "documents", assessment)
        else None,
        steps=next_steps(session, assessment, may_share=may_share)
        if assessment.status == "submitted" and voice.member
        else None,
        voice=voice,
        reopen_form=ReopenForm(),
    )


def _score_basis(score: AssessmentScore) -> str:
    """What the scores rest on, when it is not the questions answered shown beside it: those
    count N/A items as answered and unscored ones too, the scores (and the board summary's
    "from 24 of 48 items answered") leave both out. "" when the two agree."""
    coverage = score.coverage
    if (coverage.answered, coverage.applicable) == (score.answered, score.applicable):
        return ""
    return (
        f"The scores rest on {coverage.answered} of {coverage.applicable} scored items "
        "(not applicable and unscored ones are left out)."
    )
