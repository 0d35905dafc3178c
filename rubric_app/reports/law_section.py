"""The report's "Your state's law" section and the gaps a law requires, as plain data.

``build_law_section`` judges each requirement of the organization's state frameworks on the
assessment's answers with the pure ``rubric_app.frameworks.evaluate_framework`` (nothing here
decides an outcome) and lists, per requirement, the items behind it with their answers and
evidence. ``raise_required`` marks the gaps a law requires ("Required by RCW
28A.320.124(1)(d)": a side of the item that a requirement reads falls short, not merely some
side of it) and moves them to the top of the priority order, keeping the scoring order within
each group. The report page and the PDF render the section from
``templates/reports/_law.html``; the JSON export adds ``law_json``. Not legal advice: every
rendering carries the "check the current text" note.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from rubric_app.accounts.org_frameworks import added_framework_ids
from rubric_app.assessments import ItemState
from rubric_app.framework_state import current_frameworks
from rubric_app.frameworks.evaluate import (
    OUTCOMES,
    CheckedAnswer,
    Outcome,
    RequirementResult,
    evaluate_framework,
)
from rubric_app.frameworks.model import FEDERAL, Framework
from rubric_app.rubrics.answer_types import display_text
from rubric_app.rubrics.model import Rubric
from rubric_app.scoring import ItemAnswer

if TYPE_CHECKING:  # only for the annotation: context imports this module
    from .view_data import GapView

__all__ = [
    "LAW_NOTE",
    "UNKNOWN_TEXT",
    "LawFrameworkView",
    "LawItemView",
    "LawRequirementView",
    "LawSection",
    "build_law_section",
    "frameworks_for",
    "law_json",
    "organization_frameworks",
    "raise_required",
    "required_first",
    "state_frameworks",
]

#: Shown with every rendering of the section.
LAW_NOTE = (
    "This is not legal advice. It reads the assessment's answers against a summary of the law "
    "as of the date shown; laws change, so check the current text (and ask the organization's "
    "counsel)."
)

#: Why a check cannot tell, in words.
UNKNOWN_TEXT = {
    "unanswered": "Not answered",
    "not-applicable": "Not applicable",
    "hidden": "Not asked (skipped by an earlier answer)",
    "not-an-option": "Not a usable answer",
    "not-in-rubric": "Not in this rubric version",
}


#: How sure the encoded text is, in words (``Framework.status``).
STATUS_TEXT = {
    "official": "Read from the official text",
    "secondary": "Read from secondary sources (summaries), not the official text",
    "partial": "Only part of the text could be read",
}


@dataclass(frozen=True)
class LawItemView:
    """One rubric item behind a requirement, with the answers that count and its evidence."""

    item_id: str
    number: str
    prompt: str
    #: (dimension label, answer in words), only the dimensions the requirement reads.
    answers: tuple[tuple[str, str], ...]
    evidence_quote: str
    evidence_source: str


@dataclass(frozen=True)
class LawRequirementView:
    """One requirement with its outcome (as words, never colour alone) and the items behind it."""

    requirement_id: str
    citation: str
    statement: str
    source: str
    outcome: Outcome
    outcome_label: str
    mapping_note: str
    covered: bool
    items: tuple[LawItemView, ...]
    #: The items with a side this requirement reads rated below fully in place.
    short_items: tuple[str, ...] = ()


@dataclass(frozen=True)
class LawFrameworkView:
    """One framework judged on the assessment."""

    framework_id: str
    title: str
    citation: str
    text_date: str
    status: str
    status_label: str
    partial: bool
    requirements: tuple[LawRequirementView, ...]
    #: (outcome label, how many requirements), in the order met, partly, not met, cannot tell.
    counts: tuple[tuple[str, int], ...]
    #: Elements of the law no rubric item asks about: (citation, statement).
    not_checked: tuple[tuple[str, str], ...]
    #: Funding conditions the organization added (jurisdiction "federal"), not its state's law.
    federal: bool = False


@dataclass(frozen=True)
class LawSection:
    """The frameworks that apply to the organization, judged; empty when none is known."""

    state: str
    frameworks: tuple[LawFrameworkView, ...]
    #: Item id -> the requirements that map it, as "citation (framework title)".
    required_by: Mapping[str, tuple[str, ...]]
    note: str = LAW_NOTE

    @property
    def funding_conditions(self) -> bool:
        """Whether funding conditions the organization added show: the section is then headed
        "Laws and funding conditions" rather than "Your state's law"."""
        return any(view.federal for view in self.frameworks)


def _answer_text(rubric: Rubric, checked: CheckedAnswer, state: ItemState | None) -> str:
    if checked.reason is not None:
        return UNKNOWN_TEXT[checked.reason]
    item = rubric.item(checked.item_id)
    values = state.values if state is not None else {}
    return display_text(rubric, item, values.get(checked.dimension))


def _items(
    rubric: Rubric,
    result: RequirementResult,
    states: Mapping[str, ItemState],
    numbers: Mapping[str, str],
) -> tuple[LawItemView, ...]:
    labels = {dimension.id: dimension.label for dimension in rubric.dimensions}
    views = []
    for item_id in result.item_ids:
        state = states.get(item_id)
        known = rubric.has_item(item_id)
        answers = tuple(
            (labels.get(checked.dimension, "Answer"), _answer_text(rubric, checked, state))
            for checked in result.checked
            if checked.item_id == item_id
        )
        views.append(
            LawItemView(
                item_id=item_id,
                number=numbers.get(item_id, ""),
                prompt=rubric.item(item_id).prompt if known else item_id,
                answers=answers,
                evidence_quote=state.evidence_quote if state is not None else "",
                evidence_source=state.evidence_source if state is not None else "",
            )
        )
    return tuple(views)


def _framework_view(
    framework: Framework,
    rubric: Rubric,
    states: Mapping[str, ItemState],
    answers: Mapping[str, ItemAnswer],
    numbers: Mapping[str, str],
) -> LawFrameworkView:
    results = evaluate_framework(framework, rubric, answers)
    requirements = tuple(
        LawRequirementView(
            requirement_id=result.requirement.id,
            citation=result.requirement.citation,
            statement=result.requirement.statement,
            source=result.requirement.source,
            outcome=result.outcome,
            outcome_label=result.label,
            mapping_note=result.requirement.mapping_note,
            covered=result.covered,
            items=_items(rubric, result, states, numbers),
            short_items=tuple(
                dict.fromkeys(c.item_id for c in result.checked if c.state in ("partial", "none"))
            ),
        )
        for result in results
    )
    labels = {r.outcome: r.outcome_label for r in requirements}
    counts = tuple(
        (labels[outcome], sum(1 for r in requirements if r.outcome == outcome))
        for outcome in OUTCOMES
        if outcome in labels
    )
    return LawFrameworkView(
        framework_id=framework.id,
        title=framework.title,
        citation=framework.citation,
        text_date=framework.text_date,
        status=framework.status,
        status_label=STATUS_TEXT.get(framework.status, framework.status),
        partial=framework.partial,
        requirements=requirements,
        counts=counts,
        not_checked=tuple((n.citation, n.statement) for n in framework.not_checked),
        federal=framework.federal,
    )


def state_frameworks(state: str) -> tuple[Framework, ...]:
    """The running app's frameworks for a state code (those whose files loaded)."""
    return current_frameworks().for_jurisdiction(state)


