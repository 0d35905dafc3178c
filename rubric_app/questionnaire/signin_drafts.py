"""Signed-out posts: keep the posted section as a draft bound to this browser, give it back there.

A session can end while someone is typing; their post must not be lost. But nobody is known
yet, so the draft must not go to whoever signs in next from the same link: it is bound to a
random secret set in the posting browser as a cookie (only its hash is stored), and after
sign-in ``kept_draft`` offers it back only in that browser, and only to a user who may edit the
assessment. The answer to a signed-out post is the same whether or not the assessment or
section exists (the same sign-in redirect, no id in it), so ids cannot be probed this way.
Drafts are also rate limited per client address, and a post from another site (a form an
attacker's page submits in a signed-out browser) is not kept.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

from flask import current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from limits import parse as parse_limit
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.wrappers import Response

from rubric_app.access import can
from rubric_app.assessments import rubric_for
from rubric_app.db import db
from rubric_app.models import Assessment
from rubric_app.questionnaire import restore
from rubric_app.questionnaire.blueprint import bp
from rubric_app.questionnaire.forms import flat_form_data

#: The cookie that holds this browser's draft secret. Limited to the questionnaire's paths:
#: nothing else needs it.
DRAFT_COOKIE = "rubric_app_draft"
DRAFT_COOKIE_PATH = "/assessments"
#: What ``restore.new_browser_secret`` makes; anything else in the cookie is ignored.
_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")

KEPT_NOTICE = (
    "Your session had ended, so nothing was saved yet. Sign in again: we kept what you typed."
)
NOT_KEPT_NOTICE = (
    "Your session had ended, so nothing was saved, and too many pages were kept from this "
    "address in the last hour to keep this one. Sign in again and enter your answers again."
)
NOTHING_KEPT_NOTICE = "Nothing you typed before your session ended was kept in this browser."


def signin_redirect(next_url: str) -> Response:
    """Send the user to sign in, and back to ``next_url`` afterwards."""
    return redirect(url_for("accounts.signin") + "?" + urlencode({"next": next_url}))


#: Drafts kept for signed-out posts per client address: nobody is known yet, so this is what
#: stops an anonymous client from filling the database with drafts.
ANONYMOUS_DRAFT_LIMIT = parse_limit("20 per hour")


def _may_keep_anonymous_draft() -> bool:
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    # A strategy of its own on the configured storage (memory, or Redis shared by workers):
    # this check runs from the CSRF error handler, outside Flask-Limiter's request hooks.
    counter = current_app.extensions.get("rubric_app.draft_limiter")
    if counter is None:
        storage = storage_from_string(current_app.config["RATELIMIT_STORAGE_URI"])
        counter = current_app.extensions["rubric_app.draft_limiter"] = FixedWindowRateLimiter(
            storage
        )
    return bool(counter.hit(ANONYMOUS_DRAFT_LIMIT, "anonymous-draft", request.remote_addr or ""))


def _posted_from_this_site() -> bool:
    """Whether the post came from one of our own pages, as far as the browser tells.

    Browsers send ``Sec-Fetch-Site`` (current ones) or ``Origin`` with a form post; a post made
    by another site's page must not leave a draft that the signed-out user is then offered
    after signing in. Clients that send neither (scripts) are let through: the draft is only
    ever offered back to the client that posted it.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        # The browser's own judgement, unaffected by proxies in front of the app.
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is not None:
        # The host only: behind a proxy that ends TLS but is not declared in TRUSTED_PROXIES,
        # the app sees http while the browser says https, and the author's post must not be
        # lost for that.
        return urlsplit(origin).netloc == urlsplit(request.host_url).netloc
    return True


def browser_secret() -> str | None:
    """This browser's draft secret, if its cookie holds a well-formed one."""
    value = request.cookies.get(DRAFT_COOKIE, "")
    return value if _SECRET_SHAPE.match(value) else None


def browser_hash() -> str | None:
    """The stored form of this browser's draft secret, or None without a cookie."""
    secret = browser_secret()
    return restore.browser_secret_hash(secret) if secret else None


def _keep_section(assessment_id: int, section_id: str, secret: str) -> None:
    """Keep the posted section as a draft of this browser, if there is such a section."""
    session = db.session
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        return
    rubric = rubric_for(assessment)
    try:
        section = rubric.section(section_id)
    except KeyError:
        return
    restore.keep_draft(
        session,
        assessment_id=assessment_id,
        section_id=section.id,
        fields=restore.section_fields(rubric, section, flat_form_data(request.form)),
        purpose="signin",
        browser_hash=restore.browser_secret_hash(secret),
    )
    session.commit()


def keep_and_sign_in(assessment_id: int, section_id: str) -> Response:
    """The session has ended: keep the posted section as this browser's draft, go to sign in.

    The response is the same for any assessment id and section id, existing or not.
    """
    # The limit is counted first and for every post, so whether it is reached says nothing
    # about the ids posted to.
    allowed = _may_keep_anonymous_draft()
    # The browser's existing secret is reused, so two pages posted before signing in are both
    # bound to it (the newest is offered first).
    secret = browser_secret() or restore.new_browser_secret()
    if allowed and _posted_from_this_site():
        _keep_section(assessment_id, section_id, secret)
    flash(KEPT_NOTICE if allowed else NOT_KEPT_NOTICE, "warning")
    response = signin_redirect(url_for("questionnaire.kept_draft"))
    response.set_cookie(
        DRAFT_COOKIE,
        secret,
        max_age=int(restore.DRAFT_LIFETIME.total_seconds()),
        path=DRAFT_COOKIE_PATH,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE", True)),
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.get("/assessments/kept-draft")
def kept_draft() -> ResponseReturnValue:
    """After sign-in: open the section this browser posted while signed out, with its draft."""
    if not current_user.is_authenticated:
        return signin_redirect(request.path)
    hashed = browser_hash()
    if hashed is not None:
        session = db.session
        for draft in restore.browser_drafts(session, hashed):
            assessment = session.get(Assessment, draft.assessment_id)
            # Only into an assessment this user may edit now; a draft for another one stays
            # unused (and says nothing about that assessment).
            if assessment is not None and can(session, current_user, "edit", assessment):
                return redirect(
                    url_for(
                        "questionnaire.section",
                        assessment_id=assessment.id,
                        section_id=draft.section_id,
                        restore=draft.key,
                    )
                )
    flash(NOTHING_KEPT_NOTICE, "info")
    return redirect(url_for("questionnaire.index"))
