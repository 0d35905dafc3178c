"""Routes for two-step sign-in: the code page at sign-in, setting it up, moving it to a new
phone, new recovery codes, turning it off, the organization's requirement, and the guard that
enforces that requirement.

Code entry and the "password or code" forms are rate limited per account and per client
address; only refusals use up the allowance. Changing two-step sign-in mails the user.
"""

from __future__ import annotations

from functools import partial
from typing import Any, cast

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from rubric_app import audit
from rubric_app.access import org_or_404
from rubric_app.accounts import two_step
from rubric_app.accounts.blueprint import bp
from rubric_app.accounts.mail import send_security_notice
from rubric_app.accounts.policy import requires_two_step
from rubric_app.accounts.two_step_forms import (
    EnrolForm,
    MoveForm,
    ProofForm,
    RequireTwoStepForm,
    TwoStepCodeForm,
)
from rubric_app.accounts.two_step_signin import (
    clear_pending,
    complete_signin,
    pending_signin,
    pending_user_id,
)
from rubric_app.auth_session import current_org
from rubric_app.db import db
from rubric_app.extensions import limiter
from rubric_app.models import User

#: Endpoints a signed-in user who must set up two-step sign-in may still reach.
ENROLMENT_EXEMPT = frozenset(
    {
        "static",
        "main.favicon",
        "main.healthz",
        "accounts.signout",
        "accounts.two_step_settings",
        "accounts.two_step_setup",
    }
)
SETUP_REQUIRED = "Two-step sign-in is required for your account. Set it up now to continue."
WRONG_CODE = (
    "That code is not right, or it was already used. Type the code your app shows now "
    "(or wait for the next one), or one of your recovery codes."
)
WRONG_PROOF = "That is neither your password nor a fresh code from your app."


def _limit() -> str:
    return str(current_app.config["TWO_STEP_RATE_LIMIT"])


def _failed(response: object) -> bool:
    # Success redirects or shows the new recovery codes; only refusals use up the allowance.
    return getattr(response, "status_code", 200) >= 400


def _pending_account_key() -> str:
    return f"two-step:user:{pending_user_id()}"


def _signed_in_account_key() -> str:
    user_id = current_user.id if current_user.is_authenticated else None
    return f"two-step-proof:user:{user_id}"


def _signed_in_limit(scope: str, message: str) -> Any:
    """A per-account rate limit shared by the signed-in forms of one ``scope``: forms that each
    allowed the full number would multiply the guesses. Only refusals count."""
    return limiter.shared_limit(
        _limit,
        scope=scope,
        key_func=_signed_in_account_key,
        methods=["POST"],
        deduct_when=_failed,
        error_message=message,
    )


#: The "password or code" forms: new recovery codes, turning it off, moving to a new phone.
_proof_attempts = partial(_signed_in_limit, "two-step-proof", "Too many attempts for this account.")
#: The forms that take a new app's first code: the set-up, and the new phone's.
_first_code_attempts = partial(
    _signed_in_limit, "two-step-first-code", "Too many codes were tried for this account."
)


def _me() -> User:
    user = db.session.get(User, current_user.id)
    assert user is not None
    return user


@bp.before_app_request
def enforce_required_two_step() -> ResponseReturnValue | None:
    """Send a signed-in member of an organization that requires two-step sign-in, who has not
    set it up, to set it up; until then every other page redirects there."""
    # No endpoint: a 404, which reveals and changes nothing. The favicon is exempt like the
    # static files: a browser asks for it on every page, and a redirect is not an icon.
    if request.endpoint is None or request.endpoint in ENROLMENT_EXEMPT:
        return None
    if not current_user.is_authenticated:
        return None
    user = cast(User, current_user._get_current_object())
    if two_step.is_enabled(user) or not requires_two_step(user, db.session):
        return None
    if ("info", SETUP_REQUIRED) not in session.get("_flashes", []):
        flash(SETUP_REQUIRED, "info")
    return redirect(url_for("accounts.two_step_setup"))


