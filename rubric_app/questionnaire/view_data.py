"""Plain view data for the questionnaire templates, computed here so templates only format.

Item views for a section page (controls, visibility, the item's introduction, N/A state), errors
named by their item, the task list (section statuses from the scoring core) and where to
continue, answer rows for the review and snapshot pages (unanswered and flagged items first on
the review), the start page's "choose this for" lines and default period, and the skip-logic
description the page's JavaScript reads.

Why it is long: it is the one place the questionnaire templates get their data from; each page's
builders are independent functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from markupsafe import Markup

from rubric_app.assessments import EMPTY_STATE, ItemState
from rubric_app.assessments.parts import (
    COMMENT_PART,
    EVIDENCE_PART,
    FLAG_PART,
    NA_PART,
    VALUE_PREFIX,
)
from rubric_app.questionnaire.controls import Control, SectionControls
from rubric_app.questionnaire.fields import (
    BASE_SUFFIX,
    SEPARATOR,
    FieldError,
    allows_na,
    field_name,
    item_type,
)
from rubric_app.questionnaire.static_parts import item_intros
from rubric_app.rubrics.answer_types import display_text
from rubric_app.rubrics.model import (
    VALUE_DIMENSION,
    Condition,
    Item,
    ResourceLibrary,
    Rubric,
    Section,
)
from rubric_app.scoring import AssessmentScore, SectionScore, is_answered

SectionStatus = Literal["not-started", "in-progress", "complete", "flagged", "left-unanswered"]
STATUS_LABELS: dict[str, str] = {
    "not-started": "Not started",
    "in-progress": "In progress",
    "complete": "Complete",
    # A submitted assessment's section with items left out: no longer "in progress".
    "left-unanswered": "Some left unanswered",
    "flagged": "Flagged for review",
}


@dataclass(frozen=True)
class AnswerGroup:
    """One answer input of an item: a radio group per dimension, checkboxes, or one input."""

    field: Control
    kind: str
    legend: str


@dataclass
class ItemView:
    """Everything a section page shows for one item."""

    item: Item
    number: str
    visible: bool
    answers: list[AnswerGroup]
    na: Control | None
    na_reason: Control | None
    comment: Control
    evidence_quote: Control
    evidence_source: Control
    flagged: Control
    base: Control
    #: Number, prompt, tags, help and guidance: rendered once per rubric version.
    intro: Markup
    has_errors: bool
    notes_open: bool
    #: N/A is ticked: the ratings are shown cleared and disabled, with a hint saying why.
    na_ticked: bool = False
    anchor: str = field(init=False)
    na_hint_id: str = field(init=False)

    def __post_init__(self) -> None:
        self.anchor = f"item-{self.item.id}"
        self.na_hint_id = f"item-{self.item.id}-na-hint"


def item_views(
    rubric: Rubric,
    section: Section,
    form: SectionControls,
    visible: Mapping[str, bool],
    resources: ResourceLibrary,
) -> list[ItemView]:
    """The items of a section as the page shows them, hidden ones included (JS may show them)."""
    intros = item_intros(rubric, section, resources)
    views: list[ItemView] = []
    for item in section.items:
        kind = item_type(item).input_kind()
        answers = [
            AnswerGroup(
                form[field_name(item.id, dimension)],
                kind,
                rubric.dimension(dimension).label if dimension != VALUE_DIMENSION else "Answer",
            )
            for dimension in item.answer_dimensions
        ]
        na = form[field_name(item.id, "na")] if allows_na(item, rubric) else None
        na_reason = form[field_name(item.id, "na_reason")] if na is not None else None
        na_ticked = na is not None and na.checked
        if na_ticked and not any(group.field.chosen for group in answers):
            # A stored N/A item has no ratings: they are switched off until N/A is unticked.
            # A page sent back from a post (a reason missing) keeps the ratings posted with
            # N/A, as typed and not disabled, so that unticking N/A and saving, even without
            # the script (which switches them off on load), brings them back; the server
            # stores none while N/A is ticked (``fields.state_from_form``).
            for group in answers:
                group.field.disabled = True
        notes = [form[field_name(item.id, suffix)] for suffix in ("comment", "evidence_quote")]
        notes.append(form[field_name(item.id, "evidence_source")])
        own_fields = [group.field for group in answers] + notes
        if na is not None and na_reason is not None:
            own_fields += [na, na_reason]
        views.append(
            ItemView(
                item=item,
                number=rubric.item_number(item.id),
                visible=visible.get(item.id, True),
                answers=answers,
                na=na,
                na_reason=na_reason,
                comment=notes[0],
                evidence_quote=notes[1],
                evidence_source=notes[2],
                flagged=form[field_name(item.id, "flagged")],
                base=form[field_name(item.id, BASE_SUFFIX)],
                intro=intros[item.id],
                has_errors=any(f.errors for f in own_fields),
                notes_open=any(f.has_text() for f in notes) or any(f.errors for f in notes),
                na_ticked=na_ticked,
            )
        )
    return views


def condition_json(condition: Condition, rubric: Rubric) -> dict[str, Any]:
    """A show_if condition for the page's script, with the default dimension filled in."""
    if condition.op in ("all", "any"):
        return {
            "op": condition.op,
            "conditions": [condition_json(child, rubric) for child in condition.conditions],
        }
    dimension = condition.dimension
    if dimension is None and condition.item and rubric.has_item(condition.item):
        dimension = rubric.item(condition.item).answer_dimensions[0]
    return {
        "op": condition.op,
        "item": condition.item,
        "dimension": dimension or VALUE_DIMENSION,
        "values": list(condition.values),
    }


