"""Bulk submission: the rows of thousands of submitted, shared assessments, written at once.

The operations in ``rubric_app.assessments`` write one assessment at a time, under a lock
(``start_assessment`` -> ``save_items`` -> ``submit``, then ``accounts.sharing.share_assessment``).
Seeders of synthetic data (``demo_state.seed_state``, the benchmarks) need tens of thousands of
them, so this module writes the same rows in bulk: the assessment, its answer and note rows as
``save_items`` stores them, the snapshot and content hash ``submit`` freezes, the cached section
scores and item results computed by the one scoring core (``score_assessment``), and the shares.
``tests/web/test_bulk_import.py`` holds it to the one-by-one path on SQLite and PostgreSQL:
same rows, same hashes, same scores.

What it leaves out on purpose: the locks (nobody else can see rows that do not exist yet), the
merge against stored states (there are none) and the per-assessment audit entries (the caller
records one entry for the whole batch). It is for new, synthetic data only; real users'
assessments go through the operations.

Rows go in with one ``insert()`` per table and batch, or, on PostgreSQL with psycopg, with
``COPY ... FROM STDIN`` (``cursor.copy``), which is several times faster for millions of rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import insert
from sqlalchemy.orm import Session

from rubric_app.assessments import (
    ItemState,
    encode_value,
    item_result_rows,
    payload_hash,
    section_score_rows,
    snapshot_payload,
)
from rubric_app.models import (
    Answer,
    Assessment,
    Base,
    ItemNote,
    ItemResult,
    RubricVersion,
    SectionScoreRow,
    Share,
    Snapshot,
    utcnow,
)
from rubric_app.rubric_versions import rubric_of
from rubric_app.rubrics.model import Rubric
from rubric_app.scoring import score_assessment

#: How rows reach the database: "insert" (any database), "copy" (PostgreSQL with psycopg),
#: "auto" (copy where it can, insert elsewhere).
Method = Literal["auto", "insert", "copy"]


@dataclass(frozen=True)
class ShareTo:
    """A share to create for a bulk-submitted assessment."""

    org_id: int
    named: bool = False


@dataclass(frozen=True)
class PlannedSubmission:
    """One assessment to create already submitted: whose, which rubric version, what answers."""

    org_id: int
    version: RubricVersion
    title: str
    period: str
    states: Mapping[str, ItemState]
    shares: tuple[ShareTo, ...] = ()


def stored_states(states: Mapping[str, ItemState]) -> dict[str, ItemState]:
    """The states as ``save_items`` stores them and ``load_states`` reads them back.

    An empty value ("" or no choice) gets no answer row; an item posted with nothing in it gets
    no row at all; any other item keeps a note row, even if all its values were empty (it then
    reads back empty, and the snapshot leaves it out, as ``submit`` does).
    """
    kept: dict[str, ItemState] = {}
    for item_id, state in sorted(states.items()):
        if state.is_empty():
            continue
        values = {dim: value for dim, value in state.values.items() if value not in ("", ())}
        if values != dict(state.values):
            state = ItemState(
                values=values,
                not_applicable=state.not_applicable,
                na_reason=state.na_reason,
                comment=state.comment,
                evidence_quote=state.evidence_quote,
                evidence_source=state.evidence_source,
                flagged=state.flagged,
            )
        kept[item_id] = state
    return kept


@dataclass
class _Rows:
    """The child rows of one batch, by table."""

    answers: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    snapshots: list[dict[str, Any]]
    scores: list[dict[str, Any]]
    item_results: list[dict[str, Any]]
    shares: list[dict[str, Any]]

    def by_model(self) -> tuple[tuple[type[Base], list[dict[str, Any]]], ...]:
        # Parents before children is not needed (all point at assessments), but a stable order
        # keeps the COPY statements of a batch in the same sequence every run.
        return (
            (Answer, self.answers),
            (ItemNote, self.notes),
            (Snapshot, self.snapshots),
            (SectionScoreRow, self.scores),
            (ItemResult, self.item_results),
            (Share, self.shares),
        )


def _resolve(session: Session, method: Method) -> Literal["insert", "copy"]:
    connection = session.connection()
    copy_possible = (
        connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg"
    )
    if method == "copy" and not copy_possible:
        raise ValueError("COPY needs PostgreSQL through psycopg; use method='insert'.")
    if method == "auto":
        return "copy" if copy_possible else "insert"
    return method


def submit_many(
    session: Session,
    planned: Sequence[PlannedSubmission],
    *,
    by: int | None = None,
    method: Method = "auto",
    batch_size: int = 500,
    now: dt.datetime | None = None,
) -> list[int]:
    """Create the planned assessments submitted (and shared); return their ids in order.

    ``by`` is the user id recorded as creator, submitter and last editor (None for synthetic
    data, like an operation called without a user). The caller commits.
    """
    how = _resolve(session, method)
    now = now or utcnow()
    ids: list[int] = []
    for start in range(0, len(planned), batch_size):
        ids.extend(_submit_batch(session, planned[start : start + batch_size], by, how, now))
    return ids


def _submit_batch(
    session: Session,
    planned: Sequence[PlannedSubmission],
    by: int | None,
    how: Literal["insert", "copy"],
    now: dt.datetime,
) -> list[int]:
    kept = [stored_states(p.states) for p in planned]
    payloads = [
        snapshot_payload(p.version, states) for p, states in zip(planned, kept, strict=True)
    ]
    hashes = [payload_hash(payload) for payload in payloads]
    rows = [
        {
            "org_id": p.org_id,
            "rubric_version_id": p.version.id,
            "rubric_key": p.version.rubric_key,
            "title": p.title.strip(),
            "period": p.period.strip(),
            "status": "submitted",
            # save_items counts the revision up once when it writes anything.
            "revision": 1 if states else 0,
            "created_by_id": by,
            "created_at": now,
            "updated_at": now,
            "submitted_at": now,
            "submitted_by_id": by,
            "snapshot_hash": content_hash,
        }
        for p, states, content_hash in zip(planned, kept, hashes, strict=True)
    ]
    ids = list(
        session.scalars(
            insert(Assessment).returning(Assessment.id, sort_by_parameter_order=True), rows
        )
    )
    batch = _Rows([], [], [], [], [], [])
    for assessment_id, p, states, payload, row in zip(
        ids, planned, kept, payloads, rows, strict=True
    ):
        rubric = rubric_of(p.version)
        revision = 1 if states else 0
        batch.answers.extend(_answer_rows(assessment_id, rubric, states, revision, by, now))
        batch.notes.extend(_note_rows(assessment_id, states, revision, by, now))
        batch.snapshots.append(
            {
                "assessment_id": assessment_id,
                "number": 1,
                "revision": revision,
                "content_hash": row["snapshot_hash"],
                "payload": payload,
                "submitted_at": now,
                "submitted_by_id": by,
            }
        )
        score = score_assessment(
            rubric, {item: state.to_answer() for item, state in states.items()}
        )
        batch.scores.extend(section_score_rows(assessment_id, score))
        batch.item_results.extend(item_result_rows(assessment_id, rubric, score))
        batch.shares.extend(
            {
                "assessment_id": assessment_id,
                "to_org_id": share.org_id,
                "created_by_id": by,
                "created_at": now,
                "revoked_at": None,
                "named_in_lists": share.named,
            }
            for share in p.shares
        )
    for model, table_rows in batch.by_model():
        if table_rows:
            if how == "copy":
                _copy(session, model, table_rows)
            else:
                session.execute(insert(model), table_rows)
    return ids


def _answer_rows(
    assessment_id: int,
    rubric: Rubric,
    states: Mapping[str, ItemState],
    revision: int,
    by: int | None,
    now: dt.datetime,
) -> Iterable[dict[str, Any]]:
    for item_id, state in states.items():
        item_type = rubric.item(item_id).type
        for dimension, value in state.values.items():
            yield {
                "assessment_id": assessment_id,
                "item_id": item_id,
                "dimension": dimension,
                "value": encode_value(value, item_type),
                "revision": revision,
                "updated_by_id": by,
                "updated_at": now,
            }


def _note_rows(
    assessment_id: int,
    states: Mapping[str, ItemState],
    revision: int,
    by: int | None,
    now: dt.datetime,
) -> Iterable[dict[str, Any]]:
    # Like save_items, every stored item has a note row (answers alone do not say N/A or flag).
    for item_id, state in states.items():
        yield {
            "assessment_id": assessment_id,
            "item_id": item_id,
            "not_applicable": state.not_applicable,
            "na_reason": state.na_reason,
            "comment": state.comment,
            "evidence_quote": state.evidence_quote,
            "evidence_source": state.evidence_source,
            "flagged": state.flagged,
            "revision": revision,
            "updated_by_id": by,
            "updated_at": now,
        }


def _copy(session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]]) -> None:
    """Stream the rows into the model's table with PostgreSQL's COPY, in the session's transaction.

    SQLAlchemy has no COPY construct, so the statement is composed with psycopg's ``sql``
    module (identifiers quoted by the driver, nothing interpolated from data).
    """
    from psycopg import sql  # only PostgreSQL runs this; SQLite installs need no psycopg

    table = Base.metadata.tables[model.__tablename__]
    columns = list(rows[0])
    json_columns = {
        name for name in columns if table.c[name].type.__class__.__name__ in {"JSON", "JSONB"}
    }
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[name], ensure_ascii=False) if name in json_columns else row[name]
                    for name in columns
                ]
            )
