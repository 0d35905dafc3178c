"""``lock_assessment``, the one lock every writer takes, checked with a second real connection.

While one session holds an assessment, another connection cannot take it (asked not to wait, so
nothing here depends on timing): SQLite refuses a second ``BEGIN IMMEDIATE``, PostgreSQL a
second ``FOR UPDATE NOWAIT``. After commit it can. The revision is counted up in the database,
so a writer holding an old copy of the assessment never reuses a revision number.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import make_org, make_user, start_draft
from sqlalchemy import Connection, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from rubric_app.assessments import (
    AssessmentGone,
    AssessmentReadOnly,
    ItemChange,
    ItemState,
    load_states,
    lock_assessment,
    save_items,
    submit,
)
from rubric_app.db import db
from rubric_app.models import Assessment, User

ITEM = "mou-purpose-stated"


@pytest.fixture
def assessment(session: Session) -> Assessment:
    org = make_org(session, "Riverside Schools")
    owner = make_user(session, "owner@riverside.example", org, "owner")
    return start_draft(session, org, owner)


@pytest.fixture
def other() -> Iterator[Connection]:
    """A second real connection to the same database, which never waits for a lock."""
    connection = db.engine.connect()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA busy_timeout=0")
    yield connection
    connection.rollback()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA busy_timeout=10000")
    connection.close()


def try_lock(connection: Connection, assessment_id: int) -> bool:
    """Whether ``connection`` can take the assessment's lock right now (then let it go)."""
    try:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.execute(
                select(Assessment.id)
                .where(Assessment.id == assessment_id)
                .with_for_update(nowait=True)
            )
    except OperationalError:
        connection.rollback()
        return False
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("ROLLBACK")
    connection.rollback()
    return True


def test_the_lock_is_held_until_commit(
    session: Session, assessment: Assessment, other: Connection
) -> None:
    assert try_lock(other, assessment.id)
    held = lock_assessment(session, assessment.id)
    assert held is assessment
    assert not try_lock(other, assessment.id)
    # Taking it again in the same transaction is allowed and changes nothing.
    assert lock_assessment(session, assessment.id) is assessment
    assert not try_lock(other, assessment.id)
    session.commit()
    assert try_lock(other, assessment.id)


def test_every_writer_leaves_the_lock_held(
    session: Session, assessment: Assessment, other: Connection
) -> None:
    user = session.scalar(select(User))
    save_items(session, assessment, [ItemChange(ITEM, ItemState(comment="x"), None)], user=user)
    assert not try_lock(other, assessment.id)
    session.commit()
    submit(session, assessment, user=user)
    assert not try_lock(other, assessment.id)
    session.commit()
    assert try_lock(other, assessment.id)


def test_a_missing_assessment_is_gone(session: Session) -> None:
    with pytest.raises(AssessmentGone):
        lock_assessment(session, 999999)


def test_a_save_after_submit_is_refused_as_read_only(
    session: Session, assessment: Assessment
) -> None:
    submit(session, assessment, user=None)
    session.commit()
    with pytest.raises(AssessmentReadOnly, match="read-only"):
        save_items(
            session, assessment, [ItemChange(ITEM, ItemState(comment="late"), None)], user=None
        )
    session.rollback()
    assert ITEM not in load_states(session, assessment)


def test_a_stale_copy_of_the_assessment_never_reuses_a_revision(
    app: object, session: Session, assessment: Assessment
) -> None:
    # Another session saves while this one still holds revision 0 in memory.
    other_session = Session(bind=db.engine, expire_on_commit=False)
    try:
        theirs = other_session.get(Assessment, assessment.id)
        assert theirs is not None
        result = save_items(
            other_session, theirs, [ItemChange(ITEM, ItemState(comment="theirs"), None)], user=None
        )
        other_session.commit()
    finally:
        other_session.close()
    assert result.revision == 1
    assert assessment.revision == 0  # the stale copy
    mine = save_items(
        session,
        assessment,
        [ItemChange("partnership-exists", ItemState(values={"value": "yes"}), None)],
        user=None,
    )
    session.commit()
    assert mine.revision == 2
    assert assessment.revision == 2
    session.expire_all()
    assert session.get(Assessment, assessment.id).revision == 2
