"""Signed, expiring tokens for e-mailed links (password reset, invitations, email verification).

Each purpose has its own salt, so a token made for one purpose is worthless for another.
Tokens are stateless; what makes them single-use lives in what they embed: a reset token
carries a fingerprint of the password hash it was issued against (any password change kills
it), an invitation token carries the invitation id (accepting or revoking it kills it), a
verification token names the user and address (verifying the address kills every such token).
A one-time sign-in link is the exception: its single use is the unique digest stored on the
session it starts (``rubric_app.accounts.signin_links``).
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

Purpose = Literal["password-reset", "invitation", "email-verification", "signin-link"]

_MAX_AGE_SETTING: dict[Purpose, str] = {
    "password-reset": "PASSWORD_RESET_MAX_AGE",
    "invitation": "INVITATION_MAX_AGE",
    "email-verification": "EMAIL_VERIFICATION_MAX_AGE",
    "signin-link": "SIGNIN_LINK_MAX_AGE",
}


class TokenError(ValueError):
    """A link that is damaged, expired or already used, with a message for the user."""


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"rubric_app.{purpose}")


def make_token(purpose: Purpose, payload: dict[str, Any]) -> str:
    """Sign ``payload`` for ``purpose``; the token carries its creation time."""
    return str(_serializer(purpose).dumps(payload))


def read_token(purpose: Purpose, token: str) -> dict[str, Any]:
    """Return the payload of a valid token, or raise TokenError saying what is wrong."""
    max_age = int(current_app.config[_MAX_AGE_SETTING[purpose]])
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise TokenError("This link has expired.") from error
    except BadSignature as error:
        raise TokenError("This link is not valid. Check that it was copied completely.") from error
    if not isinstance(payload, dict):
        raise TokenError("This link is not valid. Check that it was copied completely.")
    return payload


def password_fingerprint(password_hash: str) -> str:
    """A short digest of the stored hash; it changes whenever the password does."""
    # The argon2 hash has a fresh salt each time, so even setting the same password again
    # changes the fingerprint and retires every reset link issued before.
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]
