"""Citations of accepted agreement evidence, as the report, its PDF and the JSON export show them.

A person accepts a clause of an uploaded agreement as evidence for an item
(``rubric_app.agreements.evidence``); each accepted row keeps its own copy of the citation.
This module turns those rows into frozen view data: the citation in words ("MOU §4.2, p. 3";
"MOU, preamble" for text before the first number; no page for Word and plain-text files, which
have none), the quote shortened for print (the clause view has the full text), and the ids of
the document and clause to link to. Once the file is deleted the ids are gone: the citation and
its full quote stay, without a link.

``Citations`` is part of the ``Report``, so it is in the PDF cache key's content digest: a new
or withdrawn decision gives a new key, never a stale PDF.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from rubric_app.agreements import evidence
from rubric_app.documents.citation import citation_text
from rubric_app.models import Assessment
from rubric_app.rubrics.model import Rubric

#: The longest quote printed before it is shortened (the clause view has the whole clause).
QUOTE_CHARS = 280
#: A shortened quote ends at a sentence when one ends after this share of ``QUOTE_CHARS``.
_SENTENCE_MIN = 0.5
_SENTENCE_END = re.compile(r"[.;:!?](?=\s)")


class AnchorLike(Protocol):
    """What a citation is built from: an ``EvidenceAnchor`` row, or anything shaped like one."""

    @property
    def item_id(self) -> str: ...

    @property
    def document_id(self) -> int | None: ...

    @property
    def clause_id(self) -> int | None: ...

    @property
    def clause_number(self) -> str: ...

    @property
    def clause_heading(self) -> str: ...

    @property
    def page(self) -> int | None: ...

    @property
    def quote(self) -> str: ...

    @property
    def file_name(self) -> str: ...

    @property
    def document_label(self) -> str: ...

    @property
    def document_sha256(self) -> str: ...


@dataclass(frozen=True)
class Citation:
    """One accepted clause, cited: "MOU §4.2, p. 3", its heading, quote and where it lives."""

    #: "MOU §4.2, p. 3", "MOU, preamble", "SOP, Article IV".
    text: str
    heading: str
    #: The whole clause as it was accepted.
    quote: str
    #: What to print: the quote shortened while the clause view can show the rest, else whole.
    excerpt: str
    shortened: bool
    file_name: str
    document_label: str
    document_sha256: str
    clause_number: str
    page: int | None
    #: None once the file was deleted (then there is nothing to link to).
    document_id: int | None
    clause_id: int | None

    @property
    def linked(self) -> bool:
        """Return whether the clause view still exists to link to."""
        return self.document_id is not None and self.clause_id is not None

    @property
    def anchor(self) -> str:
        """Return the clause's id on the document page ("clause-12"), or "" once deleted."""
        return f"clause-{self.clause_id}" if self.clause_id is not None else ""


@dataclass(frozen=True)
class ItemCitations:
    """The citations of one item, with what names the item."""

    item_id: str
    number: str
    prompt: str
    section_id: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Citations:
    """Every item's citations, in rubric order (items without accepted evidence are absent)."""

    items: tuple[ItemCitations, ...] = ()

    def of(self, item_id: str) -> tuple[Citation, ...]:
        """Return the citations of ``item_id`` (empty when it has none)."""
        for entry in self.items:
            if entry.item_id == item_id:
                return entry.citations
        return ()

    @property
    def count(self) -> int:
        """Return how many citations there are in all."""
        return sum(len(entry.citations) for entry in self.items)


NO_CITATIONS = Citations()


def shorten_quote(quote: str, limit: int = QUOTE_CHARS) -> tuple[str, bool]:
    """Return ``quote`` cut to at most ``limit`` characters, and whether it was cut.

    A cut ends at the last sentence (or clause: ";", ":") that ends past half the limit, else at
    the last whole word, and is marked with "…".
    """
    text = " ".join(quote.split())
    if len(text) <= limit:
        return text, False
    # Two characters kept for the " …" that marks the cut.
    head = text[: limit - 2]
    ends = [match.end() for match in _SENTENCE_END.finditer(head)]
    if ends and ends[-1] >= limit * _SENTENCE_MIN:
        return f"{head[: ends[-1]]} …", True
    cut = head.rsplit(" ", 1)[0].rstrip(",;:") if " " in head else head
    return f"{cut}…", True


def citation_of(anchor: AnchorLike) -> Citation:
    """Return the citation of one accepted evidence row."""
    linked = anchor.document_id is not None and anchor.clause_id is not None
    excerpt, shortened = shorten_quote(anchor.quote)
    if not linked:
        # No clause view is left to read the rest on, so the report keeps the whole quote.
        excerpt, shortened = " ".join(anchor.quote.split()), False
    return Citation(
        text=citation_text(anchor.document_label, anchor.clause_number, anchor.page),
        heading=anchor.clause_heading,
        quote=anchor.quote,
        excerpt=excerpt,
        shortened=shortened,
        file_name=anchor.file_name,
        document_label=anchor.document_label,
        document_sha256=anchor.document_sha256,
        clause_number=anchor.clause_number,
        page=anchor.page,
        document_id=anchor.document_id if linked else None,
        clause_id=anchor.clause_id if linked else None,
    )


def build_citations(rubric: Rubric, anchors: Iterable[AnchorLike]) -> Citations:
    """Group accepted rows by item, in rubric order; rows of items not in ``rubric`` are left out.

    Within an item the rows keep their given order (file, then place in the file), except that
    a deleted file's rows follow the live rows of a file of the same name, on every database.
    """
    grouped: dict[str, list[AnchorLike]] = {}
    for anchor in anchors:
        if rubric.has_item(anchor.item_id):
            grouped.setdefault(anchor.item_id, []).append(anchor)
    entries = []
    for item in rubric.items:
        rows: Sequence[AnchorLike] = grouped.get(item.id, ())
        if not rows:
            continue
        ordered = sorted(rows, key=lambda row: (row.file_name, row.clause_id is None))
        entries.append(
            ItemCitations(
                item_id=item.id,
                number=rubric.item_number(item.id),
                prompt=item.prompt,
                section_id=item.section_id,
                citations=tuple(citation_of(row) for row in ordered),
            )
        )
    return Citations(tuple(entries))


def citations_of(session: Session, assessment: Assessment, rubric: Rubric) -> Citations:
    """Return the citations of ``assessment``'s accepted evidence."""
    return build_citations(rubric, evidence.accepted(session, assessment.id))


def citations_json(citations: Citations) -> dict[str, list[dict[str, Any]]]:
    """Return the citations for the JSON export: by item id, the whole quote and the file hash."""
    return {
        entry.item_id: [
            {
                "citation": citation.text,
                "document_label": citation.document_label,
                "clause_number": citation.clause_number,
                "clause_heading": citation.heading,
                "page": citation.page,
                "quote": citation.quote,
                "file_name": citation.file_name,
                "document_sha256": citation.document_sha256,
                # False once the file was deleted: the citation stays, the clause is gone.
                "document_kept": citation.linked,
            }
            for citation in entry.citations
        ]
        for entry in citations.items
    }
