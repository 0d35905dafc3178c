"""Reads of assessments: their rubric, the stored item states, the answers and the live score.

Nothing here writes. ``load_states_many`` reads several assessments in two queries for lists.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from rubric_app.assessments.parts import value_part
from rubric_app.assessments.states import ItemState
from rubric_app.assessments.storage import decode_value, type_of
from rubric_app.models import Answer, Assessment, ItemNote
from rubric_app.rubric_versions import rubric_of
from rubric_app.rubrics.model import Rubric
from rubric_app.scoring import (
    AssessmentScore,
    ItemAnswer,
    score_assessment,
)


def rubric_for(assessment: Assessment) -> Rubric:
    """The rubric version the assessment is pinned to."""
    return rubric_of(assessment.rubric_version)


def assessments_for_period(
    session: Session, org_id: int, rubric_key: str, period: str
) -> list[Assessment]:
    """The organization's assessments of this rubric for this period, oldest first."""
    return list(
        session.scalars(
            select(Assessment)
            .where(
                Assessment.org_id == org_id,
                Assessment.rubric_key == rubric_key,
                Assessment.period == period,
            )
            .order_by(Assessment.id)
        )
    )


def find_existing(session: Session, org_id: int, rubric_key: str, period: str) -> Assessment | None:
    """The organization's (first) assessment of this rubric for this period, if one exists."""
    found = assessments_for_period(session, org_id, rubric_key, period)
    return found[0] if found else None


#: Built once: every page of an assessment runs both, and building them anew was a good part
#: of running them. Plain columns, not ``ItemNote`` objects: a page only needs the values, and
#: loading (and later expiring) an object per note cost more than the query.
_ANSWERS_OF = select(Answer.item_id, Answer.dimension, Answer.value).where(
    Answer.assessment_id == bindparam("assessment_id")
)
_NOTES_OF = select(
    ItemNote.item_id,
    ItemNote.not_applicable,
    ItemNote.na_reason,
    ItemNote.comment,
    ItemNote.evidence_quote,
    ItemNote.evidence_source,
    ItemNote.flagged,
).where(ItemNote.assessment_id == bindparam("assessment_id"))


def load_states(
    session: Session, assessment: Assessment, only: Collection[str] | None = None
) -> dict[str, ItemState]:
    """Every stored item state of the assessment, by item id; with ``only``, those of these
    items alone.

    A save of one section asks for the items that decide it (``Rubric.section_reads``): a
    dozen of a rubric's fifty. Its rows are still read in one go, but only those turn into
    states, which was most of this function's time once an assessment was well under way.
    """
    rubric = rubric_for(assessment)
    # Run on the connection, past the ORM's per-statement work (the rows are plain values);
    # pending changes go out first, as the session's autoflush would send them.
    if session.autoflush:
        session.flush()
    connection = session.connection()
    values: dict[str, dict[str, str | tuple[str, ...]]] = {}
    bound = {"assessment_id": assessment.id}
    # fetchall: one call for the rows, not one per row.
    answer_rows = connection.execute(_ANSWERS_OF, bound).fetchall()
    note_rows = connection.execute(_NOTES_OF, bound).fetchall()
    if only is not None:
        answer_rows = [row for row in answer_rows if row[0] in only]
        note_rows = [row for row in note_rows if row[0] in only]
    for item_id, dimension, value in answer_rows:
        values.setdefault(item_id, {})[dimension] = decode_value(value, type_of(rubric, item_id))
    notes = {row[0]: row for row in note_rows}
    states: dict[str, ItemState] = {}
    for item_id in sorted(set(values) | set(notes)):
        note = notes.get(item_id)
        item_values = values.get(item_id, {})
        if note is None:
            states[item_id] = ItemState(values=item_values)
            continue
        _item, not_applicable, na_reason, comment, quote, source, flagged = note
        states[item_id] = ItemState(
            values=item_values,
            not_applicable=bool(not_applicable),
            na_reason=na_reason,
            comment=comment,
            evidence_quote=quote,
            evidence_source=source,
            flagged=bool(flagged),
        )
    return states


