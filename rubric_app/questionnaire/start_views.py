"""Routes for the assessment list and for starting an assessment.

The list shows the current organization's assessments and the submitted ones other
organizations shared with it; the start page offers the rubrics meant for this kind of
organization first (each with a one-line "choose this for ..."), pre-fills the title and the
current school year, greets an organization's first assessment as such, and can copy answers
from an earlier assessment.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from rubric_app.access import can, org_or_404
from rubric_app.assessments import (
    AssessmentError,
    StartRefusal,
    StartRefused,
    load_states_many,
    rubric_for,
    start_assessment,
)
from rubric_app.auth_session import current_org
from rubric_app.catalog_state import current_catalog
from rubric_app.db import db
from rubric_app.models import Assessment, Organization, Share, utcnow
from rubric_app.questionnaire.blueprint import bp
from rubric_app.questionnaire.forms import StartForm
from rubric_app.questionnaire.helpers import answers_of
from rubric_app.questionnaire.view_data import choose_if, school_year
from rubric_app.rubric_pages.notice import broken_files_notice
from rubric_app.rubric_versions import latest_version
from rubric_app.rubrics.model import Rubric
from rubric_app.scoring import score_assessment
from rubric_app.vocabulary import AUDIENCE_LABELS

#: Which rubric audience fits each kind of organization (those rubrics are offered first).
AUDIENCE_FOR_KIND = {
    "district": "district",
    "afterschool_program": "afterschool_program",
    "college": "campus",
    "state_advocate": "state",
}


@bp.get("/assessments")
@login_required
def index() -> ResponseReturnValue:
    """The current organization's assessments, and those other organizations shared with it."""
    session = db.session
    org = current_org()
    if org is None:
        return render_template("questionnaire/index.html", org=None, rows=[], shared=[])
    assessments = list(
        session.scalars(
            select(Assessment)
            .options(selectinload(Assessment.rubric_version))
            .where(Assessment.org_id == org.id)
            .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        )
    )
    states = load_states_many(session, [assessment.id for assessment in assessments])
    rows = []
    for assessment in assessments:
        rubric = rubric_for(assessment)
        score = score_assessment(rubric, answers_of(states[assessment.id]))
        rows.append({"assessment": assessment, "rubric": rubric, "score": score})
    shared = session.execute(
        select(Assessment, Organization.name)
        .join(Share, Share.assessment_id == Assessment.id)
        .join(Organization, Organization.id == Assessment.org_id)
        .where(
            Share.to_org_id == org.id,
            Share.revoked_at.is_(None),
            Assessment.status == "submitted",
        )
        .order_by(Organization.name, Assessment.period.desc())
    ).all()
    catalog = current_catalog()
    shared_rows = [
        {
            "assessment": assessment,
            "org_name": org_name,
            "rubric_title": catalog.rubrics[assessment.rubric_key].title
            if assessment.rubric_key in catalog.rubrics
            else assessment.rubric_key,
            "report_url": url_for("reports.report", assessment_id=assessment.id),
        }
        for assessment, org_name in shared
    ]
    return render_template(
        "questionnaire/index.html",
        org=org,
        rows=rows,
        shared=shared_rows,
        can_start=can(session, current_user, "create_assessment", org),
    )


def _ordered_rubrics(org: Organization) -> list[tuple[Rubric, bool]]:
    """Every rubric, those meant for this kind of organization first."""
    audience = AUDIENCE_FOR_KIND.get(org.kind)
    rubrics = list(current_catalog().rubrics.values())
    fits = [rubric for rubric in rubrics if audience in rubric.audience]
    others = [rubric for rubric in rubrics if audience not in rubric.audience]
    return [(rubric, True) for rubric in fits] + [(rubric, False) for rubric in others]


#: Which field of the start form each refusal of the start operation concerns.
_REFUSAL_FIELD: dict[StartRefusal, str] = {
    "previous_other_org": "previous",
    "previous_other_rubric": "previous",
    "period_taken": "period",
    "period_unfit": "period",
    "title_not_distinct": "title",
    "title_unfit": "title",
}


@bp.route("/assessments/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    """Start an assessment: choose a rubric, title, period, and maybe a previous one to copy."""
    session = db.session
    org = current_org()
    if org is None:
        flash("Join or create an organization before starting an assessment.", "warning")
        return redirect(url_for("questionnaire.index"))
    org = org_or_404(session, current_user, org.id, "create_assessment")
    rubrics = _ordered_rubrics(org)
    form = StartForm()
    form.rubric.choices = [SelectChoice(rubric.id, rubric.title) for rubric, _fits in rubrics]
    earlier = list(
        session.scalars(
            select(Assessment)
            .where(Assessment.org_id == org.id)
            .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        )
    )
    titles = {rubric.id: rubric.title for rubric, _fits in rubrics}
    form.previous.choices = [SelectChoice("", "No, start with empty answers")] + [
        SelectChoice(
            str(assessment.id),
            f"{assessment.title} ({assessment.period}, "
            f"{titles.get(assessment.rubric_key, assessment.rubric_key)})",
        )
        for assessment in earlier
    ]
    if request.method == "GET":
        form.rubric.data = request.args.get("rubric") or (rubrics[0][0].id if rubrics else None)
        form.previous.data = request.args.get("previous", "")
        # Pre-filled so a first assessment needs one click; both stay editable.
        period = school_year(utcnow().date())
        form.period.data = period
        form.title.data = f"{org.name} review, {period}"
    existing: Assessment | None = None
    if form.validate_on_submit():
        previous = None
        if form.previous.data:
            previous = next((a for a in earlier if str(a.id) == form.previous.data), None)
            if previous is None:
                form.previous.errors = ["Choose one of your organization's earlier assessments."]
        version = latest_version(session, form.rubric.data or "")
        if version is None:
            form.rubric.errors = ["That rubric is not loaded yet. Ask your administrator."]
        if not form.errors and version is not None:
            try:
                assessment = start_assessment(
                    session,
                    org=org,
                    version=version,
                    title=form.title.data or "",
                    period=form.period.data or "",
                    user=current_user,
                    previous=previous,
                    allow_second=bool(form.another.data),
                )
            except StartRefused as refusal:
                existing = refusal.existing
                form[_REFUSAL_FIELD[refusal.code]].errors = [str(refusal)]
            except AssessmentError as error:
                form.period.errors = [str(error)]
            else:
                session.commit()
                flash(
                    "Assessment started."
                    + (" Answers were copied from the previous assessment." if previous else ""),
                    "success",
                )
                return redirect(url_for("questionnaire.overview", assessment_id=assessment.id))
    # One rubric is suggested (the first that fits this kind of organization); any other that
    # fits says so more quietly, so nobody has to pick between two "suggested" ones.
    suggested = next((rubric.id for rubric, fits in rubrics if fits), None)
    hints = {
        rubric.id: {
            "summary": rubric.summary,
            "choose_if": choose_if(rubric, AUDIENCE_LABELS),
            "suggested": rubric.id == suggested,
            "fits": fits,
        }
        for rubric, fits in rubrics
    }
    status = 400 if form.errors else 200
    return render_template(
        "questionnaire/new.html",
        form=form,
        org=org,
        hints=hints,
        existing=existing,
        first=not earlier,
        broken_files=broken_files_notice(),
    ), status
