"""Reading an uploaded agreement into clauses, in the background.

The upload page stores the checked file as "pending" and queues one job per document (kind
``agreement_extraction``, key ``agreement-extraction:<document id>``, so asking twice for the
same document gives the same job). The job reads the stored bytes with
``operations.extract_clauses`` and records the clauses, or the reason it could not: a refusal
that no retry can change (a scan, a damaged or password-protected PDF) fails the job at once
with the same message an upload used to show; any other error is retried by the queue, and
recorded on the document when the last attempt fails too. Pages read the document's
``extraction_state``, never the job. Marking the document and storing what was read each take
the assessment's lock (``lock_assessment``), so a job delivered twice and run by two workers
at once stores one set of clauses.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app import documents
from rubric_app.assessments import AssessmentGone, lock_assessment
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
    """Read the job's document into clauses, unless it has been read; return "".

    Two short transactions under the assessment's lock (``lock_assessment``) hold what they
    check: one marks the document as being read, the other stores the clauses (or the reason)
    only if no other run stored them meanwhile and the document still exists. Reading the file
    happens between them, holding no lock, so a long PDF never keeps other writers waiting.
    """
    document_id = int(job.params.get("document_id", 0))
    document = _locked_document(session, document_id)
    if document.extraction_state == "done":
        return ""  # a second delivery of work already done
    operations.start_extraction(session, document)
    progress(10)  # commits: the lock is released while the file is read
    limits = documents.Limits(max_bytes=int(current_app.config["DOCUMENT_MAX_BYTES"]))
    try:
        extracted = operations.extract_clauses(document.content, limits)
    except documents.DocumentError as error:
        _record_failure(session, document_id, error.message)
        raise registry.JobFailed(error.message) from error
    except Exception as error:
        # The runner retries while the queue has attempts left (JOB_RETRIES after the first);
        # on the last one the document must say it failed, or its page would wait forever.
        if job.attempts > int(current_app.config["JOB_RETRIES"]):
            session.rollback()
            _record_failure(session, document_id, unexpected_failure_message(error))
        raise
    document = _locked_document(session, document_id)
    if document.extraction_state != "done":
        operations.store_clauses(session, document, extracted)
    return ""


def _locked_document(session: Session, document_id: int) -> AgreementDocument:
    """The document, fresh, with its assessment locked until the transaction ends."""
    assessment_id = session.scalar(
        select(AgreementDocument.assessment_id).where(AgreementDocument.id == document_id)
    )
    document = None
    if assessment_id is not None:
        try:
            lock_assessment(session, assessment_id)
        except AssessmentGone:
            pass
        else:
            document = operations.document_to_read(session, document_id)
    if document is None:
        raise registry.JobFailed("The document was deleted before it was read.")
    return document


def _record_failure(session: Session, document_id: int, message: str) -> None:
    document = _locked_document(session, document_id)
    if document.extraction_state != "done":
        operations.record_extraction_failure(session, document, message)
    session.commit()


registry.register(
    KIND, read_agreement, title="Reading an agreement", done_title="The agreement has been read"
)
