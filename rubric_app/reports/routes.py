"""Report pages: the assessment report, its PDF, JSON and amendments (DOCX) exports, the action
plan and the import.

Every route loads the assessment through ``rubric_app.access`` ("view" to read, "plan" to change
actions); the HTML report and the PDF render the same ``Report`` from ``build_report``.
"""

from __future__ import annotations

import json

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from wtforms import SelectChoice

from rubric_app import audit
from rubric_app.access import assessment_or_404, can
from rubric_app.assessments import rubric_for
from rubric_app.auth_session import current_org
from rubric_app.catalog_state import current_catalog
from rubric_app.db import db
from rubric_app.exports.amendments_docx import MEDIA_TYPE as DOCX_MEDIA_TYPE
from rubric_app.exports.amendments_docx import amendments_docx as amendments_docx_bytes
from rubric_app.exports.amendments_docx import download_name as amendments_download_name
from rubric_app.models import Action, Assessment
from rubric_app.render_limits import limit_renders
from rubric_app.reports.blueprint import bp

from . import actions as action_ops
from .amendments import amendments_of
from .export import export_assessment
from .forms import ActionForm, ImportForm
from .importer import IMPORT_MAX_BYTES, ImportProblem, import_assessment
from .labels import item_numbers, short_prompt
from .page_cache import report_body
from .pdf_documents import ASSESSMENT_PDFS, board_of, file_stem
from .pdf_downloads import pdf_download, retry_pdf
from .view_data import Report, build_report
from .voice import Voice


def _report_of(assessment: Assessment) -> Report:
    return build_report(db.session, assessment, current_catalog())


@bp.get("/assessments/<int:assessment_id>/report")
@login_required
def report(assessment_id: int) -> ResponseReturnValue:
    """Show the report: levels, chart, "start here", gap report and action plan."""
    assessment = assessment_or_404(db.session, current_user, assessment_id, "view")
    may_plan = can(db.session, current_user, "plan", assessment)
    return render_template(
        "reports/report.html",
        title=assessment.title,
        # Checked access first: the body (kept per content for submitted assessments,
        # ``page_cache``) is only looked up for someone allowed to see this assessment.
        body=report_body(
            db.session,
            assessment,
            may_plan=may_plan,
            member=can(db.session, current_user, "follow_up", assessment),
        ),
    )


@bp.get("/assessments/<int:assessment_id>/report.pdf")
@login_required
@limit_renders
def report_pdf(assessment_id: int) -> ResponseReturnValue:
    """Download the report as a tagged PDF from the cache, or say it is being prepared."""
    return _assessment_pdf(assessment_id, "report")


@bp.get("/assessments/<int:assessment_id>/pdf/<document>")
@login_required
@limit_renders
def assessment_pdf(assessment_id: int, document: str) -> ResponseReturnValue:
    """Download another PDF of the assessment (``pdf_documents.ASSESSMENT_PDFS``)."""
    return _assessment_pdf(assessment_id, document)


def _assessment_pdf(assessment_id: int, name: str) -> ResponseReturnValue:
    assessment = assessment_or_404(db.session, current_user, assessment_id, "view")
    document = ASSESSMENT_PDFS.get(name)
    if document is None:
        abort(404)
    built = _report_of(assessment)
    return pdf_download(assessment, built, document, file_stem(built))


@bp.post("/assessments/<int:assessment_id>/pdf/<document>/prepare")
@login_required
def prepare_pdf(assessment_id: int, document: str) -> ResponseReturnValue:
    """Queue a PDF again after its job failed, then go back to its download."""
    assessment = assessment_or_404(db.session, current_user, assessment_id, "view")
    found = ASSESSMENT_PDFS.get(document)
    if found is None:
        abort(404)
    retry_pdf(assessment, _report_of(assessment), found)
    return redirect(found.url(assessment.id))


@bp.get("/assessments/<int:assessment_id>/board")
@login_required
def board_summary(assessment_id: int) -> ResponseReturnValue:
    """Show the board summary: headline, one row per step, change, peers, top actions."""
    assessment = assessment_or_404(db.session, current_user, assessment_id, "view")
    built = _report_of(assessment)
    return render_template("reports/board.html", board=board_of(built))


