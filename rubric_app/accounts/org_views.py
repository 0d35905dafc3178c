"""Routes for organizations: create, profile, members, invitations, switching, audit log.

Every route asks ``rubric_app.access`` first; members of other organizations get 404. Owners
who have not confirmed their e-mail address see a notice instead of the invitation form, and
their invitation posts are refused (``invite`` refuses them as well). The profile shows the
organization's verification (a "Verified" badge, or why a state advocate waits) and, to owners,
the partner code they hand to partners, which they can replace.

Why it is long: the pages of one organization share the access checks and redirects above; members
and invitations are the next split if it grows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from rubric_app import audit
from rubric_app.access import can, org_or_404
from rubric_app.accounts.auth_views import safe_next
from rubric_app.accounts.blueprint import bp
from rubric_app.accounts.forms import (
    EmptyForm,
    InviteForm,
    OrganizationForm,
    RoleForm,
)
from rubric_app.accounts.invitations import (
    accept_invitation,
    invitation_from_token,
    invitation_token,
    invite,
    open_invitations,
    pending_invitations,
    revoke_invitation,
)
from rubric_app.accounts.mail import send_mail
from rubric_app.accounts.operations import (
    AccountError,
    LeaveRefusal,
    add_member,
    change_role,
    create_organization,
    leave_organization,
    leave_refusal,
    membership_of,
    normalize_email,
    org_after_leaving,
    regenerate_partner_code,
    remove_member,
    switch_organization,
    update_organization,
)
from rubric_app.accounts.org_framework_views import frameworks_form
from rubric_app.accounts.partner_codes import format_partner_code
from rubric_app.accounts.tokens import TokenError
from rubric_app.accounts.two_step_forms import RequireTwoStepForm
from rubric_app.accounts.verification import UnverifiedError, is_verified
from rubric_app.accounts.vetting import verification_status
from rubric_app.auth_session import current_org, memberships_of, org_required
from rubric_app.db import db
from rubric_app.models import Invitation, Membership, Organization, User
from rubric_app.states.figure_jobs import count_ahead_for_organization
from rubric_app.url_numbers import page_number
from rubric_app.us_states import STATES
from rubric_app.vocabulary import (
    ENROLLMENT_BAND_LABELS,
    LOCALE_LABELS,
    ORG_KIND_LABELS,
    ROLE_LABELS,
    SRO_MODEL_LABELS,
)


@dataclass(frozen=True)
class MemberRow:
    membership_id: int
    name: str
    email: str
    role: str
    role_label: str
    is_me: bool
    role_form: RoleForm | None


def profile_facts(org: Organization) -> list[tuple[str, str]]:
    """The organization's profile as (label, value) pairs for a definition list."""

    def label(labels: Mapping[str, str], key: str | None) -> str:
        return labels.get(key or "", "Not given")

    return [
        ("Kind", label(ORG_KIND_LABELS, org.kind)),
        ("State", f"{STATES.get(org.state, org.state)} ({org.state})"),
        ("NCES or IPEDS id", org.nces_id or "Not given"),
        ("Enrollment", label(ENROLLMENT_BAND_LABELS, org.enrollment_band)),
        ("Locale", label(LOCALE_LABELS, org.locale)),
        ("SRO staffing", label(SRO_MODEL_LABELS, org.sro_model)),
    ]


def _profile_kwargs(form: OrganizationForm) -> dict[str, str | None]:
    return {
        "name": form.name.data or "",
        "kind": form.kind.data or "",
        "state": form.state.data or "",
        "nces_id": form.nces_id.data or None,
        "enrollment_band": form.enrollment_band.data or None,
        "locale": form.locale.data or None,
        "sro_model": form.sro_model.data or None,
    }


def _me() -> User:
    user = db.session.get(User, current_user.id)
    assert user is not None
    return user


#: What a new state advocate is told; the organization page and the dashboard say it again.
PENDING_MESSAGE = (
    "A state advocate organization is checked by a site administrator before it sees its state's "
    "dashboard or can receive assessments. Until then it is pending; you can already invite "
    "colleagues and fill in assessments."
)


