"""The evidence page's data: per item of a section, its accepted clauses and suggested ones.

Suggestions come from ``rubric_app.documents.retrieval`` over every clause of every document of
the assessment, queried with the item's prompt and ``look_for`` list; clauses someone already
accepted or dismissed for the item are left out. They are only suggestions: nothing here rates
an item or records a decision (``evidence`` does, when a person presses a button).

Clause texts reach the template as ``Markup`` built here: each piece of the text is escaped with
``markupsafe.escape`` and only the ``<mark>`` tags around matched words are added as markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.catalog_state import current_catalog
from rubric_app.documents.citation import citation_text
from rubric_app.documents.retrieval import Passage, build_index, highlight_spans, suggest
from rubric_app.models import AgreementClause, AgreementDocument, Assessment, EvidenceAnchor
from rubric_app.rubrics.model import Item, Rubric, Section

from . import evidence, operations

#: Suggestions shown per item.
SUGGESTIONS_PER_ITEM = 3


@dataclass(frozen=True)
class EvidenceView:
    """One accepted clause, cited from the copy kept on the decision."""

    clause_id: int | None
    citation: str
    heading: str
    quote: str
    file_name: str


@dataclass(frozen=True)
class SuggestionView:
    """One suggested clause: where it is, its text with matches marked, and what matched."""

    clause_id: int
    citation: str
    document_label: str
    file_name: str
    number: str
    heading: Markup
    page: int | None
    text: Markup
    matched: tuple[str, ...]


@dataclass(frozen=True)
class ItemEvidence:
    """An item of the section with its evidence and suggestions."""

    item_id: str
    number: str
    prompt: str
    evidence: tuple[EvidenceView, ...]
    suggestions: tuple[SuggestionView, ...]


@dataclass(frozen=True)
class EvidencePage:
    """The whole page: the section's scored items, or nothing to show without documents."""

    section_id: str
    section_number: int
    section_title: str
    has_documents: bool
    items: tuple[ItemEvidence, ...]


@dataclass(frozen=True)
class _Clause:
    passage: Passage
    document_label: str
    file_name: str


def marked_text(text: str, matched: Sequence[str]) -> Markup:
    """``text`` escaped, with the words that matched wrapped in ``<mark>``."""
    pieces: list[Markup] = []
    at = 0
    for start, end in highlight_spans(text, matched):
        pieces.append(escape(text[at:start]))
        pieces.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        at = end
    pieces.append(escape(text[at:]))
    return Markup("").join(pieces)


def look_for_of(rubric: Rubric, item: Item) -> tuple[str, ...]:
    """The item's ``look_for``; for a version stored before the list existed, the current one's.

    The list only steers which clauses are shown first, never a rating, so an assessment pinned
    to an older version still gets the current vocabulary for the same item.
    """
    if item.look_for:
        return item.look_for
    current = current_catalog().rubrics.get(rubric.id)
    if current is not None and current.has_item(item.id):
        return current.item(item.id).look_for
    return ()


def scored_item_ids(rubric: Rubric) -> frozenset[str]:
    """The items evidence may be recorded for."""
    return frozenset(item.id for item in rubric.items if item.scored)


def _clauses(session: Session, assessment_id: int) -> list[_Clause]:
    rows = session.execute(
        select(
            AgreementClause.id,
            AgreementClause.number,
            AgreementClause.heading,
            AgreementClause.text,
            AgreementClause.page,
            AgreementDocument.label,
            AgreementDocument.file_name,
        )
        .join(AgreementDocument, AgreementDocument.id == AgreementClause.document_id)
        .where(AgreementDocument.assessment_id == assessment_id)
        .order_by(AgreementDocument.uploaded_at, AgreementDocument.id, AgreementClause.position)
    )
    return [
        _Clause(Passage(key, number, heading, text, page), label, file_name)
        for key, number, heading, text, page, label, file_name in rows
    ]


def _evidence_view(anchor: EvidenceAnchor) -> EvidenceView:
    return EvidenceView(
        clause_id=anchor.clause_id,
        citation=citation_text(anchor.document_label, anchor.clause_number, anchor.page),
        heading=anchor.clause_heading,
        quote=anchor.quote,
        file_name=anchor.file_name,
    )


def build_evidence_page(
    session: Session, assessment: Assessment, rubric: Rubric, section: Section
) -> EvidencePage:
    """Accepted evidence and the top suggestions for each scored item of ``section``."""
    items = [item for item in section.items if item.scored]
    clauses = _clauses(session, assessment.id)
    documents = operations.has_documents(session, assessment.id)
    by_key = {clause.passage.key: clause for clause in clauses}
    index = build_index([clause.passage for clause in clauses])
    decided = evidence.decisions(session, assessment.id, [item.id for item in items])
    accepted = evidence.accepted_by_item(session, assessment.id)
    views = []
    for item in items:
        exclude = {clause_id for (item_id, clause_id) in decided if item_id == item.id}
        found = suggest(
            index,
            item.prompt,
            look_for_of(rubric, item),
            k=SUGGESTIONS_PER_ITEM,
            exclude=exclude,
        )
        views.append(
            ItemEvidence(
                item_id=item.id,
                number=rubric.item_number(item.id),
                prompt=item.prompt,
                evidence=tuple(_evidence_view(a) for a in accepted.get(item.id, ())),
                suggestions=tuple(_suggestion_view(by_key[s.key], s.matched) for s in found),
            )
        )
    return EvidencePage(section.id, section.number, section.title, documents, tuple(views))


def clause_words(texts: Sequence[str], matched: Sequence[str]) -> tuple[str, ...]:
    """What matched, in the clause's own words: each entry the clause has as it is ("use of
    force"), else the clause's words that share its stems, once each.

    The search compares stems, so the item's "informed" finds a clause's "informal"; saying
    "Matched: informed" of a clause without that word would mislead.
    """
    joined = "\n".join(texts)
    words: dict[str, None] = {}
    for entry in matched:
        if re.search(rf"(?<!\w){re.escape(entry)}(?!\w)", joined, flags=re.IGNORECASE):
            words.setdefault(entry, None)
            continue
        for text in texts:
            for start, end in highlight_spans(text, (entry,)):
                words.setdefault(text[start:end].lower(), None)
    return tuple(words)


def _suggestion_view(clause: _Clause, matched: tuple[str, ...]) -> SuggestionView:
    passage = clause.passage
    return SuggestionView(
        clause_id=passage.key,
        citation=citation_text(clause.document_label, passage.number, passage.page),
        document_label=clause.document_label,
        file_name=clause.file_name,
        number=passage.number,
        heading=marked_text(passage.heading, matched),
        page=passage.page,
        text=marked_text(passage.text, matched),
        matched=clause_words((passage.heading, passage.text), matched),
    )
