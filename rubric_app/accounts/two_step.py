"""Two-step sign-in (TOTP, RFC 6238) and its recovery codes: the only code that writes them.

Enrolment stores a fresh secret and turns two-step sign-in on only once the user has typed a
first code from their app. A code is accepted for the current 30-second time step and one step
either side (clock drift), and never twice: the last accepted step is stored, and the update
that claims a step only succeeds while the stored one is older (one conditional UPDATE, so two
requests racing with the same code cannot both win, on SQLite or PostgreSQL).

Secrets at rest: the TOTP secret must be readable by the server, so it cannot be hashed. It is
encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from SECRET_KEY with
HKDF, so a copy of the database alone (a backup, a dump) does not yield working secrets.
Rotating SECRET_KEY makes stored secrets unreadable: affected users sign in with a recovery
code and set two-step sign-in up again.

Moving to a new phone: after the password (or a code of the current phone), a new secret is
kept beside the current one, whose codes keep working; a first code from the new phone swaps
them. A move not confirmed within ``MOVE_MINUTES`` must be started again (with the password
again), so a browser left signed in cannot finish one someone else began. Recovery codes stay.

Recovery codes: ten per user, 16 characters from a 32-letter alphabet (80 random bits each),
shown once and stored as SHA-256 digests. A slow hash (argon2) protects low-entropy
passwords against guessing; 80 random bits cannot be guessed even with a fast hash, and a plain
digest lets a typed code be found with one indexed lookup instead of ten argon2 checks.
Functions add and flush; the request commits once.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from functools import cache
from typing import Literal

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from rubric_app import audit
from rubric_app.accounts.operations import AccountError
from rubric_app.accounts.passwords import verify_password
from rubric_app.models import RecoveryCode, User, utcnow

#: How many recovery codes a user gets at a time.
RECOVERY_CODE_COUNT = 10
#: Crockford's base32 alphabet: no I, L, O or U, so codes read aloud or copied by hand survive.
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
RECOVERY_CODE_LENGTH = 16
#: Steps either side of now that are still accepted (30 s each): covers phone clock drift.
VALID_WINDOW = 1
#: How long a move to a new phone waits for the new phone's first code.
MOVE_MINUTES = 15
_TOTP_CODE = re.compile(r"^\d{6}$")

FactorUsed = Literal["app", "recovery"]


class TwoStepError(AccountError):
    """A two-step request that cannot be carried out, with a message fit to show the user."""


# --- secrets at rest -------------------------------------------------------------------------


@cache
def _fernet_for(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"rubric_app.totp-secret"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _fernet() -> Fernet:
    return _fernet_for(str(current_app.config["SECRET_KEY"]))


def encrypt_secret(secret: str) -> str:
    """The TOTP secret as stored: a Fernet token under a key derived from SECRET_KEY."""
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(stored: str, *, max_age: dt.timedelta | None = None) -> str | None:
    """The plain TOTP secret, or None when it was encrypted under another SECRET_KEY (or,
    with ``max_age``, longer ago than that: a Fernet token carries the time it was made)."""
    ttl = None if max_age is None else int(max_age.total_seconds())
    try:
        return _fernet().decrypt(stored.encode(), ttl=ttl).decode()
    except InvalidToken:
        return None


# --- state -----------------------------------------------------------------------------------


def is_enabled(user: User) -> bool:
    """Whether the user signs in with a second step."""
    return user.two_step_enabled_at is not None and user.totp_secret is not None


def remaining_recovery_codes(session: Session, user: User) -> int:
    """How many of the user's recovery codes are still unused."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


# --- enrolment -------------------------------------------------------------------------------


def begin_enrolment(session: Session, user: User) -> str:
    """The secret to show for setting up an app: the pending one, else a new one."""
    if is_enabled(user):
        raise TwoStepError("Two-step sign-in is already on for your account.")
    if user.totp_secret is not None:
        pending = decrypt_secret(user.totp_secret)
        if pending is not None:
            # Reloading the page must not change the secret the user may already have scanned.
            return pending
    secret = pyotp.random_base32()
    user.totp_secret = encrypt_secret(secret)
    user.totp_last_step = None
    session.flush()
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// URI that authenticator apps read from the QR code."""
    issuer = str(current_app.config["TWO_STEP_ISSUER"])
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_code_data_uri(uri: str) -> str:
    """The QR code of ``uri`` as an SVG data URI, for an <img> (no inline markup or style)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=4, light="#fff"))


def grouped_secret(secret: str) -> str:
    """The secret in groups of four letters, for typing it into an app by hand."""
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def confirm_enrolment(
    session: Session, user: User, code: str, *, now: dt.datetime | None = None
) -> list[str]:
    """Turn two-step sign-in on once ``code`` matches the pending secret; return new recovery
    codes (shown once)."""
    if is_enabled(user):
        raise TwoStepError("Two-step sign-in is already on for your account.")
    if user.totp_secret is None:
        raise TwoStepError("Start again: open the set-up page to get a new QR code.")
    if not verify_app_code(session, user, code, now=now):
        raise TwoStepError(
            "That code does not match. Check that the app shows the account you just added, "
            "then type the 6-digit code it shows now (if you just used a code, wait for the "
            "next one: each code works once)."
        )
    user.two_step_enabled_at = utcnow()
    codes = regenerate_recovery_codes(session, user)
    audit.record(session, "auth.two_step_on", user_id=user.id, org_id=user.current_org_id)
    return codes


def pending_move(user: User) -> str | None:
    """The new phone's secret of a move begun less than ``MOVE_MINUTES`` ago, if any."""
    if not is_enabled(user) or user.totp_new_secret is None:
        return None
    return decrypt_secret(user.totp_new_secret, max_age=dt.timedelta(minutes=MOVE_MINUTES))