@bp.route("/organizations/new", methods=["GET", "POST"])
@login_required
def new_organization() -> ResponseReturnValue:
    """Create an organization; its creator becomes its first owner."""
    form = OrganizationForm()
    if form.validate_on_submit():
        user = _me()
        try:
            org = create_organization(db.session, created_by=user, **_profile_kwargs(form))  # type: ignore[arg-type]
        except AccountError as error:
            db.session.rollback()
            form.name.errors.append(str(error))
        else:
            add_member(db.session, user=user, org=org, role="owner", by=user)
            switch_organization(db.session, user, org)
            audit.record(db.session, "org.create", user_id=user.id, org_id=org.id)
            db.session.commit()
            flash(
                f"{org.name} is created and you are its owner. Start your first assessment "
                "here; you can invite colleagues from the organization page at any time.",
                "success",
            )
            if verification_status(org) == "pending":
                flash(PENDING_MESSAGE, "info")
            # A new organization's next step is its first assessment (issue 16, item 4);
            # inviting colleagues waits on the e-mail confirmation anyway.
            return redirect(url_for("questionnaire.new"))
    return render_template(
        "accounts/organization_new.html", form=form, has_orgs=bool(memberships_of(current_user))
    ), (400 if form.errors else 200)


@bp.get("/organization")
@org_required
def organization() -> ResponseReturnValue:
    """The current organization: profile, members and, for owners, invitations."""
    org = current_org()
    assert org is not None
    return _render_organization(org, InviteForm(formdata=None), 200)


def _render_organization(
    org: Organization, invite_form: InviteForm, status: int
) -> ResponseReturnValue:
    org = org_or_404(db.session, current_user, org.id)
    manage = can(db.session, current_user, "manage_members", org)
    rows = db.session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.org_id == org.id)
        .order_by(User.name, User.email)
    )
    members = []
    for membership, user in rows:
        role_form = None
        if manage:
            role_form = RoleForm(formdata=None, prefix=f"m{membership.id}", role=membership.role)
        members.append(
            MemberRow(
                membership_id=membership.id,
                name=user.name,
                email=user.email,
                role=membership.role,
                role_label=ROLE_LABELS[membership.role],
                is_me=user.id == current_user.id,
                role_form=role_form,
            )
        )
    return render_template(
        "accounts/organization.html",
        org=org,
        facts=profile_facts(org),
        members=members,
        manage=manage,
        can_edit=can(db.session, current_user, "edit_profile", org),
        can_audit=can(db.session, current_user, "view_audit", org),
        invitations=pending_invitations(db.session, org.id) if manage else [],
        invite_form=invite_form,
        verified=is_verified(current_user),
        vetting=verification_status(org),
        # The code lets others share into the organization: only its owners see and hand it out.
        partner_code=format_partner_code(org.partner_code) if manage else None,
        two_step_form=RequireTwoStepForm(
            formdata=None, prefix="two-step", require=org.require_two_step
        ),
        frameworks_form=frameworks_form(org),
    ), status


@bp.route("/organization/edit", methods=["GET", "POST"])
@org_required
def edit_organization() -> ResponseReturnValue:
    """Change the current organization's profile (owners)."""
    current = current_org()
    assert current is not None
    org = org_or_404(db.session, current_user, current.id, "edit_profile")
    form = OrganizationForm(obj=org)
    if form.validate_on_submit():
        try:
            ended = update_organization(db.session, org, by=_me(), **_profile_kwargs(form))  # type: ignore[arg-type]
        except AccountError as error:
            db.session.rollback()
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            # The state dashboards it shares with count its profile (their filters).
            count_ahead_for_organization(db.session, org.id)
            flash("The organization profile is saved.", "success")
            if ended:
                flash(
                    "Its name, kind or state changed, so the earlier verification no longer "
                    "applies. "
                    + (PENDING_MESSAGE if verification_status(org) == "pending" else ""),
                    "info",
                )
            return redirect(url_for("accounts.organization"))
    status = 400 if form.errors else 200
    return render_template("accounts/organization_edit.html", form=form, org=org), status


@bp.post("/organization/partner-code")
@org_required
def new_partner_code_view() -> ResponseReturnValue:
    """Replace the partner code (owners); the old code stops finding the organization."""
    current = current_org()
    assert current is not None
    org = org_or_404(db.session, current_user, current.id, "manage_members")
    form = EmptyForm()
    if form.validate_on_submit():
        code = regenerate_partner_code(db.session, org, by=_me())
        db.session.commit()
        flash(
            f"The new partner code is {format_partner_code(code)}. The old code no longer works; "
            "assessments already shared with you stay shared.",
            "success",
        )
    else:
        flash("This form had expired, so the code was not changed. Press the button once more.")
    return redirect(url_for("accounts.organization") + "#partner-code")


