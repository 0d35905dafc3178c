"""Store, extract and delete agreement documents; the only writer of their two tables."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app import audit, documents
from rubric_app.models import AgreementClause, AgreementDocument, Assessment, User

#: Longest file name kept (the column's size); longer names are cut, keeping the extension.
FILE_NAME_MAX = 255


def extract_clauses(
    data: bytes, limits: documents.Limits = documents.DEFAULT_LIMITS
) -> documents.ExtractedDocument:
    """Read ``data`` into pages and clauses: the one call a background job will take over.

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
    """Check, extract and store an uploaded agreement with its clauses; audit the upload.

    Nothing is added when the file is refused (``documents.DocumentError`` propagates).
    """
    extracted = extract_clauses(data, limits)
    document = AgreementDocument(
        assessment_id=assessment.id,
        file_name=_clean_name(file_name),
        label=" ".join(label.split())[:40] or "MOU",
        media_type=extracted.media_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=user.id,
        clause_count=len(extracted.clauses),
        content=data,
    )
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


def has_documents(session: Session, assessment_id: int) -> bool:
    """Whether the assessment has any document (one indexed row read, for the section page)."""
    found = session.scalar(
        select(AgreementDocument.id)
        .where(AgreementDocument.assessment_id == assessment_id)
        .limit(1)
    )
    return found is not None


def get_document(
    session: Session, assessment: Assessment, document_id: int
) -> AgreementDocument | None:
    """The document if it belongs to ``assessment`` (so another assessment's id finds nothing)."""
    return session.scalar(
        select(AgreementDocument).where(
            AgreementDocument.id == document_id,
            AgreementDocument.assessment_id == assessment.id,
        )
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