def skip_logic_json(
    rubric: Rubric,
    section: Section,
    states: Mapping[str, ItemState],
    visible: Mapping[str, bool],
) -> dict[str, Any]:
    """What the page's script needs to show and hide items as gate answers change.

    ``conditions`` for the items on this page; ``external`` for items on other pages that those
    conditions read: whether they are visible and their saved values (the server stays the
    authority: every save answers with the visibility it computed).
    """
    on_page = {item.id for item in section.items}
    conditions: dict[str, Any] = {}
    external: dict[str, Any] = {}
    for item in section.items:
        if item.show_if is None:
            continue
        conditions[item.id] = condition_json(item.show_if, rubric)
        for ref in item.show_if.referenced_items():
            if ref in on_page or not rubric.has_item(ref):
                continue
            state = states.get(ref, EMPTY_STATE)
            external[ref] = {
                "visible": visible.get(ref, True),
                "not_applicable": state.not_applicable,
                "values": {
                    key: list(value) if isinstance(value, tuple) else value
                    for key, value in state.values.items()
                },
            }
    return {"conditions": conditions, "external": external}


@dataclass(frozen=True)
class TaskRow:
    """One section on the task list."""

    section: Section
    status: SectionStatus
    status_label: str
    answered: int
    applicable: int
    flagged: int


def section_status(score: SectionScore, touched: bool) -> SectionStatus:
    """Not started, in progress, complete or flagged, from the scoring core's counts."""
    if score.flagged:
        return "flagged"
    if score.answered >= score.applicable:
        return "complete"
    if score.answered or touched:
        return "in-progress"
    return "not-started"


def task_rows(
    rubric: Rubric,
    score: AssessmentScore,
    states: Mapping[str, ItemState],
    *,
    submitted: bool = False,
) -> list[TaskRow]:
    """The task list: every section with its status and counts (once ``submitted``, a section
    that is not complete was left with items unanswered, not "in progress")."""
    rows: list[TaskRow] = []
    for section in rubric.sections:
        section_score = score.section(section.id)
        touched = any(not states.get(item.id, EMPTY_STATE).is_empty() for item in section.items)
        status = section_status(section_score, touched)
        if submitted and status in ("in-progress", "not-started"):
            status = "left-unanswered"
        rows.append(
            TaskRow(
                section=section,
                status=status,
                status_label=STATUS_LABELS[status],
                answered=section_score.answered,
                applicable=section_score.applicable,
                flagged=section_score.flagged,
            )
        )
    return rows


@dataclass(frozen=True)
class AnswerLine:
    label: str
    value: str


@dataclass(frozen=True)
class AnswerRow:
    """One item on the review or snapshot page."""

    item: Item
    number: str
    anchor: str
    answered: bool
    #: Some of the item's answers given but not all (e.g. the written MOU rated, practice
    #: not yet): not answered for the counts, but what was given is shown.
    partly: bool
    flagged: bool
    not_applicable: bool
    na_reason: str
    lines: tuple[AnswerLine, ...]
    comment: str
    evidence_quote: str
    evidence_source: str


