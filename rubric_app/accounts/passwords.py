"""Password hashing with argon2id, with cost parameters chosen by configuration.

Production uses argon2-cffi's RFC 9106 low-memory profile (argon2id, t=3, 64 MiB). The test
configuration picks the cheapest argon2id profile so that a suite creating hundreds of users
stays fast; the hashes are argon2id either way.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

#: Shortest password accepted; long passphrases beat complexity rules (NIST SP 800-63B).
MIN_PASSWORD_LENGTH = 10

DEFAULT_PROFILE = "RFC_9106_LOW_MEMORY"


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
