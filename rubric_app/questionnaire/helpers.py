"""Small lookups shared by the questionnaire's view modules: answers from stored states, a
section or 404, optional links to other features, user names by id.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, url_for
from sqlalchemy import select
from werkzeug.routing import BuildError

from rubric_app.assessments import ItemState
from rubric_app.db import db
from rubric_app.models import User
from rubric_app.rubrics.model import Rubric, Section


def answers_of(states: dict[str, ItemState]) -> dict[str, Any]:
    """The answers the scoring functions take, from stored item states."""
    return {item_id: state.to_answer() for item_id, state in states.items()}


def section_or_404(rubric: Rubric, section_id: str) -> Section:
    """The rubric's section with this id, or a 404."""
    try:
        return rubric.section(section_id)
    except KeyError:
        abort(404)


def optional_url(endpoint: str, **values: Any) -> str | None:
    """A URL for an endpoint another feature provides, or None while it does not exist."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def user_names(user_ids: set[int | None]) -> dict[int, str]:
    """Display names by user id; ``None`` ids (nobody recorded) are skipped."""
    ids = [user_id for user_id in user_ids if user_id is not None]
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
