"""Partner codes: the secret an organization's owners hand out so partners can share with it.

A code is 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L), about 60 bits,
so it cannot be guessed; it is shown in groups of four and read back whatever the case, spaces
or dashes. Pure functions, no database: ``rubric_app.models`` uses ``new_partner_code`` as the
column default.
"""

from __future__ import annotations

import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 12
GROUP = 4


def new_partner_code() -> str:
    """A fresh random partner code, in its stored (ungrouped) form."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_partner_code(text: str) -> str | None:
    """The stored form of a typed code, or None when it cannot be a partner code."""
    code = "".join(ch for ch in text.upper() if ch not in " -")
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def format_partner_code(code: str) -> str:
    """The code as people read it: groups of four joined by dashes."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
