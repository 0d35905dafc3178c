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

from flask import current_app, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from rubric_app import audit
from rubric_app.accounts import two_step
from rubric_app.accounts.signin_links import USED
from rubric_app.auth_session import start_session
from rubric_app.db import db
from rubric_app.models import User

PENDING_KEY = "two_step_pending"


@dataclass(frozen=True)
class PendingSignin:
    """A user whose password was right and who still owes the second step."""

    user: User
    remember: bool
    next_url: str
    #: Set when the password step was an e-mailed one-time link: used up once signed in.
    link_digest: str | None = None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt="rubric_app.two-step-pending"
    )


def finish_or_challenge(
    user: User, remember: bool, next_url: str, *, link_digest: str | None = None
) -> ResponseReturnValue:
    """Sign ``user`` in, or, with two-step sign-in on, send them to the code page first.

    ``link_digest``: the first step was an e-mailed one-time link instead of the password. It
    stands in for the password only, never for the second step.
    """
    if not two_step.is_enabled(user):
        return complete_signin(user, remember, next_url, link_digest=link_digest)
    session[PENDING_KEY] = _serializer().dumps(
        {
            "user": user.id,
            "sv": user.session_version,
            "remember": remember,
            "next": next_url,
            "link": link_digest,
        }
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
    link = payload.get("link")
    return PendingSignin(
        user=user,
        remember=bool(payload.get("remember")),
        next_url=next_url if isinstance(next_url, str) else url_for("main.home"),
        link_digest=link if isinstance(link, str) else None,
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


def complete_signin(
    user: User, remember: bool, next_url: str, *, link_digest: str | None = None
) -> ResponseReturnValue:
    """Sign ``user`` in (password or link and, if on, second step are checked) and go on.

    The session itself starts in ``auth_session.start_session`` (new server session, new
    cookie, new CSRF secret), which also drops the "password OK" marker with the old cookie.
    """
    clear_pending()
    start_session(user, remember, link_digest=link_digest)
    audit.record(
        db.session,
        "auth.signin",
        user_id=user.id,
        org_id=user.current_org_id,
        **({"via": "link"} if link_digest else {}),
    )
    try:
        db.session.commit()
    except IntegrityError:
        # The same one-time link used twice at once: the other use signed in.
        db.session.rollback()
        logout_user()
        return render_template("accounts/link_invalid.html", problem=USED, kind="signin"), 400
    return redirect(next_url)
