"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user

from rubric_app import audit
from rubric_app.accounts.forms import SignInForm
from rubric_app.accounts.operations import find_user, normalize_email
from rubric_app.accounts.passwords import hash_password, needs_rehash, verify_password
from rubric_app.db import db
from rubric_app.extensions import limiter

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str | None:
    """Return ``target`` only if it is a path on this site (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _signin_limit() -> str:
    return str(current_app.config["SIGNIN_RATE_LIMIT"])


def _account_key() -> str:
    # Limit per account as well as per address, so one address cannot spray many accounts
    # and many addresses cannot hammer one account.
    return "account:" + normalize_email(request.form.get("email", ""))


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(_signin_limit, methods=["POST"], error_message="Too many sign-in attempts.")
@limiter.limit(
    _signin_limit,
    key_func=_account_key,
    methods=["POST"],
    error_message="Too many sign-in attempts.",
)
def signin() -> ResponseReturnValue:
    """Sign in with email and password."""
    form = SignInForm()
    if form.validate_on_submit():
        user = find_user(db.session, form.email.data or "")
        password = form.password.data or ""
        if user is not None and user.is_active and verify_password(user.password_hash, password):
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            login_user(user)
            audit.record(db.session, "auth.signin", user_id=user.id, org_id=user.current_org_id)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
        audit.record(
            db.session,
            "auth.signin_failed",
            user_id=user.id if user else None,
            email=normalize_email(form.email.data or ""),
        )
        db.session.commit()
        form.password.errors.append("The email address or password is not right.")
    return render_template("accounts/signin.html", form=form), 200 if not form.errors else 400


@bp.post("/signout")
@login_required
def signout() -> ResponseReturnValue:
    """Sign out of this browser."""
    audit.record(db.session, "auth.signout", user_id=current_user.id)
    db.session.commit()
    logout_user()
    flash("You are signed out.", "success")
    return redirect(url_for("main.home"))
