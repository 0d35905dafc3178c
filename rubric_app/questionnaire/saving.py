"""Saving one posted section: read it, save what is valid and visible, report the rest.

Shared by the section page's Save buttons and the autosave endpoint, so both merge, refuse and
report in exactly the same way. The assessment is locked (``lock_assessment``) before anything
stored is read, so the whole read-merge-write is one step that no other writer can interleave
with. The caller commits (which lets the next writer in).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from rubric_app.assessments import (
    EMPTY_STATE,
    Conflict,
    ItemState,
    PartWriters,
    SaveResult,
    last_writers,
    load_states,
    lock_assessment,
    save_items,
)
from rubric_app.assessments.parts import base_of, differing_parts, parse_base, rebase
from rubric_app.models import Assessment, User
from rubric_app.questionnaire.fields import BASE_SUFFIX, field_name, first
from rubric_app.questionnaire.forms import SectionRead, read_section
from rubric_app.rubrics.model import Rubric, Section
from rubric_app.scoring import section_progress


@dataclass(frozen=True)
class SectionSave:
    """What saving a section did.

    ``bases`` are the new bases (``parts.base_of``) of the items the page should compare
    its next save with; ``stale`` items were merged with, or left to, someone else's change
    (the page shows an older version of some part), and ``stale_by_you`` are those whose other
    change this same user made (another tab or window); ``conflicts`` have parts changed in
    both places that were not saved, and ``conflicts_by_you`` are those whose other version
    this same user saved. ``confirmed`` are the items the post carried that are now stored
    exactly as posted: the page's script leaves them off its next saves until they change
    again (``fields.CHANGED_ITEMS``). ``states`` are the stored states, after this save, of
    the items that decide the section (``Rubric.section_reads``), not of the whole assessment.
    """

    read: SectionRead
    result: SaveResult
    states: Mapping[str, ItemState]
    bases: Mapping[str, str]
    stale: tuple[str, ...]
    confirmed: tuple[str, ...]
    conflicts_by_you: frozenset[str] = frozenset()
    stale_by_you: frozenset[str] = frozenset()

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
    # Only the states that decide this section: nothing else is compared, saved or counted.
    stored = load_states(session, assessment, only=rubric.section_reads(section.id))
    read = read_section(rubric, section, stored, data)
    # Read under the lock just above, so save_items checks against the same states.
    result = save_items(session, assessment, read.changes, user=user, stored=stored)
    after = {**stored, **result.written}
    conflicted = {conflict.item_id: conflict for conflict in result.conflicts}
    read_items = {change.item_id: change for change in read.changes}
    bases: dict[str, str] = {}
    stale: list[str] = []
    confirmed: list[str] = []
    for item in section.items:
        posted = read.posted[item.id]
        current = after.get(item.id, EMPTY_STATE)
        if item.id not in read.carried:
            # Not on this post: the page still shows what its base describes, and keeps that
            # base. Someone else changed the item since if the stored one differs from it.
            shown_base = first(data, field_name(item.id, BASE_SUFFIX))
            if shown_base and parse_base(shown_base).fingerprint != current.fingerprint():
                stale.append(item.id)
            continue
        if posted == current:
            bases[item.id] = base_of(current)
            confirmed.append(item.id)
            continue
        change = read_items.get(item.id)
        if change is None:
            continue  # hidden or invalid: not saved, its base stays as the page has it
        conflict = conflicted.get(item.id)
        if conflict is None:
            # Merged (or untouched here): what the page shows is the next save's base, part by
            # part, so the parts someone else changed stay theirs unless changed here.
            bases[item.id] = base_of(posted)
            stale.append(item.id)
            continue
        rebased = rebase(parse_base(change.base_fingerprint or ""), posted, conflict.parts)
        if rebased is not None:
            bases[item.id] = rebased
    by_you: frozenset[str] = frozenset()
    if result.conflicts and user is not None:
        by_you = _changed_by(session, assessment, result.conflicts, user)
    stale_by_you: frozenset[str] = frozenset()
    if stale and user is not None:
        stale_by_you = _stale_by(session, assessment, stale, result, user)
    return SectionSave(
        read, result, after, bases, tuple(stale), tuple(confirmed), by_you, stale_by_you
    )


def _stale_by(
    session: Session,
    assessment: Assessment,
    stale: Sequence[str],
    result: SaveResult,
    user: User,
) -> frozenset[str]:
    """The stale items whose other change ``user`` made (in another tab or window): for a
    merged item, who saved it before this save did (``SaveResult.merged_from``); for one this
    save left alone, who saved it last."""
    untouched = [item_id for item_id in stale if item_id not in result.merged_from]
    writers = last_writers(session, assessment, untouched) if untouched else {}
    return frozenset(
        item_id
        for item_id in stale
        if (result.merged_from[item_id] if item_id in result.merged_from else writers[item_id].item)
        == user.id
    )


def _changed_by(
    session: Session, assessment: Assessment, conflicts: Sequence[Conflict], user: User
) -> frozenset[str]:
    """The conflicting items whose other version ``user`` saved (in another tab or window)."""
    writers = last_writers(session, assessment, [conflict.item_id for conflict in conflicts])
    return frozenset(
        conflict.item_id
        for conflict in conflicts
        if conflict_by(writers[conflict.item_id], conflict_parts(conflict)) == user.id
    )


def conflict_parts(conflict: Conflict) -> tuple[str, ...]:
    """The parts a conflict is about (with a whole-item base, those in which they differ)."""
    return conflict.parts or differing_parts(conflict.mine, conflict.theirs)


def conflict_by(writers: PartWriters, parts: Sequence[str]) -> int | None:
    """Who saved the other version of these parts, if one person saved all of them."""
    found = {writers.of(part) for part in parts}
    return found.pop() if len(found) == 1 else None
