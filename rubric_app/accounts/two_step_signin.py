"""The end of signing in: straight in, or a second step first.

After a correct password the sign-in view calls ``finish_or_challenge``. Without two-step
sign-in it calls ``complete_signin``, which signs the user in. With it, the session gets a
short-lived, signed "password OK" marker (user id, session version, where to go next) and the
browser goes to the code page; the code page calls ``complete_signin`` once a code passes.
``complete_signin`` is the one place that turns a checked user into a signed-in session.

The marker is signed and timed on its own (TWO_STEP_PENDING_MAX_AGE), on top of the session
cookie's signature, and it names the session version: a password change or "sign out
everywhere" in between voids it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, redirect, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from rubric_app import audit
from rubric_app.accounts import two_step
from rubric_app.db import db
from rubric_app.models import User

PENDING_KEY = "two_step_pending"


@dataclass(frozen=True)
class PendingSignin:
    """A user whose password was right and who still owes the second step."""

    user: User
    remember: bool
    next_url: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt="rubric_app.two-step-pending"
    )


def finish_or_challenge(user: User, remember: bool, next_url: str) -> ResponseReturnValue:
    """Sign ``user`` in, or, with two-step sign-in on, send them to the code page first."""
    if not two_step.is_enabled(user):
        return complete_signin(user, remember, next_url)
    session[PENDING_KEY] = _serializer().dumps(
        {"user": user.id, "sv": user.session_version, "remember": remember, "next": next_url}
    )
    # The password check may have rehashed the password; keep that.
    db.session.commit()
    return redirect(url_for("accounts.two_step_code"))


def pending_signin() -> PendingSignin | None:
    """The user waiting for their second step in this browser, if the marker is still good."""
    token = session.get(PENDING_KEY)
    if not isinstance(token, str):
        return None
    try:
        payload = _serializer().loads(
            token, max_age=int(current_app.config["TWO_STEP_PENDING_MAX_AGE"])
        )
    except BadSignature:  # also SignatureExpired, its subclass
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        return None
    user = db.session.get(User, payload["user"])
    if user is None or not user.is_active or user.session_version != payload.get("sv"):
        return None
    next_url = payload.get("next")
    return PendingSignin(
        user=user,
        remember=bool(payload.get("remember")),
        next_url=next_url if isinstance(next_url, str) else url_for("main.home"),
    )


def pending_user_id() -> int | None:
    """The id in this browser's marker, unchecked: a key for rate limits, read before the view."""
    token = session.get(PENDING_KEY)
    if not isinstance(token, str):
        return None
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return None
    user_id = payload.get("user") if isinstance(payload, dict) else None
    return user_id if isinstance(user_id, int) else None


def clear_pending() -> None:
    """Forget the marker (used, expired or abandoned)."""
    session.pop(PENDING_KEY, None)


def complete_signin(user: User, remember: bool, next_url: str) -> ResponseReturnValue:
    """Sign ``user`` in (password and, if on, second step are checked) and go on."""
    clear_pending()
    login_user(user, remember=remember)
    audit.record(db.session, "auth.signin", user_id=user.id, org_id=user.current_org_id)
    db.session.commit()
    return redirect(next_url)
