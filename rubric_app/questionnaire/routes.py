"""Questionnaire pages: list, start, task list, section pages, autosave, conflicts, review,
submit, reopen and snapshots.

Every route loads its assessment through ``rubric_app.access``; writes go through
``rubric_app.assessments`` and each request commits once. The section page works without
JavaScript (Save, Save and continue); ``static/js/questionnaire.js`` adds autosave and skip
logic on top. A save never silently overwrites a teammate's answer, and a save that cannot go
through (expired session, expired form, conflict) keeps what was typed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from limits import parse as parse_limit
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError

from rubric_app.access import assessment_or_404, can_assessment, can_org, org_or_404
from rubric_app.assessments import (
    AssessmentError,
    ItemChange,
    ItemState,
    find_existing,
    load_states,
    load_states_many,
    reopen,
    rubric_for,
    save_items,
    snapshots_of,
    start_assessment,
    states_from_payload,
    submit,
)
from rubric_app.auth_session import current_org
from rubric_app.catalog_state import current_catalog
from rubric_app.db import db
from rubric_app.models import Assessment, Organization, Share, Snapshot, User, utcnow
from rubric_app.questionnaire import restore
from rubric_app.questionnaire.fields import BASE_SUFFIX, field_name
from rubric_app.questionnaire.forms import (
    ReopenForm,
    StartForm,
    apply_errors,
    build_section_form,
    flat_form_data,
    read_section,
)
from rubric_app.questionnaire.saving import SectionSave, save_section
from rubric_app.questionnaire.views import (
    ConflictView,
    answer_row,
    answer_sections,
    item_views,
    numbers_of,
    skip_logic_json,
    task_rows,
)
from rubric_app.rubrics.model import Rubric, Section
from rubric_app.scoring import score_assessment, visibility
from rubric_app.security import csrf_recovery
from rubric_app.templating import AUDIENCE_LABELS

bp = Blueprint("questionnaire", __name__)

#: Which rubric audience fits each kind of organization (those rubrics are offered first).
AUDIENCE_FOR_KIND = {
    "district": "district",
    "afterschool_program": "afterschool_program",
    "college": "campus",
    "state_advocate": "state",
}


def _user() -> User | None:
    return current_user if current_user.is_authenticated else None


def _answers(states: dict[str, ItemState]) -> dict[str, Any]:
    return {item_id: state.to_answer() for item_id, state in states.items()}


def _section_or_404(rubric: Rubric, section_id: str) -> Section:
    try:
        return rubric.section(section_id)
    except KeyError:
        abort(404)


def _optional_url(endpoint: str, **values: Any) -> str | None:
    """A URL for an endpoint another feature provides, or None while it does not exist."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _names(user_ids: set[int | None]) -> dict[int, str]:
    ids = [user_id for user_id in user_ids if user_id is not None]
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


# --- List and start ------------------------------------------------------------------------


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
        score = score_assessment(rubric, _answers(states[assessment.id]))
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
            "report_url": _optional_url("reports.report", assessment_id=assessment.id),
        }
        for assessment, org_name in shared
    ]
    return render_template(
        "questionnaire/index.html",
        org=org,
        rows=rows,
        shared=shared_rows,
        can_start=can_org(session, current_user, "create_assessment", org),
    )


