"""``/rubrics/<id>``: a rubric as a readable method document, with its version history."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue

from rubric_app.catalog_state import current_catalog
from rubric_app.db import db
from rubric_app.resources.view_data import resource_views
from rubric_app.rubric_pages.blueprint import bp
from rubric_app.rubric_pages.notice import broken_files_notice
from rubric_app.rubric_pages.view_data import (
    describe_scale,
    describe_sections,
    scoring_method,
)
from rubric_app.rubric_versions import rubric_of, versions_of
from rubric_app.vocabulary import AUDIENCE_LABELS


@bp.get("/rubrics/<rubric_id>")
def rubric(rubric_id: str) -> ResponseReturnValue:
    """Show a rubric's sections, items, scales, scoring, sources and version history."""
    catalog = current_catalog()
    versions = versions_of(db.session, rubric_id)
    wanted = request.args.get("version")
    if wanted:
        stored = next((v for v in versions if v.version == wanted), None)
        if stored is None:
            abort(404)
        shown = rubric_of(stored)
    else:
        current = catalog.get(rubric_id)
        if current is None:
            if not versions:
                abort(404)
            current = rubric_of(versions[-1])
        shown = current
    return render_template(
        "rubric_pages/rubric.html",
        rubric=shown,
        audience=", ".join(AUDIENCE_LABELS[a] for a in shown.audience),
        sections=describe_sections(shown, catalog),
        scales=[(scale, describe_scale(scale)) for scale in shown.scales.values()],
        method=scoring_method(shown),
        levels=shown.scoring.levels,
        sources=resource_views(catalog, shown.sources),
        versions=[
            {
                "version": v.version,
                "loaded": v.created_at,
                "hash": v.content_hash[:12],
                "current": v.version == shown.version,
            }
            for v in reversed(versions)
        ],
        item_count=sum(len(section.items) for section in shown.sections),
        library_url=url_for("resources.index"),
        broken_files=broken_files_notice(),
    )