@bp.route("/two-step", methods=["GET", "POST"])
@limiter.limit(
    _limit,
    methods=["POST"],
    deduct_when=_failed,
    error_message="Too many sign-in codes were tried from your network.",
)
@limiter.limit(
    _limit,
    key_func=_pending_account_key,
    methods=["POST"],
    deduct_when=_failed,
    error_message="Too many sign-in codes were tried for this account.",
)
def two_step_code() -> ResponseReturnValue:
    """The second step of signing in: a code from the app or a recovery code."""
    pending = pending_signin()
    if pending is None and current_user.is_authenticated:
        # Signed in already (the back button, a bookmark): nothing is pending, nothing expired.
        return redirect(url_for("main.home"))
    if pending is None:
        clear_pending()
        flash("Your sign-in was not finished in time. Sign in again.", "info")
        return redirect(url_for("accounts.signin"))
    form = TwoStepCodeForm()
    if form.validate_on_submit():
        user = pending.user
        used = two_step.check_second_step(db.session, user, form.code.data or "")
        if used is not None:
            if used == "recovery":
                left = two_step.remaining_recovery_codes(db.session, user)
                flash(
                    f"You signed in with a recovery code; {left} of them are left. If you lost "
                    "your phone, make new recovery codes and set up two-step sign-in again.",
                    "info",
                )
            return complete_signin(user, pending.remember, pending.next_url)
        audit.record(
            db.session, "auth.two_step_failed", user_id=user.id, org_id=user.current_org_id
        )
        db.session.commit()
        form.code.errors.append(WRONG_CODE)
    status = 400 if form.errors else 200
    return render_template("accounts/two_step_code.html", form=form), status


@bp.get("/account/two-step")
@login_required
def two_step_settings() -> ResponseReturnValue:
    """Two-step sign-in of the signed-in user: on or off, recovery codes left."""
    return _render_settings(200)


def _render_settings(
    status: int,
    *,
    codes_form: ProofForm | None = None,
    off_form: ProofForm | None = None,
    move_form: ProofForm | None = None,
) -> ResponseReturnValue:
    """The settings page; the form that was posted (with its errors) is passed, the others are
    shown empty."""
    user = _me()
    return render_template(
        "accounts/two_step_settings.html",
        enabled=two_step.is_enabled(user),
        enabled_at=user.two_step_enabled_at,
        remaining=two_step.remaining_recovery_codes(db.session, user),
        required=requires_two_step(user, db.session),
        codes_form=codes_form or ProofForm(formdata=None, prefix="codes"),
        off_form=off_form or ProofForm(formdata=None, prefix="off"),
        move_form=move_form or ProofForm(formdata=None, prefix="move"),
        move_minutes=two_step.MOVE_MINUTES,
    ), status


@bp.route("/account/two-step/setup", methods=["GET", "POST"])
@login_required
@_first_code_attempts()
def two_step_setup() -> ResponseReturnValue:
    """Set up two-step sign-in: scan the QR code, then confirm with a first code."""
    user = _me()
    if two_step.is_enabled(user):
        return redirect(url_for("accounts.two_step_settings"))
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = two_step.confirm_enrolment(db.session, user, form.code.data or "")
        except two_step.TwoStepError as error:
            db.session.rollback()
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            send_security_notice(user.email, user.name, "two_step_on")
            return _render_codes(codes, first=True)
    secret = two_step.begin_enrolment(db.session, user)
    db.session.commit()
    uri = two_step.provisioning_uri(user, secret)
    return render_template(
        "accounts/two_step_setup.html",
        form=form,
        qr_code=two_step.qr_code_data_uri(uri),
        secret=two_step.grouped_secret(secret),
        required=requires_two_step(user, db.session),
    ), (400 if form.errors else 200)