def begin_move(session: Session, user: User) -> str:
    """Begin moving two-step sign-in to a new phone (the caller has checked ``check_proof``):
    a new secret for the new phone, the current one still working. Starting again makes a
    new one, with a new time limit."""
    if not is_enabled(user):
        raise TwoStepError("Two-step sign-in is off for your account: set it up instead.")
    secret = pyotp.random_base32()
    user.totp_new_secret = encrypt_secret(secret)
    session.flush()
    return secret


def confirm_move(
    session: Session, user: User, code: str, *, now: dt.datetime | None = None
) -> None:
    """Finish the move once ``code`` comes from the new phone: from now on only the new
    phone's codes work. The recovery codes stay as they are."""
    secret = pending_move(user)
    if secret is None:
        raise TwoStepError(
            f"The move was not finished within {MOVE_MINUTES} minutes, or was not started. "
            "Start again: confirm it is you, then scan the new QR code."
        )
    step = _matching_step(secret, code, now)
    if step is None:
        raise TwoStepError(
            "That code does not match. Check that the app on the new phone shows the account "
            "you just added, then type the 6-digit code it shows now."
        )
    # One conditional UPDATE swaps the secrets: of two confirmations racing, one wins, and a
    # move started again meanwhile (another secret) is not overwritten by this one.
    result = session.execute(
        update(User)
        .where(User.id == user.id, User.totp_new_secret == user.totp_new_secret)
        .values(totp_secret=user.totp_new_secret, totp_new_secret=None, totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise TwoStepError("The move was started again meanwhile: use the newest QR code.")
    session.refresh(user)
    audit.record(session, "auth.two_step_moved", user_id=user.id, org_id=user.current_org_id)


def disable(session: Session, user: User) -> None:
    """Turn two-step sign-in off and forget the secret and the recovery codes."""
    user.totp_new_secret = None
    user.totp_secret = None
    user.two_step_enabled_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.flush()
    audit.record(session, "auth.two_step_off", user_id=user.id, org_id=user.current_org_id)


# --- codes -----------------------------------------------------------------------------------


def verify_app_code(
    session: Session, user: User, code: str, *, now: dt.datetime | None = None
) -> bool:
    """Whether ``code`` is a fresh code of the user's app; accepting it uses up its time step."""
    if user.totp_secret is None:
        return False
    secret = decrypt_secret(user.totp_secret)
    if secret is None:
        return False
    step = _matching_step(secret, code, now)
    return step is not None and _claim_step(session, user, step)


def _matching_step(secret: str, code: str, now: dt.datetime | None) -> int | None:
    """The time step (now, or one either side) whose code of ``secret`` is ``code``, if any."""
    code = re.sub(r"\s", "", code)
    if not _TOTP_CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now or utcnow())
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(session: Session, user: User, step: int) -> bool:
    # One conditional UPDATE: of two requests with the same code, only one finds the stored
    # step older than this one (PostgreSQL re-checks the WHERE after the row lock is released).
    result = session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    claimed = bool(getattr(result, "rowcount", 0) == 1)
    if claimed:
        user.totp_last_step = step
        session.flush()
    return claimed


def normalize_recovery_code(code: str) -> str:
    """Lower case without spaces or dashes, with look-alike letters read as Crockford does."""
    cleaned = re.sub(r"[\s-]", "", code.lower())
    return cleaned.translate(str.maketrans("oil", "011"))


def _digest(code: str) -> str:
    return hashlib.sha256(normalize_recovery_code(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[index : index + 4] for index in range(0, RECOVERY_CODE_LENGTH, 4))


def regenerate_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones and return them (shown once)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    session.flush()
    return codes


def use_recovery_code(session: Session, user: User, code: str) -> bool:
    """Whether ``code`` is one of the user's unused recovery codes; it is then used up."""
    normalized = normalize_recovery_code(code)
    if len(normalized) != RECOVERY_CODE_LENGTH or set(normalized) - set(RECOVERY_ALPHABET):
        return False
    # Conditional UPDATE again: a code used by a racing request is not found unused here.
    result = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(normalized),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def check_second_step(
    session: Session, user: User, code: str, *, now: dt.datetime | None = None
) -> FactorUsed | None:
    """Which second step ``code`` passes (an app code or a recovery code), if any."""
    if not is_enabled(user):
        return None
    if verify_app_code(session, user, code, now=now):
        return "app"
    if use_recovery_code(session, user, code):
        audit.record(
            session, "auth.recovery_code_used", user_id=user.id, org_id=user.current_org_id
        )
        return "recovery"
    return None


def check_proof(
    session: Session, user: User, proof: str, *, now: dt.datetime | None = None
) -> bool:
    """Whether ``proof`` is the user's password or a fresh code of their app.

    Turning two-step sign-in off and making new recovery codes ask for it again, so that a
    browser left signed in is not enough.
    """
    if verify_password(user.password_hash, proof):
        return True
    return is_enabled(user) and verify_app_code(session, user, proof, now=now)
