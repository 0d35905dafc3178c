"""The conflicts page: items with parts changed both on someone's page and by a teammate (or
the same user in another tab) since they loaded it; the page lists, per item, what each
version holds of those parts, and the user chooses which version to keep. "My version" is the
saved item with the page's changes on top, so the parts the page never touched stay as saved.

Keeping a version goes through ``save_items``, which locks the assessment and compares against
what is stored under that lock: a teammate who changed the item again meanwhile wins the race
and the page comes back with their latest version.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from rubric_app.access import assessment_or_404
from rubric_app.assessments import (
    EMPTY_STATE,
    AssessmentGone,
    AssessmentReadOnly,
    ItemChange,
    ItemState,
    last_writers,
    load_states,
    lock_assessment,
    rubric_for,
    save_items,
)
from rubric_app.assessments.parts import differing_parts, merge_item, parse_base
from rubric_app.db import db
from rubric_app.models import Assessment
from rubric_app.questionnaire import restore
from rubric_app.questionnaire.blueprint import bp
from rubric_app.questionnaire.forms import read_section
from rubric_app.questionnaire.helpers import section_or_404
from rubric_app.questionnaire.saving import conflict_by
from rubric_app.questionnaire.view_data import ConflictView, answer_row, numbers_of, part_lines
from rubric_app.rubrics.model import Item, Section


def _conflict_views(
    session: Session,
    assessment: Assessment,
    sect: Section,
    stored: dict[str, ItemState],
    data: dict[str, list[str]],
    user_id: int,
) -> tuple[list[ConflictView], dict[str, ItemState]]:
    """Items of a conflict draft that still have parts changed both here and in the stored
    answers, and what "keep my version" saves for each: the stored item with this page's
    changes on top (the page's whole version where its base knew the whole item only)."""
    rubric = rubric_for(assessment)
    read = read_section(rubric, sect, stored, data)
    numbers = numbers_of(rubric)
    found: list[tuple[Item, ItemState, ItemState, tuple[str, ...], bool]] = []
    for change in read.changes:
        current = stored.get(change.item_id, EMPTY_STATE)
        base = parse_base(change.base_fingerprint or "")
        if change.state == current or change.state.fingerprint() == base.fingerprint:
            continue
        if current.fingerprint() == base.fingerprint:
            continue  # not a conflict (any more): a plain change, which the save merged
        merge = merge_item(base, change.state, current)
        if merge is None:
            found.append(
                (
                    rubric.item(change.item_id),
                    change.state,
                    current,
                    differing_parts(change.state, current),
                    True,
                )
            )
        elif merge.conflicts:
            item = rubric.item(change.item_id)
            found.append((item, merge.mine, current, merge.conflicts, False))
    writers = last_writers(session, assessment, [item.id for item, *_ in found])
    views: list[ConflictView] = []
    mine: dict[str, ItemState] = {}
    for item, my_state, current, parts, whole_item in found:
        number = numbers[item.id]
        views.append(
            ConflictView(
                item=item,
                number=number,
                mine=answer_row(rubric, item, number, my_state),
                theirs=answer_row(rubric, item, number, current),
                theirs_fingerprint=current.fingerprint(),
                parts=part_lines(rubric, item, parts, my_state, current),
                whole_item=whole_item,
                by_you=conflict_by(writers[item.id], parts) == user_id,
            )
        )
        mine[item.id] = my_state
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
    if request.method == "POST":
        # What "keep my version" saves is built from the stored item: read it under the lock
        # the save below takes anyway, so it is what the save checks against.
        try:
            assessment = lock_assessment(session, assessment.id)
        except AssessmentGone:
            abort(404)
    stored = load_states(session, assessment)
    user_id = current_user.id
    views, mine = _conflict_views(
        session, assessment, sect, stored, restore.draft_fields(draft), user_id
    )
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
                result = save_items(session, assessment, changes, user=current_user, stored=stored)
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
            views, mine = _conflict_views(
                session, assessment, sect, stored, restore.draft_fields(draft), user_id
            )
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
