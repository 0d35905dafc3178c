"""Routes for signing in with an e-mailed one-time link (``rubric_app.accounts.signin_links``).

``/signin/link`` asks for a link: the same answer whether or not the address has an account,
rate limited per client address and per account. ``/signin/link/<token>`` shows a "Sign in"
button; only pressing it (a POST) uses the link, so a mail scanner that follows links does not
use it up. The link gets past the per-account sign-in limit, which is what it is for.
"""

from __future__ import annotations

from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue

from rubric_app import audit
from rubric_app.accounts.auth_views import _after_signin
from rubric_app.accounts.blueprint import bp
from rubric_app.accounts.forms import EmptyForm, SigninLinkForm
from rubric_app.accounts.operations import find_user, normalize_email
from rubric_app.accounts.signin_links import (
    minutes_valid,
    send_signin_link,
    user_from_signin_link,
)
from rubric_app.accounts.tokens import TokenError
from rubric_app.accounts.two_step_signin import finish_or_challenge
from rubric_app.accounts.user_sessions import hash_token
from rubric_app.db import db
from rubric_app.extensions import limiter


def _limit() -> str:
    return str(current_app.config["SIGNIN_LINK_RATE_LIMIT"])


def _account_key() -> str:
    return "signin-link:" + normalize_email(request.form.get("email", ""))


@bp.route("/signin/link", methods=["GET", "POST"])
@limiter.limit(
    _limit,
    methods=["POST"],
    error_message="Too many sign-in links were asked for from your network.",
)
@limiter.limit(
    _limit,
    key_func=_account_key,
    methods=["POST"],
    error_message="Too many sign-in links were asked for this address.",
)
def signin_link_request() -> ResponseReturnValue:
    """Mail a one-time sign-in link to the address, if it has an account."""
    form = SigninLinkForm()
    if form.validate_on_submit():
        email = normalize_email(form.email.data or "")
        user = find_user(db.session, email)
        if user is not None and user.is_active:
            send_signin_link(user)
            audit.record(
                db.session, "auth.signin_link_sent", user_id=user.id, org_id=user.current_org_id
            )
            db.session.commit()
        # The same answer whether or not the account exists, so the page reveals nothing.
        return render_template(
            "accounts/signin_link_sent.html", email=email, minutes=minutes_valid()
        )
    status = 400 if form.errors else 200
    return render_template("accounts/signin_link_request.html", form=form), status


@bp.route("/signin/link/<token>", methods=["GET", "POST"])
def signin_link(token: str) -> ResponseReturnValue:
    """Show the "Sign in" button of a one-time link; pressing it signs in and uses the link."""
    try:
        user = user_from_signin_link(db.session, token)
    except TokenError as error:
        return _invalid(str(error))
    form = EmptyForm()
    if form.validate_on_submit():
        # The link stands in for the password, never for the second step.
        return finish_or_challenge(
            user, remember=False, next_url=_after_signin(user), link_digest=hash_token(token)
        )
    return render_template("accounts/signin_link.html", form=form, user=user)


def _invalid(problem: str) -> ResponseReturnValue:
    return render_template("accounts/link_invalid.html", problem=problem, kind="signin"), 400
