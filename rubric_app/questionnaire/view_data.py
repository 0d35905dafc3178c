"""Plain view data for the questionnaire templates, computed here so templates only format.

Item views for a section page (fields, visibility, guidance links, numbering), the task list
(section statuses from the scoring core), answer rows for the review and snapshot pages, and
the skip-logic description the page's JavaScript reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from wtforms import Field

from rubric_app.assessments import EMPTY_STATE, ItemState
from rubric_app.questionnaire.fields import (
    BASE_SUFFIX,
    allows_na,
    field_name,
    item_type,
)
from rubric_app.questionnaire.forms import SectionForm
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

SectionStatus = Literal["not-started", "in-progress", "complete", "flagged"]
STATUS_LABELS: dict[str, str] = {
    "not-started": "Not started",
    "in-progress": "In progress",
    "complete": "Complete",
    "flagged": "Flagged for review",
}


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class AnswerGroup:
    """One answer input of an item: a radio group per dimension, checkboxes, or one input."""

    field: Field
    kind: str
    legend: str


@dataclass
class ItemView:
    """Everything a section page shows for one item."""

    item: Item
    number: str
    visible: bool
    answers: list[AnswerGroup]
    na: Field | None
    na_reason: Field | None
    comment: Field
    evidence_quote: Field
    evidence_source: Field
    flagged: Field
    base: Field
    guidance: list[Link]
    typical_evidence: tuple[str, ...]
    stage_label: str
    has_errors: bool
    notes_open: bool
    anchor: str = field(init=False)

    def __post_init__(self) -> None:
        self.anchor = f"item-{self.item.id}"


def resource_links(resources: ResourceLibrary, ids: tuple[str, ...]) -> list[Link]:
    """Links to the resources with these ids (unknown ids are skipped)."""
    links: list[Link] = []
    for resource_id in ids:
        resource = resources.get(resource_id)
        if resource is None:
            continue
        note = f"{resource.publisher}, {resource.date}" + (
            " (archived)" if resource.archived else ""
        )
        links.append(Link(resource.title, resource.url, note))
    return links


def item_number(section: Section, index: int) -> str:
    """The printed number of an item: section number and position, e.g. "2.4"."""
    return f"{section.number}.{index + 1}"


def item_views(
    rubric: Rubric,
    section: Section,
    form: SectionForm,
    visible: Mapping[str, bool],
    resources: ResourceLibrary,
) -> list[ItemView]:
    """The items of a section as the page shows them, hidden ones included (JS may show them)."""
    stages = {stage.id: stage.label for stage in rubric.stages}
    views: list[ItemView] = []
    for index, item in enumerate(section.items):
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
        notes = [form[field_name(item.id, suffix)] for suffix in ("comment", "evidence_quote")]
        notes.append(form[field_name(item.id, "evidence_source")])
        own_fields = [group.field for group in answers] + notes
        if na is not None and na_reason is not None:
            own_fields += [na, na_reason]
        views.append(
            ItemView(
                item=item,
                number=item_number(section, index),
                visible=visible.get(item.id, True),
                answers=answers,
                na=na,
                na_reason=na_reason,
                comment=notes[0],
                evidence_quote=notes[1],
                evidence_source=notes[2],
                flagged=form[field_name(item.id, "flagged")],
                base=form[field_name(item.id, BASE_SUFFIX)],
                guidance=resource_links(resources, item.guidance or item.basis),
                typical_evidence=item.typical_evidence,
                stage_label=stages.get(item.stage or "", ""),
                has_errors=any(f.errors for f in own_fields),
                notes_open=any(bool(f.data) for f in notes) or any(f.errors for f in notes),
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
    rubric: Rubric, score: AssessmentScore, states: Mapping[str, ItemState]
) -> list[TaskRow]:
    """The task list: every section with its status and counts."""
    rows: list[TaskRow] = []
    for section in rubric.sections:
        section_score = score.section(section.id)
        touched = any(not states.get(item.id, EMPTY_STATE).is_empty() for item in section.items)
        status = section_status(section_score, touched)
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
        for index, item in enumerate(section.items):
            if not visible.get(item.id, True):
                continue
            state = states.get(item.id, EMPTY_STATE)
            rows.append(answer_row(rubric, item, item_number(section, index), state))
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
class ConflictView:
    """One item changed both here and elsewhere: both versions, side by side."""

    item: Item
    number: str
    mine: AnswerRow
    theirs: AnswerRow
    theirs_fingerprint: str


def answer_row(rubric: Rubric, item: Item, number: str, state: ItemState) -> AnswerRow:
    """One item's answers as a row (for the conflict page's two columns)."""
    return AnswerRow(
        item=item,
        number=number,
        anchor=f"item-{item.id}",
        answered=is_answered(item, state.to_answer()),
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
    return {
        item.id: item_number(section, index)
        for section in rubric.sections
        for index, item in enumerate(section.items)
    }
