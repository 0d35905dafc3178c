"""Operations on stored rubric versions: record the catalog, rebuild a pinned version.

Loading records each rubric's normalised definition once per (id, version). The same content
adds nothing; different content under an unchanged version string is refused, because answers
already given against that version must keep their meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.models import RubricVersion
from rubric_app.rubrics.catalog import Catalog
from rubric_app.rubrics.model import Rubric
from rubric_app.rubrics.serialize import (
    definition_hash,
    rubric_from_definition,
    rubric_to_definition,
)


class VersionConflictError(Exception):
    """A rubric's content changed but its version string did not."""

    def __init__(self, rubric_id: str, version: str) -> None:
        super().__init__(
            f"{rubric_id} version {version} is already loaded with different content. "
            "Bump `version:` in the YAML file to record the change as a new version."
        )
        self.rubric_id = rubric_id
        self.version = version


@dataclass(frozen=True)
class LoadOutcome:
    rubric_id: str
    version: str
    result: Literal["added", "unchanged"]


def record_rubric(session: Session, rubric: Rubric) -> LoadOutcome:
    """Store the rubric's version unless already stored; refuse changed content."""
    definition = rubric_to_definition(rubric)
    content_hash = definition_hash(definition)
    existing = session.scalar(
        select(RubricVersion).where(
            RubricVersion.rubric_key == rubric.id, RubricVersion.version == rubric.version
        )
    )
    if existing is not None:
        if existing.content_hash != content_hash:
            raise VersionConflictError(rubric.id, rubric.version)
        return LoadOutcome(rubric.id, rubric.version, "unchanged")
    session.add(
        RubricVersion(
            rubric_key=rubric.id,
            version=rubric.version,
            title=rubric.title,
            content_hash=content_hash,
            definition=definition,
        )
    )
    session.flush()
    return LoadOutcome(rubric.id, rubric.version, "added")


def record_catalog(session: Session, catalog: Catalog) -> list[LoadOutcome]:
    """Record every rubric of the catalog; all-or-nothing is up to the caller's transaction."""
    return [record_rubric(session, rubric) for rubric in catalog.rubrics.values()]


def latest_version(session: Session, rubric_id: str) -> RubricVersion | None:
    """The most recently loaded version of a rubric."""
    return session.scalar(
        select(RubricVersion)
        .where(RubricVersion.rubric_key == rubric_id)
        .order_by(RubricVersion.id.desc())
        .limit(1)
    )


def versions_of(session: Session, rubric_id: str) -> list[RubricVersion]:
    """Every stored version of a rubric, oldest first."""
    return list(
        session.scalars(
            select(RubricVersion)
            .where(RubricVersion.rubric_key == rubric_id)
            .order_by(RubricVersion.id)
        )
    )


#: Rebuilt rubrics by content hash. Stored versions never change and there are few of them,
#: so the cache needs no eviction.
_REBUILT: dict[str, Rubric] = {}


def rubric_of(version: RubricVersion) -> Rubric:
    """The Rubric a stored version describes."""
    rubric = _REBUILT.get(version.content_hash)
    if rubric is None:
        rubric = rubric_from_definition(version.definition)
        _REBUILT[version.content_hash] = rubric
    return rubric
