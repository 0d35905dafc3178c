"""The questionnaire blueprint: list, start, task list, section pages, autosave, conflicts,
review, submit, reopen and snapshots.

Every route loads its assessment through ``rubric_app.access``; writes go through
``rubric_app.assessments`` and each request commits once. The section page works without
JavaScript (Save, Save and continue); ``static/js/questionnaire.js`` adds autosave and skip
logic on top. A save never silently overwrites a teammate's answer, and a save that cannot go
through (expired session, expired form, conflict) keeps what was typed; a signed-out post is
given back only in the browser that posted it (``signin_drafts``).

The routes live in view modules by subject; importing them here attaches them to ``bp``
(which ``create_app`` registers) and registers the CSRF recovery for the POST endpoints.
"""

from __future__ import annotations

from rubric_app.questionnaire import (
    conflict_views,
    csrf_recovery,
    overview_views,
    section_views,
    signin_drafts,
    start_views,
    submit_views,
)
from rubric_app.questionnaire.blueprint import bp

__all__ = [
    "bp",
    "conflict_views",
    "csrf_recovery",
    "overview_views",
    "section_views",
    "signin_drafts",
    "start_views",
    "submit_views",
]