@bp.get("/assessments/<int:assessment_id>/board.pdf")
@login_required
@limit_renders
def board_summary_pdf(assessment_id: int) -> ResponseReturnValue:
    """Download the board summary as a short tagged PDF (``pdf_documents``: cached, queued)."""
    return _assessment_pdf(assessment_id, "board")


@bp.get("/assessments/<int:assessment_id>.json")
@login_required
def export_json(assessment_id: int) -> ResponseReturnValue:
    """Download the assessment as JSON (answers, scores and gaps) for another server."""
    assessment = assessment_or_404(db.session, current_user, assessment_id, "view")
    data = export_assessment(db.session, assessment)
    audit.record_export(
        db.session,
        user_id=current_user.id,
        org_id=assessment.org_id,
        assessment_id=assessment.id,
        format="json",
    )
    db.session.commit()
    body = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False)
    response = Response(body, mimetype="application/json")
    stem = "".join(c if c.isalnum() else "-" for c in f"{assessment.period}").strip("-")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="assessment-{assessment.id}-{stem or "export"}.json"'
    )
    return response


@bp.get("/assessments/<int:assessment_id>/amendments.docx")
@login_required
def amendments_docx(assessment_id: int) -> ResponseReturnValue:
    """Download the proposed MOU amendments (DOCX): each written-side gap, in the MOU's order."""
    assessment = assessment_or_404(db.session, current_user, assessment_id, "view")
    document = amendments_of(db.session, assessment, current_catalog())
    audit.record_export(
        db.session,
        user_id=current_user.id,
        org_id=assessment.org_id,
        assessment_id=assessment.id,
        format="amendments-docx",
    )
    db.session.commit()
    response = Response(amendments_docx_bytes(document), mimetype=DOCX_MEDIA_TYPE)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{amendments_download_name(document)}"'
    )
    return response


# --- Action plan -----------------------------------------------------------------------------


def _item_choices(assessment: Assessment, gap_ids: set[str]) -> list[SelectChoice]:
    """Every scored item, numbered, gaps marked, so an action can name any item.

    An empty first choice makes the user pick on purpose when no gap was chosen (and keeps the
    required select valid HTML).
    """
    rubric = rubric_for(assessment)
    numbers = item_numbers(rubric)
    return [
        SelectChoice("", "Choose an item"),
        *[
            SelectChoice(
                item.id,
                f"{numbers[item.id]} {short_prompt(item.prompt, 90)}"
                + (" (gap)" if item.id in gap_ids else ""),
            )
            for item in rubric.items
            if item.scored
        ],
    ]


def _action_form(assessment: Assessment, built: Report, action: Action | None) -> ActionForm:
    form = ActionForm(obj=action)
    form.item_id.choices = _item_choices(assessment, {gap.item_id for gap in built.gaps})
    return form


@bp.get("/assessments/<int:assessment_id>/actions")
@login_required
def actions(assessment_id: int) -> ResponseReturnValue:
    """List the action plan, with the gaps that have no action yet."""
    assessment = assessment_or_404(db.session, current_user, assessment_id, "view")
    built = _report_of(assessment)
    planned = {action.item_id for action in built.actions}
    return render_template(
        "reports/actions.html",
        report=built,
        unplanned=[gap for gap in built.gaps if gap.item_id not in planned],
        may_plan=can(db.session, current_user, "plan", assessment),
        voice=Voice(can(db.session, current_user, "follow_up", assessment), built.org_name),
        carry=action_ops.carry_candidates(db.session, assessment),
    )


@bp.post("/assessments/<int:assessment_id>/actions/carry/<int:source_id>")
@login_required
def carry_action(assessment_id: int, source_id: int) -> ResponseReturnValue:
    """Carry one of last period's open actions into this plan (once, however often posted;
    CSRF-checked by the global CSRFProtect)."""
    assessment = assessment_or_404(db.session, current_user, assessment_id, "plan")
    try:
        _action, created = action_ops.carry_action(
            db.session, assessment, source_id, user=current_user
        )
    except action_ops.ActionError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("reports.actions", assessment_id=assessment_id))
    db.session.commit()
    flash(
        "Action carried into this plan." if created else "That action is already in this plan.",
        "success" if created else "info",
    )
    return redirect(url_for("reports.actions", assessment_id=assessment_id))