@dataclass(frozen=True)
class PartWriters:
    """Who last wrote one item's parts (user ids; None when nobody known).

    A rating's answer row says who last changed that rating (``ratings``, by part name). The
    note row is rewritten with every save of its item, so for the N/A, comment, evidence and
    flag parts, and a rating cleared since (it has no row), ``item`` says who last saved the
    item: close enough to tell "you, in another tab" from "someone else", all it is used for.
    """

    ratings: Mapping[str, int | None]
    item: int | None

    def of(self, part: str) -> int | None:
        """Who last wrote ``part`` (a name from ``parts``)."""
        return self.ratings.get(part, self.item)


def last_writers(
    session: Session, assessment: Assessment, item_ids: Collection[str]
) -> dict[str, PartWriters]:
    """Who last wrote the parts of these items. Read only when a save or the conflicts page
    has conflicts, or a save merged with a change made elsewhere, so an autosave without
    either pays nothing for it."""
    wanted = sorted(item_ids)
    if not wanted:
        return {}
    # .all(): a Result has keys() (its column names), so dict() would read it as a mapping.
    notes: dict[str, int | None] = dict(
        session.execute(
            select(ItemNote.item_id, ItemNote.updated_by_id).where(
                ItemNote.assessment_id == assessment.id, ItemNote.item_id.in_(wanted)
            )
        ).all()
    )
    ratings: dict[str, dict[str, int | None]] = {item_id: {} for item_id in wanted}
    for item_id, dimension, user_id in session.execute(
        select(Answer.item_id, Answer.dimension, Answer.updated_by_id).where(
            Answer.assessment_id == assessment.id, Answer.item_id.in_(wanted)
        )
    ):
        ratings[item_id][value_part(dimension)] = user_id
    return {item_id: PartWriters(ratings[item_id], notes.get(item_id)) for item_id in wanted}


def load_states_many(
    session: Session, assessment_ids: Sequence[int]
) -> dict[int, dict[str, ItemState]]:
    """Stored item states of several assessments in two queries (for lists of assessments)."""
    if not assessment_ids:
        return {}
    values: dict[int, dict[str, dict[str, str | tuple[str, ...]]]] = {}
    rubrics: dict[int, Rubric] = {}  # the assessments are usually in the session already
    for assessment_id, item_id, dimension, value in session.execute(
        select(Answer.assessment_id, Answer.item_id, Answer.dimension, Answer.value).where(
            Answer.assessment_id.in_(assessment_ids)
        )
    ):
        rubric = rubrics.get(assessment_id)
        if rubric is None:
            rubric = rubrics[assessment_id] = rubric_for(session.get_one(Assessment, assessment_id))
        values.setdefault(assessment_id, {}).setdefault(item_id, {})[dimension] = decode_value(
            value, type_of(rubric, item_id)
        )
    notes: dict[int, dict[str, ItemNote]] = {}
    for note in session.scalars(select(ItemNote).where(ItemNote.assessment_id.in_(assessment_ids))):
        notes.setdefault(note.assessment_id, {})[note.item_id] = note
    result: dict[int, dict[str, ItemState]] = {}
    for assessment_id in assessment_ids:
        item_values = values.get(assessment_id, {})
        item_notes = notes.get(assessment_id, {})
        result[assessment_id] = {
            item_id: _state_of(item_values.get(item_id, {}), item_notes.get(item_id))
            for item_id in sorted(set(item_values) | set(item_notes))
        }
    return result


def _state_of(values: Mapping[str, str | tuple[str, ...]], note: ItemNote | None) -> ItemState:
    return ItemState(
        values=dict(values),
        not_applicable=note.not_applicable if note else False,
        na_reason=note.na_reason if note else "",
        comment=note.comment if note else "",
        evidence_quote=note.evidence_quote if note else "",
        evidence_source=note.evidence_source if note else "",
        flagged=note.flagged if note else False,
    )


def load_answers(session: Session, assessment: Assessment) -> dict[str, ItemAnswer]:
    """The assessment's answers in the form scoring reads."""
    return {
        item_id: state.to_answer() for item_id, state in load_states(session, assessment).items()
    }


def score_of(session: Session, assessment: Assessment) -> AssessmentScore:
    """Score the assessment's current answers (the one scoring core, nothing cached)."""
    return score_assessment(rubric_for(assessment), load_answers(session, assessment))