@bp.post("/organization/invitations")
@org_required
def send_invitation() -> ResponseReturnValue:
    """Invite a colleague by e-mail (owners); the link is printed to the log in development."""
    current = current_org()
    assert current is not None
    org = org_or_404(db.session, current_user, current.id, "manage_members")
    form = InviteForm()
    status = 400
    if form.validate_on_submit():
        me = _me()
        address = normalize_email(form.email.data or "")
        replaced = bool(open_invitations(db.session, org.id, email=address))
        try:
            invitation = invite(db.session, org, email=address, role=form.role.data, by=me)
        except AccountError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
            # invite refuses unverified users; the page shows why and the way on.
            if isinstance(error, UnverifiedError):
                status = 403
        else:
            _mail_invitation(invitation, org, me)
            db.session.commit()
            # A new invitation retires the open one: the link in the earlier mail stops working.
            earlier = " The link in the earlier invitation to this address no longer works."
            flash(f"Invitation sent to {invitation.email}.{earlier if replaced else ''}", "success")
            return redirect(url_for("accounts.organization") + "#invitations")
    return _render_organization(org, form, status)


def _mail_invitation(invitation: Invitation, org: Organization, by: User) -> None:
    link = url_for("accounts.invitation", token=invitation_token(invitation), _external=True)
    days = int(current_app.config["INVITATION_MAX_AGE"]) // 86400
    send_mail(
        invitation.email,
        f"{by.name} invited you to {org.name} on rubric_app",
        f"Hello,\n\n{by.name} ({by.email}) invited you to join {org.name} on rubric_app as "
        f"{ROLE_LABELS[invitation.role].lower()}. rubric_app reviews school resource officer "
        f"policies against the SECURe rubrics.\n\nOpen this link to join:\n\n{link}\n\n"
        f"The link works once, for {days or 1} day(s). If you do not know {by.name}, "
        "ignore this message.\n",
    )


def _invitation_of_org(invitation_id: int) -> tuple[Invitation, Organization]:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        abort(404)
    org = org_or_404(db.session, current_user, invitation.org_id, "manage_members")
    return invitation, org


@bp.post("/organization/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation_view(invitation_id: int) -> ResponseReturnValue:
    """Withdraw an open invitation (owners)."""
    invitation, _org = _invitation_of_org(invitation_id)
    form = EmptyForm()
    if form.validate_on_submit() and invitation.accepted_at is None:
        revoke_invitation(db.session, invitation, by=_me())
        db.session.commit()
        flash(
            f"The invitation to {invitation.email} is withdrawn; its link no longer works.",
            "success",
        )
    return redirect(url_for("accounts.organization") + "#invitations")


@bp.post("/organization/invitations/<int:invitation_id>/resend")
@login_required
def resend_invitation(invitation_id: int) -> ResponseReturnValue:
    """Send a fresh link for an open invitation (the old link stops working)."""
    old, org = _invitation_of_org(invitation_id)
    form = EmptyForm()
    if form.validate_on_submit() and old.accepted_at is None:
        me = _me()
        try:
            invitation = invite(db.session, org, email=old.email, role=old.role, by=me)
        except AccountError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            _mail_invitation(invitation, org, me)
            db.session.commit()
            flash(f"A new invitation was sent to {invitation.email}.", "success")
    return redirect(url_for("accounts.organization") + "#invitations")


def _membership_for_manager(membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        abort(404)
    org_or_404(db.session, current_user, membership.org_id, "manage_members")
    return membership


@bp.post("/organization/members/<int:membership_id>/role")
@login_required
def change_member_role(membership_id: int) -> ResponseReturnValue:
    """Change a member's role (owners); the last owner keeps the role."""
    membership = _membership_for_manager(membership_id)
    form = RoleForm(prefix=f"m{membership.id}")
    if form.validate_on_submit():
        try:
            change_role(db.session, membership, form.role.data, by=_me())
        except AccountError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                f"{membership.user.name} is now {ROLE_LABELS[membership.role].lower()}.", "success"
            )
    else:
        flash("Choose one of the roles listed.", "error")
    return redirect(url_for("accounts.organization") + "#members")


@bp.post("/organization/members/<int:membership_id>/remove")
@login_required
def remove_member_view(membership_id: int) -> ResponseReturnValue:
    """Remove a member (owners); never the last owner."""
    membership = _membership_for_manager(membership_id)
    name = membership.user.name
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            remove_member(db.session, membership, by=_me())
        except AccountError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"{name} is no longer a member.", "success")
    if current_org() is None:
        return redirect(url_for("accounts.new_organization"))
    return redirect(url_for("accounts.organization") + "#members")


