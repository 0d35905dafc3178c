"""Routes for confirming an e-mail address: open the mailed link, or ask for it again.

``GET /verify/<token>`` works signed in or out: whoever holds the link received the mail. A
damaged, expired or used link gets a page that says which, with a way on (send a new link,
sign in, or nothing to do). ``POST /verify/resend`` mails a fresh link to the signed-in user,
rate limited per client address and per account like password-reset requests.

The context processor tells every page whether to show the "confirm your address" banner.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from rubric_app.access import can
from rubric_app.accounts.auth_views import safe_next
from rubric_app.accounts.blueprint import bp
from rubric_app.accounts.forms import EmptyForm
from rubric_app.accounts.tokens import TokenError
from rubric_app.accounts.verification import (
    is_verified,
    mark_verified,
    max_age_hours,
    send_verification_mail,
    user_from_verification_token,
)
from rubric_app.auth_session import current_org, memberships_of
from rubric_app.db import db
from rubric_app.extensions import limiter
from rubric_app.models import User


@bp.app_context_processor
def verification_banner() -> dict[str, Any]:
    """``email_unverified``: the signed-in user has not confirmed their address yet."""
    unverified = bool(
        current_user and current_user.is_authenticated and not is_verified(current_user)
    )
    return {"email_unverified": unverified}


def _resend_limit() -> str:
    # Each resend sends a mail, like a password-reset request, so it shares that allowance.
    return str(current_app.config["RESET_RATE_LIMIT"])


def _user_key() -> str:
    # Per account as well as per address: one account cannot flood its own inbox from many
    # networks (login_required has run, so the user is known).
    return f"verify-resend:{current_user.id if current_user.is_authenticated else ''}"


def _signed_in_state() -> str:
    """Who is looking at a verification page: "anonymous", "verified" or "unverified"."""
    if not current_user.is_authenticated:
        return "anonymous"
    return "verified" if is_verified(current_user) else "unverified"


@bp.get("/verify/<token>")
def verify_email(token: str) -> ResponseReturnValue:
    """Confirm the address the link was mailed to (signed-in or not)."""
    try:
        user = user_from_verification_token(db.session, token)
    except TokenError as error:
        return render_template(
            "accounts/verify_invalid.html",
            problem=str(error),
            viewer=_signed_in_state(),
            hours=max_age_hours(),
        ), 400
    mark_verified(db.session, user, via="verification_link")
    db.session.commit()
    return render_template("accounts/verified.html", user=user, **_next_step(user))


def _next_step(user: User) -> dict[str, str]:
    """Where the verified user goes on, as a label and a link for the page."""
    if not current_user.is_authenticated:
        return {"next_label": "Sign in", "next_url": url_for("accounts.signin")}
    if current_user.id != user.id:
        # Someone else's link opened in this browser: confirming it changes nothing here.
        return {"next_label": "Go to the home page", "next_url": url_for("main.home")}
    if not memberships_of(current_user):
        return {
            "next_label": "Create your organization",
            "next_url": url_for("accounts.new_organization"),
        }
    org = current_org()
    if org is not None and can(db.session, current_user, "manage_members", org):
        return {
            "next_label": "Invite your colleagues",
            "next_url": url_for("accounts.organization") + "#invitations",
        }
    return {"next_label": "Go to your organization", "next_url": url_for("accounts.organization")}


@bp.post("/verify/resend")
@login_required
@limiter.limit(
    _resend_limit,
    methods=["POST"],
    error_message="Too many requests for a new link from your network.",
)
@limiter.limit(
    _resend_limit,
    key_func=_user_key,
    methods=["POST"],
    error_message="Too many requests for a new link for this account.",
)
def resend_verification() -> ResponseReturnValue:
    """Mail the signed-in user a fresh link that confirms their address."""
    target = safe_next(request.form.get("next")) or url_for("accounts.account")
    form = EmptyForm()
    if not form.validate_on_submit():
        flash("This form had expired, so nothing was sent. Press the button once more.", "error")
        return redirect(target)
    user = db.session.get(User, current_user.id)
    assert user is not None
    if is_verified(user):
        flash("Your email address is already confirmed; there is nothing more to do.", "success")
        return redirect(target)
    send_verification_mail(user)
    flash(
        f"We sent a new link to {user.email}. It works for {max_age_hours()} hours; "
        "check your spam folder if it does not arrive within a few minutes.",
        "success",
    )
    return redirect(target)
