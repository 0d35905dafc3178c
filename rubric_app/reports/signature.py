"""The server's signature on a JSON export, and the verdict on a signature when importing.

An export's ``snapshot_hash`` is a checksum of the answers: it catches a file damaged by
accident, but anyone who edits the answers can recompute it, so it proves nothing about where
the file came from. The signature does: an HMAC-SHA256 over the canonical JSON of the whole
export (every field but ``signature`` itself), keyed with a key derived from the server's
``SECRET_KEY`` for this one purpose, so the secret key itself is never used directly and a
signature cannot be mistaken for a session cookie or a mailed link. Only a server holding the
same ``SECRET_KEY`` (or one of its ``SECRET_KEY_FALLBACKS``) can make or check it.

Pure functions over plain data and key material; the callers pass the app's keys.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

SIGNATURE_FIELD = "signature"
ALGORITHM = "HMAC-SHA256"
#: Labels of the two keys derived from SECRET_KEY. Changing one makes every earlier export
#: "not verifiable", so they carry a version number instead.
_SIGNING_PURPOSE = b"rubric_app.assessment-export.signature/1"
_KEY_ID_PURPOSE = b"rubric_app.assessment-export.key-id/1"

VerdictCode = Literal["verified", "unsigned", "other_server", "altered", "unreadable"]

_MESSAGES: dict[str, str] = {
    "verified": "Signed by this server and unchanged.",
    "unsigned": (
        "Not verifiable: the file carries no signature (it was made before exports were signed, "
        "or the signature was removed)."
    ),
    "other_server": (
        "Not verifiable: the file was signed by another server, or by this one before its "
        "secret key was changed."
    ),
    "altered": "Not verifiable: the file was changed after this server signed it.",
    "unreadable": "Not verifiable: the file's signature is not one this server can read.",
}


@dataclass(frozen=True)
class Verdict:
    """What the signature of an imported file says about it."""

    code: VerdictCode

    @property
    def verified(self) -> bool:
        """Signed by this server and unchanged since."""
        return self.code == "verified"

    @property
    def message(self) -> str:
        """The verdict in plain words, as the import page and the CLI show it."""
        return _MESSAGES[self.code]


def _key_bytes(secret_key: str | bytes) -> bytes:
    return secret_key.encode("utf-8") if isinstance(secret_key, str) else secret_key


def signing_key(secret_key: str | bytes) -> bytes:
    """The key that signs exports: HMAC-SHA256 of a purpose label under ``secret_key``."""
    return hmac.new(_key_bytes(secret_key), _SIGNING_PURPOSE, hashlib.sha256).digest()


def key_id(secret_key: str | bytes) -> str:
    """A short public name of the key, so "another server" can be told from "changed"."""
    return hmac.new(_key_bytes(secret_key), _KEY_ID_PURPOSE, hashlib.sha256).hexdigest()[:16]


def canonical_bytes(data: Mapping[str, Any]) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, ASCII only, without the signature.

    ASCII (escaped) output means the same data gives the same bytes however it was written
    out, and a lone surrogate in a text cannot make encoding fail.
    """
    body = {key: value for key, value in data.items() if key != SIGNATURE_FIELD}
    text = json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
    return text.encode("ascii")


def _mac(secret_key: str | bytes, data: Mapping[str, Any]) -> str:
    return hmac.new(signing_key(secret_key), canonical_bytes(data), hashlib.sha256).hexdigest()


def sign_export(data: Mapping[str, Any], secret_key: str | bytes) -> dict[str, Any]:
    """Return ``data`` with its ``signature`` field (replacing any it had)."""
    signed = {key: value for key, value in data.items() if key != SIGNATURE_FIELD}
    signed[SIGNATURE_FIELD] = {
        "algorithm": ALGORITHM,
        "key_id": key_id(secret_key),
        "value": _mac(secret_key, signed),
    }
    return signed


def verify_export(data: Mapping[str, Any], secret_keys: Sequence[str | bytes]) -> Verdict:
    """Check the file's signature against this server's keys (current first, then fallbacks)."""
    signature = data.get(SIGNATURE_FIELD)
    if signature is None:
        return Verdict("unsigned")
    if not isinstance(signature, dict) or signature.get("algorithm") != ALGORITHM:
        return Verdict("unreadable")
    value, claimed_id = signature.get("value"), signature.get("key_id")
    if not (isinstance(value, str) and isinstance(claimed_id, str)):
        return Verdict("unreadable")
    if not (value.isascii() and claimed_id.isascii()):
        # hmac.compare_digest only compares ASCII text; a signature never has anything else.
        return Verdict("unreadable")
    ours = [key for key in secret_keys if key and hmac.compare_digest(key_id(key), claimed_id)]
    if not ours:
        return Verdict("other_server")
    try:
        expected = _mac(ours[0], data)
    except (ValueError, TypeError, RecursionError):
        # Not JSON-serialisable the way exports are (a NaN, a structure too deep): not ours.
        return Verdict("altered")
    return Verdict("verified" if hmac.compare_digest(expected, value) else "altered")
