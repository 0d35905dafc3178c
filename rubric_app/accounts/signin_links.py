"""One-time sign-in links, e-mailed on request: the owner's way in past the per-account limit.

A link is a signed token (purpose "signin-link", SIGNIN_LINK_MAX_AGE, default 15 minutes)
naming the user and a random nonce. It signs in once: the session it starts stores the
SHA-256 of the token in a unique column, so a second use (even a simultaneous one) fails. It
also dies when the password changes, like a reset link. Requests for links are rate limited by
the route, per address and per account.
"""

from __future__ import annotations

import secrets

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.accounts.mail import send_mail
from rubric_app.accounts.tokens import TokenError, make_token, password_fingerprint, read_token
from rubric_app.accounts.user_sessions import hash_token
from rubric_app.models import User, UserSession

USED = "This sign-in link has already been used. Ask for a new one if you need it."


def signin_link_token(user: User) -> str:
    """A fresh one-time sign-in token for ``user``."""
    return make_token(
        "signin-link",
        {
            "user": user.id,
            "fp": password_fingerprint(user.password_hash),
            "nonce": secrets.token_hex(8),
        },
    )


def user_from_signin_link(session: Session, token: str) -> User:
    """The user an unused, unexpired link signs in; TokenError saying what is wrong otherwise."""
    payload = read_token("signin-link", token)
    user_id = payload.get("user")
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active:
        raise TokenError("This link is not valid. Check that it was copied completely.")
    if payload.get("fp") != password_fingerprint(user.password_hash):
        raise TokenError("This link no longer works: the password was changed since it was sent.")
    used = session.scalar(
        select(UserSession.id).where(UserSession.signin_link_digest == hash_token(token))
    )
    if used is not None:
        raise TokenError(USED)
    return user


def minutes_valid() -> int:
    """How long a link works, in whole minutes (at least one)."""
    return max(1, int(current_app.config["SIGNIN_LINK_MAX_AGE"]) // 60)


def send_signin_link(user: User) -> None:
    """Mail ``user`` a one-time sign-in link (needs a request context for the URL)."""
    link = url_for("accounts.signin_link", token=signin_link_token(user), _external=True)
    send_mail(
        user.email,
        "Your rubric_app sign-in link",
        f"Hello {user.name},\n\n"
        "Someone (we hope you) asked for a link to sign in to rubric_app without a password.\n"
        f'Open this link and press "Sign in":\n\n{link}\n\n'
        f"The link works once, for {minutes_valid()} minutes. If you did not ask for it, "
        "ignore this message. If it keeps arriving, someone may be trying to guess your "
        "password: choosing a new, longer one is a good idea.\n",
    )
