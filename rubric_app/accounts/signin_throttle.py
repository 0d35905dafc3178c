"""Throttling of password sign-in that slows attackers without locking the owner out.

Three limits count failed password checks, kept in the rate limiter's storage (memory for one
process, Redis for several workers):

- per client address (SIGNIN_RATE_LIMIT): one network guessing at many accounts;
- per account and address (SIGNIN_ACCOUNT_ADDRESS_RATE_LIMIT): one network guessing at one
  account; the owner signing in from anywhere else is not affected;
- per account (SIGNIN_ACCOUNT_RATE_LIMIT), slower: guesses at one account spread over many
  addresses. Past it, passwords for that account are not checked until the window passes, and
  the owner signs in with an e-mailed one-time link, which this limit does not apply to.

Unknown addresses are counted exactly like accounts, so the limits reveal nothing. With
RATELIMIT_ENABLED off (the tests' default) nothing is counted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from flask import current_app
from limits import RateLimitItem, parse

from rubric_app.extensions import limiter

Scope = Literal["address", "account_address", "account"]

_SETTINGS: dict[Scope, str] = {
    "address": "SIGNIN_RATE_LIMIT",
    "account_address": "SIGNIN_ACCOUNT_ADDRESS_RATE_LIMIT",
    "account": "SIGNIN_ACCOUNT_RATE_LIMIT",
}


@dataclass(frozen=True)
class Refusal:
    """Which limit refused a sign-in, and in how many seconds it lets attempts through again."""

    scope: Scope
    retry_after: int


def _keys(email: str, address: str) -> dict[Scope, str]:
    return {
        "address": f"signin-address:{address}",
        "account_address": f"signin-account-address:{email}|{address}",
        "account": f"signin-account:{email}",
    }


def _item(scope: Scope) -> RateLimitItem:
    return parse(str(current_app.config[_SETTINGS[scope]]))


def _active() -> bool:
    return bool(limiter.enabled and current_app.config.get("RATELIMIT_ENABLED", True))


def signin_refusal(email: str, address: str) -> Refusal | None:
    """The first limit that the next password attempt for ``email`` from ``address`` exceeds."""
    if not _active():
        return None
    strategy = limiter.limiter
    for scope, key in _keys(email, address).items():
        item = _item(scope)
        if not strategy.test(item, key):
            reset_at, _remaining = strategy.get_window_stats(item, key)
            return Refusal(scope=scope, retry_after=max(1, int(reset_at - time.time()) + 1))
    return None


def record_failure(email: str, address: str) -> None:
    """Count one failed password attempt for ``email`` from ``address`` against every limit."""
    if not _active():
        return
    strategy = limiter.limiter
    for scope, key in _keys(email, address).items():
        strategy.hit(_item(scope), key)
