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

Everything an assessment's rows hold but its id follows from its rubric version and answers, so
each answer set is stored, hashed and scored once per ``submit_many`` call (or once per
``Patterns`` the caller keeps across calls) however many assessments share that very states
object; with COPY, those rows are also written out as COPY text once and only the id is put in
front of each line. A seeder that draws its answers from a bounded set of answer sets
(``demo_state.AnswerPool``) so pays for scoring a few hundred times, not once per assessment.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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


#: The child tables of an assessment, in the order a batch writes them. Parents before children
#: is not needed (all point at assessments), but a stable order keeps the COPY statements of a
#: batch in the same sequence every run.
_CHILD_MODELS: tuple[type[Base], ...] = (Answer, ItemNote, Snapshot, SectionScoreRow, ItemResult)


@dataclass
class _Pattern:
    """What one answer set becomes, for any assessment that has it: all but the assessment id.

    ``rows`` holds each child table's rows without their ``assessment_id``; ``copy_text`` the
    same rows as COPY text lines that still lack the id in front, made on first use.
    """

    kept: dict[str, ItemState]
    content_hash: str
    revision: int
    rows: dict[type[Base], list[dict[str, Any]]]
    copy_text: dict[type[Base], str] = field(default_factory=dict)


@dataclass
class Patterns:
    """Answer sets already turned into rows, by rubric version and states object.

    Keyed by the identity of the states mapping: a seeder that hands the same mapping to many
    planned submissions gets it stored, hashed and scored once. The mapping is held here too,
    so its identity cannot be reused by another object while the entry lives; it must not be
    changed after it was first submitted. Rows depend on the submitting user and clock as well,
    so those are part of the key.
    """

    _seen: dict[
        tuple[int, int, int | None, dt.datetime], tuple[Mapping[str, ItemState], _Pattern]
    ] = field(default_factory=dict)

    def of(self, planned: PlannedSubmission, by: int | None, now: dt.datetime) -> _Pattern:
        """Return the rows of the planned submission's answer set, made on first sight."""
        key = (planned.version.id, id(planned.states), by, now)
        found = self._seen.get(key)
        if found is not None and found[0] is planned.states:
            return found[1]
        pattern = _pattern_of(planned.version, planned.states, by, now)
        self._seen[key] = (planned.states, pattern)
        return pattern

    def __len__(self) -> int:
        return len(self._seen)


def _pattern_of(
    version: RubricVersion, states: Mapping[str, ItemState], by: int | None, now: dt.datetime
) -> _Pattern:
    """Store, hash and score one answer set as ``save_items`` and ``submit`` would."""
    kept = stored_states(states)
    payload = snapshot_payload(version, kept)
    content_hash = payload_hash(payload)
    rubric = rubric_of(version)
    # save_items counts the revision up once when it writes anything.
    revision = 1 if kept else 0
    score = score_assessment(rubric, {item: state.to_answer() for item, state in kept.items()})
    # Built with a placeholder id and stripped of it: the row builders are the operations' own.
    placeholder = 0
    snapshot = {
        "assessment_id": placeholder,
        "number": 1,
        "revision": revision,
        "content_hash": content_hash,
        "payload": payload,
        "submitted_at": now,
        "submitted_by_id": by,
    }
    built: dict[type[Base], Iterable[dict[str, Any]]] = {
        Answer: _answer_rows(placeholder, rubric, kept, revision, by, now),
        ItemNote: _note_rows(placeholder, kept, revision, by, now),
        Snapshot: [snapshot],
        SectionScoreRow: section_score_rows(placeholder, score),
        ItemResult: item_result_rows(placeholder, rubric, score),
    }
    rows = {
        model: [{k: v for k, v in row.items() if k != "assessment_id"} for row in table_rows]
        for model, table_rows in built.items()
    }
    return _Pattern(kept, content_hash, revision, rows)


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
    patterns: Patterns | None = None,
) -> list[int]:
    """Create the planned assessments submitted (and shared); return their ids in order.

    ``by`` is the user id recorded as creator, submitter and last editor (None for synthetic
    data, like an operation called without a user). ``patterns`` keeps scored answer sets
    across calls (see ``Patterns``); without it they are kept for this call. The caller commits.
    """
    how = _resolve(session, method)
    now = now or utcnow()
    patterns = patterns if patterns is not None else Patterns()
    ids: list[int] = []
    for start in range(0, len(planned), batch_size):
        batch = planned[start : start + batch_size]
        ids.extend(_submit_batch(session, batch, by, how, now, patterns))
    return ids


