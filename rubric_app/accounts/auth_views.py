"""Routes for signing up, in and out, changing and resetting passwords.

Sign-in, sign-up and reset requests are rate limited per client address and, where an e-mail
address is posted, per account. Failed CSRF checks on sign-in and sign-up re-render the form
with what was typed (never the password).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError

from rubric_app import audit
from rubric_app.accounts.blueprint import bp
from rubric_app.accounts.forms import (
    ChangePasswordForm,
    EmptyForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignInForm,
    SignUpForm,
)
from rubric_app.accounts.invitations import invitation_from_token
from rubric_app.accounts.mail import send_mail, send_security_notice
from rubric_app.accounts.operations import (
    AccountError,
    create_user,
    end_sessions,
    find_user,
    normalize_email,
    set_password,
)
from rubric_app.accounts.passwords import hash_password, needs_rehash, verify_password
from rubric_app.accounts.tokens import TokenError, make_token, password_fingerprint, read_token
from rubric_app.accounts.two_step_signin import finish_or_challenge
from rubric_app.accounts.verification import is_verified, mark_verified, send_verification_mail
from rubric_app.auth_session import memberships_of
from rubric_app.db import db
from rubric_app.extensions import limiter
from rubric_app.models import Invitation, User
from rubric_app.security import csrf_recovery

EXPIRED_FORM = (
    "This form had expired, so nothing was sent. We kept what you typed: "
    "enter your password again and send the form once more."
)


def safe_next(target: str | None) -> str | None:
    """Return ``target`` only if it is a path on this site (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def _limit(setting: str) -> str:
    return str(current_app.config[setting])


def _account_key() -> str:
    # Limit per account as well as per address, so one address cannot spray many accounts
    # and many addresses cannot hammer one account.
    return "account:" + normalize_email(request.form.get("email", ""))


def _failed(response: object) -> bool:
    # A successful sign-in redirects; only refusals use up the allowance.
    return getattr(response, "status_code", 200) != 302


def _after_signin(user: User) -> str:
    """Where a user lands after signing in or up: ``next``, else their organization."""
    target = safe_next(request.args.get("next"))
    if target:
        return target
    if not memberships_of(user):
        return url_for("accounts.new_organization")
    return url_for("main.home")


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(
    lambda: _limit("SIGNIN_RATE_LIMIT"),
    methods=["POST"],
    deduct_when=_failed,
    error_message="Too many sign-in attempts from your network.",
)
@limiter.limit(
    lambda: _limit("SIGNIN_RATE_LIMIT"),
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
    error_message="Too many sign-in attempts for this account.",
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
            return finish_or_challenge(user, remember=False, next_url=_after_signin(user))
        audit.record(
            db.session,
            "auth.signin_failed",
            user_id=user.id if user else None,
            # The owners of the account's organization see failed attempts on it.
            org_id=user.current_org_id if user else None,
            email=normalize_email(form.email.data or ""),
        )
        db.session.commit()
        form.password.errors.append("The email address or password is not right.")
    return _render_signin(form, 400 if form.errors else 200)


def _render_signin(form: SignInForm, status: int) -> ResponseReturnValue:
    return render_template(
        "accounts/signin.html", form=form, next=safe_next(request.args.get("next"))
    ), status


@csrf_recovery("accounts.signin")
def _signin_expired(_error: CSRFError) -> ResponseReturnValue:
    form = SignInForm()
    form.password.data = ""
    form.csrf_token.errors = [EXPIRED_FORM]
    return _render_signin(form, 400)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(
    lambda: _limit("SIGNUP_RATE_LIMIT"),
    methods=["POST"],
    error_message="Too many accounts were created from your network.",
)
def signup() -> ResponseReturnValue:
    """Create an account; then create an organization or join the one that invited you."""
    token = request.args.get("invitation", "")
    invitation = _invitation_or_none(token)
    form = SignUpForm()
    if request.method == "GET" and invitation is not None:
        form.email.data = invitation.email
    if form.validate_on_submit():
        email = normalize_email(form.email.data or "")
        if invitation is not None and email != invitation.email:
            form.email.errors.append(
                f"This invitation was sent to {invitation.email}. Sign up with that address "
                "to join, or remove the invitation from the address bar to sign up on your own."
            )
        else:
            try:
                user = create_user(
                    db.session,
                    email=email,
                    name=form.name.data or "",
                    password=form.password.data or "",
                )
            except AccountError as error:
                db.session.rollback()
                target = form.email if "email" in str(error).lower() else form.password
                target.errors.append(str(error))
            else:
                audit.record(db.session, "auth.signup", user_id=user.id)
                if invitation is not None:
                    # The invitation link was mailed to this very address: that proves it.
                    mark_verified(db.session, user, via="invitation")
                else:
                    send_verification_mail(user)
                db.session.commit()
                login_user(user)
                if invitation is not None:
                    return redirect(url_for("accounts.invitation", token=token))
                flash(
                    f"Welcome, {user.name}. Your account is ready. Next, create your organization. "
                    f"We also sent a link to {user.email}: open it to confirm your address "
                    "before you invite colleagues or share assessments.",
                    "success",
                )
                return redirect(url_for("accounts.new_organization"))
    return _render_signup(form, invitation, token, 400 if form.errors else 200)


def _invitation_or_none(token: str) -> Invitation | None:
    if not token:
        return None
    try:
        return invitation_from_token(db.session, token)
    except TokenError:
        return None


def _render_signup(
    form: SignUpForm, invitation: Invitation | None, token: str, status: int
) -> ResponseReturnValue:
    return render_template(
        "accounts/signup.html",
        form=form,
        invitation=invitation,
        token=token if invitation is not None else "",
    ), status


@csrf_recovery("accounts.signup")
def _signup_expired(_error: CSRFError) -> ResponseReturnValue:
    token = request.args.get("invitation", "")
    form = SignUpForm()
    form.password.data = ""
    form.confirm.data = ""
    form.csrf_token.errors = [EXPIRED_FORM]
    return _render_signup(form, _invitation_or_none(token), token, 400)


@bp.post("/signout")
@login_required
def signout() -> ResponseReturnValue:
    """Sign out of this browser."""
    audit.record(db.session, "auth.signout", user_id=current_user.id)
    db.session.commit()
    logout_user()
    flash("You are signed out.", "success")
    return redirect(url_for("main.home"))


@bp.post("/signout-everywhere")
@login_required
def signout_everywhere() -> ResponseReturnValue:
    """End every session of this account, on every device."""
    user = db.session.get(User, current_user.id)
    assert user is not None
    end_sessions(user)
    audit.record(db.session, "auth.signout_everywhere", user_id=user.id, org_id=user.current_org_id)
    db.session.commit()
    logout_user()
    flash("You are signed out on every device, including this one.", "success")
    return redirect(url_for("accounts.signin"))


@bp.get("/account")
@login_required
def account() -> ResponseReturnValue:
    """The signed-in user's account: organizations, password, sign out everywhere."""
    return render_template(
        "accounts/account.html",
        memberships=memberships_of(current_user),
        form=EmptyForm(),
        verified=is_verified(current_user),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(
    lambda: _limit("SIGNIN_RATE_LIMIT"),
    methods=["POST"],
    deduct_when=_failed,
    error_message="Too many attempts to change the password.",
)
def change_password() -> ResponseReturnValue:
    """Change the password; every other session of the account ends."""
    form = ChangePasswordForm()
    user = db.session.get(User, current_user.id)
    assert user is not None
    if form.validate_on_submit():
        if not verify_password(user.password_hash, form.current_password.data or ""):
            form.current_password.errors.append("That is not your current password.")
        else:
            try:
                set_password(db.session, user, form.password.data or "", reason="password_change")
            except AccountError as error:
                db.session.rollback()
                form.password.errors.append(str(error))
            else:
                db.session.commit()
                send_security_notice(user.email, user.name, "password_changed")
                # The session version changed: sign this browser in again with the new one.
                login_user(user)
                flash(
                    "Your password is changed. You were signed out on every other device.",
                    "success",
                )
                return redirect(url_for("accounts.account"))
    status = 400 if form.errors else 200
    return render_template("accounts/password.html", form=form), status


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(
    lambda: _limit("RESET_RATE_LIMIT"),
    methods=["POST"],
    error_message="Too many password reset requests from your network.",
)
@limiter.limit(
    lambda: _limit("RESET_RATE_LIMIT"),
    key_func=_account_key,
    methods=["POST"],
    error_message="Too many password reset requests for this address.",
)
def reset_request() -> ResponseReturnValue:
    """Ask for a password reset link by e-mail."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        email = normalize_email(form.email.data or "")
        user = find_user(db.session, email)
        if user is not None and user.is_active:
            token = make_token(
                "password-reset",
                {"user": user.id, "fp": password_fingerprint(user.password_hash)},
            )
            link = url_for("accounts.reset_password", token=token, _external=True)
            hours = int(current_app.config["PASSWORD_RESET_MAX_AGE"]) // 3600
            send_mail(
                user.email,
                "Reset your rubric_app password",
                f"Hello {user.name},\n\n"
                f"Someone (we hope you) asked to reset the password of your rubric_app account.\n"
                f"Open this link to choose a new password:\n\n{link}\n\n"
                f"The link works once, for {hours or 1} hour(s). If you did not ask for it, "
                "ignore this message: your password stays as it is.\n",
            )
            audit.record(
                db.session, "auth.reset_requested", user_id=user.id, org_id=user.current_org_id
            )
            db.session.commit()
        # The same answer whether or not the account exists, so the page reveals nothing.
        return render_template("accounts/reset_sent.html", email=email)
    status = 400 if form.errors else 200
    return render_template("accounts/reset_request.html", form=form), status


def _reset_user(token: str) -> User:
    payload = read_token("password-reset", token)
    user_id = payload.get("user")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active:
        raise TokenError("This link is not valid. Check that it was copied completely.")
    if payload.get("fp") != password_fingerprint(user.password_hash):
        raise TokenError("This link has already been used, or the password was changed since.")
    return user


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    """Choose a new password through an e-mailed link (signed, expiring, single-use)."""
    try:
        user = _reset_user(token)
    except TokenError as error:
        return render_template("accounts/link_invalid.html", problem=str(error), kind="reset"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            set_password(db.session, user, form.password.data or "", reason="password_reset")
        except AccountError as error:
            db.session.rollback()
            form.password.errors.append(str(error))
        else:
            # The reset link came by mail to the account's address: that proves it.
            mark_verified(db.session, user, via="password_reset")
            db.session.commit()
            send_security_notice(user.email, user.name, "password_reset")
            if current_user.is_authenticated:
                logout_user()
            flash("Your password is changed. Sign in with your new password.", "success")
            return redirect(url_for("accounts.signin"))
    status = 400 if form.errors else 200
    return render_template("accounts/reset_password.html", form=form, user=user), status
