"""Evidence decisions on agreement clauses: the only writer and reader of ``evidence_anchors``.

A suggested clause becomes evidence only when a person accepts it; dismissing it keeps it from
being suggested again for that item. One row per assessment, item and clause holds the latest
decision, so two people deciding on the same clause at once end with one row (the later
decision), never two and never an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rubric_app.models import AgreementClause, Assessment, EvidenceAnchor, User, utcnow

Decision = Literal["accepted", "dismissed"]


class ClauseNotInAssessment(ValueError):
    """The clause belongs to another assessment's document."""


def decide(
    session: Session,
    assessment: Assessment,
    *,
    item_id: str,
    clause: AgreementClause,
    decision: Decision,
    user: User,
) -> EvidenceAnchor:
    """Record ``decision`` on ``clause`` for ``item_id``, replacing any earlier decision.

    The caller checks that the user may edit the assessment and that ``item_id`` is one of its
    rubric's items. The citation is copied from the clause now, so it survives the file.
    """
    document = clause.document
    if document.assessment_id != assessment.id:
        raise ClauseNotInAssessment(clause.id)
    found = _find(session, assessment.id, item_id, clause.id)
    if found is None:
        row = EvidenceAnchor(
            assessment_id=assessment.id,
            item_id=item_id,
            document_id=document.id,
            clause_id=clause.id,
            decision=decision,
            clause_number=clause.number,
            clause_heading=clause.heading,
            page=clause.page,
            quote=clause.text,
            file_name=document.file_name,
            document_label=document.label,
            document_sha256=document.sha256,
            decided_by_id=user.id,
        )
        try:
            # A savepoint, so that losing the insert race to a teammate keeps the transaction.
            with session.begin_nested():
                session.add(row)
            return row
        except IntegrityError:
            found = _find(session, assessment.id, item_id, clause.id)
            if found is None:  # pragma: no cover - the unique key just said it exists
                raise
    found.decision = decision
    found.decided_by_id = user.id
    found.decided_at = utcnow()
    session.flush()
    return found


def withdraw(session: Session, assessment: Assessment, *, item_id: str, clause_id: int) -> bool:
    """Forget the decision on a clause for an item (it may be suggested again); True if one was."""
    result = session.execute(
        delete(EvidenceAnchor).where(
            EvidenceAnchor.assessment_id == assessment.id,
            EvidenceAnchor.item_id == item_id,
            EvidenceAnchor.clause_id == clause_id,
        )
    )
    return bool(getattr(result, "rowcount", 0))


def accepted(session: Session, assessment_id: int) -> list[EvidenceAnchor]:
    """The accepted evidence of an assessment, by item, then file, then place in the file."""
    position = (
        select(AgreementClause.position)
        .where(AgreementClause.id == EvidenceAnchor.clause_id)
        .scalar_subquery()
    )
    return list(
        session.scalars(
            select(EvidenceAnchor)
            .where(
                EvidenceAnchor.assessment_id == assessment_id,
                EvidenceAnchor.decision == "accepted",
            )
            .order_by(
                EvidenceAnchor.item_id,
                EvidenceAnchor.file_name,
                position,
                EvidenceAnchor.id,
            )
        )
    )


def accepted_by_item(session: Session, assessment_id: int) -> dict[str, list[EvidenceAnchor]]:
    """``accepted`` grouped by item id (items without evidence are absent)."""
    grouped: dict[str, list[EvidenceAnchor]] = {}
    for anchor in accepted(session, assessment_id):
        grouped.setdefault(anchor.item_id, []).append(anchor)
    return grouped


def decisions(
    session: Session, assessment_id: int, item_ids: Iterable[str] | None = None
) -> dict[tuple[str, int], Decision]:
    """Every live decision as ``{(item_id, clause_id): decision}``, deleted files' rows left out."""
    query = select(EvidenceAnchor.item_id, EvidenceAnchor.clause_id, EvidenceAnchor.decision).where(
        EvidenceAnchor.assessment_id == assessment_id, EvidenceAnchor.clause_id.is_not(None)
    )
    if item_ids is not None:
        query = query.where(EvidenceAnchor.item_id.in_(list(item_ids)))
    return {
        (item_id, clause_id): decision  # type: ignore[misc]
        for item_id, clause_id, decision in session.execute(query)
        if clause_id is not None
    }


def _find(
    session: Session, assessment_id: int, item_id: str, clause_id: int
) -> EvidenceAnchor | None:
    return session.scalar(
        select(EvidenceAnchor)
        .where(
            EvidenceAnchor.assessment_id == assessment_id,
            EvidenceAnchor.item_id == item_id,
            EvidenceAnchor.clause_id == clause_id,
        )
        .with_for_update()
    )