@dataclass(frozen=True)
class AnswerSection:
    section: Section
    rows: tuple[AnswerRow, ...]
    unanswered: int
    flagged: int


def display_value(rubric: Rubric, item: Item, dimension: str, state: ItemState) -> str:
    """A stored value as people read it: the answer type's one display text."""
    return display_text(rubric, item, state.values.get(dimension))


def answer_sections(
    rubric: Rubric, states: Mapping[str, ItemState], visible: Mapping[str, bool]
) -> list[AnswerSection]:
    """Every visible item with its answers, section by section."""
    sections: list[AnswerSection] = []
    for section in rubric.sections:
        rows: list[AnswerRow] = []
        for item in section.items:
            if not visible.get(item.id, True):
                continue
            state = states.get(item.id, EMPTY_STATE)
            rows.append(answer_row(rubric, item, rubric.item_number(item.id), state))
        sections.append(
            AnswerSection(
                section=section,
                rows=tuple(rows),
                unanswered=sum(not row.answered for row in rows),
                flagged=sum(row.flagged for row in rows),
            )
        )
    return sections


@dataclass(frozen=True)
class PartLine:
    """One part of an item changed in both places (a rating, N/A, the comment, ...): what
    each version holds."""

    label: str
    mine: str
    theirs: str


@dataclass(frozen=True)
class ConflictView:
    """One item changed both here and elsewhere: the parts in conflict, and both versions.

    ``mine`` is the saved version with this page's changes on top, so parts this page never
    touched show (and would keep) what is saved. ``whole_item``: the page's base knew the item
    only as a whole (drawn before per-part bases), so ``mine`` is the page's version as it was
    and ``parts`` are all those in which the two differ. ``by_you``: the saved version is this
    same user's, from another tab or window.
    """

    item: Item
    number: str
    mine: AnswerRow
    theirs: AnswerRow
    theirs_fingerprint: str
    parts: tuple[PartLine, ...] = ()
    whole_item: bool = False
    by_you: bool = False


def part_lines(
    rubric: Rubric, item: Item, names: Iterable[str], mine: ItemState, theirs: ItemState
) -> tuple[PartLine, ...]:
    """The named parts (``assessments.parts``) of both versions, as people read them."""
    return tuple(
        PartLine(
            _part_label(rubric, name),
            mine=_part_text(rubric, item, name, mine),
            theirs=_part_text(rubric, item, name, theirs),
        )
        for name in names
    )


def _part_label(rubric: Rubric, name: str) -> str:
    if name.startswith(VALUE_PREFIX):
        dimension = name.removeprefix(VALUE_PREFIX)
        return "Answer" if dimension == VALUE_DIMENSION else rubric.dimension(dimension).label
    return _NOTE_PART_LABELS[name]


#: The words for each part besides the ratings (the labels of their fields on the page).
_NOTE_PART_LABELS = {
    NA_PART: "Not applicable to us",
    COMMENT_PART: "Comment",
    EVIDENCE_PART: "Evidence",
    FLAG_PART: "Flag for review",
}


def _part_text(rubric: Rubric, item: Item, name: str, state: ItemState) -> str:
    """One part of a state in words; an empty part says so rather than showing nothing."""
    if name.startswith(VALUE_PREFIX):
        return display_value(rubric, item, name.removeprefix(VALUE_PREFIX), state)
    if name == NA_PART:
        if state.not_applicable:
            return f"Ticked. Why: {state.na_reason}"
        return f"Not ticked (reason typed: {state.na_reason})" if state.na_reason else "Not ticked"
    if name == COMMENT_PART:
        return state.comment or "No comment"
    if name == EVIDENCE_PART:
        cited = " — ".join(part for part in (state.evidence_quote, state.evidence_source) if part)
        return cited or "No evidence"
    return "Flagged" if state.flagged else "Not flagged"