def _render_codes(codes: list[str], *, first: bool) -> ResponseReturnValue:
    # Shown in the answer to the POST only: the codes are never stored in a readable form, so
    # this page cannot be opened again.
    response = current_app.make_response(
        render_template("accounts/two_step_codes.html", codes=codes, first=first)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/two-step/recovery-codes")
@login_required
@_proof_attempts()
def two_step_recovery_codes() -> ResponseReturnValue:
    """Replace the recovery codes with ten new ones (password or app code first)."""
    user = _me()
    form = ProofForm(prefix="codes")
    if not two_step.is_enabled(user):
        return redirect(url_for("accounts.two_step_settings"))
    if form.validate_on_submit():
        if two_step.check_proof(db.session, user, form.proof.data or ""):
            codes = two_step.regenerate_recovery_codes(db.session, user)
            audit.record(
                db.session, "auth.recovery_codes_new", user_id=user.id, org_id=user.current_org_id
            )
            db.session.commit()
            return _render_codes(codes, first=False)
        db.session.rollback()
        form.proof.errors.append(WRONG_PROOF)
    return _render_settings(400, codes_form=form)


@bp.post("/account/two-step/disable")
@login_required
@_proof_attempts()
def two_step_disable() -> ResponseReturnValue:
    """Turn two-step sign-in off (password or app code first), unless an organization needs it."""
    user = _me()
    form = ProofForm(prefix="off")
    if not two_step.is_enabled(user):
        return redirect(url_for("accounts.two_step_settings"))
    if form.validate_on_submit():
        if requires_two_step(user, db.session):
            form.proof.errors.append(
                "Two-step sign-in is required for your account, so it cannot be turned off. "
                "If your organization requires it, an owner can change that on the "
                "organization page."
            )
        elif two_step.check_proof(db.session, user, form.proof.data or ""):
            two_step.disable(db.session, user)
            db.session.commit()
            send_security_notice(user.email, user.name, "two_step_off")
            flash("Two-step sign-in is off. Your recovery codes no longer work.", "success")
            return redirect(url_for("accounts.two_step_settings"))
        else:
            db.session.rollback()
            form.proof.errors.append(WRONG_PROOF)
    return _render_settings(400, off_form=form)


@bp.post("/account/two-step/move/start")
@login_required
@_proof_attempts()
def two_step_move_start() -> ResponseReturnValue:
    """Begin moving two-step sign-in to a new phone (password or app code first)."""
    user = _me()
    form = ProofForm(prefix="move")
    if not two_step.is_enabled(user):
        return redirect(url_for("accounts.two_step_settings"))
    if form.validate_on_submit():
        if two_step.check_proof(db.session, user, form.proof.data or ""):
            two_step.begin_move(db.session, user)
            db.session.commit()
            return redirect(url_for("accounts.two_step_move"))
        db.session.rollback()
        form.proof.errors.append(WRONG_PROOF)
    return _render_settings(400, move_form=form)


@bp.route("/account/two-step/move", methods=["GET", "POST"])
@login_required
@_first_code_attempts()
def two_step_move() -> ResponseReturnValue:
    """The new phone's QR code, then its first code, which finishes the move."""
    user = _me()
    secret = two_step.pending_move(user)
    if secret is None:
        flash(
            "To move two-step sign-in to a new phone, confirm it is you first (a move waits "
            f"{two_step.MOVE_MINUTES} minutes for the new phone's code).",
            "info",
        )
        return redirect(url_for("accounts.two_step_settings"))
    form = MoveForm()
    if form.validate_on_submit():
        try:
            two_step.confirm_move(db.session, user, form.code.data or "")
        except two_step.TwoStepError as error:
            db.session.rollback()
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            send_security_notice(user.email, user.name, "two_step_moved")
            flash(
                "Two-step sign-in now uses your new phone. Codes from the old phone no longer "
                "work; your recovery codes are unchanged.",
                "success",
            )
            return redirect(url_for("accounts.two_step_settings"))
    uri = two_step.provisioning_uri(user, secret)
    # Like every signed-in page, sent as "no-store" (security.py): no cache keeps the secret.
    return render_template(
        "accounts/two_step_move.html",
        form=form,
        qr_code=two_step.qr_code_data_uri(uri),
        secret=two_step.grouped_secret(secret),
        move_minutes=two_step.MOVE_MINUTES,
    ), (400 if form.errors else 200)


@bp.post("/organization/two-step")
@login_required
def organization_two_step() -> ResponseReturnValue:
    """Require two-step sign-in of every member of the current organization, or stop (owners)."""
    current = current_org()
    if current is None:
        return redirect(url_for("accounts.new_organization"))
    org = org_or_404(db.session, current_user, current.id, "edit_profile")
    form = RequireTwoStepForm(prefix="two-step")
    target = url_for("accounts.organization") + "#two-step"
    if not form.validate_on_submit():
        flash("The form had expired; nothing was changed. Try again.", "error")
        return redirect(target)
    me = _me()
    require = bool(form.require.data)
    if require and not two_step.is_enabled(me):
        # Otherwise the owner's next click would send them to set it up anyway, unannounced.
        flash(
            "Set up two-step sign-in for your own account first, then require it of everyone.",
            "error",
        )
        return redirect(url_for("accounts.two_step_settings"))
    if require != org.require_two_step:
        org.require_two_step = require
        audit.record(
            db.session,
            "org.two_step_required" if require else "org.two_step_optional",
            user_id=me.id,
            org_id=org.id,
        )
        db.session.commit()
    flash(
        "Every member now needs two-step sign-in; those without it set it up when they next "
        "sign in or open a page."
        if require
        else "Two-step sign-in is now up to each member.",
        "success",
    )
    return redirect(target)