def _ordered_rubrics(org: Organization) -> list[tuple[Rubric, bool]]:
    """Every rubric, those meant for this kind of organization first."""
    audience = AUDIENCE_FOR_KIND.get(org.kind)
    rubrics = list(current_catalog().rubrics.values())
    fits = [rubric for rubric in rubrics if audience in rubric.audience]
    others = [rubric for rubric in rubrics if audience not in rubric.audience]
    return [(rubric, True) for rubric in fits] + [(rubric, False) for rubric in others]


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
    form.rubric.choices = [(rubric.id, rubric.title) for rubric, _fits in rubrics]
    earlier = list(
        session.scalars(
            select(Assessment)
            .where(Assessment.org_id == org.id)
            .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        )
    )
    titles = {rubric.id: rubric.title for rubric, _fits in rubrics}
    form.previous.choices = [("", "No, start with empty answers")] + [
        (
            str(assessment.id),
            f"{assessment.title} ({assessment.period}, "
            f"{titles.get(assessment.rubric_key, assessment.rubric_key)})",
        )
        for assessment in earlier
    ]
    if request.method == "GET":
        form.rubric.data = request.args.get("rubric") or (rubrics[0][0].id if rubrics else None)
        form.previous.data = request.args.get("previous", "")
    existing: Assessment | None = None
    if form.validate_on_submit():
        previous = None
        if form.previous.data:
            previous = next((a for a in earlier if str(a.id) == form.previous.data), None)
            if previous is None or previous.rubric_key != form.rubric.data:
                form.previous.errors = [
                    "Choose an earlier assessment of the same rubric, or start with empty answers."
                ]
        from rubric_app.rubric_versions import latest_version

        version = latest_version(session, form.rubric.data or "")
        if version is None:
            form.rubric.errors = ["That rubric is not loaded yet. Ask your administrator."]
        if not form.errors and version is not None:
            existing = find_existing(session, org.id, version.rubric_key, form.period.data or "")
            try:
                assessment = start_assessment(
                    session,
                    org=org,
                    version=version,
                    title=form.title.data or "",
                    period=form.period.data or "",
                    user=current_user,
                    previous=previous,
                )
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
    hints = {
        rubric.id: {
            "summary": rubric.summary,
            "audience": ", ".join(AUDIENCE_LABELS[a] for a in rubric.audience),
            "fits": fits,
        }
        for rubric, fits in rubrics
    }
    status = 400 if form.errors else 200
    return render_template(
        "questionnaire/new.html", form=form, org=org, hints=hints, existing=existing
    ), status


# --- Task list ---------------------------------------------------------------------------


@bp.get("/assessments/<int:assessment_id>")
@login_required
def overview(assessment_id: int) -> ResponseReturnValue:
    """The task list: every section with its status, and what can be done next."""
    session = db.session
    assessment = assessment_or_404(session, current_user, assessment_id)
    rubric = rubric_for(assessment)
    states = load_states(session, assessment)
    score = score_assessment(rubric, _answers(states))
    rows = task_rows(rubric, score, states)
    snapshots = snapshots_of(session, assessment)
    names = _names({assessment.submitted_by_id, assessment.created_by_id})
    names.update(_names({snapshot.submitted_by_id for snapshot in snapshots}))
    return render_template(
        "questionnaire/overview.html",
        assessment=assessment,
        org_name=assessment.organization.name,
        rubric=rubric,
        score=score,
        rows=rows,
        complete=sum(row.status == "complete" for row in rows),
        snapshots=snapshots,
        names=names,
        can_edit=can_assessment(session, current_user, "edit", assessment),
        can_submit=can_assessment(session, current_user, "submit", assessment),
        can_reopen=can_assessment(session, current_user, "reopen", assessment)
        and assessment.status == "submitted",
        report_url=_optional_url("reports.report", assessment_id=assessment.id),
        sharing_url=_optional_url("accounts.sharing", assessment_id=assessment.id)
        if can_assessment(session, current_user, "share", assessment)
        else None,
        reopen_form=ReopenForm(),
    )


# --- Section pages -----------------------------------------------------------------------


def _neighbours(rubric: Rubric, section: Section) -> tuple[Section | None, Section | None]:
    index = rubric.sections.index(section)
    previous = rubric.sections[index - 1] if index > 0 else None
    following = rubric.sections[index + 1] if index + 1 < len(rubric.sections) else None
    return previous, following


