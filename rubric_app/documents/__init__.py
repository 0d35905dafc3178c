"""Documents: read an uploaded agreement (PDF, DOCX, plain text) into pages and clauses.

Pure, like ``rubrics`` and ``scoring``: no Flask, no database. ``sniff`` decides the type from
the bytes (never the file name) and guards against zip bombs, ``extract`` keeps page numbers and
refuses scans, ``clauses`` splits along the document's own numbering. :func:`read_document` is
the one entry point; the web layer reaches it through ``agreements.operations.extract_clauses``,
which the background job that reads an upload calls.
"""

from __future__ import annotations

from .clauses import split_clauses
from .errors import CODES, DocumentError, ErrorCode
from .extract import extract_pages
from .model import DOCX, PDF, TEXT, Clause, ExtractedDocument, MediaType, Page
from .sniff import DEFAULT_LIMITS, Limits, sniff

__all__ = [
    "CODES",
    "DEFAULT_LIMITS",
    "DOCX",
    "PDF",
    "TEXT",
    "Clause",
    "DocumentError",
    "ErrorCode",
    "ExtractedDocument",
    "Limits",
    "MediaType",
    "Page",
    "extract_pages",
    "read_document",
    "sniff",
    "split_clauses",
]


def read_document(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ExtractedDocument:
    """Sniff, extract and split ``data``; raise :class:`DocumentError` with a code if refused."""
    media_type = sniff(data, limits)
    pages = extract_pages(data, media_type, limits)
    # A PDF's lines are its printed lines; DOCX and text keep a paragraph to a line.
    clauses = split_clauses(pages, wrapped_lines=media_type == PDF)
    return ExtractedDocument(media_type, pages, clauses)
