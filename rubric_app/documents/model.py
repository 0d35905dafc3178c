"""The immutable results of reading a document: its pages and the clauses found in them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MediaType = Literal[
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "text/plain",
]

PDF: MediaType = "application/pdf"
DOCX: MediaType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT: MediaType = "text/plain"


@dataclass(frozen=True)
class Page:
    """The text of one page; ``number`` counts from 1 and is ``None`` where the format has no
    pages (DOCX, plain text without form feeds): the order of ``pages`` is then document order."""

    number: int | None
    text: str


@dataclass(frozen=True)
class Clause:
    """One clause as the document numbers it.

    ``number`` is the document's own label ("4.2", "Section 5", "Article IV", "4.2(a)"), empty for
    the text before the first numbered clause (title, parties, recitals). ``heading`` is empty
    when the clause has none. ``page`` is the page the clause starts on (``None`` for DOCX).
    """

    number: str
    heading: str
    text: str
    page: int | None


@dataclass(frozen=True)
class ExtractedDocument:
    """A document read and split: what it is, its pages and its clauses in document order."""

    media_type: MediaType
    pages: tuple[Page, ...]
    clauses: tuple[Clause, ...]
