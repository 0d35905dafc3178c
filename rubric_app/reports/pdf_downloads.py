"""Answering a PDF download: the cached PDF at once, or a page saying it is being prepared.

No download renders inside the request any more (a report PDF takes seconds). On a cache miss
the route queues the PDF's job (``pdf_jobs.queue_pdf``: one job per cache key, whoever asks)
and answers 202 with a page that refreshes itself (``jobs.routes.with_refresh``: the HTTP
``Refresh`` header, which the user can switch off) until the PDF is there; if the job failed,
the page says why and offers to try again. With an in-process queue (``JOBS_IMMEDIATE``), or a
worker quicker than the request, the PDF is in the cache by the time the job is queued, and is
sent straight away.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Response, current_app, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from rubric_app import audit
from rubric_app.db import db
from rubric_app.jobs.queue import dispatch
from rubric_app.jobs.routes import refresh_wanted, with_refresh
from rubric_app.jobs.view_data import JobView, job_view
from rubric_app.models import Assessment

from .pdf_cache import cached_pdf
from .pdf_documents import AssessmentPdf
from .pdf_jobs import queue_pdf
from .view_data import Report


@dataclass(frozen=True)
class Preparing:
    """What the "being prepared" page shows."""

    label: str
    job: JobView

    @property
    def title_label(self) -> str:
        """The label starting a sentence: "Report PDF" (``capitalize`` would say "pdf")."""
        return self.label[:1].upper() + self.label[1:]

    refresh: int
    download_url: str
    retry_url: str
    report_url: str
    #: The job's status page, for the user who started the job (None for anyone else).
    status_url: str | None


def pdf_download(
    assessment: Assessment, report: Report, document: AssessmentPdf, file_stem: str
) -> ResponseReturnValue:
    """Send ``document`` of ``report`` from the cache, or queue it and say it is coming."""
    cache_dir = Path(current_app.config["PDF_CACHE_DIR"])
    key = document.key(report)
    pdf = cached_pdf(cache_dir, key)
    cached = pdf is not None
    if pdf is None:
        requested = queue_pdf(
            db.session,
            user_id=current_user.id,
            report=report,
            document=document,
            missing=True,
            retry=False,
        )
        db.session.commit()
        if requested.dispatch:
            dispatch(requested.job.id)
        pdf = cached_pdf(cache_dir, key)
        if pdf is None:
            return _preparing_page(assessment, document, requested.job.id)
    audit.record_export(
        db.session,
        user_id=current_user.id,
        org_id=assessment.org_id,
        assessment_id=assessment.id,
        format="pdf" if document.name == "report" else f"pdf-{document.name}",
        cached=cached,
    )
    db.session.commit()
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="{file_stem}-{document.file_name_end}.pdf"'
    )
    response.headers["X-PDF-Cache"] = "hit" if cached else "miss"
    return response


def _preparing_page(
    assessment: Assessment, document: AssessmentPdf, job_id: int
) -> ResponseReturnValue:
    from rubric_app.jobs.models import Job

    job = db.session.get(Job, job_id, populate_existing=True)
    assert job is not None
    seconds = int(current_app.config["JOB_PAGE_REFRESH"])
    preparing = Preparing(
        label=document.label,
        job=job_view(job, has_file=False),
        refresh=seconds if refresh_wanted() else 0,
        download_url=document.url(assessment.id),
        retry_url=url_for(
            "reports.prepare_pdf", assessment_id=assessment.id, document=document.name
        ),
        report_url=url_for("reports.report", assessment_id=assessment.id),
        status_url=url_for("jobs.status", job_id=job.id)
        if job.user_id == current_user.id
        else None,
    )
    response = current_app.make_response(
        (render_template("reports/pdf_preparing.html", preparing=preparing), 202)
    )
    response.headers["Retry-After"] = str(seconds)
    return with_refresh(response, seconds, preparing.job.active)


def retry_pdf(assessment: Assessment, report: Report, document: AssessmentPdf) -> None:
    """Queue ``document`` again (a failed job is reset; a live one is left alone); commit."""
    requested = queue_pdf(
        db.session, user_id=current_user.id, report=report, document=document, missing=True
    )
    db.session.commit()
    if requested.dispatch:
        dispatch(requested.job.id)