def _submit_batch(
    session: Session,
    planned: Sequence[PlannedSubmission],
    by: int | None,
    how: Literal["insert", "copy"],
    now: dt.datetime,
    patterns: Patterns,
) -> list[int]:
    made = [patterns.of(p, by, now) for p in planned]
    rows = [
        {
            "org_id": p.org_id,
            "rubric_version_id": p.version.id,
            "rubric_key": p.version.rubric_key,
            "title": p.title.strip(),
            "period": p.period.strip(),
            "status": "submitted",
            "revision": pattern.revision,
            "created_by_id": by,
            "created_at": now,
            "updated_at": now,
            "submitted_at": now,
            "submitted_by_id": by,
            "snapshot_hash": pattern.content_hash,
        }
        for p, pattern in zip(planned, made, strict=True)
    ]
    ids = list(
        session.scalars(
            insert(Assessment).returning(Assessment.id, sort_by_parameter_order=True), rows
        )
    )
    shares = [
        {
            "assessment_id": assessment_id,
            "to_org_id": share.org_id,
            "created_by_id": by,
            "created_at": now,
            "revoked_at": None,
            "named_in_lists": share.named,
        }
        for assessment_id, p in zip(ids, planned, strict=True)
        for share in p.shares
    ]
    if how == "copy":
        for model in _CHILD_MODELS:
            _copy_patterns(session, model, ids, made)
        if shares:
            _copy(session, Share, shares)
        return ids
    for model in _CHILD_MODELS:
        table_rows = [
            {"assessment_id": assessment_id, **row}
            for assessment_id, pattern in zip(ids, made, strict=True)
            for row in pattern.rows[model]
        ]
        if table_rows:
            session.execute(insert(model), table_rows)
    if shares:
        session.execute(insert(Share), shares)
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
            **state.note_columns(),
            "revision": revision,
            "updated_by_id": by,
            "updated_at": now,
        }


def _copy_field(value: Any, *, as_json: bool) -> str:
    """One value in COPY's text format: NULL as \\N, booleans as t/f, text escaped.

    A JSON column's None is JSON null, as SQLAlchemy's JSON type stores it, not SQL NULL.
    """
    if as_json:
        value = json.dumps(value, ensure_ascii=False)
    elif value is None:
        return "\\N"
    elif isinstance(value, bool):
        return "t" if value else "f"
    elif isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same double
    elif isinstance(value, dt.datetime):
        return value.isoformat()
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _copy_lines(model: type[Base], rows: Iterable[Mapping[str, Any]], columns: list[str]) -> str:
    """The rows as COPY text lines, in ``columns`` order, each ending in a newline."""
    table = Base.metadata.tables[model.__tablename__]
    json_columns = {
        name for name in columns if table.c[name].type.__class__.__name__ in {"JSON", "JSONB"}
    }
    return "".join(
        "\t".join(_copy_field(row[name], as_json=name in json_columns) for name in columns) + "\n"
        for row in rows
    )


def _copy_statement(model: type[Base], columns: Sequence[str]) -> Any:
    """``COPY table (columns) FROM STDIN``, composed with psycopg's ``sql`` module.

    SQLAlchemy has no COPY construct; identifiers are quoted by the driver and nothing is
    interpolated from data.
    """
    from psycopg import sql  # only PostgreSQL runs this; SQLite installs need no psycopg

    return sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model.__tablename__), sql.SQL(", ").join(map(sql.Identifier, columns))
    )


def _write_copy(session: Session, model: type[Base], columns: Sequence[str], text: str) -> None:
    """Stream COPY text into the model's table, in the session's transaction."""
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(_copy_statement(model, columns)) as copy:
        copy.write(text)


def _copy_patterns(
    session: Session, model: type[Base], ids: Sequence[int], made: Sequence[_Pattern]
) -> None:
    """COPY one child table's rows of a batch: each pattern's lines with the id put in front."""
    columns: list[str] | None = None
    parts: list[str] = []
    for assessment_id, pattern in zip(ids, made, strict=True):
        rows = pattern.rows[model]
        if not rows:
            continue
        if columns is None:
            columns = list(rows[0])
        # The row builders name the same columns in the same order for every answer set.
        assert list(rows[0]) == columns, model
        text = pattern.copy_text.get(model)
        if text is None:
            text = pattern.copy_text[model] = _copy_lines(model, rows, columns)
        prefix = f"{assessment_id}\t"
        # Every line of the pattern gets the id; values cannot hold a bare line end (escaped).
        parts.append(prefix + text[:-1].replace("\n", "\n" + prefix) + "\n")
    if columns is not None:
        _write_copy(session, model, ["assessment_id", *columns], "".join(parts))


def _copy(session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]]) -> None:
    """Stream the rows into the model's table with COPY, in the session's transaction."""
    columns = list(rows[0])
    _write_copy(session, model, columns, _copy_lines(model, rows, columns))
