"""Routes for signing up, in and out, the account page and its sessions, and passwords.

Sign-in is throttled by ``signin_throttle`` (per address, per account and address, and a slower
per account limit that an e-mailed one-time link gets past); sign-up and reset requests are
rate limited per client address and per account. Sign-in, sign-up and reset answer the same
way, in the same time, whether or not an account exists. Failed CSRF checks on sign-in and
sign-up re-render the form with what was typed (never the password).

Why it is long: sign-up, sign-in, reset and the account page are one subject bound by the same
throttling and same-answer rules described here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, logout_user
from flask_wtf.csrf import CSRFError

from rubric_app import audit
from rubric_app.accounts import signin_throttle, user_sessions
from rubric_app.accounts.blueprint import bp
from rubric_app.accounts.forms import (
    ChangePasswordForm,
    EmptyForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignInForm,
    SigninLinkForm,
    SignUpForm,
)
from rubric_app.accounts.invitations import invitation_from_token
from rubric_app.accounts.mail import send_mail, send_security_notice
from rubric_app.accounts.operations import (
    AccountError,
    check_password_rules,
    create_user,
    end_sessions,
    find_user,
    normalize_email,
    set_password,
)
from rubric_app.accounts.passwords import (
    hash_password,
    needs_rehash,
    verify_dummy,
    verify_password,
)
from rubric_app.accounts.tokens import TokenError, make_token, password_fingerprint, read_token
from rubric_app.accounts.two_step_signin import finish_or_challenge
from rubric_app.accounts.user_agents import describe_user_agent
from rubric_app.accounts.verification import is_verified, mark_verified, send_verification_mail
from rubric_app.auth_session import (
    current_session_id,
    end_this_session,
    memberships_of,
    session_policy,
    start_session,
)
from rubric_app.db import db
from rubric_app.extensions import limiter
from rubric_app.models import Invitation, User, utcnow
from rubric_app.security import csrf_recovery, wait_text

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
def signin() -> ResponseReturnValue:
    """Sign in with email and password.

    Two separate steps: ``_user_with_password`` proves who it is (throttled, same time for
    unknown addresses), then ``start_session`` signs them in. Anything that must come between
    the two (a second factor) goes right before ``start_session``.
    """
    form = SignInForm()
    if form.validate_on_submit():
        email = normalize_email(form.email.data or "")
        address = request.remote_addr or ""
        refusal = signin_throttle.signin_refusal(email, address)
        if refusal is not None:
            return _render_limited(email, refusal)
        user = _user_with_password(email, form.password.data or "")
        if user is not None:
            # The second step, when the user has one, comes before the session starts.
            return finish_or_challenge(
                user, remember=bool(form.remember.data), next_url=_after_signin(user)
            )
        signin_throttle.record_failure(email, address)
        known = find_user(db.session, email)
        audit.record(
            db.session,
            "auth.signin_failed",
            user_id=known.id if known else None,
            # The owners of the account's organization see failed attempts on it.
            org_id=known.current_org_id if known else None,
            email=email,
        )
        db.session.commit()
        form.password.errors.append("The email address or password is not right.")
    return _render_signin(form, 400 if form.errors else 200)


def _user_with_password(email: str, password: str) -> User | None:
    """The active user with this address and password, else None, in the same time either way.

    An unknown address still costs one argon2 verification (of a dummy hash), so the time a
    refusal takes does not tell whether an account exists.
    """
    user = find_user(db.session, email)
    if user is None:
        verify_dummy(password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _render_limited(email: str, refusal: signin_throttle.Refusal) -> ResponseReturnValue:
    """The 429 page of a throttled sign-in; past the per-account limit it offers a link."""
    link_form = SigninLinkForm()
    link_form.email.data = email
    response = make_response(
        render_template(
            "accounts/signin_limited.html",
            scope=refusal.scope,
            wait=wait_text(refusal.retry_after),
            link_form=link_form,
        ),
        429,
    )
    response.headers["Retry-After"] = str(refusal.retry_after)
    return response


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
@limiter.limit(
    lambda: _limit("SIGNUP_RATE_LIMIT"),
    key_func=lambda: "signup-" + _account_key(),
    methods=["POST"],
    error_message="Too many sign-ups were tried with this address.",
)
def signup() -> ResponseReturnValue:
    """Create an account; then create an organization or join the one that invited you.

    Without an invitation the answer is the same page whether or not the address already has
    an account ("check your email"); the owner of a taken address gets a mail about it instead
    of a verification link. With an invitation, the address is the invited one (the link was
    mailed there), so saying that it has an account reveals nothing new.
    """
    token = request.args.get("invitation", "")
    invitation = _invitation_or_none(token)
    form = SignUpForm()
    if request.method == "GET" and invitation is not None:
        form.email.data = invitation.email
    if form.validate_on_submit():
        email = normalize_email(form.email.data or "")
        name = form.name.data or ""
        password = form.password.data or ""
        if invitation is not None and email != invitation.email:
            form.email.errors.append(
                f"This invitation was sent to {invitation.email}. Sign up with that address "
                "to join, or remove the invitation from the address bar to sign up on your own."
            )
        elif invitation is not None:
            return _signup_invited(form, invitation, token, email, name, password)
        else:
            try:
                check_password_rules(password, email=email, name=name)
            except AccountError as error:
                form.password.errors.append(str(error))
            else:
                _signup_or_tell_owner(email, name, password)
                return render_template("accounts/signup_sent.html", email=email)
    return _render_signup(form, invitation, token, 400 if form.errors else 200)


def _signup_or_tell_owner(email: str, name: str, password: str) -> None:
    """Create the account and mail a verification link, or mail the owner of a taken address."""
    existing = find_user(db.session, email)
    if existing is None:
        try:
            user = create_user(db.session, email=email, name=name, password=password)
        except AccountError:
            # Taken between the look-up and the insert: treat it as taken.
            db.session.rollback()
            existing = find_user(db.session, email)
        else:
            audit.record(db.session, "auth.signup", user_id=user.id)
            send_verification_mail(user)
            db.session.commit()
            return
    if existing is not None:
        # The same argon2 work as creating an account, so the time does not tell either.
        hash_password(password)
        send_mail(
            existing.email,
            "Someone tried to create a rubric_app account with your address",
            f"Hello {existing.name},\n\n"
            f"Someone (perhaps you) tried to create a rubric_app account with {existing.email}. "
            "You already have an account with this address, so nothing was created.\n\n"
            f"If it was you, sign in: {url_for('accounts.signin', _external=True)}\n"
            "Forgotten your password? Choose a new one: "
            f"{url_for('accounts.reset_request', _external=True)}\n\n"
            "If it was not you, ignore this message: your account is unchanged.\n",
        )
        audit.record(
            db.session, "auth.signup_taken", user_id=existing.id, org_id=existing.current_org_id
        )
        db.session.commit()


def _signup_invited(
    form: SignUpForm, invitation: Invitation, token: str, email: str, name: str, password: str
) -> ResponseReturnValue:
    """Sign-up through an invitation: the account starts verified and signed in."""
    try:
        user = create_user(db.session, email=email, name=name, password=password)
    except AccountError as error:
        db.session.rollback()
        if find_user(db.session, email) is not None:
            form.email.errors.append(
                "You already have an account with this address: sign in to accept the invitation."
            )
        else:
            form.password.errors.append(str(error))
        return _render_signup(form, invitation, token, 400)
    audit.record(db.session, "auth.signup", user_id=user.id)
    # The invitation link was mailed to this very address: that proves it.
    mark_verified(db.session, user, via="invitation")
    start_session(user)
    db.session.commit()
    return redirect(url_for("accounts.invitation", token=token))


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
    """Sign out of this browser: its server session ends, so a copied cookie stops working."""
    audit.record(db.session, "auth.signout", user_id=current_user.id)
    end_this_session()
    flash("You are signed out.", "success")
    return redirect(url_for("main.home"))


@bp.post("/signout-everywhere")
@login_required
def signout_everywhere() -> ResponseReturnValue:
    """End every session of this account, on every device."""
    user = db.session.get(User, current_user.id)
    assert user is not None
    end_sessions(db.session, user)
    audit.record(db.session, "auth.signout_everywhere", user_id=user.id, org_id=user.current_org_id)
    db.session.commit()
    logout_user()
    flash("You are signed out on every device, including this one.", "success")
    return redirect(url_for("accounts.signin"))


@bp.get("/account")
@login_required
def account() -> ResponseReturnValue:
    """The signed-in user's account: organizations, sessions, password, sign out everywhere."""
    return render_template(
        "accounts/account.html",
        memberships=memberships_of(current_user),
        form=EmptyForm(),
        verified=is_verified(current_user),
        sessions=session_rows(current_user.id),
    )


