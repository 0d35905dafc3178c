"""The guidance library page ``/resources``: every resource, filterable by kind and action step."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from rubric_app.catalog_state import current_catalog
from rubric_app.resources.blueprint import bp

from .forms import LibraryQuery
from .view_data import KIND_LABELS, library_entries, step_options


@bp.get("/resources")
def index() -> ResponseReturnValue:
    """List the library; ``?kind=`` and ``?step=`` filter it (plain GET, works without JS)."""
    catalog = current_catalog()
    steps = step_options(catalog)
    step_titles = {step.id: step.title for step in steps}
    query = LibraryQuery(formdata=request.args)
    kind, unknown_kind = query.value_and_ignored(query.kind, tuple(KIND_LABELS))
    step, unknown_step = query.value_and_ignored(query.step, tuple(step_titles))
    # An unknown filter value (an old bookmark, a typo) shows everything, with a note.
    ignored = [value for value in (unknown_kind, unknown_step) if value]
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
