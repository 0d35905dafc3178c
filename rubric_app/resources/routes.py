"""The guidance library page ``/resources``: every resource, filterable by kind and action step."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from rubric_app.catalog_state import current_catalog
from rubric_app.resources.blueprint import bp

from .view_data import KIND_LABELS, library_entries, step_options


@bp.get("/resources")
def index() -> ResponseReturnValue:
    """List the library; ``?kind=`` and ``?step=`` filter it (plain GET, works without JS)."""
    catalog = current_catalog()
    steps = step_options(catalog)
    step_titles = {step.id: step.title for step in steps}
    kind = request.args.get("kind", "")
    step = request.args.get("step", "")
    # An unknown filter value (an old bookmark, a typo) shows everything, with a note.
    ignored = [
        value
        for value, known in ((kind, KIND_LABELS), (step, step_titles))
        if value and value not in known
    ]
    kind = kind if kind in KIND_LABELS else ""
    step = step if step in step_titles else ""
    entries = library_entries(catalog, kind=kind or None, step=step or None)
    return render_template(
        "resources/index.html",
        entries=entries,
        kinds=list(KIND_LABELS.items()),
        steps=steps,
        step_titles=step_titles,
        kind=kind,
        step=step,
        ignored=ignored,
        total=len(catalog.resources),
    )
