"""What a submitted assessment's task list offers its own organization to do next: the board
summary (and the full report PDF), sharing with the state advocate (whether one is verified for
the state, or with whom it is shared already), and the action plan. A reader from an
organization it was shared with is offered none of it (``overview_views`` asks ``follow_up``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import shares_of
from rubric_app.models import Assessment, Organization
from rubric_app.questionnaire.helpers import optional_url


@dataclass(frozen=True)
class NextSteps:
    """Links of the "Submitted" panel; a None link is a feature this user cannot reach."""

    #: The one-page board summary as a PDF, and as a page.
    board_pdf_url: str | None
    board_url: str | None
    report_pdf_url: str | None
    sharing_url: str | None
    actions_url: str | None
    #: Whether a verified state advocate exists for the organization's state.
    advocate_verified: bool
    state: str
    #: The state advocates that hold a live share of it, by name: "share with your state
    #: advocate" is done already when there are any.
    advocates_shared_with: tuple[str, ...] = ()


def state_has_verified_advocate(session: Session, state: str) -> bool:
    """Whether a site administrator has verified a state advocate for this state."""
    found = session.scalar(
        select(Organization.id)
        .where(
            Organization.kind == "state_advocate",
            Organization.state == state,
            Organization.verified_at.is_not(None),
        )
        .limit(1)
    )
    return found is not None


def advocates_shared_with(session: Session, assessment: Assessment) -> tuple[str, ...]:
    """The names of the state advocate organizations holding a live share of the assessment
    (from the sharing page's own list, ``sharing.shares_of``)."""
    return tuple(
        sorted(
            share.org_name
            for share in shares_of(session, assessment)
            if share.revoked_at is None and share.org_kind == "state_advocate"
        )
    )


def next_steps(session: Session, assessment: Assessment, *, may_share: bool) -> NextSteps:
    """The panel's links (for members of the owning organization only)."""
    state = assessment.organization.state
    return NextSteps(
        board_pdf_url=optional_url("reports.board_summary_pdf", assessment_id=assessment.id),
        board_url=optional_url("reports.board_summary", assessment_id=assessment.id),
        report_pdf_url=optional_url("reports.report_pdf", assessment_id=assessment.id),
        sharing_url=optional_url("accounts.sharing", assessment_id=assessment.id)
        if may_share
        else None,
        # Anyone who sees the assessment may read its action plan; planning needs a role.
        actions_url=optional_url("reports.actions", assessment_id=assessment.id),
        advocate_verified=state_has_verified_advocate(session, state),
        state=state,
        advocates_shared_with=advocates_shared_with(session, assessment),
    )
