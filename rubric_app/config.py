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
    #: instance/secret_key so that every worker on this machine shares it. A key derived from it
    #: (never the key itself) signs JSON exports, so only a server with the same SECRET_KEY
    #: imports an export as "signed by this server and unchanged"; after changing it, earlier
    #: exports import as drafts ("not verifiable") unless the old key is kept in
    #: SECRET_KEY_FALLBACKS.
    SECRET_KEY = ""
    #: Keys SECRET_KEY replaced (Flask's own setting; a JSON list in the environment, e.g.
    #: RUBRIC_APP_SECRET_KEY_FALLBACKS='["old key"]'): sessions and signed exports made with
    #: them are still accepted. Remove a key once nothing signed with it matters any more.
    SECRET_KEY_FALLBACKS: tuple[str, ...] = ()
    #: Where rubric YAML files and resources.yaml live.
    RUBRICS_DIR = str(PROJECT_ROOT / "rubrics")
    #: Where framework YAML files (state laws, funding conditions) live, with crosswalks between
    #: rubric items in its crosswalks/ folder (docs/frameworks.md).
    FRAMEWORKS_DIR = str(PROJECT_ROOT / "frameworks")
    #: Largest request body accepted (bytes); larger requests get a clear 413 page.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    #: Largest agreement document (MOU, procedures) accepted for upload, in bytes. Only the
    #: upload address takes bodies this large (``body_guard.LARGE_BODY_ENDPOINTS``).
    DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
    #: Cookies only over HTTPS. Switch off only for local http (make run does). Also decides
    #: the Secure flag of the cookie that binds a signed-out draft to its browser.
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
    #: Server-side sessions (table user_sessions; times in seconds). A session ends when the
    #: browser signs out, after SESSION_IDLE_TIMEOUT without a request, and SESSION_LIFETIME
    #: after sign-in whatever happens. "Keep me signed in" sessions last up to
    #: REMEMBER_SESSION_LIFETIME (also the remember-me cookie's duration) and end after
    #: REMEMBER_IDLE_TIMEOUT unused. Activity is written at most every SESSION_TOUCH_INTERVAL.
    SESSION_IDLE_TIMEOUT = 60 * 60 * 2
    SESSION_LIFETIME = 60 * 60 * 12
    REMEMBER_SESSION_LIFETIME = 60 * 60 * 24 * 30
    REMEMBER_IDLE_TIMEOUT = 60 * 60 * 24 * 7
    SESSION_TOUCH_INTERVAL = 60
    #: CSRF tokens do not expire on a timer: a long questionnaire must not die under the user.
    #: They are still bound to the session, which ends on sign-out and password change.
    WTF_CSRF_TIME_LIMIT = None
    #: Flask-Limiter storage: memory:// for one process, redis://... for several workers.
    #: Left at memory:// while REDIS_URL is set, it becomes REDIS_URL, so one setting makes
    #: every web process count sign-ins and the like together (docs/deploy.md, scale-out).
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    #: Failed sign-ins allowed per client address (any accounts), and per account from one
    #: address. Past either, that address waits; the owner elsewhere is not affected.
    SIGNIN_RATE_LIMIT = "20 per 15 minutes"
    SIGNIN_ACCOUNT_ADDRESS_RATE_LIMIT = "5 per 15 minutes"
    #: Failed sign-ins allowed per account from all addresses together: the slower limit
    #: against attacks spread over many addresses. Past it, passwords are not checked for that
    #: account until the window passes; the owner signs in through an e-mailed one-time link.
    SIGNIN_ACCOUNT_RATE_LIMIT = "30 per hour"
    #: One-time sign-in links: requests per address and per account, and how long a link works.
    SIGNIN_LINK_RATE_LIMIT = "5 per hour"
    SIGNIN_LINK_MAX_AGE = 60 * 15
    #: Sign-ups and password-reset requests allowed per client address (and per account for
    #: resets): each may send mail, so they are limited too. RESET_RATE_LIMIT also limits
    #: "send the verification link again" (per address and per account).
    SIGNUP_RATE_LIMIT = "10 per hour"
    RESET_RATE_LIMIT = "5 per hour"
    #: Partner look-ups (by partner code or an owner's e-mail address) allowed per account on
    #: the sharing page: enough for real use, too few to probe addresses or codes in bulk.
    PARTNER_LOOKUP_RATE_LIMIT = "30 per hour"
    #: Two-step sign-in codes allowed per account and per client address. Each guess at a
    #: 6-digit code wins with odds of 3 in a million (three time steps are accepted), so the
    #: daily cap matters as much as the short one.
    TWO_STEP_RATE_LIMIT = "5 per 15 minutes;30 per day"
    #: How long (seconds) a correct password waits for its second step before signing in
    #: has to start again.
    TWO_STEP_PENDING_MAX_AGE = 5 * 60
    #: The name authenticator apps show beside the account.
    TWO_STEP_ISSUER = "rubric_app"
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
    #: PDFs in the cache not written for this many days are pruned (hourly, by the job queue).
    PDF_CACHE_MAX_AGE_DAYS = 90
    #: Submitting an assessment queues its PDFs, so the first download is a cache hit.
    PDF_PREPARE_ON_SUBMIT = True
    #: A submit, reopening, share, revoked share or profile edit queues the default dashboard
    #: view of each state advocate it reaches, so the advocate's next view is read, not counted
    #: (rubric_app/states/figure_jobs.py).
    FIGURES_PREPARE_ON_CHANGE = True
    #: Dashboard views counted longer ago than this are deleted by the hourly prune (a view
    #: opened again is simply counted again).
    FIGURES_KEEP_DAYS = 30
    #: Besides the default view, the job counts again up to FIGURES_RECOUNT_MOST of the
    #: advocate's other views that a page asked for within FIGURES_RECOUNT_DAYS, latest first.
    FIGURES_RECOUNT_DAYS = 7
    FIGURES_RECOUNT_MOST = 8
    #: Background jobs (rubric_app/jobs, docs/architecture.md). The queue's storage: Redis when
    #: REDIS_URL (or RUBRIC_APP_REDIS_URL) is set, for several machines; else a SQLite file
    #: (JOBS_SQLITE_PATH, empty: instance/jobs.sqlite3) that the web processes and the
    #: `flask jobs worker` processes of one machine share. JOBS_IMMEDIATE runs each job inside
    #: the call that queues it, with no worker (tests, one-off scripts).
    REDIS_URL = ""
    JOBS_SQLITE_PATH = ""
    JOBS_IMMEDIATE = False
    #: The queue's name in its storage: two apps sharing one Redis need different names.
    JOBS_QUEUE_NAME = "rubric_app"
    #: Attempts after the first when a job fails unexpectedly, and the first wait (seconds)
    #: before one; each further wait doubles.
    JOB_RETRIES = 3
    #: The longest an idle worker waits between two looks at the queue (``flask jobs worker``).
    JOB_POLL_MAX_SECONDS = 1.0
    JOB_RETRY_DELAY = 5.0
    #: Finished and failed job records are deleted after this many days.
    JOB_RECORD_DAYS = 30
    #: Where jobs keep files for download (empty: instance/job-files), and how many hours a
    #: download link works.
    JOB_FILES_DIR = ""
    JOB_FILE_HOURS = 24
    #: Seconds between the automatic refreshes of a job's status page and of the "being
    #: prepared" page.
    JOB_PAGE_REFRESH = 3
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
    #: Bearer token that lets a Prometheus scraper on another machine read /metrics
    #: (``Authorization: Bearer <token>``; RUBRIC_APP_METRICS_TOKEN). Empty: only loopback
    #: clients may; everyone else gets 404. Behind a proxy on the same machine, set
    #: TRUSTED_PROXIES, or every proxied client looks like loopback (docs/deploy.md).
    METRICS_TOKEN = ""


#: Settings that are read from plain (unprefixed) environment variables, as deployments expect.
PLAIN_ENV_KEYS = ("DATABASE_URL", "SECRET_KEY", "REDIS_URL")
ENV_PREFIX = "RUBRIC_APP_"
