"""Site administrators approve or reject organizations that wait to be verified.

``/admin/organizations`` lists the pending state advocate organizations with who asked and
when; each has an Approve and a Reject button (POST, CSRF). Every route answers 404 to anyone
who is not a site administrator (``access.require_site_admin``). The decisions are
``vetting.verify_organization`` and ``vetting.reject_organization``, which audit them.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from rubric_app.access import require_site_admin
from rubric_app.accounts.forms import EmptyForm
from rubric_app.accounts.operations import AccountError
from rubric_app.accounts.vetting import (
    VETTED_KINDS,
    pending_organizations,
    reject_organization,
    verify_organization,
)
from rubric_app.admin.blueprint import bp
from rubric_app.db import db
from rubric_app.models import Organization, User
from rubric_app.us_states import STATES
from rubric_app.vocabulary import ORG_KIND_LABELS


def _me() -> User:
    user = db.session.get(User, current_user.id)
    assert user is not None
    return user


def _org_or_404(org_id: int) -> Organization:
    """An organization this page vets (a state advocate); anything else is not here. A
    district's "Verified" badge is given on the server only (``flask orgs verify``)."""
    org = db.session.get(Organization, org_id)
    if org is None or org.kind not in VETTED_KINDS:
        abort(404)
    return org


@bp.get("/organizations")
@login_required
def organizations() -> ResponseReturnValue:
    """The organizations waiting for approval, oldest request first."""
    require_site_admin(current_user)
    return render_template(
        "admin/organizations.html",
        pending=pending_organizations(db.session),
        kind_labels=ORG_KIND_LABELS,
        states=STATES,
    )


@bp.post("/organizations/<int:org_id>/approve")
@login_required
def approve(org_id: int) -> ResponseReturnValue:
    """Verify one organization: it gets its dashboard and becomes a share target."""
    require_site_admin(current_user)
    org = _org_or_404(org_id)
    if not EmptyForm().validate_on_submit():
        flash("This form had expired, so nothing changed. Press the button once more.", "error")
        return redirect(url_for("admin.organizations"))
    try:
        changed = verify_organization(db.session, org, by=_me(), via="admin_page")
    except AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        if changed:
            flash(f"{org.name} ({org.state}) is verified.", "success")
        else:
            flash(f"{org.name} was already verified.", "info")
    return redirect(url_for("admin.organizations"))


@bp.post("/organizations/<int:org_id>/reject")
@login_required
def reject(org_id: int) -> ResponseReturnValue:
    """Refuse to verify one organization; it keeps its members and data but acts as nothing."""
    require_site_admin(current_user)
    org = _org_or_404(org_id)
    if not EmptyForm().validate_on_submit():
        flash("This form had expired, so nothing changed. Press the button once more.", "error")
        return redirect(url_for("admin.organizations"))
    try:
        reject_organization(db.session, org, by=_me())
    except AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"{org.name} ({org.state}) is rejected: no dashboard, no shares.", "success")
    return redirect(url_for("admin.organizations"))