def render_section(
    assessment: Assessment,
    rubric: Rubric,
    section: Section,
    states: dict[str, ItemState],
    *,
    formdata: MultiDict[str, str] | None = None,
    visible: dict[str, bool] | None = None,
    bases: dict[str, str] | None = None,
    errors: tuple[Any, ...] = (),
    notices: tuple[str, ...] = (),
    restore_key: str = "",
    status: int = 200,
) -> ResponseReturnValue:
    """Render a section page from stored states, or from posted data (kept exactly as typed)."""
    form = build_section_form(rubric, section, states, assessment.revision, formdata)
    if formdata is not None:
        # What is stored now is what the next save must be compared against.
        form.base_revision.data = str(assessment.revision)
        for item_id, fingerprint in (bases or {}).items():
            form[field_name(item_id, BASE_SUFFIX)].data = fingerprint
    apply_errors(form, list(errors))
    answers = _answers(states)
    shown = dict(visible) if visible is not None else dict(visibility(rubric, answers))
    score = score_assessment(rubric, answers).section(section.id)
    previous, following = _neighbours(rubric, section)
    scale_keys = []
    for scale in rubric.scales.values():
        if any(item.scale == scale.id for item in section.items):
            scale_keys.append(scale)
    return render_template(
        "questionnaire/section.html",
        assessment=assessment,
        rubric=rubric,
        section=section,
        form=form,
        items=item_views(rubric, section, form, shown, current_catalog().resources),
        skip_logic=skip_logic_json(rubric, section, states, shown),
        section_score=score,
        previous=previous,
        following=following,
        scales=scale_keys,
        notices=notices,
        restore_key=restore_key,
    ), status


def _signin_redirect(next_url: str) -> Response:
    return redirect(url_for("accounts.signin") + "?" + urlencode({"next": next_url}))


#: Drafts kept for signed-out posts per client address: nobody is known yet, so this is what
#: stops an anonymous client from filling the database with drafts.
ANONYMOUS_DRAFT_LIMIT = parse_limit("20 per hour")


def _may_keep_anonymous_draft() -> bool:
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    # A strategy of its own on the configured storage (memory, or Redis shared by workers):
    # this check runs from the CSRF error handler, outside Flask-Limiter's request hooks.
    counter = current_app.extensions.get("rubric_app.draft_limiter")
    if counter is None:
        storage = storage_from_string(current_app.config["RATELIMIT_STORAGE_URI"])
        counter = current_app.extensions["rubric_app.draft_limiter"] = FixedWindowRateLimiter(
            storage
        )
    return bool(counter.hit(ANONYMOUS_DRAFT_LIMIT, "anonymous-draft", request.remote_addr or ""))


def keep_and_sign_in(assessment_id: int, section_id: str) -> Response:
    """The session has ended: keep the posted section as a draft, send the user to sign in."""
    session = db.session
    assessment = session.get(Assessment, assessment_id)
    next_url = url_for("questionnaire.section", assessment_id=assessment_id, section_id=section_id)
    if assessment is not None and _may_keep_anonymous_draft():
        rubric = rubric_for(assessment)
        try:
            section = rubric.section(section_id)
        except KeyError:
            section = None
        if section is not None:
            fields = restore.section_fields(rubric, section, flat_form_data(request.form))
            key = restore.keep_draft(
                session,
                assessment_id=assessment_id,
                section_id=section_id,
                fields=fields,
                purpose="signin",
            )
            session.commit()
            next_url += "?" + urlencode({"restore": key})
            flash(
                "Your session had ended, so nothing was saved yet. Sign in again: "
                "we kept what you typed.",
                "warning",
            )
    return _signin_redirect(next_url)


@bp.route("/assessments/<int:assessment_id>/sections/<section_id>", methods=["GET", "POST"])
def section(assessment_id: int, section_id: str) -> ResponseReturnValue:
    """One section of the questionnaire (``login_required`` would discard a post, so not used)."""
    if not current_user.is_authenticated:
        if request.method == "POST":
            return keep_and_sign_in(assessment_id, section_id)
        return _signin_redirect(request.full_path if request.query_string else request.path)
    session = db.session
    assessment = assessment_or_404(session, current_user, assessment_id)
    rubric = rubric_for(assessment)
    sect = _section_or_404(rubric, section_id)
    if not can_assessment(session, current_user, "edit", assessment):
        if request.method == "POST":
            abort(403)
        flash("This assessment is read-only for you; here are its answers.", "info")
        return redirect(
            url_for("questionnaire.review", assessment_id=assessment.id) + f"#{sect.id}"
        )
    if request.method == "POST":
        return _save_section_post(assessment, rubric, sect)
    states = load_states(session, assessment)
    key = request.args.get("restore", "")
    if key:
        draft = restore.find_draft(session, key, assessment.id, purpose="signin")
        if draft is None or draft.section_id != sect.id:
            flash(
                "The answers kept from your earlier session have already been used or have "
                "expired (we keep them for 7 days). Here is what is saved.",
                "warning",
            )
            return redirect(
                url_for("questionnaire.section", assessment_id=assessment.id, section_id=sect.id)
            )
        data = restore.draft_fields(draft)
        formdata = MultiDict([(name, value) for name, values in data.items() for value in values])
        read = read_section(rubric, sect, states, data)
        return render_section(
            assessment,
            rubric,
            sect,
            states,
            formdata=formdata,
            visible=dict(read.visible),
            notices=("We kept what you typed; review it and press Save. It is not saved yet.",),
            restore_key=key,
        )
    return render_section(assessment, rubric, sect, states)


