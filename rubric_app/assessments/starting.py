"""Starting an assessment, optionally copying a previous one's answers forward.

The rules of a start live here, not in the pages that call it (the start page, the importer,
the demo seeder): an organization has one assessment of a rubric per period unless a second is
asked for, and then its title must tell the two apart; answers are copied only from the same
organization's assessment of the same rubric; the title and the period are labels every page,
PDF and export shows, so they hold no invisible formatting characters (a right-to-left override
prints "MOU review 2026" as "6202 weiver UOM"), and the period is a school year such as 2026-27
or a year such as 2026 (``period_problem``). A refusal is a ``StartRefused`` with a code the
page maps to the form field it concerns.
"""

from __future__ import annotations

import re
from typing import Literal

from sqlalchemy.orm import Session

from rubric_app import audit
from rubric_app.assessments.locking import lock_assessment
from rubric_app.assessments.reads import assessments_for_period, load_states
from rubric_app.assessments.saving import save_items
from rubric_app.assessments.states import AssessmentError, ItemChange
from rubric_app.hostile_input import label_problem
from rubric_app.models import Assessment, Organization, RubricVersion, User
from rubric_app.rubric_versions import rubric_of

#: Why a start was refused: ``previous_*`` concern the assessment to copy from, ``period_*``
#: the period, ``title_*`` the title (``title_not_distinct``: of a second one for the period).
StartRefusal = Literal[
    "previous_other_org",
    "previous_other_rubric",
    "period_taken",
    "period_unfit",
    "title_not_distinct",
    "title_unfit",
]

#: A school year, four ASCII digits, a hyphen and the next year's last two ("2026-27"), or a
#: year ("2026", the state policy review's cycle). Periods are sorted and compared as text (the
#: previous period, the dashboard's trend), which only works while they keep these shapes.
_PERIOD = re.compile(r"([0-9]{4})(?:-([0-9]{2}))?")
PERIOD_HINT = "Enter the period as a school year like 2026-27, or a year like 2026."


def period_problem(period: str) -> str | None:
    """Say why ``period`` (trimmed) is neither a school year such as 2026-27 nor a year such as
    2026, or None."""
    period = period.strip()
    problem = label_problem(period)
    if problem is not None:
        return f"The period {problem}."
    found = _PERIOD.fullmatch(period)
    if found is None:
        return f"{PERIOD_HINT} “{period}” is neither."
    start, end = int(found.group(1)), found.group(2)
    if end is not None and int(end) != (start + 1) % 100:
        return (
            f"{PERIOD_HINT} A school year runs into the next year: after {start}- comes "
            f"{(start + 1) % 100:02d}."
        )
    return None


class StartRefused(AssessmentError):
    """A start the rules refuse: a code, and for the period rules the assessment in the way."""

    def __init__(
        self, code: StartRefusal, message: str, existing: Assessment | None = None
    ) -> None:
        super().__init__(message)
        self.code: StartRefusal = code
        self.existing = existing


def check_start(
    session: Session,
    *,
    org: Organization,
    version: RubricVersion,
    title: str,
    period: str,
    previous: Assessment | None = None,
    allow_second: bool = False,
) -> None:
    """Raise ``StartRefused`` when the rules refuse this start (nothing is written)."""
    problem = label_problem(title)
    if problem is not None:
        raise StartRefused("title_unfit", f"The title {problem}.")
    problem = period_problem(period)
    if problem is not None:
        raise StartRefused("period_unfit", problem)
    period = period.strip()
    if previous is not None and previous.org_id != org.id:
        raise StartRefused(
            "previous_other_org",
            "You can only start from one of your own organization's assessments.",
        )
    if previous is not None and previous.rubric_key != version.rubric_key:
        raise StartRefused(
            "previous_other_rubric",
            "Choose an earlier assessment of the same rubric, or start with empty answers.",
        )
    same_period = assessments_for_period(session, org.id, version.rubric_key, period)
    if not same_period:
        return
    if not allow_second:
        raise StartRefused(
            "period_taken",
            f"Your organization already has an assessment of this rubric for {period}. "
            "Open it, or choose another period.",
            same_period[0],
        )
    wanted = title.strip().casefold()
    if any(other.title.strip().casefold() == wanted for other in same_period):
        raise StartRefused(
            "title_not_distinct",
            f"Another assessment of this rubric for {period} already has this title. Give this "
            "one a title that tells them apart, for example the school's name.",
            same_period[0],
        )


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
    """Start an assessment; with ``previous``, copy its answers forward for the next cycle.

    Raises ``StartRefused`` (see ``check_start``) when the rules refuse it.
    """
    check_start(
        session,
        org=org,
        version=version,
        title=title,
        period=period,
        previous=previous,
        allow_second=allow_second,
    )
    period = period.strip()
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
