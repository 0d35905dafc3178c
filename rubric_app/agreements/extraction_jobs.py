"""Reading an uploaded agreement into clauses, in the background.

The upload page stores the checked file as "pending" and queues one job per document (kind
``agreement_extraction``, key ``agreement-extraction:<document id>``, so asking twice for the
same document gives the same job). The job reads the stored bytes with
``operations.extract_clauses`` and records the clauses, or the reason it could not: a refusal
that no retry can change (a scan, a damaged or password-protected PDF) fails the job at once
with the same message an upload used to show; any other error is retried by the queue, and
recorded on the document when the last attempt fails too. Pages read the document's
``extraction_state``, never the job.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from rubric_app import documents
from rubric_app.jobs import operations as job_operations
from rubric_app.jobs import registry
from rubric_app.jobs.models import Job
from rubric_app.models import AgreementDocument

from . import operations

KIND = "agreement_extraction"


def job_key(document_id: int) -> str:
    """Return the job key of reading document ``document_id``."""
    return f"agreement-extraction:{document_id}"


def queue_extraction(
    session: Session, document: AgreementDocument, *, user_id: int | None
) -> job_operations.Requested:
    """Return the job that reads ``document`` (queued if need be); the caller commits, then
    dispatches it when ``dispatch`` says so."""
    return job_operations.request_job(
        session,
        key=job_key(document.id),
        kind=KIND,
        params={"document_id": document.id},
        user_id=user_id,
        # SQLite hands a deleted document's id to the next one, so a finished job under this
        # key may have read another file: run it again (it does nothing for a read document).
        rerun_done=True,
    )


def unexpected_failure_message(error: Exception) -> str:
    """What the document page says when reading stopped on an error no retry cured."""
    return (
        f"Reading it stopped with an unexpected error ({type(error).__name__}). Delete it and "
        "upload it again; if that fails too, tell the site administrator."
    )


def read_agreement(session: Session, job: Job, progress: registry.Progress) -> str:
    """Read the job's document into clauses, unless it has been read; return ""."""
    document = operations.document_to_read(session, int(job.params.get("document_id", 0)))
    if document is None:
        raise registry.JobFailed("The document was deleted before it was read.")
    if document.extraction_state == "done":
        return ""  # a second delivery of work already done
    operations.start_extraction(session, document)
    progress(10)  # commits: the document page now says it is being read
    limits = documents.Limits(max_bytes=int(current_app.config["DOCUMENT_MAX_BYTES"]))
    try:
        extracted = operations.extract_clauses(document.content, limits)
    except documents.DocumentError as error:
        operations.record_extraction_failure(session, document, error.message)
        session.commit()
        raise registry.JobFailed(error.message) from error
    except Exception as error:
        # The runner retries while the queue has attempts left (JOB_RETRIES after the first);
        # on the last one the document must say it failed, or its page would wait forever.
        if job.attempts > int(current_app.config["JOB_RETRIES"]):
            session.rollback()
            operations.record_extraction_failure(
                session, document, unexpected_failure_message(error)
            )
            session.commit()
        raise
    operations.store_clauses(session, document, extracted)
    return ""


registry.register(KIND, read_agreement, title="Reading an agreement")
