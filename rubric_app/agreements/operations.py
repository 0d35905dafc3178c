"""Store, read and delete agreement documents; the only writer of their two tables.

An upload from the page is checked in the request (type from the bytes, size, archive limits:
``store_upload``) and stored "pending"; reading it into clauses is a background job
(``extraction_jobs``) that calls ``extract_clauses`` and records the outcome here
(``start_extraction``, ``store_clauses``, ``record_extraction_failure``). ``upload_document``
does all of it at once, for scripts, seeders and tests that want the clauses straight away.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from rubric_app import audit, documents
from rubric_app.models import AgreementClause, AgreementDocument, Assessment, User

#: Longest file name kept (the column's size); longer names are cut, keeping the extension.
FILE_NAME_MAX = 255


def extract_clauses(
    data: bytes, limits: documents.Limits = documents.DEFAULT_LIMITS
) -> documents.ExtractedDocument:
    """Read ``data`` into pages and clauses: the one extraction call (the job's, and scripts').

    Raises ``documents.DocumentError`` (with a code and a message for the uploader).
    """
    return documents.read_document(data, limits)


def upload_document(
    session: Session,
    assessment: Assessment,
    *,
    data: bytes,
    file_name: str,
    user: User,
    label: str = "MOU",
    limits: documents.Limits = documents.DEFAULT_LIMITS,
) -> AgreementDocument:
    """Check, read and store an agreement with its clauses at once; audit the upload.

    Nothing is added when the file is refused (``documents.DocumentError`` propagates).
    """
    extracted = extract_clauses(data, limits)
    document = _add_document(
        session,
        assessment,
        data=data,
        file_name=file_name,
        user=user,
        label=label,
        media_type=extracted.media_type,
    )
    store_clauses(session, document, extracted)
    return document


def store_upload(
    session: Session,
    assessment: Assessment,
    *,
    data: bytes,
    file_name: str,
    user: User,
    label: str = "MOU",
    limits: documents.Limits = documents.DEFAULT_LIMITS,
) -> AgreementDocument:
    """Check an upload's type and size and store it unread ("pending"); audit the upload.

    A file of the wrong type, too large or a zip bomb is refused here at once
    (``documents.DocumentError``, nothing added); what only reading the pages can find (a
    scan, a damaged PDF) is found by the extraction job.
    """
    media_type = documents.sniff(data, limits)
    return _add_document(
        session,
        assessment,
        data=data,
        file_name=file_name,
        user=user,
        label=label,
        media_type=media_type,
    )


def already_uploaded(
    session: Session, assessment: Assessment, data: bytes
) -> AgreementDocument | None:
    """Return the assessment's document with exactly these bytes, if one was uploaded before
    (the same file twice would only double every clause on the evidence pages)."""
    digest = hashlib.sha256(data).hexdigest()
    return session.scalar(
        select(AgreementDocument)
        .where(
            AgreementDocument.assessment_id == assessment.id,
            AgreementDocument.sha256 == digest,
        )
        .order_by(AgreementDocument.id)
        .limit(1)
    )


def _add_document(
    session: Session,
    assessment: Assessment,
    *,
    data: bytes,
    file_name: str,
    user: User,
    label: str,
    media_type: str,
) -> AgreementDocument:
    document = AgreementDocument(
        assessment_id=assessment.id,
        file_name=_clean_name(file_name),
        label=" ".join(label.split())[:40] or "MOU",
        media_type=media_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=user.id,
        clause_count=0,
        content=data,
        extraction_state="pending",
        extraction_message="",
    )
    session.add(document)
    session.flush()
    audit.record(
        session,
        "document.upload",
        user_id=user.id,
        org_id=assessment.org_id,
        target=f"assessment:{assessment.id}",
        document=document.id,
        file=document.file_name[:80],
        sha256=document.sha256,
    )
    return document


def document_to_read(session: Session, document_id: int) -> AgreementDocument | None:
    """The document with ``document_id``, its row locked until the caller commits, read fresh."""
    return session.scalar(
        select(AgreementDocument)
        .where(AgreementDocument.id == document_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def start_extraction(session: Session, document: AgreementDocument) -> None:
    """Mark ``document`` as being read."""
    document.extraction_state = "running"
    document.extraction_message = ""
    session.flush()


def store_clauses(
    session: Session, document: AgreementDocument, extracted: documents.ExtractedDocument
) -> None:
    """Store the clauses read from ``document`` (replacing any) and mark it read."""
    if document.clauses:
        # Old rows go first: the new ones reuse their (document, position) keys.
        document.clauses.clear()
        session.flush()
    document.clauses = [
        AgreementClause(
            position=position,
            number=clause.number,
            heading=clause.heading,
            text=clause.text,
            page=clause.page,
        )
        for position, clause in enumerate(extracted.clauses)
    ]
    document.clause_count = len(extracted.clauses)
    document.extraction_state = "done"
    document.extraction_message = ""
    session.flush()


def record_extraction_failure(session: Session, document: AgreementDocument, message: str) -> None:
    """Mark ``document`` as not readable, with ``message`` (for the uploader) saying why."""
    document.extraction_state = "failed"
    document.extraction_message = message
    session.flush()


def delete_document(
    session: Session, assessment: Assessment, document: AgreementDocument, *, user: User
) -> None:
    """Delete a document and its clauses; the audit entry keeps its name and hash."""
    audit.record(
        session,
        "document.delete",
        user_id=user.id,
        org_id=assessment.org_id,
        target=f"assessment:{assessment.id}",
        document=document.id,
        file=document.file_name[:80],
        sha256=document.sha256,
    )
    session.delete(document)
    session.flush()


def documents_of(session: Session, assessment: Assessment) -> list[AgreementDocument]:
    """The assessment's documents, newest first (file bytes not loaded)."""
    return list(
        session.scalars(
            select(AgreementDocument)
            .where(AgreementDocument.assessment_id == assessment.id)
            .order_by(AgreementDocument.uploaded_at.desc(), AgreementDocument.id.desc())
        )
    )


#: Built once, on the table rather than the mapped class: the section page asks it on every
#: request, and building the select and going through the ORM cost four times running it.
_FIRST_DOCUMENT = (
    select(AgreementDocument.__table__.c.id)
    .where(AgreementDocument.__table__.c.assessment_id == bindparam("assessment_id"))
    .limit(1)
)


def has_documents(session: Session, assessment_id: int) -> bool:
    """Whether the assessment has any document (one indexed row read, for the section page)."""
    found = session.execute(_FIRST_DOCUMENT, {"assessment_id": assessment_id}).first()
    return found is not None


def get_document(
    session: Session, assessment: Assessment, document_id: int
) -> AgreementDocument | None:
    """The document if it belongs to ``assessment`` (so another assessment's id finds nothing).

    Read fresh from the database: the extraction job changes the row while pages show it.
    """
    return session.scalar(
        select(AgreementDocument)
        .where(
            AgreementDocument.id == document_id,
            AgreementDocument.assessment_id == assessment.id,
        )
        .execution_options(populate_existing=True)
    )


def _clean_name(file_name: str) -> str:
    # Browsers may send a full path ("C:\\Users\\...\\mou.pdf"); keep the last part only.
    name = file_name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "document"
    name = "".join(char for char in name if char.isprintable())
    if len(name) <= FILE_NAME_MAX:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and len(extension) < 10:
        return stem[: FILE_NAME_MAX - len(extension) - 1] + "." + extension
    return name[:FILE_NAME_MAX]
