"""Pull the text out of a sniffed document, page by page where the format has pages.

PDF through pypdf (one :class:`Page` per page, numbered from 1; a PDF whose pages carry no text
at all is a scan and is refused with ``no-text-layer``), DOCX through python-docx (paragraphs and
table cells in body order, one :class:`Page` with number ``None``: Word files have no fixed
pages), plain text as is (form feeds, when present, separate numbered pages).
"""

from __future__ import annotations

import io
import zipfile

import docx
import pypdf
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf.errors import PyPdfError

from .errors import DocumentError
from .model import DOCX, PDF, MediaType, Page
from .sniff import DEFAULT_LIMITS, Limits, check_zip

# pypdf raises its own errors for most damage, but a hostile file can reach plain Python errors
# deep in its parser; each of them means "damaged", never a server error.
_PDF_FAILURES = (
    PyPdfError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    RecursionError,
    OSError,
    AssertionError,
    ZeroDivisionError,
)


def extract_pages(
    data: bytes, media_type: MediaType, limits: Limits = DEFAULT_LIMITS
) -> tuple[Page, ...]:
    """Return the pages of ``data`` (already sniffed as ``media_type``) with normalised text."""
    if media_type == PDF:
        pages = _pdf_pages(data, limits)
    elif media_type == DOCX:
        pages = _docx_pages(data, limits)
    else:
        pages = _text_pages(data)
    if not any(page.text.strip() for page in pages):
        raise DocumentError("no-text", "The document contains no text.")
    return pages


def _pdf_pages(data: bytes, limits: Limits) -> tuple[Page, ...]:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(
                "encrypted-pdf",
                "The PDF is password-protected. Save an unprotected copy and upload that.",
            )
        count = len(reader.pages)
        if count > limits.max_pages:
            raise DocumentError(
                "too-many-pages",
                f"The PDF has {count} pages; at most {limits.max_pages} are accepted.",
            )
        texts = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except _PDF_FAILURES as error:
        raise DocumentError("unreadable-pdf", "The PDF is damaged and cannot be read.") from error
    if not any(text.strip() for text in texts):
        raise DocumentError(
            "no-text-layer",
            "This PDF has no text layer: it is a scan, its pages are pictures of text. "
            "Upload the original Word or PDF file, or run the scan through text "
            "recognition (OCR) first.",
        )
    return tuple(Page(number, _normalise(text)) for number, text in enumerate(texts, start=1))


def _docx_pages(data: bytes, limits: Limits) -> tuple[Page, ...]:
    # Checked again here so that extract_pages is safe on its own, not only after sniff().
    check_zip(data, limits).close()
    try:
        document = docx.Document(io.BytesIO(data))
        lines = [text for block in document.iter_inner_content() for text in _block_lines(block)]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise DocumentError("unreadable-docx", "The Word document is damaged.") from error
    return (Page(None, _normalise("\n".join(lines))),)


def _block_lines(block: Paragraph | Table) -> list[str]:
    if isinstance(block, Paragraph):
        return [block.text]
    # A table's cells, row by row; merged cells repeat in python-docx, so skip repeats.
    lines: list[str] = []
    for row in block.rows:
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            lines.extend(paragraph.text for paragraph in cell.paragraphs)
    return lines


def _text_pages(data: bytes) -> tuple[Page, ...]:
    text = data.decode("utf-8").removeprefix("\ufeff")
    if "\f" not in text:
        return (Page(None, _normalise(text)),)
    return tuple(
        Page(number, _normalise(part)) for number, part in enumerate(text.split("\f"), start=1)
    )


def _normalise(text: str) -> str:
    """Unify line ends and drop trailing spaces so clause splitting sees clean lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")
