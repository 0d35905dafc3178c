"""Operations on stored rubric versions: record the catalog, rebuild a pinned version.

Loading records each rubric's normalised definition once per (id, version). The same content
adds nothing; different content under an unchanged version string is refused, because answers
already given against that version must keep their meaning.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

from cachetools import LRUCache, cached
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


#: How many rebuilt rubrics one process keeps: far more than the versions a catalog holds, so
#: in practice nothing is evicted, but a process that meets many databases stays bounded.
REBUILT_LIMIT = 64

_RebuiltKey = tuple[str, str, str]

#: Rebuilt rubrics, the least recently used dropped first, keyed by (rubric id, version,
#: content hash).
#: Stored versions never change, and the hash covers the whole definition (id and version
#: included), so a key can only ever stand for one definition, in any database this process
#: talks to.
_REBUILT: LRUCache[_RebuiltKey, Rubric] = LRUCache(maxsize=REBUILT_LIMIT)
_REBUILT_LOCK = threading.Lock()


def _rebuilt_key(version: RubricVersion) -> _RebuiltKey:
    return (version.rubric_key, version.version, version.content_hash)


@cached(_REBUILT, key=_rebuilt_key, lock=_REBUILT_LOCK)
def rubric_of(version: RubricVersion) -> Rubric:
    """The Rubric a stored version describes (rebuilt once per process, then cached).

    ``RubricVersion.definition`` is a deferred column: it is read from the database only here,
    when the cache misses.
    """
    return rubric_from_definition(version.definition)
