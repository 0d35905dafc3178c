"""Routes for the section pages: show a section, save it (Save, Save and continue), autosave.

The section page works without JavaScript; ``static/js/questionnaire.js`` adds autosave and
skip logic on top. A save never silently overwrites a teammate's answer: conflicting items are
kept as a draft and sent to the conflicts page. ``render_section`` is also used to re-render a
section whose form had expired (see ``csrf_recovery``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from rubric_app.access import assessment_or_404, can
from rubric_app.agreements.operations import has_documents
from rubric_app.assessments import (
    AssessmentGone,
    AssessmentReadOnly,
    ItemState,
    load_states,
    rubric_for,
)
from rubric_app.catalog_state import current_catalog
from rubric_app.db import db
from rubric_app.models import Assessment, User, utcnow
from rubric_app.questionnaire import restore
from rubric_app.questionnaire.blueprint import bp
from rubric_app.questionnaire.controls import section_controls, set_bases
from rubric_app.questionnaire.forms import flat_form_data, read_section
from rubric_app.questionnaire.helpers import answers_of, section_or_404
from rubric_app.questionnaire.item_markup import item_blocks
from rubric_app.questionnaire.saving import SectionSave, save_section
from rubric_app.questionnaire.signin_drafts import browser_hash, keep_and_sign_in, signin_redirect
from rubric_app.questionnaire.view_data import item_views, numbered_errors, skip_logic_json
from rubric_app.rubrics.model import Rubric, Section
from rubric_app.scoring import score_section, visibility


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
    """Render a section page from stored states, or from posted data (kept exactly as typed).

    The controls are plain data drawn by the page's macros (``controls``); the WTForms section
    form only reads and checks what is posted.
    """
    form = section_controls(rubric, section, states, assessment.revision, formdata)
    if formdata is not None:
        # What is stored now is what the next save must be compared against.
        set_bases(form, assessment.revision, bases or {})
    form.add_errors(list(numbered_errors(rubric, errors)))
    answers = answers_of(states)
    # Visibility of the stored answers serves both the page and its score, decided once; a
    # page re-rendered from a post shows what the post makes visible, but scores what is stored.
    stored_visible: Mapping[str, bool] | None = None
    if visible is None:
        stored_visible = visibility(rubric, answers)
        shown = dict(stored_visible)
    else:
        shown = dict(visible)
    score = score_section(rubric, answers, section.id, visible=stored_visible)
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
        items=item_blocks(
            rubric, section, item_views(rubric, section, form, shown, current_catalog().resources)
        ),
        skip_logic=skip_logic_json(rubric, section, states, shown),
        section_score=score,
        previous=previous,
        following=following,
        scales=scale_keys,
        notices=notices,
        restore_key=restore_key,
        # One indexed look-up: the link to the evidence page shows only when there is a document.
        has_documents=has_documents(db.session, assessment.id),
        # Until then, those who may upload the agreement are shown where to.
        may_upload=can(db.session, current_user, "documents", assessment),
    ), status


@bp.route("/assessments/<int:assessment_id>/sections/<section_id>", methods=["GET", "POST"])
def section(assessment_id: int, section_id: str) -> ResponseReturnValue:
    """One section of the questionnaire (``login_required`` would discard a post, so not used)."""
    if not current_user.is_authenticated:
        if request.method == "POST":
            return keep_and_sign_in(assessment_id, section_id)
        return signin_redirect(request.full_path if request.query_string else request.path)
    session = db.session
    assessment = assessment_or_404(session, current_user, assessment_id)
    rubric = rubric_for(assessment)
    sect = section_or_404(rubric, section_id)
    if not can(session, current_user, "edit", assessment):
        if request.method == "POST":
            return _refused_post(assessment, rubric, sect)
        flash("This assessment is read-only for you; here are its answers.", "info")
        return redirect(
            url_for("questionnaire.review", assessment_id=assessment.id) + f"#{sect.id}"
        )
    if request.method == "POST":
        return _save_section_post(assessment, rubric, sect)
    states = load_states(session, assessment)
    key = request.args.get("restore", "")
    if key:
        draft = restore.find_draft(
            session, key, assessment.id, purpose="signin", browser_hash=browser_hash()
        )
        if draft is None or draft.section_id != sect.id:
            flash(
                "The answers kept from your earlier session have already been used, have "
                "expired (we keep them for 7 days) or were typed in another browser. Here is "
                "what is saved.",
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


#: Why a post was not saved, by whether the assessment is still a draft (else the user's role
#: no longer allows changing it); each keeps what was typed on the page.
_NOT_SAVED = {
    "submitted": (
        "This assessment was submitted while this page was open, so nothing on this page was "
        "saved. What you typed is still below: copy anything you want to keep. An owner can "
        "reopen the assessment from its page to change it.",
        409,
    ),
    "role": (
        "Your role in this organization no longer allows changing this assessment, so nothing "
        "on this page was saved. What you typed is still below: copy anything you want to "
        "keep, or ask an owner of the organization to change your role.",
        403,
    ),
}


def render_posted(
    assessment: Assessment, rubric: Rubric, sect: Section, notice: str, status: int
) -> ResponseReturnValue:
    """Re-render a section from what was posted, nothing of it saved, with ``notice`` saying
    why: the page the user typed into is never replaced by one that loses their words."""
    states = load_states(db.session, assessment)
    read = read_section(rubric, sect, states, flat_form_data(request.form))
    return render_section(
        assessment,
        rubric,
        sect,
        states,
        formdata=request.form,
        visible=dict(read.visible),
        notices=(notice,),
        status=status,
    )


def _refused_post(assessment: Assessment, rubric: Rubric, sect: Section) -> ResponseReturnValue:
    """A save refused because the assessment was submitted, or the user's role changed."""
    notice, status = _NOT_SAVED["submitted" if assessment.status != "draft" else "role"]
    return render_posted(assessment, rubric, sect, notice, status)


