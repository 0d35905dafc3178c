"""Refuse JSON request bodies that are not shaped like a form, before anything reads them.

Flask-WTF reads a JSON body as form data (``ImmutableMultiDict(request.get_json())``), so a
JSON array, a bare value, invalid JSON or an object holding numbers or nested objects would
crash form processing, and the CSRF error pages that rebuild forms, with a 500. No route takes
JSON input (pages post forms; the autosave posts ``FormData``), so a JSON body is let through
only when it is an object of strings or lists of strings, which every form can read.

The checks run in order, each before the next could fail on what the previous one refuses:

1. size: reading the body enforces ``MAX_CONTENT_LENGTH`` (413), for JSON as for forms;
2. depth: brackets nested deeper than ``MAX_JSON_DEPTH`` are refused from a scan of the raw
   bytes, because ``json.loads`` raises RecursionError (not ValueError) on deep nesting;
3. shape: an object of strings or lists of strings;
4. text: no lone surrogates (``"\\ud800"``), which no database or page can encode.

All of this runs before the CSRF check and before sign-in, so a stranger's body is refused
with a 400 and a message, never a 500.

One exception to ``MAX_CONTENT_LENGTH``: the endpoints in ``LARGE_BODY_ENDPOINTS`` (the agreement
upload) take bodies up to the named setting plus room for the multipart envelope. The allowance
is set before any hook reads the body (the CSRF check reads the form), and only for those
endpoints, so every other address keeps the small limit.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from flask import Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from rubric_app.hostile_input import MAX_JSON_DEPTH, has_lone_surrogate, json_too_deep

MESSAGE = "This address takes a form; the JSON sent could not be read as one."
DEPTH_MESSAGE = (
    f"This address takes a form; the JSON sent nests more than {MAX_JSON_DEPTH} levels deep."
)
TEXT_MESSAGE = (
    "The JSON sent contains a broken character (a lone surrogate such as \\ud800) that "
    "cannot be stored."
)


def _form_like(data: Any) -> TypeGuard[dict[str, str | list[str]]]:
    if not isinstance(data, dict):
        return False
    return all(
        isinstance(value, str)
        or (isinstance(value, list) and all(isinstance(part, str) for part in value))
        for value in data.values()
    )


def _texts(data: dict[str, str | list[str]]) -> list[str]:
    texts = list(data)
    for value in data.values():
        texts.extend([value] if isinstance(value, str) else value)
    return texts


def _refuse(reason: str, message: str) -> ResponseReturnValue:
    return jsonify(status="error", reason=reason, message=message), 400


def refuse_unreadable_json() -> ResponseReturnValue | None:
    """Answer 400 to a JSON body that forms cannot read; let everything else through."""
    if request.method in {"GET", "HEAD", "OPTIONS"} or not request.is_json:
        return None
    # Raises 413 past MAX_CONTENT_LENGTH; cached, so the form layer reads the same bytes.
    raw = request.get_data(cache=True)
    if json_too_deep(raw):
        return _refuse("depth", DEPTH_MESSAGE)
    data = request.get_json(silent=True)
    if not _form_like(data):
        return _refuse("body", MESSAGE)
    if any(has_lone_surrogate(text) for text in _texts(data)):
        return _refuse("text", TEXT_MESSAGE)
    return None


#: Endpoint -> the setting that gives its larger body limit in bytes.
LARGE_BODY_ENDPOINTS: dict[str, str] = {"agreements.documents_page": "DOCUMENT_MAX_BYTES"}
#: Room for the multipart boundaries, headers and the CSRF field around the file.
MULTIPART_ROOM = 64 * 1024


def body_limit() -> int:
    """The largest body the current request's address takes, in bytes: the file allowance of a
    ``LARGE_BODY_ENDPOINTS`` address (without the multipart room), else ``MAX_CONTENT_LENGTH``.
    """
    setting = LARGE_BODY_ENDPOINTS.get(request.endpoint or "")
    if setting is not None:
        return int(current_app.config[setting])
    return int(current_app.config["MAX_CONTENT_LENGTH"])


def allow_large_bodies() -> None:
    """Raise the body limit for the few endpoints that take files larger than the default."""
    setting = LARGE_BODY_ENDPOINTS.get(request.endpoint or "")
    if setting is not None and request.method == "POST":
        request.max_content_length = int(current_app.config[setting]) + MULTIPART_ROOM


def init_app(app: Flask) -> None:
    """Run the checks before every other hook, the CSRF check included."""
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks.insert(0, refuse_unreadable_json)
    hooks.insert(0, allow_large_bodies)
