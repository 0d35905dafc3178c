"""Coverage of one agreement document: which clauses are cited for which items, and what is not.

The document page shows, for each clause, the items a person accepted it as evidence for; the
clauses nobody cited (counted and listed); and a gentle prompt for each item rated at the top of
the scale on the written side that has no accepted clause anywhere ("You rated this fully in
place in writing; no clause is cited yet"). The written side is the rubric's first dimension
(the written MOU or policy; the same reading as ``scoring.gaps.short_side``); on a rubric with
one dimension an item's single rating is the written side. Dimension and scale ids and option
labels are read from the rubric, never written here.

``build_coverage`` is pure over its inputs (clauses and accepted rows shaped like the ORM rows,
and the assessment's scores); ``document_coverage`` reads them. Only plain frozen dataclasses
leave this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from rubric_app.assessments import rubric_for, score_of
from rubric_app.models import AgreementDocument, Assessment
from rubric_app.reports.labels import short_prompt
from rubric_app.rubrics.model import VALUE_DIMENSION, Item, Rubric
from rubric_app.scoring import ItemScore

from . import evidence

#: How long an item's prompt may be beside a clause before it is shortened.
COVERAGE_PROMPT_CHARS = 70


class ClauseLike(Protocol):
    """A clause as stored (``AgreementClause``)."""

    @property
    def id(self) -> int: ...

    @property
    def number(self) -> str: ...

    @property
    def heading(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def page(self) -> int | None: ...


class AcceptedLike(Protocol):
    """An accepted evidence row (``EvidenceAnchor``)."""

    @property
    def item_id(self) -> str: ...

    @property
    def clause_id(self) -> int | None: ...


@dataclass(frozen=True)
class CitedItem:
    """An item a clause was accepted as evidence for, with where it is in the questionnaire."""

    item_id: str
    number: str
    #: The prompt, shortened to fit beside a clause.
    prompt: str
    section_id: str
    #: The item's id on its questionnaire page ("item-<id>").
    anchor: str


@dataclass(frozen=True)
class ClauseView:
    """One clause of the document with the items it is cited for."""

    clause_id: int
    #: The clause's stable id on the document page ("clause-<id>").
    anchor: str
    number: str
    heading: str
    text: str
    page: int | None
    cited_for: tuple[CitedItem, ...]

    @property
    def cited(self) -> bool:
        """Return whether any item cites this clause."""
        return bool(self.cited_for)


@dataclass(frozen=True)
class UncitedItem:
    """An item rated at the top of the scale on the written side, with no clause cited."""

    item_id: str
    number: str
    prompt: str
    section_id: str
    anchor: str
    #: The written side's label and the rating given ("Written MOU or policy", "Fully in place").
    dimension_label: str
    rating_label: str


@dataclass(frozen=True)
class DocumentCoverage:
    """What the document page shows about coverage."""

    clauses: tuple[ClauseView, ...]
    #: Clauses with a number or text that no item cites, in document order.
    never_cited: tuple[ClauseView, ...]
    #: Items rated fully in place in writing that have no accepted clause in any document.
    uncited_full: tuple[UncitedItem, ...]

    @property
    def cited_count(self) -> int:
        """Return how many clauses are cited for at least one item."""
        return sum(1 for clause in self.clauses if clause.cited)


def written_side(rubric: Rubric, item: Item) -> str | None:
    """Return the key under which ``item``'s written-side rating is stored, or None.

    The first dimension is the written side wherever an item is rated on it; an item rated on
    a single scale counts as written only when the rubric has one dimension or none.
    """
    if not item.dimensions:
        return VALUE_DIMENSION if len(rubric.dimensions) <= 1 else None
    if rubric.dimensions and rubric.dimensions[0].id in item.dimensions:
        return rubric.dimensions[0].id
    return None


def _written_label(rubric: Rubric) -> str:
    return rubric.dimensions[0].label if rubric.dimensions else "Written policy"


def rated_full_in_writing(rubric: Rubric, scores: Mapping[str, ItemScore]) -> tuple[Item, ...]:
    """Return the visible items whose written-side rating is the scale's top option."""
    chosen = []
    for item in rubric.items:
        score = scores.get(item.id)
        key = written_side(rubric, item)
        scale = rubric.scale_of(item)
        if score is None or key is None or scale is None or not score.visible:
            continue
        rating = score.ratings.get(key)
        if rating is not None and rating.option_key == scale.top_option.key:
            chosen.append(item)
    return tuple(chosen)


def _cited_item(rubric: Rubric, item: Item) -> CitedItem:
    return CitedItem(
        item_id=item.id,
        number=rubric.item_number(item.id),
        prompt=short_prompt(item.prompt, COVERAGE_PROMPT_CHARS),
        section_id=item.section_id,
        anchor=f"item-{item.id}",
    )


def build_coverage(
    rubric: Rubric,
    clauses: Sequence[ClauseLike],
    accepted: Iterable[AcceptedLike],
    scores: Mapping[str, ItemScore],
) -> DocumentCoverage:
    """Mark ``clauses`` with the items ``accepted`` cites them for; find the uncited full items.

    ``accepted`` is every accepted row of the assessment (any document, deleted files too), so
    an item cited in another document gets no prompt here.
    """
    accepted = list(accepted)
    items_by_clause: dict[int, list[str]] = {}
    for row in accepted:
        if row.clause_id is not None and rubric.has_item(row.item_id):
            items_by_clause.setdefault(row.clause_id, []).append(row.item_id)
    order = {item.id: position for position, item in enumerate(rubric.items)}
    views = tuple(
        ClauseView(
            clause_id=clause.id,
            anchor=f"clause-{clause.id}",
            number=clause.number,
            heading=clause.heading,
            text=clause.text,
            page=clause.page,
            cited_for=tuple(
                _cited_item(rubric, rubric.item(item_id))
                for item_id in sorted(
                    set(items_by_clause.get(clause.id, ())), key=order.__getitem__
                )
            ),
        )
        for clause in clauses
    )
    cited_items = {row.item_id for row in accepted}
    label = _written_label(rubric)
    uncited = []
    for item in rated_full_in_writing(rubric, scores):
        if item.id in cited_items:
            continue
        scale = rubric.scale_of(item)
        uncited.append(
            UncitedItem(
                item_id=item.id,
                number=rubric.item_number(item.id),
                prompt=short_prompt(item.prompt),
                section_id=item.section_id,
                anchor=f"item-{item.id}",
                dimension_label=label,
                rating_label=scale.top_option.label if scale is not None else "",
            )
        )
    return DocumentCoverage(
        clauses=views,
        never_cited=tuple(view for view in views if not view.cited),
        uncited_full=tuple(uncited),
    )


def document_coverage(
    session: Session, assessment: Assessment, document: AgreementDocument
) -> DocumentCoverage:
    """Return the coverage of ``document`` (one of ``assessment``'s) as the page shows it."""
    return build_coverage(
        rubric_for(assessment),
        document.clauses,
        evidence.accepted(session, assessment.id),
        score_of(session, assessment).items,
    )
