"""Home page, ``/healthz`` and ``/favicon.ico``."""

from __future__ import annotations

from flask import current_app, jsonify, render_template, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from rubric_app.auth_session import current_org
from rubric_app.catalog_state import broken_files, current_catalog
from rubric_app.db import db
from rubric_app.main.blueprint import bp
from rubric_app.models import Assessment, RubricVersion
from rubric_app.rubrics.model import Rubric
from rubric_app.vocabulary import AUDIENCE_LABELS


def _display_order(rubric: Rubric) -> tuple[int, str]:
    # Districts first (the main users), then state policy, afterschool, campus.
    order = {"district": 0, "state": 1, "afterschool_program": 2, "campus": 3}
    return (min(order.get(audience, 9) for audience in rubric.audience), rubric.title)


@bp.get("/")
def home() -> ResponseReturnValue:
    """List the rubrics, with what each is for."""
    catalog = current_catalog()
    rubrics = [
        {
            "id": rubric.id,
            "title": rubric.title,
            "summary": rubric.summary,
            "audience": ", ".join(AUDIENCE_LABELS[audience] for audience in rubric.audience),
            "version": rubric.version,
            "sections": len(rubric.sections),
            "rated_items": sum(1 for item in rubric.items if item.scored),
        }
        for rubric in sorted(catalog.rubrics.values(), key=_display_order)
    ]
    return render_template("main/home.html", rubrics=rubrics, recent=_recent_work())


def _recent_work() -> list[dict[str, object]]:
    """The current organization's latest assessments, so a returning user can carry on."""
    org = current_org()
    if org is None:
        return []
    rows = db.session.execute(
        select(Assessment.id, Assessment.title, Assessment.period, Assessment.status)
        .where(Assessment.org_id == org.id)
        .order_by(Assessment.updated_at.desc())
        .limit(5)
    )
    return [
        {
            "title": title,
            "period": period,
            "status": "Submitted" if status == "submitted" else "Draft",
            "url": url_for("questionnaire.overview", assessment_id=assessment_id),
        }
        for assessment_id, title, period, status in rows
    ]


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Report whether the database answers, how many rubric versions are stored, broken files.

    A broken rubric file answers 200 with ``"status": "degraded"``: the instance still serves
    every other rubric and every stored version, and the same file is broken on every instance,
    so a 503 would only make a load balancer take the whole site out of rotation. Monitoring
    should alert on the body's status; only an unreachable database answers 503.
    """
    try:
        db.session.execute(select(1))
        versions = db.session.scalar(select(func.count()).select_from(RubricVersion)) or 0
    except SQLAlchemyError as error:
        return jsonify(status="error", database="unreachable", error=type(error).__name__), 503
    broken = broken_files()
    if not broken:
        return jsonify(status="ok", database="ok", rubric_versions=versions)
    return jsonify(
        status="degraded",
        database="ok",
        rubric_versions=versions,
        # File names only (never server paths or file content: /healthz needs no sign-in).
        broken_rubric_files=[
            {"file": file.name, "line": file.line, "code": file.code, "errors": file.errors}
            for file in broken
        ],
    )


@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """The site's icon at the address browsers ask for when a page names none (a PDF, JSON)."""
    return send_from_directory(
        current_app.static_folder or "static",
        "favicon.ico",
        mimetype="image/vnd.microsoft.icon",
        max_age=7 * 24 * 3600,
    )
