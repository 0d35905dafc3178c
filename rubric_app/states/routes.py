"""State dashboard pages: the roll-up over assessments shared with a state advocate, and exports.

Only members of a *verified* state advocate organization, working in it now, see its state's
dashboard; anyone else gets 404 (``rubric_app.access``). Members of an advocate organization that
a site administrator has not approved (yet) get a page that says so instead (403). The view
comes from ``view_filters``, its figures from ``figures.dashboard_figures`` (kept, shared by
another process, or counted by ``view_data.build_dashboard``: grouped SQL, suppression below
``SUPPRESSION_K``); pages only format them.

Why it is long: every dashboard page and export shares the verification gate and the
suppression notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from rubric_app import audit
from rubric_app.access import can
from rubric_app.accounts.vetting import verification_status
from rubric_app.auth_session import current_org
from rubric_app.db import db
from rubric_app.exports.spreadsheet import csv_lines
from rubric_app.models import Organization
from rubric_app.render_limits import limit_renders
from rubric_app.states.blueprint import bp
from rubric_app.url_numbers import PAGE_MESSAGE, requested_page
from rubric_app.us_states import STATES
from rubric_app.vocabulary import (
    ENROLLMENT_BAND_LABELS,
    LOCALE_LABELS,
    ORG_KIND_GROUP_LABELS,
    SRO_MODEL_LABELS,
)

from . import charts, exports, privacy, resolved, rollup
from .figures import dashboard_figures
from .findings import Overview, SideViews, build_overview
from .histogram import bars_of
from .rollup import Scope
from .view_data import (
    Dashboard,
    Page,
    participants_page,
)
from .view_filters import FilterState, periods_of, resolve_filters


def _advocate(code: str) -> Organization:
    """Return the user's current organization if it may see ``code``'s dashboard, else 404.

    A pending or rejected advocate of that state is told why it has no dashboard (403).
    """
    org = current_org()
    if org is None or org.state != code.upper():
        abort(404)
    if not can(db.session, current_user, "view_dashboard", org):
        if org.kind == "state_advocate" and can(db.session, current_user, "view", org):
            abort(make_response(_awaiting_approval(org), 403))
        abort(404)
    return org


def _resolve_filters(org: Organization) -> FilterState:
    """The view this request's query string asks for (``view_filters``)."""
    k = int(current_app.config["SUPPRESSION_K"])
    return resolve_filters(db.session, org, request.args, k)


def _awaiting_approval(org: Organization) -> str:
    return render_template(
        "states/awaiting_approval.html",
        org=org,
        vetting=verification_status(org),
        state_name=STATES.get(org.state, org.state),
    )


def _report_url(person: rollup.Participant) -> str | None:
    """Link a named participant to its shared report; an unnamed one stays unlinked."""
    if person.org_name is None:
        return None
    return url_for("reports.report", assessment_id=person.assessment_id)


def _nothing_to_export(scope: Scope) -> bool:
    """Return whether this view offers no download: the small-number rule withholds it, or
    no shared assessment matches it (a file of headers only would tell nothing)."""
    organizations, _ = resolved.totals(db.session, scope)
    if not organizations:
        return True
    k = int(current_app.config["SUPPRESSION_K"])
    return privacy.view_withheld(db.session, scope, k, organizations) is not None


@bp.get("/states")
@login_required
def index() -> ResponseReturnValue:
    """Link a state advocate to its dashboard, or explain who can see dashboards."""
    org = current_org()
    advocate = (
        org if org is not None and can(db.session, current_user, "view_dashboard", org) else None
    )
    if advocate is None and org is not None and org.kind == "state_advocate":
        return _awaiting_approval(org), 403
    return render_template(
        "states/index.html",
        advocate=advocate,
        state_name=STATES.get(advocate.state, advocate.state) if advocate else "",
    )


