"""Signed-out posts: keep the posted section as a draft and send the user to sign in.

A session can end while someone is typing; their post must not be lost. Without a signed-in
user nobody is known yet, so drafts kept this way are rate limited per client address.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, flash, redirect, request, url_for
from limits import parse as parse_limit
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.wrappers import Response

from rubric_app.assessments import rubric_for
from rubric_app.db import db
from rubric_app.models import Assessment
from rubric_app.questionnaire import restore
from rubric_app.questionnaire.forms import flat_form_data


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


def keep_and_sign_in(assessment_id: int, section_id: str) -> Response:
    """The session has ended: keep the posted section as a draft, send the user to sign in."""
    session = db.session
    assessment = session.get(Assessment, assessment_id)
    next_url = url_for("questionnaire.section", assessment_id=assessment_id, section_id=section_id)
    if assessment is not None and _may_keep_anonymous_draft():
        rubric = rubric_for(assessment)
        try:
            section = rubric.section(section_id)
        except KeyError:
            section = None
        if section is not None:
            fields = restore.section_fields(rubric, section, flat_form_data(request.form))
            key = restore.keep_draft(
                session,
                assessment_id=assessment_id,
                section_id=section_id,
                fields=fields,
                purpose="signin",
            )
            session.commit()
            next_url += "?" + urlencode({"restore": key})
            flash(
                "Your session had ended, so nothing was saved yet. Sign in again: "
                "we kept what you typed.",
                "warning",
            )
    return signin_redirect(next_url)