@bp.route("/organization/leave", methods=["GET", "POST"])
@org_required
def leave_organization_view() -> ResponseReturnValue:
    """Leave the current organization (any member): confirm first; the last owner cannot."""
    current = current_org()
    assert current is not None
    # Any member may leave, so the weakest right (view) is the one to check.
    org = org_or_404(db.session, current_user, current.id)
    me = _me()
    membership = membership_of(db.session, me.id, org.id)
    assert membership is not None  # org_or_404 lets members only through
    form = EmptyForm()
    if form.validate_on_submit():
        name = org.name
        try:
            next_org = leave_organization(db.session, membership)
        except AccountError:
            # Someone changed the roles meanwhile; the page below says why, in words.
            db.session.rollback()
        else:
            db.session.commit()
            if next_org is None:
                flash(
                    f"You have left {name}. You do not belong to any organization now: create "
                    "one, or open the invitation link a colleague sent you.",
                    "success",
                )
                return redirect(url_for("accounts.new_organization"))
            flash(f"You have left {name}. You are now working for {next_org.name}.", "success")
            return redirect(url_for("main.home"))
    refusal = leave_refusal(db.session, membership)
    return render_template(
        "accounts/organization_leave.html",
        org=org,
        role_label=ROLE_LABELS[membership.role],
        refusal=refusal,
        next_step=_leave_next_step(refusal) if refusal else None,
        next_org=org_after_leaving(db.session, me, org.id),
        form=form,
    ), (400 if request.method == "POST" else 200)


def _leave_next_step(refusal: LeaveRefusal) -> tuple[str, str]:
    """The link that helps the last owner on: invite someone, or give someone the owner role."""
    page = url_for("accounts.organization")
    if refusal.alone:
        return "Invite a colleague as an owner", page + "#invitations"
    return "Make another member an owner", page + "#members"


@bp.post("/organizations/<int:org_id>/switch")
@login_required
def switch(org_id: int) -> ResponseReturnValue:
    """Work for another of the user's organizations."""
    org = org_or_404(db.session, current_user, org_id)
    form = EmptyForm()
    if form.validate_on_submit():
        switch_organization(db.session, _me(), org)
        db.session.commit()
        flash(f"You are now working for {org.name}.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("accounts.organization"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str) -> ResponseReturnValue:
    """Accept an invitation: a signed-in user joins; a newcomer signs up or in first."""
    try:
        found = invitation_from_token(db.session, token)
    except TokenError as error:
        return render_template(
            "accounts/link_invalid.html", problem=str(error), kind="invitation"
        ), 400
    org = db.session.get(Organization, found.org_id)
    inviter = db.session.get(User, found.invited_by_id) if found.invited_by_id else None
    form = EmptyForm()
    problem = ""
    if current_user.is_authenticated and form.validate_on_submit():
        try:
            accept_invitation(db.session, found, _me())
        except AccountError as error:
            db.session.rollback()
            problem = str(error)
        else:
            db.session.commit()
            assert org is not None
            flash(f"Welcome to {org.name}.", "success")
            return redirect(url_for("accounts.organization"))
    signed_in_as = current_user.email if current_user.is_authenticated else None
    if signed_in_as is not None and signed_in_as != found.email and not problem:
        problem = (
            f"This invitation is for {found.email}, but you are signed in as {signed_in_as}. "
            "Sign out, then sign in or sign up with the invited address."
        )
    return render_template(
        "accounts/invitation.html",
        invitation=found,
        org=org,
        inviter=inviter,
        role_label=ROLE_LABELS[found.role],
        token=token,
        form=form,
        problem=problem,
        signed_in_as=signed_in_as,
    ), (400 if problem and request.method == "POST" else 200)


@bp.get("/organization/audit")
@org_required
def audit_log() -> ResponseReturnValue:
    """The current organization's audit log (owners), newest first, one page at a time."""
    current = current_org()
    assert current is not None
    org = org_or_404(db.session, current_user, current.id, "view_audit")
    page = page_number()
    events = audit.events_for_org(
        db.session, org.id, page=page, page_size=int(current_app.config["PAGE_SIZE"])
    )
    return render_template("accounts/audit.html", org=org, events=events)