def _save_section_post(
    assessment: Assessment, rubric: Rubric, sect: Section
) -> ResponseReturnValue:
    session = db.session
    data = flat_form_data(request.form)
    outcome = save_section(session, assessment, rubric, sect, data, current_user)
    restore_key = request.form.get("restore_key", "")
    if restore_key:
        draft = restore.find_draft(session, restore_key, assessment.id, purpose="signin")
        if draft is not None:
            restore.claim_draft(draft)
    if outcome.conflicts:
        key = restore.keep_draft(
            session,
            assessment_id=assessment.id,
            section_id=sect.id,
            fields=restore.section_fields(rubric, sect, data),
            purpose="conflict",
        )
        session.commit()
        return redirect(url_for("questionnaire.conflicts", assessment_id=assessment.id, key=key))
    session.commit()
    if outcome.read.errors:
        return render_section(
            assessment,
            rubric,
            sect,
            dict(outcome.states),
            formdata=request.form,
            visible=dict(outcome.read.visible),
            bases=dict(outcome.bases),
            errors=outcome.read.errors,
            notices=(
                ("Your other answers on this page were saved. ",) if outcome.result.saved else ()
            ),
            status=400,
        )
    flash(f"Saved at {utcnow():%H:%M} UTC.", "success")
    if "continue" in request.form:
        _previous, following = _neighbours(rubric, sect)
        if following is not None:
            return redirect(
                url_for(
                    "questionnaire.section", assessment_id=assessment.id, section_id=following.id
                )
            )
        return redirect(url_for("questionnaire.review", assessment_id=assessment.id))
    return redirect(
        url_for("questionnaire.section", assessment_id=assessment.id, section_id=sect.id)
    )


@bp.post("/assessments/<int:assessment_id>/autosave")
def autosave(assessment_id: int) -> ResponseReturnValue:
    """Save a section's posted form from the page's script; answer in JSON."""
    if not current_user.is_authenticated:
        return jsonify(status="error", reason="signin", message="You are signed out."), 401
    session = db.session
    assessment = assessment_or_404(session, current_user, assessment_id)
    if assessment.status != "draft":
        return jsonify(
            status="error",
            reason="submitted",
            message="This assessment has been submitted and is read-only.",
        ), 409
    if not can_assessment(session, current_user, "edit", assessment):
        return jsonify(
            status="error", reason="forbidden", message="You cannot change this assessment."
        ), 403
    rubric = rubric_for(assessment)
    try:
        sect = rubric.section(request.form.get("section_id", ""))
    except KeyError:
        return jsonify(status="error", reason="section", message="Unknown section."), 400
    data = flat_form_data(request.form)
    outcome: SectionSave = save_section(session, assessment, rubric, sect, data, current_user)
    payload: dict[str, Any] = {
        "status": "saved",
        "revision": assessment.revision,
        "saved": list(outcome.result.saved),
        "bases": dict(outcome.bases),
        "visible": {item.id: outcome.read.visible[item.id] for item in sect.items},
        "stale": list(outcome.stale),
        "errors": [
            {"field": error.field, "message": error.message} for error in outcome.read.errors
        ],
        "saved_at": utcnow().isoformat(),
    }
    if outcome.conflicts:
        key = restore.keep_draft(
            session,
            assessment_id=assessment.id,
            section_id=sect.id,
            fields=restore.section_fields(rubric, sect, data),
            purpose="conflict",
            reuse_key=request.form.get("conflict_key") or None,
        )
        payload.update(
            status="conflict",
            conflict_key=key,
            conflict_url=url_for("questionnaire.conflicts", assessment_id=assessment.id, key=key),
            conflicts=[conflict.item_id for conflict in outcome.conflicts],
        )
    session.commit()
    score = score_assessment(rubric, _answers(dict(outcome.states))).section(sect.id)
    payload.update(answered=score.answered, applicable=score.applicable)
    return jsonify(payload)


