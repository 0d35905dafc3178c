"""Security headers on every response and the friendly error pages (404, 413, CSRF)."""

from __future__ import annotations

from flask import Flask, Response, render_template

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


def add_security_headers(response: Response) -> Response:
    """Set the headers every response carries; inline scripts are refused by the CSP."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault(
        "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
    )
    return response


def init_app(app: Flask) -> None:
    """Register the header hook and the error pages."""
    app.after_request(add_security_headers)

    @app.errorhandler(404)
    def not_found(_error: Exception) -> tuple[str, int]:
        return render_template("errors/404.html"), 404

    @app.errorhandler(403)
    def forbidden(_error: Exception) -> tuple[str, int]:
        return render_template("errors/403.html"), 403

    @app.errorhandler(413)
    def too_large(_error: Exception) -> tuple[str, int]:
        limit_mb = app.config["MAX_CONTENT_LENGTH"] / (1024 * 1024)
        return render_template("errors/413.html", limit_mb=limit_mb), 413

    @app.errorhandler(429)
    def rate_limited(error: Exception) -> tuple[str, int]:
        return render_template(
            "errors/429.html", description=getattr(error, "description", "")
        ), 429

    @app.errorhandler(500)
    def server_error(_error: Exception) -> tuple[str, int]:
        return render_template("errors/500.html"), 500
