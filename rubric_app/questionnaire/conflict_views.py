"""The conflicts page: items changed both on someone's page and by a teammate since they
loaded it; the user chooses, per item, which version to keep.

Keeping a version goes through ``save_items``, which locks the assessment and compares against
what is stored under that lock: a teammate who changed the item again meanwhile wins the race
and the page comes back with their latest version.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from rubric_app.access import assessment_or_404
from rubric_app.assessments import (
    AssessmentGone,
    AssessmentReadOnly,
    ItemChange,
    ItemState,
    load_states,
    rubric_for,
    save_items,
)
from rubric_app.db import db
from rubric_app.questionnaire import restore
from rubric_app.questionnaire.blueprint import bp
from rubric_app.questionnaire.forms import read_section
from rubric_app.questionnaire.helpers import section_or_404
from rubric_app.questionnaire.view_data import ConflictView, answer_row, numbers_of
from rubric_app.rubrics.model import Rubric, Section


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
    sect = section_or_404(rubric, draft.section_id)
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
            try:
                result = save_items(session, assessment, changes, user=current_user)
            except AssessmentReadOnly as error:
                session.rollback()
                flash(str(error), "info")
                return redirect(url_for("questionnaire.review", assessment_id=assessment_id))
            except AssessmentGone:
                abort(404)
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
