"""The job pages: a job's status (refreshing itself while it runs) and the file it made.

While a job waits or runs, its page refreshes itself with the HTTP ``Refresh`` header (no
JavaScript, which the CSP forbids inline anyway), and offers "Stop refreshing" (``?refresh=off``)
as WCAG 2.2.1 asks of any timed refresh; a ``<meta http-equiv="refresh">`` would offer no
such switch and is what axe's meta-refresh rule refuses.

Only the user who started a job sees it; anyone else, signed in or not, gets 404, as for
anything they may not see (``rubric_app.access``). A job's file is served only until its link
expires, and only while the job's own check still allows it (``file_allowed`` of its kind);
once it does not, the file is deleted and the page says it was withdrawn.
"""

from __future__ import annotations

import mimetypes

from flask import (
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from rubric_app.db import db
from rubric_app.jobs.blueprint import bp

from . import operations
from .files import job_file
from .models import Job
from .registry import job_kind
from .view_data import job_view

#: Per job kind: the name a downloaded file gets, from the job's params.
DOWNLOAD_NAMES = {"state_reports_zip": "reports.zip"}


def refresh_wanted() -> bool:
    """Return whether the page should refresh itself (the user did not switch it off)."""
    return request.args.get("refresh", "") != "off"


def with_refresh(response: Response, seconds: int, active: bool) -> Response:
    """Make ``response`` refresh itself every ``seconds`` while ``active`` and wanted."""
    response.headers["Cache-Control"] = "no-store"
    if active and refresh_wanted():
        response.headers["Refresh"] = str(seconds)
    return response


def _own_job_or_404(job_id: int) -> Job:
    job = operations.job_for_user(db.session, job_id, current_user.id)
    if job is None:
        abort(404)
    return job


@bp.get("/jobs/<int:job_id>")
@login_required
def status(job_id: int) -> ResponseReturnValue:
    """Show a job's state and progress; refresh every few seconds until it ends."""
    return _status_page(_own_job_or_404(job_id))


def _status_page(job: Job, status_code: int = 200) -> ResponseReturnValue:
    path = job_file(current_app, job)
    kind = job_kind(job.kind)
    withdrawn = operations.is_withdrawn(job) or (
        path is not None and kind is not None and not kind.file_allowed(db.session, job)
    )
    view = job_view(job, has_file=path is not None, withdrawn=withdrawn)
    seconds = int(current_app.config["JOB_PAGE_REFRESH"])
    response = current_app.make_response(
        (
            render_template(
                "jobs/status.html",
                job=view,
                refresh=seconds if refresh_wanted() else 0,
                page_url=url_for("jobs.status", job_id=job.id),
            ),
            status_code,
        )
    )
    return with_refresh(response, seconds, view.active)


@bp.get("/jobs/<int:job_id>/file")
@login_required
def download(job_id: int) -> ResponseReturnValue:
    """Send the file the job made, while its link works (the status page with 410 after)."""
    job = _own_job_or_404(job_id)
    if job.state == "done" and operations.is_expired(job):
        return _status_page(job, 410)
    path = job_file(current_app, job)
    kind = job_kind(job.kind)
    if job.state != "done" or path is None or kind is None:
        abort(404)
    if not kind.file_allowed(db.session, job):
        # Access ended after the file was made (no longer a member of the advocate, a share
        # revoked): the file is deleted, not kept until it expires, and the page says why.
        operations.withdraw(job)
        db.session.commit()
        path.unlink(missing_ok=True)
        return _status_page(job, 410)
    return send_file(
        path,
        mimetype=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
        as_attachment=True,
        download_name=str(job.params.get("file_name") or DOWNLOAD_NAMES.get(job.kind, "file")),
        max_age=0,
    )
