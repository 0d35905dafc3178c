"""Routes for sharing one assessment, read-only, with other organizations, and revoking.

``/assessments/<id>/sharing`` (endpoint ``accounts.sharing``): members of the owning
organization see the shares; owners and editors share and revoke. Anyone else gets 404. Until
they confirm their e-mail address, users see a notice instead of the share form and their share
posts are refused (``share_assessment`` refuses them as well); they may still stop sharing.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from rubric_app.access import assessment_or_404, can_assessment
from rubric_app.accounts.blueprint import bp
from rubric_app.accounts.forms import ORG_KIND_CHOICES, EmptyForm, ShareForm, options
from rubric_app.accounts.operations import AccountError
from rubric_app.accounts.sharing import revoke_share, share_assessment, share_targets, shares_of
from rubric_app.accounts.verification import UnverifiedError, is_verified
from rubric_app.db import db
from rubric_app.models import Assessment, Organization, Share, User
from rubric_app.us_states import STATES, is_state_code, state_choices

KIND_LABELS = dict(ORG_KIND_CHOICES)


def _target_state(owner_org: Organization) -> str:
    state = (request.values.get("state") or "").strip().upper()
    return state if is_state_code(state) else owner_org.state


def _share_form(assessment: Assessment, owner_org: Organization, state: str) -> ShareForm:
    # Organizations that already hold a live share are not offered again.
    live = {row.org_id for row in shares_of(db.session, assessment) if row.revoked_at is None}
    form = ShareForm()
    form.to_org.choices = options(
        [("", "Choose an organization")]
        + [
            (str(org.id), f"{org.name} ({KIND_LABELS[org.kind]})")
            for org in share_targets(db.session, owner_org, state)
            if org.id not in live
        ]
    )
    return form


@bp.route("/assessments/<int:assessment_id>/sharing", methods=["GET", "POST"])
@login_required
def sharing(assessment_id: int) -> ResponseReturnValue:
    """List the assessment's shares; share it with another named organization."""
    action = "share" if request.method == "POST" else "view_shares"
    assessment = assessment_or_404(db.session, current_user, assessment_id, action)
    owner_org = db.session.get(Organization, assessment.org_id)
    assert owner_org is not None
    state = _target_state(owner_org)
    form = _share_form(assessment, owner_org, state)
    # A post that gets this far was refused: invalid (400) or by share_assessment (below).
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.validate_on_submit():
        to_org = db.session.get(Organization, int(form.to_org.data))
        assert to_org is not None  # it was one of the choices
        try:
            share_assessment(db.session, assessment, to_org, by=_me(), named=bool(form.named.data))
        except AccountError as error:
            db.session.rollback()
            form.to_org.errors.append(str(error))
            # share_assessment refuses unverified users; the page shows why and the way on.
            status = 403 if isinstance(error, UnverifiedError) else 400
        else:
            db.session.commit()
            flash(f"{assessment.title} is now shared, read-only, with {to_org.name}.", "success")
            return redirect(url_for("accounts.sharing", assessment_id=assessment.id))
    return _render(assessment, owner_org, form, state, status)


def _me() -> User:
    user = db.session.get(User, current_user.id)
    assert user is not None
    return user


def _render(
    assessment: Assessment, owner_org: Organization, form: ShareForm, state: str, status: int
) -> ResponseReturnValue:
    return render_template(
        "accounts/sharing.html",
        assessment=assessment,
        owner_org=owner_org,
        shares=shares_of(db.session, assessment),
        can_share=can_assessment(db.session, current_user, "share", assessment),
        verified=is_verified(current_user),
        submitted=assessment.status == "submitted",
        form=form,
        has_targets=len(form.to_org.choices or []) > 1,
        state=state,
        state_name=STATES[state],
        state_choices=state_choices(),
        kind_labels=KIND_LABELS,
    ), status


@bp.post("/assessments/<int:assessment_id>/sharing/<int:share_id>/revoke")
@login_required
def revoke(assessment_id: int, share_id: int) -> ResponseReturnValue:
    """Stop sharing the assessment with one organization."""
    assessment = assessment_or_404(db.session, current_user, assessment_id, "share")
    share = db.session.get(Share, share_id)
    if share is None or share.assessment_id != assessment.id:
        abort(404)
    form = EmptyForm()
    if form.validate_on_submit():
        revoke_share(db.session, share, by=_me())
        db.session.commit()
        flash(f"{share.to_org.name} can no longer see {assessment.title}.", "success")
    return redirect(url_for("accounts.sharing", assessment_id=assessment.id))
