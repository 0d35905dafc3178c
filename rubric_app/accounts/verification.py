"""Email verification: who has shown they own their address, and the mailed link that shows it.

A user is verified once they open a link that was mailed to their address: the verification
link sent at sign-up (or sent again on request), an invitation link, or a password reset link.
Until then they can sign in, create an organization and fill in assessments, but cannot do the
two things that reach other people: invite colleagues and share assessments. ``invite`` and
``share_assessment`` call ``require_verified`` themselves, so no route can forget it.

The link is a signed, expiring token naming the user and the address; it is single-use because
it only works while that address is still unverified.
"""

from __future__ import annotations

from flask import current_app, url_for
from sqlalchemy.orm import Session

from rubric_app import audit
from rubric_app.accounts.mail import send_mail
from rubric_app.accounts.operations import AccountError, normalize_email
from rubric_app.accounts.tokens import TokenError, make_token, read_token
from rubric_app.models import User, utcnow

#: Why an unverified user is refused; shown on the refused form and in the notices.
UNVERIFIED_MESSAGE = (
    "Confirm your email address first: open the link we mailed you. Until then you can fill in "
    "assessments, but not invite colleagues or share assessments."
)
#: Ways an address gets verified, as recorded in the audit log.
VERIFIED_BY = ("verification_link", "invitation", "password_reset", "cli", "demo")


class UnverifiedError(AccountError):
    """The acting user has not verified their e-mail address yet."""


def is_verified(user: User) -> bool:
    """Whether the user has opened a link mailed to their address."""
    return user.email_verified_at is not None


def require_verified(user: User | None) -> None:
    """Refuse an action that reaches other people when ``user`` has not verified their address.

    ``None`` stands for the system (CLI, demo seed), which needs no address.
    """
    if user is not None and not is_verified(user):
        raise UnverifiedError(UNVERIFIED_MESSAGE)


def mark_verified(session: Session, user: User, *, via: str) -> bool:
    """Record that the user owns their address; True if it was not verified before."""
    if via not in VERIFIED_BY:
        raise ValueError(f"Unknown verification route {via!r}; use one of {VERIFIED_BY}.")
    if is_verified(user):
        return False
    user.email_verified_at = utcnow()
    session.flush()
    audit.record(
        session, "auth.email_verified", user_id=user.id, org_id=user.current_org_id, via=via
    )
    return True


def verification_token(user: User) -> str:
    """The token of the link that verifies the user's current address."""
    return make_token("email-verification", {"user": user.id, "email": user.email})


def user_from_verification_token(session: Session, token: str) -> User:
    """The user a valid, unused link verifies; TokenError if damaged, expired or used."""
    payload = read_token("email-verification", token)
    user_id = payload.get("user")
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    email = payload.get("email")
    if user is None or not user.is_active or not isinstance(email, str):
        raise TokenError("This link is not valid. Check that it was copied completely.")
    if normalize_email(email) != user.email:
        raise TokenError("This link was sent to an address the account no longer uses.")
    if is_verified(user):
        raise TokenError(
            "This link has already been used: the address it was sent to is confirmed."
        )
    return user


def max_age_hours() -> int:
    """How long a verification link works, in whole hours (at least one)."""
    return max(1, int(current_app.config["EMAIL_VERIFICATION_MAX_AGE"]) // 3600)


def send_verification_mail(user: User) -> None:
    """Mail the user a link that verifies their address (needs a request context for the URL)."""
    link = url_for("accounts.verify_email", token=verification_token(user), _external=True)
    send_mail(
        user.email,
        "Confirm your email address for rubric_app",
        f"Hello {user.name},\n\n"
        f"Please confirm that {user.email} is your address by opening this link:\n\n{link}\n\n"
        f"Until you do, you can fill in assessments, but not invite colleagues or share "
        f"assessments. The link works once, for {max_age_hours()} hours; you can ask for a "
        "new one on the site.\n\n"
        "If you did not create a rubric_app account, ignore this message: nothing happens "
        "without the link.\n",
    )
