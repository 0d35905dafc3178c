"""Operations on assessments: the only code that writes assessments, answers and snapshots.

Functions add and flush; the request or CLI command that calls them commits once. Saves are
checked against what the saving page saw (a fingerprint of each item as it was rendered), so a
stale page never silently overwrites a teammate's newer answer: both-changed items come back as
conflicts, the rest merge.

Every writer (``save_items`` and so autosave, the Save buttons, conflict resolution and import;
``submit``, ``reopen`` and ``start_assessment`` copying forward) first calls
``lock_assessment``, which holds the assessment until the caller's transaction ends: SQLite
starts a ``BEGIN IMMEDIATE`` write transaction, PostgreSQL takes ``SELECT ... FOR UPDATE`` on
the assessment row. Only then are the status and the stored states read, so the
read-check-write of a save is one atomic step: of two teammates saving the same item from the
same base at the same instant, the second waits, sees the first one's answer and gets the
conflict; a save that waited for a submit finds the assessment submitted and is refused. The
revision is counted up in SQL (``revision = revision + 1 ... RETURNING``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from rubric_app import audit
from rubric_app.models import (
    Answer,
    Assessment,
    ItemNote,
    ItemResult,
    Organization,
    RubricVersion,
    SectionScore,
    Snapshot,
    User,
    utcnow,
)
from rubric_app.rubric_versions import rubric_of
from rubric_app.rubrics.answer_types import ANSWER_TYPES
from rubric_app.rubrics.model import Rubric
from rubric_app.score_cache import section_score_rows
from rubric_app.scoring import (
    AssessmentScore,
    ItemAnswer,
    answers_to_json,
    rating_is_full,
    score_assessment,
)


class AssessmentError(ValueError):
    """A request that cannot be carried out, with a message fit to show the user."""


class AssessmentReadOnly(AssessmentError):
    """A save reached an assessment that is no longer a draft (it was submitted meanwhile)."""


class AssessmentGone(AssessmentError):
    """A writer reached an assessment that was deleted meanwhile."""


@dataclass(frozen=True)
class ItemState:
    """Everything stored for one item of one assessment."""

    values: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    not_applicable: bool = False
    na_reason: str = ""
    comment: str = ""
    evidence_quote: str = ""
    evidence_source: str = ""
    flagged: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict, with values in a stable order."""
        return {
            "values": {
                key: list(value) if isinstance(value, tuple) else value
                for key, value in sorted(self.values.items())
            },
            "not_applicable": self.not_applicable,
            "na_reason": self.na_reason,
            "comment": self.comment,
            "evidence_quote": self.evidence_quote,
            "evidence_source": self.evidence_source,
            "flagged": self.flagged,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ItemState:
        values = {
            key: tuple(value) if isinstance(value, list) else str(value)
            for key, value in dict(data.get("values", {})).items()
        }
        return cls(
            values=values,
            not_applicable=bool(data.get("not_applicable", False)),
            na_reason=str(data.get("na_reason", "")),
            comment=str(data.get("comment", "")),
            evidence_quote=str(data.get("evidence_quote", "")),
            evidence_source=str(data.get("evidence_source", "")),
            flagged=bool(data.get("flagged", False)),
        )

    def fingerprint(self) -> str:
        """A short hash of the content, to tell whether an item changed since a page showed it."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def is_empty(self) -> bool:
        return self == ItemState()

    def to_answer(self) -> ItemAnswer:
        """The scoring view of this state."""
        evidence = " — ".join(part for part in (self.evidence_quote, self.evidence_source) if part)
        return ItemAnswer(
            values=dict(self.values),
            not_applicable=self.not_applicable,
            na_reason=self.na_reason,
            comment=self.comment,
            evidence=evidence,
            flagged=self.flagged,
        )


EMPTY_STATE = ItemState()


@dataclass(frozen=True)
class ItemChange:
    """A posted item: the new state, and the fingerprint of the state the page was rendered with.

    ``base_fingerprint`` None means "overwrite whatever is stored" (imports, copies, resolving
    a conflict in favour of this version).
    """

    item_id: str
    state: ItemState
    base_fingerprint: str | None


@dataclass(frozen=True)
class Conflict:
    """An item both this page and someone else changed: both versions, for the user to choose."""

    item_id: str
    mine: ItemState
    theirs: ItemState
    theirs_fingerprint: str


@dataclass(frozen=True)
class SaveResult:
    saved: tuple[str, ...]
    conflicts: tuple[Conflict, ...]
    revision: int


def rubric_for(assessment: Assessment) -> Rubric:
    """The rubric version the assessment is pinned to."""
    return rubric_of(assessment.rubric_version)


#: ``Session.info`` key: the transaction whose locks are held, and the assessment ids it holds.
_HELD_LOCKS = "rubric_app.assessment_locks"


def lock_assessment(session: Session, assessment_id: int) -> Assessment:
    """Hold the assessment until the session's transaction ends; return it as stored now.

    Every writer calls this before it reads what it checks (the status, the stored states), so
    writers of one assessment take turns and each sees what the one before it committed.
    SQLite: the transaction becomes a write transaction at once (``BEGIN IMMEDIATE`` takes the
    database's one writer lock; readers carry on under WAL, waiting writers wait up to the busy
    timeout). PostgreSQL: the assessment row is locked with ``SELECT ... FOR UPDATE``. Objects
    loaded before the lock are expired, so every read after it sees the latest committed rows.
    Calling it again within the same transaction returns the assessment it already holds.
    Raises ``AssessmentGone`` when the assessment no longer exists.
    """
    # Pending changes go out first: expiring below must not throw them away.
    session.flush()
    connection = session.connection()
    transaction = session.get_transaction()
    held_by, held = session.info.get(_HELD_LOCKS, (None, frozenset()))
    if held_by is not transaction:
        held = frozenset()
    if assessment_id in held:
        found = session.get(Assessment, assessment_id)
    else:
        statement = select(Assessment).where(Assessment.id == assessment_id)
        if connection.dialect.name == "sqlite":
            _begin_write_transaction(connection)
        else:
            statement = statement.with_for_update(of=Assessment)
        session.expire_all()
        found = session.scalars(statement).one_or_none()
        session.info[_HELD_LOCKS] = (transaction, held | {assessment_id})
    if found is None:
        raise AssessmentGone("This assessment no longer exists.")
    return found


def _begin_write_transaction(connection: Connection) -> None:
    """Make the SQLite connection's transaction a write transaction now (``BEGIN IMMEDIATE``).

    pysqlite opens a (deferred) transaction only right before the first INSERT, UPDATE or
    DELETE, so until then every SELECT reads outside any transaction and holds no lock: a read
    followed by a write is not atomic. Once a transaction is open, it has written, so it holds
    the writer lock already and there is nothing to begin.
    """
    driver = connection.connection.driver_connection
    if driver is not None and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


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


def start_assessment(
    session: Session,
    *,
    org: Organization,
    version: RubricVersion,
    title: str,
    period: str,
    user: User | None,
    previous: Assessment | None = None,
    allow_second: bool = False,
) -> Assessment:
    """Start an assessment; with ``previous``, copy its answers forward for the next cycle."""
    period = period.strip()
    if not allow_second and find_existing(session, org.id, version.rubric_key, period):
        raise AssessmentError(
            f"Your organization already has an assessment of this rubric for {period}. "
            "Open it from your assessments, or choose another period."
        )
    if previous is not None and previous.org_id != org.id:
        raise AssessmentError("You can only start from one of your own organization's assessments.")
    if previous is not None:
        # Held while its answers are copied, so the copy is one consistent state of it.
        previous = lock_assessment(session, previous.id)
    assessment = Assessment(
        org_id=org.id,
        rubric_version_id=version.id,
        rubric_key=version.rubric_key,
        title=title.strip(),
        period=period,
        status="draft",
        revision=0,
        created_by_id=user.id if user else None,
        previous_id=previous.id if previous else None,
    )
    session.add(assessment)
    session.flush()
    if previous is not None:
        rubric = rubric_of(version)
        carried = {
            item_id: state
            for item_id, state in load_states(session, previous).items()
            if rubric.has_item(item_id)
        }
        changes = [ItemChange(item_id, state, None) for item_id, state in carried.items()]
        save_items(session, assessment, changes, user=user, record=False)
    audit.record(
        session,
        "assessment.start",
        user_id=user.id if user else None,
        org_id=org.id,
        target=f"assessment:{assessment.id}",
        rubric=version.rubric_key,
        version=version.version,
        previous=previous.id if previous else None,
    )
    return assessment


def load_states(session: Session, assessment: Assessment) -> dict[str, ItemState]:
    """Every stored item state of the assessment, by item id."""
    rubric = rubric_for(assessment)
    values: dict[str, dict[str, str | tuple[str, ...]]] = {}
    for item_id, dimension, value in session.execute(
        select(Answer.item_id, Answer.dimension, Answer.value).where(
            Answer.assessment_id == assessment.id
        )
    ):
        values.setdefault(item_id, {})[dimension] = decode_value(value, _type_of(rubric, item_id))
    notes = {
        note.item_id: note
        for note in session.scalars(select(ItemNote).where(ItemNote.assessment_id == assessment.id))
    }
    states: dict[str, ItemState] = {}
    for item_id in sorted(set(values) | set(notes)):
        note = notes.get(item_id)
        states[item_id] = ItemState(
            values=values.get(item_id, {}),
            not_applicable=note.not_applicable if note else False,
            na_reason=note.na_reason if note else "",
            comment=note.comment if note else "",
            evidence_quote=note.evidence_quote if note else "",
            evidence_source=note.evidence_source if note else "",
            flagged=note.flagged if note else False,
        )
    return states


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
            value, _type_of(rubric, item_id)
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


def _type_of(rubric: Rubric, item_id: str) -> str:
    """The item's type name; an item its rubric version lacks is read as text, never guessed."""
    return rubric.item(item_id).type if rubric.has_item(item_id) else "long_text"


def encode_value(value: str | tuple[str, ...], item_type: str) -> str:
    """The answer column's text for a value of an item of ``item_type`` (see answer_types)."""
    return ANSWER_TYPES[item_type].encode(value)


def decode_value(stored: str, item_type: str) -> str | tuple[str, ...]:
    """The value ``encode_value`` stored for an item of ``item_type``.

    The item's type decides, never the stored text: a long-text answer "[1, 2]" reads back as
    that string, while multi-select rows keep their JSON-list format, so old rows still decode.
    """
    return ANSWER_TYPES[item_type].decode(stored)


def save_items(
    session: Session,
    assessment: Assessment,
    changes: Sequence[ItemChange],
    *,
    user: User | None,
    record: bool = True,
) -> SaveResult:
    """Save posted items, merging with concurrent edits; return what was saved and any conflicts.

    An item whose posted state equals the state its page was rendered with was not touched on
    that page and is left alone (someone else's newer answer survives). An item changed both
    here and elsewhere since the page was rendered is a conflict and is not saved. The
    assessment is locked first (``lock_assessment``), so the status and the stored states this
    checks against cannot change before the write.
    """
    assessment = lock_assessment(session, assessment.id)
    if assessment.status != "draft":
        raise AssessmentReadOnly("This assessment has been submitted and is read-only.")
    rubric = rubric_for(assessment)
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
            encoded = encode_value(value, _type_of(rubric, item_id))
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


def score_of(session: Session, assessment: Assessment) -> AssessmentScore:
    """Score the assessment's current answers (the one scoring core, nothing cached)."""
    return score_assessment(rubric_for(assessment), load_answers(session, assessment))


def snapshot_payload(version: RubricVersion, states: Mapping[str, ItemState]) -> dict[str, Any]:
    """What a submitted snapshot freezes: the rubric version and every answered item's state.

    Empty states are left out: an item cleared after being answered and an item never touched
    mean the same, so they must hash the same however they happen to be stored.
    """
    return {
        "rubric_id": version.rubric_key,
        "rubric_version": version.version,
        "rubric_hash": version.content_hash,
        "items": {
            item_id: state.to_dict()
            for item_id, state in sorted(states.items())
            if not state.is_empty()
        },
    }


def payload_hash(payload: Mapping[str, Any]) -> str:
    """The content hash over a snapshot payload (canonical JSON, SHA-256)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def submit(session: Session, assessment: Assessment, *, user: User | None) -> Snapshot:
    """Lock the assessment, freeze a snapshot with its content hash, and cache its scores.

    The status is checked under the lock: a save waiting for this submit finds the assessment
    submitted, and a submit waiting for a save freezes what that save wrote.
    """
    assessment = lock_assessment(session, assessment.id)
    if assessment.status != "draft":
        raise AssessmentError("This assessment is already submitted.")
    states = load_states(session, assessment)
    payload = snapshot_payload(assessment.rubric_version, states)
    content_hash = payload_hash(payload)
    number = (
        len(
            list(
                session.scalars(select(Snapshot.id).where(Snapshot.assessment_id == assessment.id))
            )
        )
        + 1
    )
    now = utcnow()
    snapshot = Snapshot(
        assessment_id=assessment.id,
        number=number,
        revision=assessment.revision,
        content_hash=content_hash,
        payload=payload,
        submitted_at=now,
        submitted_by_id=user.id if user else None,
    )
    session.add(snapshot)
    assessment.status = "submitted"
    assessment.submitted_at = now
    assessment.submitted_by_id = user.id if user else None
    assessment.snapshot_hash = content_hash
    rubric = rubric_for(assessment)
    answers = {item_id: state.to_answer() for item_id, state in states.items()}
    score = score_assessment(rubric, answers)
    write_section_scores(session, assessment, score)
    write_item_results(session, assessment, rubric, score)
    audit.record(
        session,
        "assessment.submit",
        user_id=user.id if user else None,
        org_id=assessment.org_id,
        target=f"assessment:{assessment.id}",
        snapshot=number,
        hash=content_hash,
    )
    session.flush()
    return snapshot


def write_section_scores(session: Session, assessment: Assessment, score: AssessmentScore) -> None:
    """Replace the cached score rows the SQL roll-ups read (built by ``score_cache``)."""
    session.execute(delete(SectionScore).where(SectionScore.assessment_id == assessment.id))
    session.execute(insert(SectionScore), section_score_rows(assessment.id, score))


#: The dimension of the per-item ``ItemResult`` row that carries the paper-vs-practice label.
PAIR_DIMENSION = "_item"


def item_result_rows(
    assessment_id: int, rubric: Rubric, score: AssessmentScore
) -> list[dict[str, Any]]:
    """Return the ``ItemResult`` rows of a scored assessment, as dicts for a bulk insert.

    Only visible, applicable, scored items have ratings in the scoring core, so only they get
    rows; "full" is the scoring core's own rule (the one behind ``ItemScore.is_gap``).
    """
    rows: list[dict[str, Any]] = []
    for item_id, item_score in score.items.items():
        if not (item_score.visible and item_score.scored) or item_score.not_applicable:
            continue
        rows.extend(
            {
                "assessment_id": assessment_id,
                "item_id": item_id,
                "dimension": dimension,
                "option_key": rating.option_key,
                "full": rating_is_full(rubric, rating),
                "paper_practice": None,
            }
            for dimension, rating in item_score.ratings.items()
        )
        if item_score.paper_practice is not None:
            rows.append(
                {
                    "assessment_id": assessment_id,
                    "item_id": item_id,
                    "dimension": PAIR_DIMENSION,
                    "option_key": None,
                    "full": False,
                    "paper_practice": item_score.paper_practice.label,
                }
            )
    return rows


def write_item_results(
    session: Session, assessment: Assessment, rubric: Rubric, score: AssessmentScore
) -> None:
    """Replace the cached per-item results the SQL roll-ups read."""
    session.execute(delete(ItemResult).where(ItemResult.assessment_id == assessment.id))
    rows = item_result_rows(assessment.id, rubric, score)
    if rows:
        session.execute(insert(ItemResult), rows)


def reopen(
    session: Session, assessment: Assessment, *, user: User | None, reason: str = ""
) -> None:
    """Unlock a submitted assessment for changes; its snapshots stay retrievable."""
    assessment = lock_assessment(session, assessment.id)
    if assessment.status != "submitted":
        raise AssessmentError("Only a submitted assessment can be reopened.")
    assessment.status = "draft"
    assessment.snapshot_hash = None
    session.execute(delete(SectionScore).where(SectionScore.assessment_id == assessment.id))
    session.execute(delete(ItemResult).where(ItemResult.assessment_id == assessment.id))
    audit.record(
        session,
        "assessment.reopen",
        user_id=user.id if user else None,
        org_id=assessment.org_id,
        target=f"assessment:{assessment.id}",
        reason=reason,
    )
    session.flush()


def snapshots_of(session: Session, assessment: Assessment) -> list[Snapshot]:
    """Every submitted snapshot, newest first."""
    return list(
        session.scalars(
            select(Snapshot)
            .where(Snapshot.assessment_id == assessment.id)
            .order_by(Snapshot.number.desc())
        )
    )


def states_from_payload(payload: Mapping[str, Any]) -> dict[str, ItemState]:
    """Item states frozen in a snapshot payload."""
    return {item_id: ItemState.from_dict(data) for item_id, data in payload["items"].items()}


def answers_json(states: Iterable[tuple[str, ItemState]]) -> dict[str, Any]:
    """Answers as scoring's JSON form (for exports)."""
    return answers_to_json({item_id: state.to_answer() for item_id, state in states})