@bp.get("/states/<code>/dashboard")
@login_required
def dashboard(code: str) -> ResponseReturnValue:
    """Show the state roll-up for the current filters."""
    org = _advocate(code)
    state = _resolve_filters(org)
    k = int(current_app.config["SUPPRESSION_K"])
    page_size = int(current_app.config["PAGE_SIZE"])
    page = requested_page()
    if page is None:
        # Like the filters: ignored with a message (page 1), never an error page.
        state = replace(state, problems=(*state.problems, f"{PAGE_MESSAGE} Showing page 1."))
        page = 1
    periods = periods_of(state)
    kept = dashboard_figures(db.session, org.state, state.scope, k, periods)
    built = kept.dashboard
    pages = max(1, -(-built.listed // page_size))
    people: tuple[rollup.Participant, ...] = ()
    # A withheld or empty view lists nobody (and how many pages a withheld one would have
    # would tell how many assessments it holds): no page is past its end.
    if built.withheld is None and not built.empty:
        if page > pages:
            # Past the end: the last page, with a message, like any other value it cannot show.
            note = (
                f"There is no page {page} of participating organizations: "
                f"showing page {pages}, the last."
            )
            state = replace(state, problems=(*state.problems, note))
            page = pages
        people = participants_page(db.session, state.scope, Page(page, page_size))
    total = built.assessments or 0
    params = state.scope.query_params()
    overview = _overview(built, periods, kept.side)
    return render_template(
        "states/dashboard.html",
        overview=overview,
        **_overview_charts(overview),
        participants_open="page" in request.args,
        org=org,
        state_name=STATES.get(org.state, org.state),
        dashboard=built,
        charts={row.key: bars_of(row) for row in built.distributions},
        filters=state,
        values=state.scope.filters,
        participants=[(p, _report_url(p)) for p in people],
        page=min(page, pages),
        pages=pages,
        total=total,
        unlisted=total - built.listed,
        prev_url=url_for("states.dashboard", code=org.state, **params, page=page - 1)
        if page > 1
        else None,
        next_url=url_for("states.dashboard", code=org.state, **params, page=page + 1)
        if page < pages
        else None,
        export_urls={
            "csv": url_for("states.export_csv", code=org.state, **params),
            "xlsx": url_for("states.export_xlsx", code=org.state, **params),
            "pdf": url_for("states.summary_pdf", code=org.state, **params),
            "one_page": url_for("states.summary_one_page", code=org.state, **params),
            "reports_zip": url_for("states.reports_zip", code=org.state, **params),
        },
        kind_labels=ORG_KIND_GROUP_LABELS,
        band_labels=ENROLLMENT_BAND_LABELS,
        locale_labels=LOCALE_LABELS,
        sro_labels=SRO_MODEL_LABELS,
    )


def _overview(
    built: Dashboard, periods: Sequence[str], side: SideViews | None = None
) -> Overview | None:
    """Return the findings and side views of a dashboard with figures to show, else None.

    ``periods``: the periods the advocate can choose, newest first. An empty view has none:
    each finding would only say that no figure reaches the small-number rule, which is not why.
    """
    if built.withheld is not None or built.empty:
        return None
    return build_overview(db.session, built, periods, side)


def _overview_charts(overview: Overview | None) -> dict[str, Any]:
    """Return the heatmap, trend chart and their data tables for the templates."""
    if overview is None:
        return {}
    return {
        "heatmap": charts.heatmap(overview.steps, overview.peers),
        "peer_rows": charts.table_rows(overview.steps, overview.peers),
        "trend_chart": charts.trend_chart(overview.steps, overview.trend),
        "trend_rows": charts.table_rows(overview.steps, overview.trend),
    }


def _file_stem(scope: Scope) -> str:
    """The download's file name without its suffix: state, rubric, period and every other
    filter set, so two views' files never take each other's name in a downloads folder."""
    parts = [scope.state.lower(), scope.rubric_key, scope.filters.period or "all-periods"]
    parts += [value for name, value in scope.filters.as_params().items() if name != "period"]
    return "-".join(part.replace(" ", "_") for part in parts)


def _record_export(org: Organization, scope: Scope, fmt: str) -> None:
    audit.record(
        db.session,
        "state.export",
        user_id=current_user.id,
        org_id=org.id,
        target=f"state:{org.state}",
        format=fmt,
        rubric=scope.rubric_key,
        filters=scope.filters.as_params(),
    )
    db.session.commit()


@bp.get("/states/<code>/export.csv")
@login_required
@limit_renders
def export_csv(code: str) -> ResponseReturnValue:
    """Download every shared answer in scope, one row per assessment, item and dimension."""
    org = _advocate(code)
    scope = _resolve_filters(org).scope
    if _nothing_to_export(scope):
        return redirect(url_for("states.dashboard", code=org.state, **scope.query_params()))
    _record_export(org, scope, "csv")
    lines = csv_lines(exports.ANSWER_HEADER, exports.answer_rows(db.session, scope))
    response = Response(stream_with_context(db.closing_session(lines)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{_file_stem(scope)}.csv"'
    return response


@bp.get("/states/<code>/export.xlsx")
@login_required
@limit_renders
def export_xlsx(code: str) -> ResponseReturnValue:
    """Download a workbook: the summary (small cells hidden) and every shared answer."""
    org = _advocate(code)
    state = _resolve_filters(org)
    scope = state.scope
    # The page's figures: kept ones when the page (or the worker) counted this view already.
    k = int(current_app.config["SUPPRESSION_K"])
    built = dashboard_figures(db.session, org.state, scope, k, periods_of(state)).dashboard
    if built.withheld is not None or built.empty:
        return redirect(url_for("states.dashboard", code=org.state, **scope.query_params()))
    data = exports.workbook(
        built,
        exports.answer_rows(db.session, scope),
        advocate=org.name,
        generated=dt.datetime.now(dt.UTC),
    )
    _record_export(org, scope, "xlsx")
    response = Response(
        data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{_file_stem(scope)}.xlsx"'
    return response


def _summary_pdf(code: str, template: str, suffix: str, fmt: str) -> ResponseReturnValue:
    """Render one of the state summary PDFs for the current filters (small cells hidden)."""
    from rubric_app.reports.pdf import render_template_pdf

    org = _advocate(code)
    state = _resolve_filters(org)
    scope = state.scope
    # The page's figures and side views, so the summary says what the page says.
    k = int(current_app.config["SUPPRESSION_K"])
    kept = dashboard_figures(db.session, org.state, scope, k, periods_of(state))
    built = kept.dashboard
    overview = _overview(built, periods_of(state), kept.side)
    context: dict[str, Any] = {
        "org_name": org.name,
        "state_name": STATES.get(org.state, org.state),
        "dashboard": built,
        "overview": overview,
        **_overview_charts(overview),
        "generated": dt.datetime.now(dt.UTC),
        "kind_labels": ORG_KIND_GROUP_LABELS,
        "band_labels": ENROLLMENT_BAND_LABELS,
        "locale_labels": LOCALE_LABELS,
        "sro_labels": SRO_MODEL_LABELS,
    }
    pdf = render_template_pdf(
        template,
        title=f"{context['state_name']} state summary: {built.rubric_title}",
        **context,
    )
    _record_export(org, scope, fmt)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{_file_stem(scope)}-{suffix}.pdf"'
    return response


@bp.get("/states/<code>/summary.pdf")
@login_required
@limit_renders
def summary_pdf(code: str) -> ResponseReturnValue:
    """Download the state summary as a PDF (the dashboard's figures, small cells hidden)."""
    return _summary_pdf(code, "states/summary_pdf.html", "summary", "pdf")


@bp.get("/states/<code>/summary-one-page.pdf")
@login_required
@limit_renders
def summary_one_page(code: str) -> ResponseReturnValue:
    """Download a one-page public summary: the rule, the findings, the step figures; no names."""
    return _summary_pdf(code, "states/summary_one_page_pdf.html", "one-page", "pdf-one-page")


@bp.post("/states/<code>/reports.zip")
@login_required
def reports_zip(code: str) -> ResponseReturnValue:
    """Start building a ZIP of every report in this view; follow it on the job's page."""
    from rubric_app.jobs.queue import dispatch

    from .bulk_reports import queue_reports_zip

    org = _advocate(code)
    scope = _resolve_filters(org).scope
    if _nothing_to_export(scope):
        return redirect(url_for("states.dashboard", code=org.state, **scope.query_params()))
    requested = queue_reports_zip(
        db.session, user=current_user, scope=scope, file_stem=_file_stem(scope)
    )
    _record_export(org, scope, "zip")
    if requested.dispatch:
        dispatch(requested.job.id)
    return redirect(url_for("jobs.status", job_id=requested.job.id), code=303)
