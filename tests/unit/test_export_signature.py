"""The export signature: a derived key, canonical bytes, and a verdict for every kind of file."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from rubric_app.reports.signature import (
    canonical_bytes,
    key_id,
    sign_export,
    signing_key,
    verify_export,
)

KEY = "this server's secret key"


def _export() -> dict[str, Any]:
    return {
        "format": "rubric_app.assessment/1",
        "title": "MOU review — 2025",
        "status": "submitted",
        "snapshot_hash": "ab" * 32,
        "items": {"partnership-exists": {"values": {"value": "yes"}, "comment": "Ünïcode"}},
        "scores": {"percent": 63.33333333333333, "answered": 7},
    }


def test_the_signing_key_is_derived_not_the_secret_key_itself() -> None:
    derived = signing_key(KEY)
    assert derived != KEY.encode()
    assert len(derived) == 32
    # Neither a plain hash nor an HMAC of the data under the raw secret key.
    signed = sign_export(_export(), KEY)
    raw_mac = hmac.new(KEY.encode(), canonical_bytes(signed), hashlib.sha256).hexdigest()
    assert signed["signature"]["value"] != raw_mac
    assert key_id(KEY) != key_id("another key")


def test_a_signed_export_verifies_however_it_was_written_out() -> None:
    signed = sign_export(_export(), KEY)
    assert verify_export(signed, [KEY]).code == "verified"
    # Indented, keys reordered, non-ASCII written as is: the same canonical bytes.
    rewritten = json.loads(json.dumps(dict(reversed(signed.items())), indent=4, ensure_ascii=False))
    verdict = verify_export(rewritten, [KEY])
    assert verdict.verified
    assert verdict.message == "Signed by this server and unchanged."


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data["items"]["partnership-exists"]["values"].update(value="no"),
        lambda data: data.update(status="draft"),
        lambda data: data.update(snapshot_hash="cd" * 32),
        lambda data: data["scores"].update(percent=100.0),
        lambda data: data.update(extra="added"),
    ],
)
def test_any_change_after_signing_is_caught(change: Any) -> None:
    signed = json.loads(json.dumps(sign_export(_export(), KEY)))
    change(signed)
    verdict = verify_export(signed, [KEY])
    assert verdict.code == "altered"
    assert not verdict.verified
    assert verdict.message.startswith("Not verifiable")


def test_unsigned_and_other_servers_files_are_not_verifiable() -> None:
    assert verify_export(_export(), [KEY]).code == "unsigned"
    assert verify_export(sign_export(_export(), "another key"), [KEY]).code == "other_server"


def test_a_replaced_secret_key_still_verifies_while_it_is_a_fallback() -> None:
    signed = sign_export(_export(), "old key")
    assert verify_export(signed, ["new key"]).code == "other_server"
    assert verify_export(signed, ["new key", "old key"]).code == "verified"


@pytest.mark.parametrize(
    "signature",
    [
        "not an object",
        {"algorithm": "none", "key_id": "x", "value": "y"},
        {"algorithm": "HMAC-SHA256", "key_id": 1, "value": "y"},
        {"algorithm": "HMAC-SHA256", "key_id": "x"},
        {"algorithm": "HMAC-SHA256", "key_id": "é" * 16, "value": "ü" * 64},
    ],
)
def test_an_unreadable_signature_is_not_verifiable(signature: Any) -> None:
    data = {**_export(), "signature": signature}
    assert verify_export(data, [KEY]).code == "unreadable"


def test_a_lone_surrogate_cannot_break_signing_or_checking() -> None:
    data = {**_export(), "title": "broken \ud800 text"}
    signed = sign_export(data, KEY)
    assert verify_export(signed, [KEY]).verified
    assert verify_export({**signed, "title": "other \udfff"}, [KEY]).code == "altered"