def answer_row(rubric: Rubric, item: Item, number: str, state: ItemState) -> AnswerRow:
    """One item's answers as a row (for the conflict page's two columns)."""
    answered = is_answered(item, state.to_answer())
    given = any(state.values.get(dim) not in (None, "", ()) for dim in item.answer_dimensions)
    return AnswerRow(
        item=item,
        number=number,
        anchor=f"item-{item.id}",
        answered=answered,
        partly=given and not answered and not state.not_applicable,
        flagged=state.flagged,
        not_applicable=state.not_applicable,
        na_reason=state.na_reason,
        lines=tuple(
            AnswerLine(
                rubric.dimension(dim).label if dim != VALUE_DIMENSION else "Answer",
                display_value(rubric, item, dim, state),
            )
            for dim in item.answer_dimensions
        ),
        comment=state.comment,
        evidence_quote=state.evidence_quote,
        evidence_source=state.evidence_source,
    )


def numbers_of(rubric: Rubric) -> dict[str, str]:
    """Every item's printed number."""
    return {item.id: rubric.item_number(item.id) for item in rubric.items}


def numbered_errors(rubric: Rubric, errors: Iterable[FieldError]) -> tuple[FieldError, ...]:
    """The errors with their item's number in front ("1.7: Say why ..."), for every place
    they are shown: beside the field, in the error summary and in the autosave status.

    A field that belongs to no item of the rubric (the form's own fields) keeps its message.
    """
    numbered: list[FieldError] = []
    for error in errors:
        item_id = error.field.split(SEPARATOR, 1)[0]
        if SEPARATOR in error.field and rubric.has_item(item_id):
            message = f"{rubric.item_number(item_id)}: {error.message}"
            numbered.append(FieldError(error.field, message))
        else:
            numbered.append(error)
    return tuple(numbered)


@dataclass(frozen=True)
class AttentionRow:
    """An unanswered or flagged item at the top of the review page, with where to change it."""

    section: Section
    row: AnswerRow


def attention_rows(sections: Iterable[AnswerSection]) -> list[AttentionRow]:
    """The items that still need something (unanswered or flagged), in rubric order."""
    return [
        AttentionRow(block.section, row)
        for block in sections
        for row in block.rows
        if not row.answered or row.flagged
    ]


@dataclass(frozen=True)
class ContinueTarget:
    """Where "Continue where you left off" leads: a section, and the item to jump to."""

    section: Section
    anchor: str
    started: bool


def continue_target(
    rubric: Rubric,
    rows: Iterable[TaskRow],
    states: Mapping[str, ItemState],
    visible: Mapping[str, bool],
) -> ContinueTarget | None:
    """The first section begun but not finished (else the first not started), at its first
    unanswered item; None when every section is complete (the review page is next).
    """
    rows = list(rows)
    started = any(row.status != "not-started" for row in rows)
    unfinished = [row for row in rows if row.status in ("in-progress", "flagged")]
    unfinished += [row for row in rows if row.status == "not-started"]
    if not unfinished:
        return None
    section = unfinished[0].section
    anchor = ""
    for item in section.items:
        state = states.get(item.id, EMPTY_STATE)
        if visible.get(item.id, True) and not is_answered(item, state.to_answer()):
            anchor = f"item-{item.id}"
            break
    if not anchor:
        flagged = [item for item in section.items if states.get(item.id, EMPTY_STATE).flagged]
        anchor = f"item-{flagged[0].id}" if flagged else ""
    return ContinueTarget(section, anchor, started)


def choose_if(rubric: Rubric, audience_labels: Mapping[str, str]) -> str:
    """A one-line "choose this for ..." from the rubric's summary, else from its audience.

    Every rubric summary opens with the sentence saying whom it is for ("For school districts
    and their law enforcement partners ..."); that sentence is the line, so no YAML field is
    needed and the start page never truncates a paragraph mid-word.
    """
    first_sentence = rubric.summary.split(". ", 1)[0].strip().rstrip(".")
    if first_sentence.startswith("For ") and len(first_sentence) > len("For "):
        return f"Choose this for {first_sentence[len('For ') :]}."
    audiences = ", ".join(audience_labels.get(a, a) for a in rubric.audience).lower()
    return f"Choose this if you are one of these: {audiences}." if audiences else ""


def school_year(today: date) -> str:
    """The school year a review started on ``today`` most likely covers, e.g. "2026-27".

    School years in the United States run from the summer: from July on, the new one.
    """
    start = today.year if today.month >= 7 else today.year - 1
    return f"{start}-{(start + 1) % 100:02d}"
