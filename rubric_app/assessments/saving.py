"""Merge-on-save: write posted items unless someone else changed them since the page was shown.

``save_items`` is the one writer of answers and item notes (autosave, the Save buttons,
conflict resolution, import and copying forward all call it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from rubric_app import audit
from rubric_app.assessments.locking import lock_assessment
from rubric_app.assessments.reads import load_states, rubric_for
from rubric_app.assessments.states import (
    EMPTY_STATE,
    AssessmentError,
    AssessmentReadOnly,
    Conflict,
    ItemChange,
    ItemState,
    SaveResult,
)
from rubric_app.assessments.storage import encode_value, type_of
from rubric_app.models import Answer, Assessment, ItemNote, User, utcnow


def _count_revision(session: Session, assessment: Assessment) -> int:
    """Count the assessment's revision up in the database (never read-then-write in Python)."""
    now = utcnow()
    revision: int = session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id)
        .values(revision=Assessment.revision + 1, updated_at=now)
        .returning(Assessment.revision)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(assessment, "revision", revision)
    set_committed_value(assessment, "updated_at", now)
    return revision


def save_items(
    session: Session,
    assessment: Assessment,
    changes: Sequence[ItemChange],
    *,
    user: User | None,
    record: bool = True,
    stored: Mapping[str, ItemState] | None = None,
) -> SaveResult:
    """Save posted items, merging with concurrent edits; return what was saved and any conflicts.

    An item whose posted state equals the state its page was rendered with was not touched on
    that page and is left alone (someone else's newer answer survives). An item changed both
    here and elsewhere since the page was rendered is a conflict and is not saved. The
    assessment is locked first (``lock_assessment``), so the status and the stored states this
    checks against cannot change before the write. A caller that already holds the lock and
    has read the stored states under it (``load_states`` after ``lock_assessment`` in this
    transaction, nothing written since) passes them as ``stored`` so they are not read twice.
    """
    assessment = lock_assessment(session, assessment.id)
    if assessment.status != "draft":
        raise AssessmentReadOnly("This assessment has been submitted and is read-only.")
    rubric = rubric_for(assessment)
    if stored is None:
        stored = load_states(session, assessment)
    to_write: list[ItemChange] = []
    conflicts: list[Conflict] = []
    for change in changes:
        if not rubric.has_item(change.item_id):
            raise AssessmentError(f"Unknown item {change.item_id!r}.")
        current = stored.get(change.item_id, EMPTY_STATE)
        if change.state == current:
            continue
        if change.base_fingerprint is None:
            to_write.append(change)
            continue
        if change.state.fingerprint() == change.base_fingerprint:
            continue  # untouched on this page
        if current.fingerprint() != change.base_fingerprint:
            conflicts.append(Conflict(change.item_id, change.state, current, current.fingerprint()))
            continue
        to_write.append(change)
    if to_write:
        _count_revision(session, assessment)
        _write_items(session, assessment, to_write, user)
        session.flush()
        if record:
            audit.record(
                session,
                "assessment.save",
                user_id=user.id if user else None,
                org_id=assessment.org_id,
                target=f"assessment:{assessment.id}",
                items=[change.item_id for change in to_write],
            )
    return SaveResult(
        saved=tuple(change.item_id for change in to_write),
        conflicts=tuple(conflicts),
        revision=assessment.revision,
    )


def _write_items(
    session: Session, assessment: Assessment, changes: Sequence[ItemChange], user: User | None
) -> None:
    """Write the changed items' answer and note rows (two reads for the whole save)."""
    user_id = user.id if user else None
    rubric = rubric_for(assessment)
    item_ids = [change.item_id for change in changes]
    answers: dict[tuple[str, str], Answer] = {
        (answer.item_id, answer.dimension): answer
        for answer in session.scalars(
            select(Answer).where(
                Answer.assessment_id == assessment.id, Answer.item_id.in_(item_ids)
            )
        )
    }
    notes = {
        note.item_id: note
        for note in session.scalars(
            select(ItemNote).where(
                ItemNote.assessment_id == assessment.id, ItemNote.item_id.in_(item_ids)
            )
        )
    }
    for change in changes:
        item_id, state = change.item_id, change.state
        kept = {dim: value for dim, value in state.values.items() if value not in ("", ())}
        for (answer_item, dimension), stale in answers.items():
            if answer_item == item_id and dimension not in kept:
                session.delete(stale)
        for dimension, value in kept.items():
            encoded = encode_value(value, type_of(rubric, item_id))
            answer = answers.get((item_id, dimension))
            if answer is None:
                session.add(
                    Answer(
                        assessment_id=assessment.id,
                        item_id=item_id,
                        dimension=dimension,
                        value=encoded,
                        revision=assessment.revision,
                        updated_by_id=user_id,
                    )
                )
            elif answer.value != encoded:
                answer.value = encoded
                answer.revision = assessment.revision
                answer.updated_by_id = user_id
        note = notes.get(item_id)
        if state.is_empty():
            # A cleared item is stored as no answer at all, exactly like one never touched.
            if note is not None:
                session.delete(note)
            continue
        if note is None:
            note = ItemNote(assessment_id=assessment.id, item_id=item_id)
            session.add(note)
        note.not_applicable = state.not_applicable
        note.na_reason = state.na_reason
        note.comment = state.comment
        note.evidence_quote = state.evidence_quote
        note.evidence_source = state.evidence_source
        note.flagged = state.flagged
        note.revision = assessment.revision
        note.updated_by_id = user_id
