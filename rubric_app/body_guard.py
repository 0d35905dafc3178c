"""Refuse JSON request bodies that are not shaped like a form, before anything reads them.

Flask-WTF reads a JSON body as form data (``ImmutableMultiDict(request.get_json())``), so a
JSON array, a bare value, invalid JSON or an object holding numbers or nested objects would
crash form processing, and the CSRF error pages that rebuild forms, with a 500. No route takes
JSON input (pages post forms; the autosave posts ``FormData``), so a JSON body is let through
only when it is an object of strings or lists of strings, which every form can read.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

MESSAGE = "This address takes a form; the JSON sent could not be read as one."


def _form_like(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    return all(
        isinstance(value, str)
        or (isinstance(value, list) and all(isinstance(part, str) for part in value))
        for value in data.values()
    )


def refuse_unreadable_json() -> ResponseReturnValue | None:
    """Answer 400 to a JSON body that forms cannot read; let everything else through."""
    if request.method in {"GET", "HEAD", "OPTIONS"} or not request.is_json:
        return None
    if _form_like(request.get_json(silent=True)):
        return None
    return jsonify(status="error", reason="body", message=MESSAGE), 400


def init_app(app: Flask) -> None:
    """Run the check before every other hook, the CSRF check included."""
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unreadable_json)
