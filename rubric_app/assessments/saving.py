"""Merge-on-save: write posted items unless someone else changed them since the page was shown.

``save_items`` is the one writer of answers and item notes (autosave, the Save buttons,
conflict resolution, import and copying forward all call it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, bindparam, delete, insert, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from rubric_app import audit
from rubric_app.assessments.locking import lock_assessment
from rubric_app.assessments.parts import merge_item, parse_base
from rubric_app.assessments.reads import last_writers, load_states, rubric_for
from rubric_app.assessments.states import (
    EMPTY_STATE,
    NOTE_FIELDS,
    AssessmentError,
    AssessmentReadOnly,
    Conflict,
    ItemChange,
    ItemState,
    SaveResult,
)
from rubric_app.assessments.storage import encode_value, type_of
from rubric_app.db import Base
from rubric_app.models import Answer, Assessment, ItemNote, User, utcnow

#: The hot writes of every save, built once and run on the session's connection (Core, not the
#: ORM's unit of work: flushing loaded ``Answer`` and ``ItemNote`` objects, and reading them
#: first, was about a third of an autosave). They touch no membership, so ``access``'s
#: remembered roles stay valid.
_assessments = Base.metadata.tables[Assessment.__tablename__]
_answers = Base.metadata.tables[Answer.__tablename__]
_notes = Base.metadata.tables[ItemNote.__tablename__]
_COUNT_REVISION = (
    update(_assessments)
    .where(_assessments.c.id == bindparam("b_assessment_id"))
    .values(revision=_assessments.c.revision + 1, updated_at=bindparam("b_now"))
    .returning(_assessments.c.revision)
)
_INSERT_ANSWER = insert(_answers)
_UPDATE_ANSWER = (
    update(_answers)
    .where(
        _answers.c.assessment_id == bindparam("b_assessment_id"),
        _answers.c.item_id == bindparam("b_item_id"),
        _answers.c.dimension == bindparam("b_dimension"),
    )
    .values(
        value=bindparam("b_value"),
        revision=bindparam("b_revision"),
        updated_by_id=bindparam("b_user_id"),
    )
)
_DELETE_ANSWERS = delete(_answers).where(
    _answers.c.assessment_id == bindparam("b_assessment_id"),
    _answers.c.item_id == bindparam("b_item_id"),
    _answers.c.dimension.in_(bindparam("b_dimensions", expanding=True)),
)
_NOTE_COLUMNS = (*NOTE_FIELDS, "revision", "updated_by_id")
_UPDATE_NOTE = (
    update(_notes)
    .where(
        _notes.c.assessment_id == bindparam("b_assessment_id"),
        _notes.c.item_id == bindparam("b_item_id"),
    )
    .values({column: bindparam(f"b_{column}") for column in _NOTE_COLUMNS})
)
_INSERT_NOTE = insert(_notes)
_DELETE_NOTE = delete(_notes).where(
    _notes.c.assessment_id == bindparam("b_assessment_id"),
    _notes.c.item_id == bindparam("b_item_id"),
)


def _count_revision(session: Session, assessment: Assessment) -> int:
    """Count the assessment's revision up in the database (never read-then-write in Python)."""
    now = utcnow()
    revision: int = (
        session.connection()
        .execute(_COUNT_REVISION, {"b_assessment_id": assessment.id, "b_now": now})
        .scalar_one()
    )
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
    here and elsewhere since the page was rendered is merged part by part (``parts``): the
    parts only one side changed are saved, and a part both changed to different values is a
    conflict, left as stored (with a whole-item base, the whole item is). The
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
    merged: list[str] = []
    for change in changes:
        if not rubric.has_item(change.item_id):
            raise AssessmentError(f"Unknown item {change.item_id!r}.")
        current = stored.get(change.item_id, EMPTY_STATE)
        if change.state == current:
            continue
        if change.base_fingerprint is None:
            to_write.append(change)
            continue
        base = parse_base(change.base_fingerprint)
        # The usual cases need the whole fingerprints only; parts are compared when both
        # this page and someone else changed the item.
        if change.state.fingerprint() == base.fingerprint:
            continue  # untouched on this page
        if current.fingerprint() == base.fingerprint:
            to_write.append(change)
            continue
        merge = merge_item(base, change.state, current)
        if merge is None:  # a whole-item base: the whole item conflicts
            conflicts.append(Conflict(change.item_id, change.state, current, current.fingerprint()))
            continue
        if merge.conflicts:
            conflicts.append(
                Conflict(
                    change.item_id, change.state, current, current.fingerprint(), merge.conflicts
                )
            )
        # The parts only one side changed are saved now, even beside a conflicting part.
        if merge.state != current:
            to_write.append(ItemChange(change.item_id, merge.state, change.base_fingerprint))
            merged.append(change.item_id)
    # Who made the change merged with: the write below would make it this user.
    writers = last_writers(session, assessment, merged) if merged else {}
    if to_write:
        _count_revision(session, assessment)
        _write_items(session, assessment, to_write, user, stored)
        if record:
            # Written at once (Core), not flushed at commit: same row, same transaction.
            audit.record_at_once(
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
        written={change.item_id: change.state for change in to_write},
        merged_from={item_id: writers[item_id].item for item_id in merged},
    )


