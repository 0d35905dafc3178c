"""The "Proposed MOU amendments" document as plain data: each written-side gap, in MOU order.

A gap on the written side is an item whose rating on the rubric's first dimension (the written
MOU or policy, ``gaps.short_side``'s "paper") is below fully in place; on a one-dimension rubric
that is simply the item's gap. Each such item becomes one proposed amendment: the clause the
assessment anchored for it, if any (accepted evidence, ``agreements.evidence``), the item's
``model_language`` and the guidance it rests on.

Order follows the agreement, not the gap priority, so the list reads alongside the MOU: items
with an anchored clause come first, by the position of that clause in its document (documents in
upload order); then the items with no anchored clause, as new clauses, in rubric order.

``build_amendments`` is pure (rubric, score, anchored clauses, resources); ``amendments_of`` reads
them for one assessment. The DOCX writer (``exports/amendments_docx.py``) only formats the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.agreements.evidence import accepted_by_item
from rubric_app.assessments import load_states, rubric_for
from rubric_app.documents.citation import citation_text
from rubric_app.models import AgreementClause, Assessment
from rubric_app.resources.view_data import ResourceView, resource_views
from rubric_app.rubrics.catalog import Catalog
from rubric_app.rubrics.model import Item, Rubric
from rubric_app.scoring import AssessmentScore, score_assessment
from rubric_app.scoring.score import rating_is_full

from .labels import item_numbers

#: Said on the title page and at the top of every copy: these are drafts from a self-assessment
#: tool, written from archived, non-binding guidance, for the parties and their counsel to discuss.
DRAFT_NOTE = (
    "Draft for discussion, not legal advice. The proposed language is model text written for "
    "rubric_app from public, non-binding guidance; the parties and their counsel decide what, if "
    "anything, to adopt."
)

#: What a document says when nothing on the written side falls short.
NO_GAPS_NOTE = (
    "No written-policy gaps: every item rated for the written MOU or policy is rated fully in "
    "place, so this assessment proposes no amendments."
)


@dataclass(frozen=True)
class AnchoredClause:
    """A clause accepted as evidence for an item, with where it sits for ordering.

    ``document_order`` and ``position`` are None when the file was deleted after the clause was
    accepted: the citation copy survives, but its place in the agreement is no longer known.
    """

    document_label: str
    file_name: str
    number: str
    heading: str
    page: int | None
    quote: str
    document_order: int | None
    position: int | None

    @property
    def citation(self) -> str:
        """E.g. "MOU §4.2, p. 3"; "MOU, preamble" for an unnumbered opening clause."""
        return citation_text(self.document_label, self.number, self.page)

    @property
    def sort_key(self) -> tuple[int, int] | None:
        if self.document_order is None or self.position is None:
            return None
        return (self.document_order, self.position)


@dataclass(frozen=True)
class ProposedAmendment:
    """One written-side gap and the language proposed to close it."""

    item_id: str
    item_number: str
    section_title: str
    prompt: str
    #: The written side's rating, e.g. "Partly in place".
    rating: str
    #: The clauses anchored for this item, in agreement order; empty for a new clause.
    current: tuple[AnchoredClause, ...]
    #: The item's model_language, or its written-side advice when the rubric gives none.
    proposed: str
    #: True when ``proposed`` is advice on what to write rather than model language.
    proposed_is_advice: bool
    guidance: tuple[ResourceView, ...]

    @property
    def is_new_clause(self) -> bool:
        return not self.current


@dataclass(frozen=True)
class AmendmentsDocument:
    """The whole document: title page facts, the draft note and the amendments in MOU order."""

    assessment_id: int
    org_name: str
    assessment_title: str
    period: str
    rubric_title: str
    rubric_version: str
    prepared_on: dt.date
    #: The label of the written dimension, e.g. "Written MOU or policy".
    written_label: str
    amendments: tuple[ProposedAmendment, ...]
    draft_note: str = DRAFT_NOTE
    no_gaps_note: str = NO_GAPS_NOTE


@dataclass(frozen=True)
class AmendmentsHeader:
    """The title page facts that do not come from the rubric."""

    assessment_id: int
    org_name: str
    assessment_title: str
    period: str
    prepared_on: dt.date


def written_gap_items(rubric: Rubric, score: AssessmentScore) -> tuple[tuple[Item, str], ...]:
    """Return ``(item, option label)`` for each item short on the written side, in rubric order.

    An item whose written side is not rated (N/A, hidden, only practice rated) is not a written
    gap: nothing says the agreement falls short there.
    """
    if not rubric.dimensions:
        return ()
    written = rubric.dimensions[0].id
    found = []
    for item in rubric.items:
        item_score = score.items.get(item.id)
        if item_score is None or not item_score.is_gap:
            continue
        rating = item_score.ratings.get(written)
        if rating is None or rating_is_full(rubric, rating):
            continue
        scale = rubric.scale_of(item)
        option = scale.option(rating.option_key) if scale is not None else None
        found.append((item, option.label if option is not None else rating.option_key))
    return tuple(found)


def build_amendments(
    rubric: Rubric,
    score: AssessmentScore,
    anchors: Mapping[str, Sequence[AnchoredClause]],
    guidance: Mapping[str, tuple[ResourceView, ...]],
    header: AmendmentsHeader,
) -> AmendmentsDocument:
    """Assemble the amendments: anchored items by clause position, then new clauses.

    ``guidance`` maps an item id to the resources it rests on (its ``guidance``, else its
    ``basis``); items missing from it get none.
    """
    numbers = item_numbers(rubric)
    written = rubric.dimensions[0] if rubric.dimensions else None
    placed: list[tuple[tuple[int, int, int], ProposedAmendment]] = []
    unplaced: list[ProposedAmendment] = []
    for rubric_position, (item, rating) in enumerate(written_gap_items(rubric, score)):
        current = tuple(sorted(anchors.get(item.id, ()), key=_clause_order))
        advice = item.recommendation_for(written.id) if written is not None else ""
        amendment = ProposedAmendment(
            item_id=item.id,
            item_number=numbers[item.id],
            section_title=rubric.section(item.section_id).title,
            prompt=item.prompt,
            rating=rating,
            current=current,
            proposed=item.model_language or advice,
            proposed_is_advice=not item.model_language,
            guidance=guidance.get(item.id, ()),
        )
        first = current[0].sort_key if current else None
        if first is not None:
            # Rubric position breaks ties: two items anchored to one clause keep rubric order.
            placed.append(((*first, rubric_position), amendment))
        else:
            # A new clause, or one whose file was deleted since: its place is unknown, so it
            # goes with the new clauses, still showing the quote it was anchored to.
            unplaced.append(amendment)
    placed.sort(key=lambda entry: entry[0])
    return AmendmentsDocument(
        assessment_id=header.assessment_id,
        org_name=header.org_name,
        assessment_title=header.assessment_title,
        period=header.period,
        rubric_title=rubric.title,
        rubric_version=rubric.version,
        prepared_on=header.prepared_on,
        written_label=written.label if written is not None else "",
        amendments=(*(amendment for _, amendment in placed), *unplaced),
    )


def _clause_order(clause: AnchoredClause) -> tuple[bool, int, int]:
    key = clause.sort_key
    return (key is None, *(key or (0, 0)))


def amendments_of(
    session: Session, assessment: Assessment, catalog: Catalog, *, today: dt.date | None = None
) -> AmendmentsDocument:
    """Read what ``build_amendments`` needs for ``assessment`` and build its document."""
    rubric = rubric_for(assessment)
    states = load_states(session, assessment)
    score = score_assessment(rubric, {item_id: s.to_answer() for item_id, s in states.items()})
    anchors = _anchored_clauses(session, assessment.id)
    guidance = {
        item.id: resource_views(catalog, item.guidance or item.basis) for item in rubric.items
    }
    header = AmendmentsHeader(
        assessment_id=assessment.id,
        org_name=assessment.organization.name,
        assessment_title=assessment.title,
        period=assessment.period,
        prepared_on=today or dt.datetime.now(dt.UTC).date(),
    )
    return build_amendments(rubric, score, anchors, guidance, header)


def _anchored_clauses(session: Session, assessment_id: int) -> dict[str, list[AnchoredClause]]:
    by_item = accepted_by_item(session, assessment_id)
    clause_ids = {a.clause_id for anchors in by_item.values() for a in anchors if a.clause_id}
    # Where each live clause sits: (its document's id, which grows in upload order; position).
    places = (
        {
            clause_id: (document_id, position)
            for clause_id, document_id, position in session.execute(
                select(
                    AgreementClause.id, AgreementClause.document_id, AgreementClause.position
                ).where(AgreementClause.id.in_(sorted(clause_ids)))
            )
        }
        if clause_ids
        else {}
    )
    result: dict[str, list[AnchoredClause]] = {}
    for item_id, anchors in by_item.items():
        for anchor in anchors:
            place = places.get(anchor.clause_id) if anchor.clause_id is not None else None
            result.setdefault(item_id, []).append(
                AnchoredClause(
                    document_label=anchor.document_label,
                    file_name=anchor.file_name,
                    number=anchor.clause_number,
                    heading=anchor.clause_heading,
                    page=anchor.page,
                    quote=anchor.quote,
                    document_order=place[0] if place else None,
                    position=place[1] if place else None,
                )
            )
    return result
