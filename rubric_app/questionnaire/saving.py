"""Saving one posted section: read it, save what is valid and visible, report the rest.

Shared by the section page's Save buttons and the autosave endpoint, so both merge, refuse and
report in exactly the same way. The assessment is locked (``lock_assessment``) before anything
stored is read, so the whole read-merge-write is one step that no other writer can interleave
with. The caller commits (which lets the next writer in).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from rubric_app.assessments import (
    EMPTY_STATE,
    Conflict,
    ItemState,
    SaveResult,
    load_states,
    lock_assessment,
    save_items,
)
from rubric_app.models import Assessment, User
from rubric_app.questionnaire.fields import BASE_SUFFIX, field_name, first
from rubric_app.questionnaire.forms import SectionRead, read_section
from rubric_app.rubrics.model import Rubric, Section
from rubric_app.scoring import section_progress


@dataclass(frozen=True)
class SectionSave:
    """What saving a section did.

    ``bases`` are the new base fingerprints for items whose page now shows what is stored;
    ``stale`` items were untouched here but changed by someone else (the page shows an older
    answer); ``conflicts`` were changed in both places and not saved.
    """

    read: SectionRead
    result: SaveResult
    states: Mapping[str, ItemState]
    bases: Mapping[str, str]
    stale: tuple[str, ...]

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        return self.result.conflicts

    def section_progress(self, rubric: Rubric, section: Section) -> tuple[int, int]:
        """The section's ``(answered, applicable)`` on what is stored now (``section_progress``).

        When every item of the section now stores exactly what was posted (the usual
        autosave), the stored answers are the answers the post's visibility was decided on
        (skip logic reads values only, so a missing item and an empty one read alike): that
        visibility is reused and only the section's items are turned into answers.
        """
        if all(
            self.states.get(item.id, EMPTY_STATE) == self.read.posted[item.id]
            for item in section.items
        ):
            answers = {
                item.id: self.states[item.id].to_answer()
                for item in section.items
                if item.id in self.states
            }
            return section_progress(rubric, answers, section.id, visible=self.read.visible)
        return section_progress(
            rubric, {key: state.to_answer() for key, state in self.states.items()}, section.id
        )


def save_section(
    session: Session,
    assessment: Assessment,
    rubric: Rubric,
    section: Section,
    data: Mapping[str, list[str]],
    user: User | None,
) -> SectionSave:
    """Save a posted section of ``assessment`` (merging with concurrent edits).

    Raises ``AssessmentError`` when the assessment is no longer a draft (submitted meanwhile).
    """
    assessment = lock_assessment(session, assessment.id)
    stored = load_states(session, assessment)
    read = read_section(rubric, section, stored, data)
    # Read under the lock just above, so save_items checks against the same states.
    result = save_items(session, assessment, read.changes, user=user, stored=stored)
    saved = {
        change.item_id: change.state for change in read.changes if change.item_id in result.saved
    }
    after = {**stored, **saved}
    bases: dict[str, str] = {}
    stale: list[str] = []
    for item in section.items:
        posted = read.posted[item.id]
        current = after.get(item.id, EMPTY_STATE)
        # Equal states have equal fingerprints: one hash, not two, for the usual item.
        if posted == current:
            bases[item.id] = current.fingerprint()
        elif (
            posted.fingerprint() == first(data, field_name(item.id, BASE_SUFFIX))
            and read.visible[item.id]
        ):
            stale.append(item.id)
    return SectionSave(read, result, after, bases, tuple(stale))
