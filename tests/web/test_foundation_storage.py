"""Rubric versions in the database, migrations against the models, database settings."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rubric_app.assessments import start_assessment
from rubric_app.catalog_state import current_catalog
from rubric_app.db import Base, db
from rubric_app.models import Answer, Assessment, Organization, RubricVersion
from rubric_app.rubric_versions import latest_version, record_rubric, rubric_of
from rubric_app.rubrics.model import Rubric
from rubric_app.rubrics.serialize import rubric_to_definition


def test_migrations_match_the_models(app: Flask) -> None:
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_every_catalog_rubric_is_stored_once(session: Session) -> None:
    stored = {(v.rubric_key, v.version) for v in session.scalars(select(RubricVersion))}
    expected = {(r.id, r.version) for r in current_catalog().rubrics.values()}
    assert stored == expected


def test_stored_version_rebuilds_the_same_rubric(session: Session) -> None:
    for rubric in current_catalog().rubrics.values():
        version = latest_version(session, rubric.id)
        assert version is not None
        assert rubric_of(version) == rubric


def test_assessment_stays_readable_when_the_yaml_changes(session: Session) -> None:
    """A new version of a rubric leaves assessments pinned to the old one untouched."""
    rubric = current_catalog().rubrics["secure-local-implementation"]
    old_version = latest_version(session, rubric.id)
    assert old_version is not None
    org = Organization(name="Pinned District", kind="district", state="OH")
    session.add(org)
    session.flush()
    assessment = start_assessment(
        session, org=org, version=old_version, title="T", period="2026-27", user=None
    )
    first = rubric.sections[0]
    changed = Rubric(
        **{
            # Every field the constructor takes (the derived indexes are built by the rubric).
            **{
                f: getattr(rubric, f)
                for f, spec in rubric.__dataclass_fields__.items()
                if spec.init
            },
            "version": "2099.1",
            "sections": (
                type(first)(first.id, first.number, "Renamed", first.summary, first.items),
                *rubric.sections[1:],
            ),
        }
    )
    assert record_rubric(session, changed).result == "added"
    session.commit()
    assert rubric_of(assessment.rubric_version).sections[0].title == first.title
    assert latest_version(session, rubric.id).version == "2099.1"  # type: ignore[union-attr]
    assert rubric_to_definition(rubric_of(assessment.rubric_version)) == old_version.definition


def test_one_answer_per_item_and_dimension(session: Session) -> None:
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    org = Organization(name="Constraint District", kind="district", state="OH")
    session.add(org)
    session.flush()
    assessment = Assessment(
        org_id=org.id,
        rubric_version_id=version.id,
        rubric_key=version.rubric_key,
        title="T",
        period="p",
    )
    session.add(assessment)
    session.flush()
    session.add(Answer(assessment_id=assessment.id, item_id="x", dimension="policy", value="a"))
    session.add(Answer(assessment_id=assessment.id, item_id="x", dimension="policy", value="b"))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
    else:  # pragma: no cover - the constraint failing is the assertion
        raise AssertionError("duplicate answer row was accepted")


def test_status_must_be_known(session: Session) -> None:
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    org = Organization(name="Status District", kind="district", state="OH")
    session.add(org)
    session.flush()
    session.add(
        Assessment(
            org_id=org.id,
            rubric_version_id=version.id,
            rubric_key=version.rubric_key,
            title="T",
            period="p",
            status="archived",
        )
    )
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
    else:  # pragma: no cover
        raise AssertionError("unknown status was accepted")


def test_sqlite_runs_in_wal_with_foreign_keys(app: Flask) -> None:
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        return
    with db.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert raw.execute("PRAGMA busy_timeout").fetchone()[0] == 10000
