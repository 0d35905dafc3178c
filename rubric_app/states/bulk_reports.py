""" "Download all reports": a ZIP of the report PDFs of every shared assessment in a view.

The reports in a ZIP are exactly those the dashboard links for the same filters: the
assessments in scope (``rollup.scope_select``: submitted, live share to the advocate, its
state, the rubric and filters) whose organization agreed to be named in lists (the others
stay unnamed, as on the dashboard, so their reports are not bundled), that the user may view
(``access.can``), and none at all when the view is withheld by the small-number
rule. The list is decided again when the job runs, so a share revoked in the meantime is left
out, and a user who no longer works for the advocate gets a failed job, not a file. Each
download checks the list again: once a report in the file may no longer be seen (its share
revoked, its organization no longer named, the view withheld), the file is withdrawn.

The ZIP is built by a background job (``state_reports_zip``) with progress per report ("12 of
40 reports added."); each PDF comes from the PDF cache (and is cached if it was not). Once
done, its page says how many reports the file holds and leads back to the dashboard view it
was asked from. The file's link works for ``JOB_FILE_HOURS`` hours, for the user who asked
only (``rubric_app.jobs.routes``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.access import can
from rubric_app.catalog_state import current_catalog
from rubric_app.jobs import operations, registry
from rubric_app.jobs.files import new_file_name, open_temp, publish
from rubric_app.jobs.models import Job
from rubric_app.models import Assessment, Organization, User
from rubric_app.reports.pdf_cache import pdf_for
from rubric_app.reports.pdf_documents import ASSESSMENT_PDFS, file_stem
from rubric_app.reports.view_data import build_report
from rubric_app.us_states import STATES

from . import privacy, rollup
from .rollup import Filters, Scope

KIND = "state_reports_zip"
#: The job params' key for the ids of the assessments whose reports the ZIP holds.
BUNDLED = "bundled"


def allowed_assessment_ids(session: Session, user: User, scope: Scope) -> list[int]:
    """Return the ids of the reports ``user`` may bundle for ``scope``, in listing order."""
    organizations, _ = rollup.totals(session, scope)
    k = int(current_app.config["SUPPRESSION_K"])
    if privacy.view_withheld(session, scope, k, organizations) is not None:
        return []
    rows = rollup.scope_select(scope).subquery()
    stmt = (
        select(Assessment)
        .join(rows, rows.c.id == Assessment.id)
        .join(Organization, Organization.id == Assessment.org_id)
        .where(rows.c.named_in_lists.is_(True))
        .order_by(Organization.name, Assessment.period.desc(), Assessment.id)
    )
    return [
        assessment.id
        for assessment in session.scalars(stmt)
        if can(session, user, "view", assessment)
    ]


def _scope_params(scope: Scope) -> dict[str, Any]:
    return {
        "advocate_org_id": scope.advocate_org_id,
        "state": scope.state,
        "rubric_key": scope.rubric_key,
        "filters": {
            "kind": scope.filters.kind,
            "enrollment_band": scope.filters.enrollment_band,
            "locale": scope.filters.locale,
            "sro_model": scope.filters.sro_model,
            "period": scope.filters.period,
        },
    }


def _scope_of(params: dict[str, Any]) -> Scope:
    filters = params.get("filters") or {}
    return Scope(
        int(params["advocate_org_id"]),
        str(params["state"]),
        str(params["rubric_key"]),
        Filters(**{key: str(filters.get(key, "")) for key in Filters.__dataclass_fields__}),
    )


def queue_reports_zip(
    session: Session, *, user: User, scope: Scope, file_stem: str
) -> operations.Requested:
    """Return the ZIP job for ``user`` and ``scope`` (queued unless one is live for it).

    The key covers the user, the view and the revisions of the reports in it, so asking again
    while nothing changed returns the same job (and its file), and any change makes a new ZIP.
    """
    ids = allowed_assessment_ids(session, user, scope)
    revisions = session.execute(
        select(Assessment.id, Assessment.revision).where(Assessment.id.in_(ids))
    ).all()
    params = _scope_params(scope)
    content = json.dumps(
        [params, sorted((row.id, row.revision) for row in revisions)], sort_keys=True
    )
    digest = hashlib.sha256(content.encode()).hexdigest()[:24]
    return operations.request_job(
        session,
        key=f"zip:{user.id}:{digest}",
        kind=KIND,
        params={**params, "file_name": f"{file_stem}-reports.zip"},
        user_id=user.id,
    )


def _entry_name(stem: str, assessment: Assessment, used: set[str]) -> str:
    name = f"{stem}-report.pdf"
    if name in used:
        name = f"{stem}-{assessment.id}-report.pdf"
    used.add(name)
    return name


def build_reports_zip(session: Session, job: Job, progress: registry.Progress) -> registry.Made:
    """Write the ZIP of the job's reports; return its file name and how many it holds."""
    user = session.get(User, job.user_id) if job.user_id else None
    if user is None or not may_still_download(session, job):
        raise registry.JobFailed("You no longer have access to this state dashboard.")
    scope = _scope_of(job.params)
    ids = allowed_assessment_ids(session, user, scope)
    if not ids:
        raise registry.JobFailed(
            "No reports can be bundled for these filters (none are shared and named, or the "
            "view is withheld to protect privacy)."
        )
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    document = ASSESSMENT_PDFS["report"]
    cache_dir = Path(app.config["PDF_CACHE_DIR"])
    catalog = current_catalog()
    handle, temp_name = open_temp(app)
    used: set[str] = set()
    bundled: list[int] = []
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w") as bundle:
            for done, assessment_id in enumerate(ids, start=1):
                assessment = session.get(Assessment, assessment_id)
                if assessment is None:
                    continue
                report = build_report(session, assessment, catalog)
                pdf, _ = pdf_for(
                    cache_dir,
                    document.key(report),
                    prefix=document.prefix(report),
                    kind=document.name,
                    render=functools.partial(document.draw, report),
                )
                # PDFs are compressed already: storing them saves time and loses nothing.
                bundle.writestr(_entry_name(file_stem(report), assessment, used), pdf)
                bundled.append(assessment_id)
                added = f"{len(used)} of {_reports(len(ids))} added."
                progress(min(99, done * 100 // len(ids)), added)
        name = publish(app, temp_name, new_file_name(job, "zip"))
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    job.expires_at = operations.utcnow() + dt.timedelta(hours=int(app.config["JOB_FILE_HOURS"]))
    # What the file holds, so each download can check the advocate may still see all of it.
    job.params = {**job.params, BUNDLED: bundled}
    return registry.Made(
        name.name,
        f"{_reports(len(used))} in one ZIP: the report of each organization listed by name on "
        "the dashboard for these filters.",
    )


def _reports(count: int) -> str:
    return f"{count} report{'' if count == 1 else 's'}"


def back_to_dashboard(job: Job) -> tuple[str, str]:
    """Link a ZIP's page back to the dashboard view it was asked from."""
    scope = _scope_of(job.params)
    name = STATES.get(scope.state, scope.state)
    url = url_for("states.dashboard", code=scope.state, **scope.query_params())
    return f"Back to the {name} dashboard", url


def may_still_download(session: Session, job: Job) -> bool:
    """Return whether the job's user still works for the advocate that the ZIP is about and,
    once the ZIP is made, may still have every report in it: a share revoked, an organization
    that no longer agrees to be named or a view now withheld ends the file's link at once,
    not when it expires."""
    user = session.get(User, job.user_id) if job.user_id else None
    advocate = session.get(Organization, int(job.params.get("advocate_org_id", 0)))
    if user is None or advocate is None or not can(session, user, "view_dashboard", advocate):
        return False
    bundled = job.params.get(BUNDLED)
    if bundled is None:
        return True
    return set(bundled) <= set(allowed_assessment_ids(session, user, _scope_of(job.params)))


registry.register(
    KIND,
    build_reports_zip,
    title="Preparing a ZIP of the state's reports",
    done_title="The state's reports, in one ZIP",
    file_allowed=may_still_download,
    back=back_to_dashboard,
)
