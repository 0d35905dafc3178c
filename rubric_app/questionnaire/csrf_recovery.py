"""Expired forms and ended sessions on the questionnaire's POST endpoints.

A post whose CSRF token is missing or stale must keep what was typed: the section page is
re-rendered from the post (or kept as a draft behind a sign-in when the session has ended),
autosave answers in JSON, and the other forms send the user back with a notice. Registered,
per endpoint, through ``rubric_app.security.csrf_recovery`` when this module is imported.
"""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from rubric_app.access import assessment_or_404
from rubric_app.assessments import rubric_for
from rubric_app.db import db
from rubric_app.questionnaire.helpers import section_or_404
from rubric_app.questionnaire.section_views import render_posted
from rubric_app.questionnaire.signin_drafts import keep_and_sign_in, signin_redirect
from rubric_app.security import csrf_recovery


def csrf_failed(error: CSRFError) -> ResponseReturnValue:
    """A questionnaire form posted with a missing or stale token: keep what was posted.

    Registered through ``rubric_app.security.csrf_recovery`` for the questionnaire's POST
    endpoints only. Without a session the token is always missing, so this is also where an
    ended session shows up.
    """
    try:
        return _recover_from_csrf()
    except HTTPException as refusal:
        # This runs inside an error handler, where an abort() would become a 500: answer the
        # 404 or 403 through its own handler instead.
        return current_app.handle_http_exception(refusal)


def _recover_from_csrf() -> ResponseReturnValue:
    args = request.view_args or {}
    assessment_id = args.get("assessment_id")
    signed_in = bool(current_user.is_authenticated)
    if request.endpoint == "questionnaire.autosave":
        if not signed_in:
            return jsonify(status="error", reason="signin", message="You are signed out."), 401
        return jsonify(status="error", reason="csrf", message="This page has expired."), 400
    if request.endpoint == "questionnaire.section" and assessment_id is not None:
        section_id = str(args.get("section_id", ""))
        if not signed_in:
            return keep_and_sign_in(int(assessment_id), section_id)
        assessment = assessment_or_404(db.session, current_user, int(assessment_id), "edit")
        rubric = rubric_for(assessment)
        sect = section_or_404(rubric, section_id)
        return render_posted(
            assessment,
            rubric,
            sect,
            "This page had expired, so nothing was saved yet. We kept what you typed; "
            "review it and press Save.",
            400,
        )
    if assessment_id is not None:
        target = url_for("questionnaire.overview", assessment_id=assessment_id)
    elif request.endpoint == "questionnaire.new":
        target = url_for("questionnaire.new")
    else:
        target = url_for("questionnaire.index")
    if not signed_in:
        return signin_redirect(target)
    flash("That form had expired. Please try again.", "warning")
    return redirect(target)


for _endpoint in (
    "questionnaire.new",
    "questionnaire.section",
    "questionnaire.autosave",
    "questionnaire.conflicts",
    "questionnaire.submit_assessment",
    "questionnaire.reopen_assessment",
):
    csrf_recovery(_endpoint)(csrf_failed)
