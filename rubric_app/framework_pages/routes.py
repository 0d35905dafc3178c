"""``/frameworks`` and ``/frameworks/<id>``: the state laws and funding conditions, as method pages.

Public like the rubric method pages: they describe what is checked and how, never anyone's
answers.
"""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue

from rubric_app.catalog_state import current_catalog
from rubric_app.framework_pages.blueprint import bp
from rubric_app.framework_pages.describe import (
    STATUS_LABELS,
    describe_requirements,
    jurisdiction_name,
    text_date_label,
)
from rubric_app.framework_state import current_frameworks


@bp.get("/frameworks")
def index() -> ResponseReturnValue:
    """List every framework with its jurisdiction, status and text date."""
    frameworks = sorted(
        current_frameworks().frameworks.values(),
        key=lambda f: (f.federal, jurisdiction_name(f)),
    )
    rows = [
        {
            "id": f.id,
            "title": f.title,
            "jurisdiction": jurisdiction_name(f),
            "status": f.status.capitalize(),
            "text_date": text_date_label(f),
            "requirements": len(f.requirements),
        }
        for f in frameworks
    ]
    return render_template("framework_pages/index.html", rows=rows)


@bp.get("/frameworks/<framework_id>")
def framework(framework_id: str) -> ResponseReturnValue:
    """Show a framework's requirements, each with its citation, source and mapped items."""
    shown = current_frameworks().frameworks.get(framework_id)
    if shown is None:
        abort(404)
    return render_template(
        "framework_pages/framework.html",
        framework=shown,
        jurisdiction=jurisdiction_name(shown),
        text_date=text_date_label(shown),
        status_label=STATUS_LABELS[shown.status],
        requirements=describe_requirements(shown, current_catalog()),
    )