def _write_items(
    session: Session,
    assessment: Assessment,
    changes: Sequence[ItemChange],
    user: User | None,
    stored: Mapping[str, ItemState],
) -> None:
    """Write the changed items' answer and note rows.

    ``stored`` is what the rows hold now (read under the lock in this transaction), so no
    answer row is read back: one exists exactly for each dimension of a stored state's values.
    Stale dimensions are deleted before anything is inserted, so the unique (assessment, item,
    dimension) never trips. A note row is updated, or inserted when the update found none.
    """
    connection = session.connection()
    rubric = rubric_for(assessment)
    revision = assessment.revision
    user_id = user.id if user else None
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    for change in changes:
        item_id, state = change.item_id, change.state
        current = stored.get(item_id, EMPTY_STATE)
        item_type = type_of(rubric, item_id)
        kept = {dim: value for dim, value in state.values.items() if value not in ("", ())}
        stale = [dim for dim in current.values if dim not in kept]
        if stale:
            connection.execute(
                _DELETE_ANSWERS,
                {"b_assessment_id": assessment.id, "b_item_id": item_id, "b_dimensions": stale},
            )
        for dimension, value in kept.items():
            if dimension not in current.values:
                inserts.append(
                    {
                        "assessment_id": assessment.id,
                        "item_id": item_id,
                        "dimension": dimension,
                        "value": encode_value(value, item_type),
                        "revision": revision,
                        "updated_by_id": user_id,
                    }
                )
            elif current.values[dimension] != value:
                updates.append(
                    {
                        "b_assessment_id": assessment.id,
                        "b_item_id": item_id,
                        "b_dimension": dimension,
                        "b_value": encode_value(value, item_type),
                        "b_revision": revision,
                        "b_user_id": user_id,
                    }
                )
        _write_note(connection, assessment.id, item_id, state, revision, user_id)
    if updates:
        connection.execute(_UPDATE_ANSWER, updates)
    if inserts:
        connection.execute(_INSERT_ANSWER, inserts)
    _expire_written(session, assessment)


def _write_note(
    connection: Connection,
    assessment_id: int,
    item_id: str,
    state: ItemState,
    revision: int,
    user_id: int | None,
) -> None:
    """Store the item's note row; a cleared item has none, exactly like one never touched."""
    where = {"b_assessment_id": assessment_id, "b_item_id": item_id}
    if state.is_empty():
        connection.execute(_DELETE_NOTE, where)
        return
    values = {**state.note_columns(), "revision": revision, "updated_by_id": user_id}
    # An item whose stored state has no note fields set may still have its (default) note
    # row, so the update decides; under the assessment lock nobody adds one meanwhile.
    found = connection.execute(
        _UPDATE_NOTE, {**where, **{f"b_{column}": value for column, value in values.items()}}
    )
    if found.rowcount == 0:
        connection.execute(
            _INSERT_NOTE, {"assessment_id": assessment_id, "item_id": item_id, **values}
        )


def _expire_written(session: Session, assessment: Assessment) -> None:
    """Expire every loaded answer and note, and the assessment's collections of them: the rows
    were written past the ORM, so a later read in this transaction loads them again. (Reading
    an expired object's assessment id to pick only this assessment's would load it.)"""
    for instance in list(session.identity_map.values()):
        if isinstance(instance, Answer | ItemNote):
            session.expire(instance)
    session.expire(assessment, ["answers", "notes"])
