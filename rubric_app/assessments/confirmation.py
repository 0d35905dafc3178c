"""Submitting with unanswered items: the rule that whoever submits has seen and confirmed them.

``submit_confirmed`` is the operation the submit view calls. It takes the assessment's lock
(``lock_assessment``), reads the stored answers under it, and submits only when every visible
item left unanswered is among those the person confirmed; otherwise it raises
``NeedsConfirmation`` with the current list, and nothing is written. Checking under the lock
means a teammate clearing an answer between the confirmation page and the press cannot slip a
new unanswered item past the person submitting: they are asked again, with the new list.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.orm import Session

from rubric_app.assessments.locking import lock_assessment
from rubric_app.assessments.reads import load_states, rubric_for
from rubric_app.assessments.states import AssessmentError, ItemState
from rubric_app.assessments.submission import submit
from rubric_app.models import Assessment, Snapshot, User
from rubric_app.rubrics.model import Rubric
from rubric_app.scoring import score_assessment


@dataclass(frozen=True)
class UnansweredLine:
    """One visible item nobody answered, numbered as every page numbers it."""

    item_id: str
    number: str
    prompt: str
    section_id: str
    section_number: int
    essential: bool

    @property
    def anchor(self) -> str:
        """Return the item's id on its questionnaire page."""
        return f"item-{self.item_id}"


class NeedsConfirmation(AssessmentError):
    """Submitting needs an explicit confirmation of these unanswered items."""

    def __init__(self, unanswered: tuple[UnansweredLine, ...]) -> None:
        count = len(unanswered)
        noun = "item is" if count == 1 else "items are"
        super().__init__(
            f"{count} {noun} not answered: confirm that you want to submit without them."
        )
        self.unanswered = unanswered


def unanswered_items(rubric: Rubric, states: dict[str, ItemState]) -> tuple[UnansweredLine, ...]:
    """Return the visible items left unanswered (N/A without a reason included), in order."""
    score = score_assessment(rubric, {item_id: s.to_answer() for item_id, s in states.items()})
    return tuple(
        UnansweredLine(
            item_id=item.id,
            number=rubric.item_number(item.id),
            prompt=item.prompt,
            section_id=section.id,
            section_number=section.number,
            essential=item.essential,
        )
        for section in rubric.sections
        for item in section.items
        if score.items[item.id].visible and not score.items[item.id].answered
    )


def unanswered_of(session: Session, assessment: Assessment) -> tuple[UnansweredLine, ...]:
    """Return the assessment's unanswered items as stored now (no lock: for showing them)."""
    return unanswered_items(rubric_for(assessment), load_states(session, assessment))


def submit_confirmed(
    session: Session, assessment: Assessment, *, user: User | None, confirmed: Collection[str]
) -> Snapshot:
    """Submit when every unanswered item is in ``confirmed`` (item ids); else ask again.

    Raises ``NeedsConfirmation`` (nothing written) or ``AssessmentError`` (already submitted).
    """
    assessment = lock_assessment(session, assessment.id)
    if assessment.status != "draft":
        raise AssessmentError("This assessment is already submitted.")
    unanswered = unanswered_items(rubric_for(assessment), load_states(session, assessment))
    if any(line.item_id not in confirmed for line in unanswered):
        raise NeedsConfirmation(unanswered)
    # ``submit`` takes the same lock again: this transaction already holds it.
    return submit(session, assessment, user=user)
