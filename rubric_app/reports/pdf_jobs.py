"""PDFs made in the background: queued on submit and on a download that finds none cached.

The job kind ``assessment_pdf`` renders one of ``ASSESSMENT_PDFS`` of one assessment into the
PDF cache (``pdf_cache.pdf_for``, so the keys are the download's keys). Its job key is the cache
key, so asking again for a PDF that is queued, being drawn or drawn returns that job; once the
content or the templates change, the key changes and a new job is queued.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app
from sqlalchemy.orm import Session

from rubric_app.catalog_state import current_catalog
from rubric_app.jobs import operations, registry
from rubric_app.jobs.models import Job
from rubric_app.jobs.queue import dispatch
from rubric_app.models import Assessment

from .pdf_cache import pdf_for
from .pdf_documents import ASSESSMENT_PDFS, AssessmentPdf
from .view_data import Report, build_report

log = logging.getLogger(__name__)

KIND = "assessment_pdf"


def job_key(document: AssessmentPdf, report: Report) -> str:
    """Return the job key of ``document`` for ``report``: its cache key."""
    return f"pdf:{document.key(report)}"


def queue_pdf(
    session: Session,
    *,
    user_id: int | None,
    report: Report,
    document: AssessmentPdf,
    missing: bool = False,
    retry: bool = True,
) -> operations.Requested:
    """Return the job that puts ``document`` of ``report`` in the cache (queued if need be).

    ``missing``: the caller found no cached PDF, so a job that is done must run again (its
    file was pruned or removed). Without ``retry`` a failed job stays failed (and says why).
    """
    return operations.request_job(
        session,
        key=job_key(document, report),
        kind=KIND,
        params={"assessment_id": report.assessment_id, "document": document.name},
        user_id=user_id,
        rerun_done=missing,
        rerun_failed=retry,
    )


def prepare_after_submit(session: Session, assessment: Assessment, user_id: int | None) -> None:
    """Queue every PDF of a just-submitted assessment; commit and dispatch.

    Called by the submit view after the submit committed. The submit stands whatever happens
    here: a queue that cannot be reached is logged, and the first download queues the PDF.
    """
    if not current_app.config["PDF_PREPARE_ON_SUBMIT"]:
        return
    try:
        report = build_report(session, assessment, current_catalog())
        requested = [
            queue_pdf(session, user_id=user_id, report=report, document=document)
            for document in ASSESSMENT_PDFS.values()
        ]
        session.commit()
        for item in requested:
            if item.dispatch:
                dispatch(item.job.id)
    except Exception:  # the submit already succeeded; a failed pre-render must not undo it
        session.rollback()
        log.exception("Could not queue the PDFs of assessment %s", assessment.id)


def prepare_assessment_pdf(session: Session, job: Job, progress: registry.Progress) -> str:
    """Render the job's PDF into the cache, unless it is there; return its cache key."""
    assessment = session.get(Assessment, int(job.params.get("assessment_id", 0)))
    if assessment is None:
        raise registry.JobFailed("The assessment no longer exists.")
    document = ASSESSMENT_PDFS.get(str(job.params.get("document", "")))
    if document is None:
        raise registry.JobFailed("This server no longer makes that kind of PDF.")
    report = build_report(session, assessment, current_catalog())
    progress(20)
    key = document.key(report)
    pdf_for(
        Path(current_app.config["PDF_CACHE_DIR"]),
        key,
        prefix=document.prefix(report),
        kind=document.name,
        render=lambda: document.draw(report),
    )
    return key


def open_pdf_link(job: Job) -> tuple[str, str] | None:
    """Link a PDF job's page to where its PDF is downloaded (that route checks access)."""
    document = ASSESSMENT_PDFS.get(str(job.params.get("document", "")))
    assessment_id = int(job.params.get("assessment_id", 0))
    if document is None or not assessment_id:
        return None
    return f"Open the {document.label}", document.url(assessment_id)


registry.register(
    KIND,
    prepare_assessment_pdf,
    title="Preparing a PDF",
    done_title="The PDF is ready",
    back=open_pdf_link,
)