@bp.post("/account/sessions/<int:session_id>/signout")
@login_required
def end_session(session_id: int) -> ResponseReturnValue:
    """Sign out one of the user's own sessions (another device, or this one)."""
    form = EmptyForm()
    if not form.validate_on_submit():
        flash("This form had expired, so nothing changed. Press the button once more.", "error")
        return redirect(url_for("accounts.account"))
    row = user_sessions.session_of(db.session, current_user.id, session_id)
    if row is None:
        # Another user's session, or one that no longer exists: nothing of yours to end.
        abort(404)
    if row.id == current_session_id():
        return signout()
    user_sessions.revoke(db.session, row, utcnow())
    audit.record(
        db.session,
        "auth.session_signout",
        user_id=current_user.id,
        target=f"session:{row.id}",
    )
    db.session.commit()
    flash(f"Signed out: {describe_user_agent(row.user_agent)}.", "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(
    lambda: _limit("SIGNIN_ACCOUNT_ADDRESS_RATE_LIMIT"),
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
                # Every session ended with the password change: this browser starts a new one.
                start_session(user)
                db.session.commit()
                send_security_notice(user.email, user.name, "password_changed")
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


@dataclass(frozen=True)
class SessionRow:
    """One of the user's sessions as the account page shows it."""

    id: int
    browser: str
    address: str
    started: dt.datetime
    last_seen: dt.datetime
    remember: bool
    current: bool


def session_rows(user_id: int) -> list[SessionRow]:
    """The user's live sessions for the account page, most recently used first."""
    this_one = current_session_id()
    return [
        SessionRow(
            id=row.id,
            browser=describe_user_agent(row.user_agent),
            address=row.ip or "unknown",
            started=user_sessions.as_utc(row.created_at),
            last_seen=user_sessions.as_utc(row.last_seen_at),
            remember=row.remember,
            current=row.id == this_one,
        )
        for row in user_sessions.active_sessions(db.session, user_id, session_policy(), utcnow())
    ]
