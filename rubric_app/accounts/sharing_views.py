"""Routes for sharing one assessment, read-only, with other organizations, and revoking.

``/assessments/<id>/sharing`` (endpoint ``accounts.sharing``): members of the owning
organization see the shares; owners and editors share and revoke. Anyone else gets 404. The
form offers the state's verified advocates; a partner is added to it by its partner code or its
owner's e-mail address (``sharing/find``, rate-limited per account), never by browsing. Until
they confirm their e-mail address, users see a notice instead of the share form and their share
posts are refused (``share_assessment`` refuses them as well); they may still stop sharing.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from rubric_app.access import AssessmentAction, assessment_or_404, can
from rubric_app.accounts.blueprint import bp
from rubric_app.accounts.forms import (
    EmptyForm,
    PartnerLookupForm,
    ShareForm,
    options,
)
from rubric_app.accounts.operations import AccountError
from rubric_app.accounts.sharing import (
    own_state_advocates,
    partners_found_by,
    revoke_share,
    share_assessment,
    share_targets,
    shares_of,
)
from rubric_app.accounts.verification import UNVERIFIED_MESSAGE, UnverifiedError, is_verified
from rubric_app.accounts.vetting import is_verified_org
from rubric_app.db import db
from rubric_app.extensions import limiter
from rubric_app.models import Assessment, Organization, Share, User
from rubric_app.states.figure_jobs import count_ahead
from rubric_app.us_states import STATES
from rubric_app.vocabulary import ORG_KIND_LABELS

NOT_FOUND = (
    "No organization you can share with has that partner code, or an owner with that email "
    "address. Check it with the partner's owner: the code is on their organization page."
)


def _label(org: Organization) -> str:
    # The badge is in words, so it reads the same in a select, to a screen reader and in print.
    verified = ", verified" if is_verified_org(org) else ""
    return f"{org.name} ({ORG_KIND_LABELS[org.kind]}, {org.state}{verified})"


def _live_share_orgs(assessment: Assessment) -> set[int]:
    """The organizations that hold a live share of the assessment."""
    return {row.org_id for row in shares_of(db.session, assessment) if row.revoked_at is None}


def _share_form(assessment: Assessment, owner_org: Organization, partner: str) -> ShareForm:
    # Organizations that already hold a live share are not offered again.
    live = _live_share_orgs(assessment)
    form = ShareForm()
    form.to_org.choices = options(
        [("", "Choose an organization")]
        + [
            (str(org.id), _label(org))
            for org in share_targets(db.session, owner_org, partner)
            if org.id not in live
        ]
    )
    return form


def _owner_org(assessment: Assessment) -> Organization:
    owner_org = db.session.get(Organization, assessment.org_id)
    assert owner_org is not None
    return owner_org


@bp.route("/assessments/<int:assessment_id>/sharing", methods=["GET", "POST"])
@login_required
def sharing(assessment_id: int) -> ResponseReturnValue:
    """List the assessment's shares; share it with the state's advocate or a found partner."""
    action: AssessmentAction = "share" if request.method == "POST" else "view_shares"
    assessment = assessment_or_404(db.session, current_user, assessment_id, action)
    owner_org = _owner_org(assessment)
    # The partner reference found earlier travels with the share form, and is checked again.
    partner = (request.form.get("partner") or "").strip() if request.method == "POST" else ""
    form = _share_form(assessment, owner_org, partner)
    valid = request.method == "POST" and form.validate_on_submit()
    if request.method == "POST" and not valid:
        already = _already_shared(assessment, request.form.get("to_org", ""))
        if already is not None:
            # Sent again from a stale tab, or a second click that beat the page: done already.
            flash(f"{assessment.title} is already shared with {already.name}.", "info")
            return redirect(url_for("accounts.sharing", assessment_id=assessment.id))
    # A post that gets this far was refused: invalid (400) or by share_assessment (below).
    status = 400 if request.method == "POST" else 200
    if valid:
        to_org = db.session.get(Organization, int(form.to_org.data))
        assert to_org is not None  # it was one of the choices
        try:
            share_assessment(
                db.session,
                assessment,
                to_org,
                by=_me(),
                partner=partner,
                named=bool(form.named.data),
            )
        except AccountError as error:
            db.session.rollback()
            form.to_org.errors.append(str(error))
            # share_assessment refuses unverified users; the page shows why and the way on.
            status = 403 if isinstance(error, UnverifiedError) else 400
        else:
            db.session.commit()
            # A state advocate's dashboard counts it: counted ahead of the advocate's next view.
            count_ahead(db.session, assessment.rubric_key, [to_org.id])
            flash(f"{assessment.title} is now shared, read-only, with {to_org.name}.", "success")
            return redirect(url_for("accounts.sharing", assessment_id=assessment.id))
    lookup = PartnerLookupForm(formdata=None, partner=partner)
    return _render(assessment, owner_org, form, lookup, partner, status)


def _already_shared(assessment: Assessment, posted: str) -> Organization | None:
    """Return the organization ``posted`` names when it holds a live share already."""
    if not posted.isdigit() or int(posted) not in _live_share_orgs(assessment):
        return None
    return db.session.get(Organization, int(posted))


def _lookup_limit() -> str:
    return str(current_app.config["PARTNER_LOOKUP_RATE_LIMIT"])


def _lookup_key() -> str:
    # Per account: login_required has run, so the user is known.
    return f"partner-lookup:{current_user.get_id() if current_user.is_authenticated else ''}"


@bp.post("/assessments/<int:assessment_id>/sharing/find")
@login_required
@limiter.limit(
    _lookup_limit,
    key_func=_lookup_key,
    error_message="Too many partner look-ups from this account; try again in an hour.",
)
def find_partner(assessment_id: int) -> ResponseReturnValue:
    """Find a partner by its partner code or an owner's e-mail and offer it in the share form."""
    assessment = assessment_or_404(db.session, current_user, assessment_id, "share")
    owner_org = _owner_org(assessment)
    lookup = PartnerLookupForm()
    partner = ""
    status = 400
    if lookup.validate_on_submit():
        if not is_verified(current_user):
            # Looking partners up is the first step of sharing, which needs a proven address.
            lookup.partner.errors.append(UNVERIFIED_MESSAGE)
            status = 403
        elif partners_found_by(db.session, owner_org, lookup.partner.data or ""):
            partner = lookup.partner.data or ""
            status = 200
        else:
            lookup.partner.errors.append(NOT_FOUND)
    form = _share_form(assessment, owner_org, partner)
    return _render(assessment, owner_org, form, lookup, partner, status)


