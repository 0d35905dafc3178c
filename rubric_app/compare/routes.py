"""Comparison pages: choose two to four assessments, see them side by side, as CSV or PDF.

Every id goes through ``rubric_app.access.assessment_or_404``: an assessment the user may not
see answers 404, exactly like one that does not exist, so nothing leaks.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from rubric_app import audit
from rubric_app.access import assessment_or_404
from rubric_app.auth_session import current_org
from rubric_app.compare.blueprint import bp
from rubric_app.db import db
from rubric_app.exports.spreadsheet import csv_lines
from rubric_app.models import Assessment
from rubric_app.render_limits import limit_renders

from .crosswalk_view import ShownComparison, crosswalk_csv_rows, crosswalk_tables
from .export import csv_header, csv_rows
from .forms import CompareQuery
from .view_data import build_comparison, comparable_assessments


def _chooser(errors: list[str], selected: list[int]) -> ResponseReturnValue:
    org = current_org()
    choices = comparable_assessments(db.session, org) if org is not None else []
    status = 400 if errors else 200
    return render_template(
        "compare/index.html", choices=choices, errors=errors, selected=selected, org=org
    ), status


def _load() -> tuple[list[Assessment], list[str], list[int]]:
    query = CompareQuery(formdata=request.args)
    ids = query.ids.data
    if not query.validate():
        return [], list(query.ids.errors), ids
    return [assessment_or_404(db.session, current_user, i, "view") for i in ids], [], ids


def _record(assessments: list[Assessment], fmt: str) -> None:
    org = current_org()
    audit.record(
        db.session,
        "compare.export" if fmt != "html" else "compare.view",
        user_id=current_user.id,
        org_id=org.id if org else None,
        target="assessments:" + ",".join(str(a.id) for a in assessments),
        format=fmt,
    )
    db.session.commit()


@bp.get("/compare")
@login_required
@limit_renders
def index() -> ResponseReturnValue:
    """Without ids, the chooser; with 2-4 ids, the comparison."""
    if not CompareQuery(formdata=request.args).asked():
        return _chooser([], [])
    assessments, errors, ids = _load()
    if errors:
        return _chooser(errors, ids)
    view = build_comparison(db.session, assessments, current_org())
    query = ",".join(str(a.id) for a in assessments)
    crosswalks = crosswalk_tables(db.session, assessments, view)
    return render_template("compare/compare.html", view=view, query=query, crosswalks=crosswalks)


@bp.get("/compare.csv")
@login_required
@limit_renders
def export_csv() -> ResponseReturnValue:
    """Download the comparison as CSV (scores and differences as numbers)."""
    assessments, errors, ids = _load()
    if errors:
        return _chooser(errors, ids)
    view = build_comparison(db.session, assessments, current_org())
    _record(assessments, "csv")
    rows = [
        *csv_rows(view),
        *crosswalk_csv_rows(view, crosswalk_tables(db.session, assessments, view)),
    ]
    response = Response(csv_lines(csv_header(view), rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="comparison.csv"'
    return response


@bp.get("/compare.pdf")
@login_required
@limit_renders
def export_pdf() -> ResponseReturnValue:
    """Download the comparison as a PDF, from the cache when nothing compared changed."""
    from rubric_app.reports.pdf import render_template_pdf
    from rubric_app.reports.pdf_cache import comparison_key, comparison_prefix, pdf_for

    assessments, errors, ids = _load()
    if errors:
        return _chooser(errors, ids)
    view = build_comparison(db.session, assessments, current_org())
    crosswalks = crosswalk_tables(db.session, assessments, view)
    pdf, cached = pdf_for(
        Path(current_app.config["PDF_CACHE_DIR"]),
        # The key covers the crosswalk lines too: they follow the loaded crosswalk files.
        comparison_key(
            [(a.id, a.revision) for a in assessments], ShownComparison(view, crosswalks)
        ),
        prefix=comparison_prefix([a.id for a in assessments]),
        kind="compare",
        render=lambda: render_template_pdf(
            "compare/compare_pdf.html",
            title="Comparison: " + " / ".join(c.label for c in view.columns),
            view=view,
            crosswalks=crosswalks,
        ),
    )
    _record(assessments, "pdf")
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="comparison.pdf"'
    response.headers["X-PDF-Cache"] = "hit" if cached else "miss"
    return response