# --- Conflicts ---------------------------------------------------------------------------


def _conflict_views(
    rubric: Rubric, sect: Section, stored: dict[str, ItemState], data: dict[str, list[str]]
) -> tuple[list[ConflictView], dict[str, ItemState]]:
    """Items of a conflict draft that are still changed both here and in the stored answers."""
    read = read_section(rubric, sect, stored, data)
    numbers = numbers_of(rubric)
    views: list[ConflictView] = []
    mine: dict[str, ItemState] = {}
    empty = ItemState()
    for change in read.changes:
        current = stored.get(change.item_id, empty)
        if change.state == current or change.state.fingerprint() == change.base_fingerprint:
            continue
        if current.fingerprint() == change.base_fingerprint:
            continue  # not a conflict (any more): a plain change, which the save merged
        item = rubric.item(change.item_id)
        number = numbers[item.id]
        views.append(
            ConflictView(
                item=item,
                number=number,
                mine=answer_row(rubric, item, number, change.state),
                theirs=answer_row(rubric, item, number, current),
                theirs_fingerprint=current.fingerprint(),
            )
        )
        mine[item.id] = change.state
    return views, mine


@bp.route("/assessments/<int:assessment_id>/conflicts/<key>", methods=["GET", "POST"])
@login_required
def conflicts(assessment_id: int, key: str) -> ResponseReturnValue:
    """Items changed both on your page and by someone else: choose, per item, which to keep."""
    session = db.session
    assessment = assessment_or_404(session, current_user, assessment_id, "edit")
    draft = restore.find_draft(session, key, assessment.id, purpose="conflict")
    if draft is None:
        flash("There is nothing left to resolve here.", "info")
        return redirect(url_for("questionnaire.overview", assessment_id=assessment.id))
    rubric = rubric_for(assessment)
    sect = _section_or_404(rubric, draft.section_id)
    section_url = url_for("questionnaire.section", assessment_id=assessment.id, section_id=sect.id)
    stored = load_states(session, assessment)
    views, mine = _conflict_views(rubric, sect, stored, restore.draft_fields(draft))
    if not views:
        restore.claim_draft(draft)
        session.commit()
        flash("No conflicting answers are left on this page.", "info")
        return redirect(section_url)
    form = FlaskForm()
    missing: list[str] = []
    notice = ""
    if request.method == "POST" and form.validate_on_submit():
        changes: list[ItemChange] = []
        for view in views:
            choice = request.form.get(f"choice-{view.item.id}", "")
            if choice not in ("mine", "theirs"):
                missing.append(view.item.id)
            elif choice == "mine":
                # Keep mine only over the version the user saw on this page.
                base = request.form.get(f"theirs-{view.item.id}", "")
                changes.append(ItemChange(view.item.id, mine[view.item.id], base))
        if not missing:
            result = save_items(session, assessment, changes, user=current_user)
            if not result.conflicts:
                restore.claim_draft(draft)
                session.commit()
                flash("Conflicts resolved and saved.", "success")
                return redirect(section_url)
            session.commit()
            notice = (
                "Someone changed some of these items again while you were choosing. "
                "Here are their latest versions."
            )
            stored = load_states(session, assessment)
            views, mine = _conflict_views(rubric, sect, stored, restore.draft_fields(draft))
    status = 400 if missing else 200
    return render_template(
        "questionnaire/conflicts.html",
        assessment=assessment,
        section=sect,
        views=views,
        form=form,
        missing=missing,
        notice=notice,
        section_url=section_url,
    ), status