def _me() -> User:
    user = db.session.get(User, current_user.id)
    assert user is not None
    return user


def _render(
    assessment: Assessment,
    owner_org: Organization,
    form: ShareForm,
    lookup: PartnerLookupForm,
    partner: str,
    status: int,
) -> ResponseReturnValue:
    found = partners_found_by(db.session, owner_org, partner) if partner else []
    advocates = own_state_advocates(db.session, owner_org)
    live = _live_share_orgs(assessment)
    offered = [org for org in advocates if org.id not in live]
    state_name = STATES[owner_org.state]
    whom = (
        f"The verified state advocate of {state_name}"
        if len(offered) == 1
        else f"The verified state advocates of {state_name}"
    )
    return render_template(
        "accounts/sharing.html",
        assessment=assessment,
        owner_org=owner_org,
        shares=shares_of(db.session, assessment),
        can_share=can(db.session, current_user, "share", assessment),
        verified=is_verified(current_user),
        submitted=assessment.status == "submitted",
        form=form,
        lookup=lookup,
        partner=partner,
        found=[_label(org) for org in found],
        has_targets=len(form.to_org.choices or []) > 1,
        advocate_shared=any(org.id in live for org in advocates),
        share_hint=(
            f"{whom}{', and the partner you found' if found else ''}. Verified organizations "
            "were checked by a site administrator."
        ),
        state_name=state_name,
        kind_labels=ORG_KIND_LABELS,
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
        count_ahead(db.session, assessment.rubric_key, [share.to_org_id])
        flash(f"{share.to_org.name} can no longer see {assessment.title}.", "success")
    return redirect(url_for("accounts.sharing", assessment_id=assessment.id))
