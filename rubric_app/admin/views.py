"""Site administrators approve or reject organizations that wait to be verified.

``/admin/organizations`` lists the pending state advocate organizations with who asked and
when; each has an Approve and a Reject button (POST, CSRF). ``/admin/organizations/unverified``
lists the districts, programs and colleges not verified yet, by state, kind and name, fifty to
a page, to verify the ticked ones at once (one POST, each organization in a transaction of its
own, so a refused one does not undo the others). Every route answers 404 to anyone who is not a
site administrator (``access.require_site_admin``). The decisions are
``vetting.verify_organization`` and ``vetting.reject_organization``, which audit them.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from rubric_app.access import require_site_admin
from rubric_app.accounts.forms import EmptyForm
from rubric_app.accounts.operations import AccountError
from rubric_app.accounts.vetting import (
    UNVERIFIED_PER_PAGE,
    VETTED_KINDS,
    pending_organizations,
    reject_organization,
    unverified_organizations,
    verify_organization,
)
from rubric_app.admin.blueprint import bp
from rubric_app.admin.forms import UnverifiedQuery
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


#: The kinds of organization the bulk page lists (state advocates are approved one by one).
BULK_KINDS = tuple(kind for kind in ORG_KIND_LABELS if kind not in VETTED_KINDS)


@bp.get("/organizations/unverified")
@login_required
def unverified() -> ResponseReturnValue:
    """Districts, programs and colleges not verified yet, to verify the ticked ones at once."""
    require_site_admin(current_user)
    # Unknown values are dropped with a note, as on the state dashboard.
    query = UnverifiedQuery(formdata=request.args)
    state, state_notes = query.take(query.state, tuple(STATES))
    kind, kind_notes = query.take(query.kind, BULK_KINDS)
    page = request.args.get("page", "1")
    listing = unverified_organizations(
        db.session,
        state=state,
        kind=kind,
        name=(query.name.data or "")[:200],
        page=int(page) if page.isdigit() else 1,
    )
    shown = {"state": state, "kind": kind, "name": (query.name.data or "").strip()[:200]}
    filters: dict[str, Any] = {name: value for name, value in shown.items() if value}

    def page_url(number: int) -> str | None:
        if not 1 <= number <= listing.pages or number == listing.page:
            return None
        return url_for("admin.unverified", **filters, page=number)

    return render_template(
        "admin/unverified.html",
        notes=[*state_notes, *kind_notes],
        listing=listing,
        filters=filters,
        prev_url=page_url(listing.page - 1),
        next_url=page_url(listing.page + 1),
        kind_choices=[(kind, ORG_KIND_LABELS[kind]) for kind in BULK_KINDS],
        kind_labels=ORG_KIND_LABELS,
        states=STATES,
        form=EmptyForm(),
    )


@bp.post("/organizations/verify")
@login_required
def verify_selected() -> ResponseReturnValue:
    """Verify the ticked organizations, each in a transaction of its own, and say how it went."""
    require_site_admin(current_user)
    back = url_for("admin.unverified", **_back_filters())
    if not EmptyForm().validate_on_submit():
        flash(
            "This form had expired, so nothing changed. Tick them and press the button once more.",
            "error",
        )
        return redirect(back)
    ids = [int(value) for value in request.form.getlist("org") if value.isdigit()]
    if not ids:
        flash("Tick at least one organization to verify.", "error")
        return redirect(back)
    me = _me()
    verified: list[str] = []
    # A page holds at most UNVERIFIED_PER_PAGE; more ids than that were not ticked on it.
    for org_id in dict.fromkeys(ids[:UNVERIFIED_PER_PAGE]):
        org = db.session.get(Organization, org_id)
        if org is None or org.kind in VETTED_KINDS:
            # State advocates are approved one by one on the other page.
            continue
        try:
            changed = verify_organization(db.session, org, by=me, via="admin_page")
        except AccountError as error:
            db.session.rollback()
            flash(f"{org.name} ({org.state}) was not verified. {error}", "error")
        else:
            db.session.commit()
            if changed:
                verified.append(org.name)
    if verified:
        count = len(verified)
        flash(
            f"Verified {count} organization{'' if count == 1 else 's'}: {', '.join(verified)}.",
            "success",
        )
    return redirect(back)


def _back_filters() -> dict[str, Any]:
    """The filters the bulk page was showing (posted back with the form), to return to it."""
    return {
        name: value
        for name in ("state", "kind", "name", "page")
        if (value := request.form.get(name, "").strip())
    }