def _action_page(
    assessment: Assessment, built: Report, form: ActionForm, action: Action | None
) -> ResponseReturnValue:
    """Save a posted action form (new when ``action`` is None) or show it with its errors."""
    if form.validate_on_submit():
        fields = {
            "item_id": form.item_id.data or "",
            "description": form.description.data or "",
            "owner": form.owner.data or "",
            "due_date": form.due_date.data,
            "status": form.status.data or "planned",
            "user": current_user,
        }
        try:
            if action is None:
                action_ops.create_action(db.session, assessment, **fields)
            else:
                action_ops.update_action(db.session, assessment, action, **fields)
        except action_ops.ActionError as error:
            form.description.errors = [*form.description.errors, str(error)]
        else:
            db.session.commit()
            flash("Action added to the plan." if action is None else "Action updated.", "success")
            return redirect(url_for("reports.actions", assessment_id=assessment.id))
    status = 400 if request.method == "POST" else 200
    gap = next((g for g in built.gaps if g.item_id == form.item_id.data), None)
    return render_template(
        "reports/action_form.html", report=built, form=form, action=action, gap=gap
    ), status


@bp.route("/assessments/<int:assessment_id>/actions/new", methods=["GET", "POST"])
@login_required
def new_action(assessment_id: int) -> ResponseReturnValue:
    """Plan an action, usually from a gap (``?item=<item id>`` prefills the item)."""
    assessment = assessment_or_404(db.session, current_user, assessment_id, "plan")
    built = _report_of(assessment)
    form = _action_form(assessment, built, None)
    if request.method == "GET":
        item_id = request.args.get("item", "")
        if any(choice.value == item_id for choice in form.item_id.choices or []):
            form.item_id.data = item_id
            gap = next((g for g in built.gaps if g.item_id == item_id), None)
            if gap is not None:
                # Start from the advice for the side that falls short; the user edits it.
                form.description.data = action_ops.advice_draft(gap.advice, gap.recommendation)
    return _action_page(assessment, built, form, None)


@bp.route("/assessments/<int:assessment_id>/actions/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit_action(assessment_id: int, action_id: int) -> ResponseReturnValue:
    """Edit an action's item, description, owner, due date or status."""
    assessment = assessment_or_404(db.session, current_user, assessment_id, "plan")
    action = action_ops.get_action(db.session, assessment, action_id)
    if action is None:
        abort(404)
    built = _report_of(assessment)
    form = _action_form(assessment, built, action)
    return _action_page(assessment, built, form, action)


@bp.post("/assessments/<int:assessment_id>/actions/<int:action_id>/complete")
@login_required
def complete_action(assessment_id: int, action_id: int) -> ResponseReturnValue:
    """Mark an action done (CSRF-checked by the global CSRFProtect)."""
    assessment = assessment_or_404(db.session, current_user, assessment_id, "plan")
    action = action_ops.get_action(db.session, assessment, action_id)
    if action is None:
        abort(404)
    action_ops.complete_action(db.session, assessment, action, user=current_user)
    db.session.commit()
    flash("Action marked done.", "success")
    return redirect(url_for("reports.actions", assessment_id=assessment.id))


# --- Import ------------------------------------------------------------------------------------


@bp.route("/assessments/import", methods=["GET", "POST"])
@login_required
def import_file() -> ResponseReturnValue:
    """Upload an exported assessment into the current organization (editors and owners)."""
    org = current_org()
    if org is None:
        abort(404)
    if not can(db.session, current_user, "create_assessment", org):
        abort(403)
    form = ImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        raw = upload.read(IMPORT_MAX_BYTES + 1)
        try:
            result = import_assessment(
                db.session, raw, org=org, user=current_user, period=form.period.data
            )
        except ImportProblem as problem:
            db.session.rollback()
            problems = problem.errors
        else:
            db.session.commit()
            imported = result.assessment
            flash(
                f"Imported “{imported.title}” ({imported.period}) as {imported.status}. "
                + result.notice,
                "success" if result.verdict.verified else "warning",
            )
            return redirect(url_for("reports.report", assessment_id=imported.id))
    status = 400 if request.method == "POST" else 200
    return render_template("reports/import.html", form=form, org=org, problems=problems), status
