"""The reads behind the board summary: similar organizations' scores and the previous period.

*Similar organizations* (the peer group the organization form promises) are those of the same
kind with the same enrollment band, locale and SRO staffing, where the organization has filled
these in (a profile field left blank does not narrow the group), and that a site administrator
has verified: anyone can sign up and make organizations of any profile, and four made-up peers
with chosen scores beside one real one would make the median of five that real one's score.
Only what peers chose to share with their state advocate counts: a submitted assessment of the
same rubric with a live share (not revoked) to a verified state advocate of the peer's own state.
Each peer counts once, with its latest such assessment. Scores come from the ``section_scores``
rows that ``assessments.submit`` caches from the scoring core, so nothing here scores anything; the
small-number rule is applied by ``scoring.board.peer_benchmark`` on what this returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from rubric_app.models import Assessment, Organization, SectionScoreRow, Share
from rubric_app.vocabulary import (
    ENROLLMENT_BAND_LABELS,
    LOCALE_LABELS,
    ORG_KIND_GROUP_LABELS,
    SRO_MODEL_LABELS,
)

#: The ``section_scores`` row that holds the overall score, pooled over every dimension.
OVERALL_SECTION = "_overall"
ALL_DIMENSIONS = "_all"


@dataclass(frozen=True)
class PeerGroup:
    """Which organizations count as similar, in words ("School districts, Suburb, ...")."""

    description: str
    #: Profile fields the organization left blank, which therefore do not narrow the group.
    unset: tuple[str, ...] = ()


@dataclass(frozen=True)
class PeerScores:
    """One percent per similar organization: overall, and per section id."""

    group: PeerGroup
    overall: tuple[float | None, ...] = ()
    by_section: Mapping[str, tuple[float | None, ...]] = field(default_factory=dict)


def peer_group(org: Organization) -> PeerGroup:
    """Return the description of ``org``'s peer group and the profile fields it left blank."""
    parts = [ORG_KIND_GROUP_LABELS.get(org.kind, org.kind)]
    unset = []
    for value, labels, name in (
        (org.enrollment_band, ENROLLMENT_BAND_LABELS, "size"),
        (org.locale, LOCALE_LABELS, "locale"),
        (org.sro_model, SRO_MODEL_LABELS, "SRO staffing"),
    ):
        if value:
            parts.append(labels.get(value, value))
        else:
            unset.append(name)
    return PeerGroup(", ".join(parts), tuple(unset))


def peer_scores(session: Session, org: Organization, rubric_key: str) -> PeerScores:
    """Return the scores of ``org``'s similar organizations on ``rubric_key`` (see module doc)."""
    advocate = aliased(Organization)
    shared_with_advocate = exists(
        select(Share.id)
        .join(advocate, advocate.id == Share.to_org_id)
        .where(
            Share.assessment_id == Assessment.id,
            Share.revoked_at.is_(None),
            advocate.kind == "state_advocate",
            advocate.verified_at.is_not(None),
            advocate.state == Organization.state,
        )
    )
    # Each peer's latest shared assessment: newest period, then newest submission.
    ranked = (
        select(
            Assessment.id.label("assessment_id"),
            Assessment.org_id.label("org_id"),
            func.row_number()
            .over(
                partition_by=Assessment.org_id,
                order_by=(
                    Assessment.period.desc(),
                    Assessment.submitted_at.desc(),
                    Assessment.id.desc(),
                ),
            )
            .label("rank"),
        )
        .join(Organization, Organization.id == Assessment.org_id)
        .where(
            Assessment.status == "submitted",
            Assessment.rubric_key == rubric_key,
            Organization.id != org.id,
            Organization.kind == org.kind,
            Organization.verified_at.is_not(None),
            shared_with_advocate,
        )
    )
    for column, value in (
        (Organization.enrollment_band, org.enrollment_band),
        (Organization.locale, org.locale),
        (Organization.sro_model, org.sro_model),
    ):
        if value:
            ranked = ranked.where(column == value)
    latest = ranked.subquery()
    rows = session.execute(
        select(latest.c.org_id, SectionScoreRow.section_id, SectionScoreRow.percent)
        .join(
            SectionScoreRow,
            and_(
                SectionScoreRow.assessment_id == latest.c.assessment_id,
                SectionScoreRow.dimension == ALL_DIMENSIONS,
            ),
        )
        .where(latest.c.rank == 1)
        .order_by(latest.c.org_id, SectionScoreRow.section_id)
    )
    overall: list[float | None] = []
    by_section: dict[str, list[float | None]] = {}
    for _org_id, section_id, percent in rows:
        if section_id == OVERALL_SECTION:
            overall.append(percent)
        else:
            by_section.setdefault(str(section_id), []).append(percent)
    return PeerScores(
        peer_group(org),
        tuple(overall),
        {section_id: tuple(values) for section_id, values in by_section.items()},
    )


def previous_submitted(session: Session, assessment: Assessment) -> Assessment | None:
    """Return the organization's previous submitted assessment of the same rubric, if any.

    The assessment this one was started from comes first when it is a submitted one of the
    same rubric; otherwise the latest submitted one of an earlier period (periods such as
    "2025-26" sort in time order as text).
    """
    if assessment.previous_id is not None:
        started_from = session.get(Assessment, assessment.previous_id)
        if (
            started_from is not None
            and started_from.status == "submitted"
            and started_from.rubric_key == assessment.rubric_key
            and started_from.org_id == assessment.org_id
        ):
            return started_from
    return session.scalar(
        select(Assessment)
        .where(
            Assessment.org_id == assessment.org_id,
            Assessment.rubric_key == assessment.rubric_key,
            Assessment.status == "submitted",
            Assessment.id != assessment.id,
            Assessment.period < assessment.period,
        )
        .order_by(Assessment.period.desc(), Assessment.submitted_at.desc(), Assessment.id.desc())
        .limit(1)
    )