def organization_frameworks(session: Session, org_id: int, state: str) -> tuple[Framework, ...]:
    """The state's law first, then the funding conditions the organization added (loaded ones,
    in file-name order; a state framework is never added twice)."""
    return frameworks_for(state, added_framework_ids(session, org_id))


def frameworks_for(state: str, added: Iterable[str]) -> tuple[Framework, ...]:
    """``organization_frameworks`` for the added framework ids already read."""
    loaded = current_frameworks()
    wanted = set(added)
    federal = tuple(f for f in loaded.for_jurisdiction(FEDERAL) if f.id in wanted)
    return (*loaded.for_jurisdiction(state), *federal)


def build_law_section(
    frameworks: Iterable[Framework],
    rubric: Rubric,
    states: Mapping[str, ItemState],
    numbers: Mapping[str, str],
    state: str,
    *,
    answers: Mapping[str, ItemAnswer] | None = None,
) -> LawSection:
    """Judge every framework in ``frameworks`` (the organization's) on one assessment.

    Frameworks with no rule over ``rubric`` are left out: they could only say "cannot tell".
    ``answers`` is ``states`` as scoring reads them, when the caller has it already.
    """
    relevant = tuple(f for f in frameworks if any(r.rule_for(rubric.id) for r in f.requirements))
    if answers is None:
        answers = {item_id: item_state.to_answer() for item_id, item_state in states.items()}
    views = tuple(_framework_view(f, rubric, states, answers, numbers) for f in relevant)
    return LawSection(state=state, frameworks=views, required_by=_short_required(views))


def _short_required(views: Iterable[LawFrameworkView]) -> Mapping[str, tuple[str, ...]]:
    """Item id -> citations of the requirements that read a side of it that falls short.

    A gap whose only short side is one no law reads (practice, when the law asks for the
    written policy) is not "required by" that law.
    """
    found: dict[str, list[str]] = {}
    for view in views:
        for requirement in view.requirements:
            for item_id in requirement.short_items:
                citations = found.setdefault(item_id, [])
                if requirement.citation not in citations:
                    citations.append(requirement.citation)
    return {item_id: tuple(citations) for item_id, citations in found.items()}


class _Ranked(Protocol):
    @property
    def item_id(self) -> str: ...
    @property
    def priority(self) -> int: ...


_R = TypeVar("_R", bound=_Ranked)


def required_first(gaps: Sequence[_R], section: LawSection) -> list[_R]:
    """``gaps`` with those a law requires first; each group keeps the scoring order."""
    return sorted(gaps, key=lambda gap: (gap.item_id not in section.required_by, gap.priority))


def raise_required(gaps: Sequence[GapView], section: LawSection) -> tuple[GapView, ...]:
    """Mark the gaps a law requires and rank them first, renumbering the priorities.

    The order within the required gaps, and within the others, stays the scoring order.
    """
    ordered = required_first(gaps, section)
    return tuple(
        replace(gap, priority=position, required_by=section.required_by.get(gap.item_id, ()))
        for position, gap in enumerate(ordered, start=1)
    )


def law_json(section: LawSection) -> list[dict[str, Any]]:
    """The section for the JSON export: each framework's requirements and outcomes."""
    return [
        {
            "framework": view.framework_id,
            "jurisdiction": "federal" if view.federal else section.state,
            "citation": view.citation,
            "text_date": view.text_date,
            "status": view.status,
            "requirements": [
                {
                    "id": r.requirement_id,
                    "citation": r.citation,
                    "outcome": r.outcome,
                    "items": [item.item_id for item in r.items],
                }
                for r in view.requirements
            ],
        }
        for view in section.frameworks
    ]