def _save_section_post(
    assessment: Assessment, rubric: Rubric, sect: Section
) -> ResponseReturnValue:
    session = db.session
    data = flat_form_data(request.form)
    assessment_id = assessment.id
    try:
        outcome = save_section(session, assessment, rubric, sect, data, current_user)
    except AssessmentReadOnly:
        # Submitted between this page's checks and the save (which re-checks under the lock).
        session.rollback()
        return _refused_post(session.get(Assessment, assessment_id) or assessment, rubric, sect)
    except AssessmentGone:
        abort(404)
    restore_key = request.form.get("restore_key", "")
    if restore_key:
        draft = restore.find_draft(
            session, restore_key, assessment.id, purpose="signin", browser_hash=browser_hash()
        )
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
    # The user itself, not the proxy: the checks and the save below read it a dozen times.
    user: User = current_user._get_current_object()
    session = db.session
    # Locked at once: the save below locks it anyway, and this way it is read once.
    assessment = assessment_or_404(session, user, assessment_id, lock=True)
    if assessment.status != "draft":
        return _read_only_json("This assessment has been submitted and is read-only.")
    if not can(session, user, "edit", assessment):
        return jsonify(
            status="error", reason="forbidden", message="You cannot change this assessment."
        ), 403
    rubric = rubric_for(assessment)
    try:
        sect = rubric.section(request.form.get("section_id", ""))
    except KeyError:
        return jsonify(status="error", reason="section", message="Unknown section."), 400
    data = flat_form_data(request.form)
    try:
        outcome: SectionSave = save_section(session, assessment, rubric, sect, data, user)
    except AssessmentReadOnly as error:
        # Submitted after the check above: the save re-checks under the lock and refuses.
        session.rollback()
        return _read_only_json(str(error))
    except AssessmentGone as error:
        return jsonify(status="error", reason="gone", message=str(error)), 404
    payload: dict[str, Any] = {
        "status": "saved",
        "revision": assessment.revision,
        "saved": list(outcome.result.saved),
        # Stored exactly as posted: the script leaves these off its next saves until they
        # change (fields.CHANGED_ITEMS).
        "confirmed": list(outcome.confirmed),
        "bases": dict(outcome.bases),
        "visible": {item.id: outcome.read.visible[item.id] for item in sect.items},
        "stale": list(outcome.stale),
        # Of those, the items whose other change this user made (another tab or window).
        "stale_by_you": sorted(outcome.stale_by_you),
        "errors": [
            {"field": error.field, "message": error.message}
            for error in numbered_errors(rubric, outcome.read.errors)
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
            # Of those, the items whose other version this user saved (another tab or window):
            # the page then says so instead of "someone else".
            conflicts_by_you=[
                conflict.item_id
                for conflict in outcome.conflicts
                if conflict.item_id in outcome.conflicts_by_you
            ],
        )
    session.commit()
    answered, applicable = outcome.section_progress(rubric, sect)
    payload.update(answered=answered, applicable=applicable)
    return jsonify(payload)


def _read_only_json(message: str) -> ResponseReturnValue:
    """The autosave answer for an assessment that is no longer a draft."""
    return jsonify(status="error", reason="submitted", message=message), 409
