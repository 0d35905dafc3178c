"""Security headers on every response and the friendly error pages (403, 404, 413, 429, 500,
and the expired-form page for CSRF failures).

Caching: every response to a signed-in user, and every file download (JSON export, CSV, XLSX,
PDF: anything sent with a ``Content-Disposition``), carries ``Cache-Control: no-store``, so
neither the browser (back button, disk cache on a shared computer) nor a proxy keeps a copy of
an organization's answers. One ``after_request`` hook does it for all routes; static files keep
their own caching.

CSRF failures: ``register_csrf_handler(app)`` installs the one ``CSRFError`` handler. A
failed token check must never throw away what the user typed, so the handler first looks up
the request's endpoint in ``CSRF_RECOVERY``; a blueprint that can do better than the generic
page registers a recovery function there, keyed by endpoint::

    from rubric_app.security import csrf_recovery

    @csrf_recovery("questionnaire.section")
    def keep_typed_answers(error: CSRFError) -> ResponseReturnValue:
        ...  # e.g. store request.form as a SavedDraft and re-render the section with it

The function runs inside the failed request (``request.form`` holds what was posted) and
returns a response; it should answer 400 and render a fresh token. Sign-in and sign-up
register one that re-renders the form with the typed e-mail and name (never the password).
Endpoints without a recovery function get a clear 400 page explaining that the form expired.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from rubric_app.body_guard import body_limit

#: Pages that take a file, by endpoint: what the 413 page's link back to them says. Each
#: upload form posts to its own address, so that address (GET) is the page to go back to.
UPLOAD_PAGES: dict[str, str] = {
    "agreements.documents_page": "the agreement documents",
    "reports.import_file": "the import page",
}

CSP = (
    "default-src 'self'; "
    "script-src 'self'; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "form-action 'self'; "
    "base-uri 'none'; "
    "object-src 'none'; "
    "frame-ancestors 'none'"
)

CsrfRecovery = Callable[[CSRFError], ResponseReturnValue]
#: Endpoint -> function that answers a failed CSRF check for that endpoint (see above).
CSRF_RECOVERY: dict[str, CsrfRecovery] = {}


def csrf_recovery(endpoint: str) -> Callable[[CsrfRecovery], CsrfRecovery]:
    """Register ``function`` as the CSRF-failure answer for ``endpoint``."""

    def register(function: CsrfRecovery) -> CsrfRecovery:
        CSRF_RECOVERY[endpoint] = function
        return function

    return register


#: The headers every response carries (a view's own value of one of them is kept), with their
#: names in lower case: each ``setdefault`` searched the headers anew, so checking them once
#: against the names already set costs a sixth of that on every request.
_SECURITY_HEADERS = tuple(
    (name.lower(), name, value)
    for name, value in (
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    )
)


def add_security_headers(response: Response) -> Response:
    """Set the headers every response carries; inline scripts are refused by the CSP."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}  # noqa: SIM118 - Headers, not a dict
    headers.extend(
        [(name, value) for lower, name, value in _SECURITY_HEADERS if lower not in present]
    )
    if request.is_secure:
        # Only over HTTPS: announcing HSTS on plain http (local development) would be ignored.
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def forbid_storing_private_responses(response: Response) -> Response:
    """Mark what a signed-in user sees, and every download, as never to be stored."""
    if request.endpoint == "static":
        return response
    if "Content-Disposition" in response.headers or current_user.is_authenticated:
        # Replaces any other caching directive: "no-store" alone is the whole policy here.
        response.headers["Cache-Control"] = "no-store"
    return response


def forget_cached_identity() -> None:
    """Start every request without a cached user or CSRF token.

    Flask-Login caches the user and Flask-WTF the signed CSRF token in ``g``, which lives in the
    application context. A server pushes a fresh context per request, but an outer context
    (tests, scripts) is reused by every request made inside it; without this, one browser's
    user and token would leak into the next request.
    """
    g.pop("_login_user", None)
    g.pop("csrf_token", None)


def handle_csrf_error(error: CSRFError) -> ResponseReturnValue:
    """Answer a failed CSRF check: the endpoint's recovery function, else the generic page."""
    recover = CSRF_RECOVERY.get(request.endpoint or "")
    if recover is not None:
        return recover(error)
    return render_template("errors/csrf.html", typed=typed_fields()), 400


def typed_fields() -> list[tuple[str, str]]:
    """What the refused form carried, minus the token and any password, to copy back."""
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if value.strip() and name != "csrf_token" and "password" not in name.lower()
    ]


def register_csrf_handler(app: Flask) -> None:
    """Install the single CSRFError handler (see the module docstring for the hook)."""
    app.register_error_handler(CSRFError, handle_csrf_error)


def wait_text(seconds: int) -> str:
    """Say how long to wait in words: "about 15 minutes", "about 1 hour", "a minute"."""
    if seconds <= 60:
        return "a minute"
    if seconds < 90 * 60:
        minutes = round(seconds / 60)
        return f"about {minutes} minutes"
    hours = round(seconds / 3600)
    return "about 1 hour" if hours == 1 else f"about {hours} hours"


def init_app(app: Flask) -> None:
    """Register the header hook and the error pages."""
    # First of all before-request hooks, ahead of the CSRF check and its error handler.
    app.before_request_funcs.setdefault(None, []).insert(0, forget_cached_identity)
    app.after_request(add_security_headers)
    app.after_request(forbid_storing_private_responses)
    register_csrf_handler(app)

    @app.errorhandler(400)
    def bad_request(error: Exception) -> tuple[str, int]:
        # Says what was wrong (a page number, say); CSRFError keeps its own handler above.
        return render_template(
            "errors/400.html", description=getattr(error, "description", "")
        ), 400

    @app.errorhandler(404)
    def not_found(_error: Exception) -> tuple[str, int]:
        return render_template("errors/404.html"), 404

    @app.errorhandler(403)
    def forbidden(_error: Exception) -> tuple[str, int]:
        return render_template("errors/403.html"), 403

    @app.errorhandler(413)
    def too_large(_error: Exception) -> tuple[str, int]:
        # The request's own limit: the agreement upload has a larger one (body_guard).
        limit_mb = body_limit() / (1024 * 1024)
        # A file upload (multipart) was too large because of its file: advice about long texts
        # would be wrong there, and the page the file came from is one link away.
        upload = request.mimetype == "multipart/form-data"
        return render_template(
            "errors/413.html",
            limit_mb=limit_mb,
            upload=upload,
            back_url=request.path if upload else None,
            back_label=UPLOAD_PAGES.get(request.endpoint or "", "the form"),
        ), 413

    @app.errorhandler(429)
    def rate_limited(error: Exception) -> tuple[str, int]:
        limit = getattr(error, "limit", None)
        item = getattr(limit, "limit", None)
        seconds = int(item.get_expiry()) if item is not None else 15 * 60
        return render_template(
            "errors/429.html",
            description=getattr(error, "description", ""),
            wait=wait_text(seconds),
        ), 429

    @app.errorhandler(500)
    def server_error(_error: Exception) -> tuple[str, int]:
        return render_template("errors/500.html"), 500