# --- Review, submit, reopen, snapshots ---------------------------------------------------


@bp.get("/assessments/<int:assessment_id>/review")
@login_required
def review(assessment_id: int) -> ResponseReturnValue:
    """Every answer, with unanswered and flagged items picked out; submit from here."""
    session = db.session
    assessment = assessment_or_404(session, current_user, assessment_id)
    rubric = rubric_for(assessment)
    states = load_states(session, assessment)
    answers = _answers(states)
    shown = dict(visibility(rubric, answers))
    sections = answer_sections(rubric, states, shown)
    can_edit = can_assessment(session, current_user, "edit", assessment)
    return render_template(
        "questionnaire/review.html",
        assessment=assessment,
        rubric=rubric,
        sections=sections,
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
    snapshot = submit(session, assessment, user=current_user)
    session.commit()
    flash(
        f"Submitted. Snapshot {snapshot.number} is frozen with content hash "
        f"{snapshot.content_hash[:12]}….",
        "success",
    )
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
        flash(str(error), "info")
        return redirect(url_for("questionnaire.overview", assessment_id=assessment.id))
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
    shown = dict(visibility(rubric, _answers(states)))
    return render_template(
        "questionnaire/snapshot.html",
        assessment=assessment,
        snapshot=frozen,
        rubric=rubric,
        sections=answer_sections(rubric, states, shown),
        score=score_assessment(rubric, _answers(states)),
        submitted_by=_names({frozen.submitted_by_id}).get(frozen.submitted_by_id or 0, "—"),
        rubric_version=frozen.payload.get("rubric_version", ""),
    )


# --- Expired forms and sessions ----------------------------------------------------------


def csrf_failed(error: CSRFError) -> ResponseReturnValue:
    """A questionnaire form posted with a missing or stale token: keep what was posted.

    Registered through ``rubric_app.security.csrf_recovery`` for the questionnaire's POST
    endpoints only. Without a session the token is always missing, so this is also where an
    ended session shows up.
    """
    try:
        return _recover_from_csrf()
    except HTTPException as refusal:
        # This runs inside an error handler, where an abort() would become a 500: answer the
        # 404 or 403 through its own handler instead.
        return current_app.handle_http_exception(refusal)


def _recover_from_csrf() -> ResponseReturnValue:
    args = request.view_args or {}
    assessment_id = args.get("assessment_id")
    signed_in = bool(current_user.is_authenticated)
    if request.endpoint == "questionnaire.autosave":
        if not signed_in:
            return jsonify(status="error", reason="signin", message="You are signed out."), 401
        return jsonify(status="error", reason="csrf", message="This page has expired."), 400
    if request.endpoint == "questionnaire.section" and assessment_id is not None:
        section_id = str(args.get("section_id", ""))
        if not signed_in:
            return keep_and_sign_in(int(assessment_id), section_id)
        session = db.session
        assessment = assessment_or_404(session, current_user, int(assessment_id), "edit")
        rubric = rubric_for(assessment)
        sect = _section_or_404(rubric, section_id)
        states = load_states(session, assessment)
        read = read_section(rubric, sect, states, flat_form_data(request.form))
        return render_section(
            assessment,
            rubric,
            sect,
            states,
            formdata=request.form,
            visible=dict(read.visible),
            notices=(
                "This page had expired, so nothing was saved yet. We kept what you typed; "
                "review it and press Save.",
            ),
            status=400,
        )
    if assessment_id is not None:
        target = url_for("questionnaire.overview", assessment_id=assessment_id)
    elif request.endpoint == "questionnaire.new":
        target = url_for("questionnaire.new")
    else:
        target = url_for("questionnaire.index")
    if not signed_in:
        return _signin_redirect(target)
    flash("That form had expired. Please try again.", "warning")
    return redirect(target)


for _endpoint in (
    "questionnaire.new",
    "questionnaire.section",
    "questionnaire.autosave",
    "questionnaire.conflicts",
    "questionnaire.submit_assessment",
    "questionnaire.reopen_assessment",
):
    csrf_recovery(_endpoint)(csrf_failed)
