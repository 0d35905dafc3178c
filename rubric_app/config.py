"""Every setting of the app, with its default and what it is for.

The factory reads these defaults, then ``instance/config.py`` if present, then environment
variables (``DATABASE_URL``, ``SECRET_KEY`` and anything prefixed ``RUBRIC_APP_``), then the test
mapping. Nothing here does I/O at import time.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DefaultConfig:
    """Defaults for local development; production overrides them through the environment."""

    #: SQLAlchemy URL. Empty means a SQLite file under instance/ (WAL, foreign keys, busy timeout).
    DATABASE_URL = ""
    #: Signs sessions, CSRF tokens and e-mailed links. Empty means: generate one and keep it in
    #: instance/secret_key so that every worker on this machine shares it.
    SECRET_KEY = ""
    #: Where rubric YAML files and resources.yaml live.
    RUBRICS_DIR = str(PROJECT_ROOT / "rubrics")
    #: Largest request body accepted (bytes); larger requests get a clear 413 page.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    #: Cookies only over HTTPS. Switch off only for local http (make run does).
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
    #: CSRF tokens do not expire on a timer: a long questionnaire must not die under the user.
    #: They are still bound to the session, which ends on sign-out and password change.
    WTF_CSRF_TIME_LIMIT = None
    #: Flask-Limiter storage: memory:// for one process, redis://... for several workers.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    #: Sign-in attempts allowed per account and per client address.
    SIGNIN_RATE_LIMIT = "10 per 15 minutes"
    #: Sign-ups and password-reset requests allowed per client address (and per account for
    #: resets): each may send mail, so they are limited too. RESET_RATE_LIMIT also limits
    #: "send the verification link again" (per address and per account).
    SIGNUP_RATE_LIMIT = "10 per hour"
    RESET_RATE_LIMIT = "5 per hour"
    #: argon2id cost profile (a name from argon2.profiles). Tests use "CHEAPEST".
    ARGON2_PROFILE = "RFC_9106_LOW_MEMORY"
    #: Mail: "log" prints messages to the application log (development); "smtp" sends them.
    MAIL_BACKEND = "log"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 587
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_USE_TLS = True
    MAIL_DEFAULT_SENDER = "rubric_app <no-reply@localhost>"
    #: Lifetime of e-mailed links, in seconds.
    PASSWORD_RESET_MAX_AGE = 60 * 60
    INVITATION_MAX_AGE = 60 * 60 * 24 * 7
    #: How long the link that confirms a new account's e-mail address works (until they open
    #: it, new users cannot invite or share; they can ask for a fresh link).
    EMAIL_VERIFICATION_MAX_AGE = 60 * 60 * 48
    #: State roll-ups hide any figure computed from fewer than this many organizations.
    SUPPRESSION_K = 5
    #: Rows per page in long lists (state dashboard participants, audit log).
    PAGE_SIZE = 50
    #: Where the PDF cache lives (one file per assessment revision and template version).
    PDF_CACHE_DIR = ""
    #: Expensive renders (report and comparison PDFs, the comparison page and CSV, the state
    #: exports) one user may have in progress at once, across every worker; one more gets a 429
    #: page with Retry-After. 0 switches the limit off.
    RENDER_LIMIT = 2
    #: A render slot not released after this many seconds is free again, so a request whose
    #: worker crashed or was killed never holds one for good. Keep it above the slowest render
    #: (a few seconds) and gunicorn's timeout (deploy/gunicorn.conf.py, 60 s).
    RENDER_SLOT_SECONDS = 120
    #: The Retry-After (seconds) sent with that 429: about one render's time.
    RENDER_RETRY_AFTER = 5
    #: How many reverse proxies (nginx, a load balancer) stand in front of gunicorn. Behind one,
    #: set 1 (RUBRIC_APP_TRUSTED_PROXIES=1) so the client address (rate limits, audit log) and
    #: https scheme come from X-Forwarded-For/-Proto/-Host. Leave 0 when clients connect
    #: directly: the headers are then ignored, so nobody can spoof an address to dodge limits.
    TRUSTED_PROXIES = 0


#: Settings that are read from plain (unprefixed) environment variables, as deployments expect.
PLAIN_ENV_KEYS = ("DATABASE_URL", "SECRET_KEY")
ENV_PREFIX = "RUBRIC_APP_"
