"""What a report reads besides the stored answers, as one hashable value: ``ReportSources``.

``build_report`` takes every database (and crosswalk file) read it shows from here: the
assessment's and organization's own fields, the actions of this and the previous period, the
previous assessment's identity and revision, the funding conditions the organization added,
the accepted agreement evidence and the item renames of a version crosswalk. Its remaining
reads are fixed by values held here: the stored answers of an assessment change only with its
revision (every writer of answers and notes counts it up, ``assessments.save_items``), the
previous assessment's answers only with its revision, a rubric version never changes (its
content hash is here).

So two equal ``ReportSources`` (with the same catalog, frameworks and templates in the process)
give the same report, which is what lets ``page_cache`` keep a rendered report page keyed by
them. Anything new a report shows must be read here (or derived from what is), never read
inside ``build_report`` behind this value's back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from rubric_app.accounts.org_frameworks import added_framework_ids
from rubric_app.assessments import rubric_for
from rubric_app.models import Assessment
from rubric_app.version_crosswalks import aliases_into

from .actions import ActionView, actions_of, previous_actions_of
from .citations import Citations, citations_of


@dataclass(frozen=True)
class PreviousSource:
    """The assessment this one was started from: what the report shows of it and what fixes
    its score (its revision and rubric version)."""

    id: int
    title: str
    period: str
    status: str
    revision: int
    rubric_version_id: int
    rubric_hash: str


@dataclass(frozen=True)
class ReportSources:
    """Everything a report reads from the database and files besides the stored answers."""

    assessment_id: int
    revision: int
    status: str
    title: str
    period: str
    submitted_at: dt.datetime | None
    snapshot_hash: str | None
    rubric_version_id: int
    rubric_hash: str
    org_id: int
    org_name: str
    org_kind: str
    org_state: str
    #: This period's actions and the previous period's, as shown (``overdue`` holds the day).
    actions: tuple[ActionView, ...]
    previous_actions: tuple[ActionView, ...]
    previous: PreviousSource | None
    #: The funding-condition frameworks the organization added, sorted.
    added_frameworks: tuple[str, ...]
    citations: Citations
    #: The previous version's item ids a version crosswalk renames now, sorted; None if none.
    renamed: tuple[tuple[str, str], ...] | None


def read_sources(
    session: Session, assessment: Assessment, *, today: dt.date | None = None
) -> ReportSources:
    """Read what ``assessment``'s report shows, besides its answers (``today`` for "overdue")."""
    rubric = rubric_for(assessment)
    org = assessment.organization
    version = assessment.rubric_version
    previous = session.get(Assessment, assessment.previous_id) if assessment.previous_id else None
    previous_source: PreviousSource | None = None
    renamed: tuple[tuple[str, str], ...] | None = None
    if previous is not None:
        previous_source = PreviousSource(
            id=previous.id,
            title=previous.title,
            period=previous.period,
            status=previous.status,
            revision=previous.revision,
            rubric_version_id=previous.rubric_version_id,
            rubric_hash=previous.rubric_version.content_hash,
        )
        aliases = aliases_into([rubric_for(previous), rubric], 1)
        renamed = tuple(sorted(aliases[0].items())) if aliases else None
    return ReportSources(
        assessment_id=assessment.id,
        revision=assessment.revision,
        status=assessment.status,
        title=assessment.title,
        period=assessment.period,
        submitted_at=assessment.submitted_at,
        snapshot_hash=assessment.snapshot_hash,
        rubric_version_id=assessment.rubric_version_id,
        rubric_hash=version.content_hash,
        org_id=org.id,
        org_name=org.name,
        org_kind=org.kind,
        org_state=org.state,
        actions=tuple(actions_of(session, assessment, today=today)),
        previous_actions=tuple(previous_actions_of(session, assessment, today=today)),
        previous=previous_source,
        added_frameworks=added_framework_ids(session, org.id),
        citations=citations_of(session, assessment, rubric),
        renamed=renamed,
    )
