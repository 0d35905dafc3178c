"""Passwords: argon2id hashing with configured cost, and the check against guessable ones.

Production uses argon2-cffi's RFC 9106 low-memory profile (argon2id, t=3, 64 MiB). The test
configuration picks the cheapest argon2id profile so that a suite creating hundreds of users
stays fast; the hashes are argon2id either way.

``verify_dummy`` spends the same work as a real check, for sign-in attempts on addresses that
have no account, so the time taken does not tell whether an account exists.

``weak_password_problem`` refuses common and breached passwords offline with zxcvbn, whose
bundled frequency lists come from leaked password sets, English words, names and surnames; it
also catches keyboard walks, repeats, dates and l33t spellings of those.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from zxcvbn import zxcvbn

#: Shortest password accepted; long passphrases beat complexity rules (NIST SP 800-63B).
MIN_PASSWORD_LENGTH = 10

DEFAULT_PROFILE = "RFC_9106_LOW_MEMORY"

#: Lowest zxcvbn score accepted (0-4): 3 is "safely unguessable" against an online or throttled
#: offline attack (about 10^8 guesses and more).
MIN_PASSWORD_SCORE = 3
#: zxcvbn's matching grows faster than linearly with length; the first characters decide.
STRENGTH_CHECK_CHARS = 100

#: Shown beside every new-password field (sign-up, change, reset).
STRENGTH_HINT = (
    f"At least {MIN_PASSWORD_LENGTH} characters. Common and leaked passwords are refused; "
    "three or four unrelated words make a strong password that is easy to remember."
)


@cache
def _hasher_for(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile))


def _hasher() -> PasswordHasher:
    profile = DEFAULT_PROFILE
    if has_app_context():
        profile = current_app.config.get("ARGON2_PROFILE", DEFAULT_PROFILE)
    return _hasher_for(profile)


def hash_password(password: str) -> str:
    """Return an argon2id hash of ``password``."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches the stored hash (whatever parameters it was made with)."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)


@cache
def _dummy_hash_for(profile: str) -> str:
    return _hasher_for(profile).hash("not a password anyone has: dummy for timing")


def prepare_dummy_hash(profile: str) -> None:
    """Make the dummy hash now (once per process), so no sign-in pays for making it."""
    _dummy_hash_for(profile)


def verify_dummy(password: str) -> bool:
    """Check ``password`` against a hash no account has: as slow as ``verify_password``, false."""
    profile = DEFAULT_PROFILE
    if has_app_context():
        profile = current_app.config.get("ARGON2_PROFILE", DEFAULT_PROFILE)
    verify_password(_dummy_hash_for(profile), password)
    return False


def weak_password_problem(password: str, related: Iterable[str] = ()) -> str | None:
    """Why ``password`` is too easy to guess, with a hint how to do better; None if it is fine.

    ``related`` are things an attacker knows about the person (e-mail, name): a password
    built from them counts as weak.
    """
    inputs = [part for value in related for part in _words_of(value)]
    result: dict[str, Any] = zxcvbn(password[:STRENGTH_CHECK_CHARS], user_inputs=inputs)
    if int(result["score"]) >= MIN_PASSWORD_SCORE:
        return None
    feedback = result.get("feedback") or {}
    warning = str(feedback.get("warning") or "").strip()
    reason = (
        f"This password is too easy to guess: {warning.rstrip('.').lower()}."
        if warning
        else "This password is too easy to guess."
    )
    return (
        f"{reason} Passwords like it are on the lists attackers try first. Use three or four "
        "unrelated words, or a longer phrase only you would think of."
    )


def _words_of(value: str) -> list[str]:
    # "dana.whitfield@example.org" -> the address and its parts, so "whitfield2026" is caught.
    parts = [value.lower()]
    for chunk in value.lower().replace("@", " ").replace(".", " ").replace("_", " ").split():
        if len(chunk) >= 3:
            parts.append(chunk)
    return parts
