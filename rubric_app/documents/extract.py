"""Pull the text out of a sniffed document, page by page where the format has pages.

PDF through PDFium (pypdfium2: one :class:`Page` per page, numbered from 1; a PDF whose pages
carry no text at all is a scan and is refused with ``no-text-layer``), DOCX through python-docx
(paragraphs and table cells in body order, one :class:`Page` with number ``None``: Word files
have no fixed pages), plain text as is (form feeds, when present, separate numbered pages).

PDFium (the PDF engine of Chromium, fuzzed there without pause) reads a 15-page agreement in a
few tens of milliseconds; pypdf, used before, took about 3.5 s for 10 pages, which is why it
was replaced (BENCHMARKS.md, "Agreement extraction"). PDFium is not thread-safe, so every call
into it holds one process-wide lock.
"""

from __future__ import annotations

import io
import threading
import zipfile

import docx
import pypdfium2
from docx.table import Table
from docx.text.paragraph import Paragraph

from .errors import DocumentError
from .model import DOCX, PDF, MediaType, Page
from .sniff import DEFAULT_LIMITS, Limits, check_zip

# PDFium reports damage as PdfiumError; the Python side can add plain errors on odd input.
# Each of them means "damaged", never a server error.
_PDF_FAILURES = (pypdfium2.PdfiumError, ValueError, KeyError, TypeError, IndexError, OSError)
# PDFium's error code for a document that needs a password (FPDF_ERR_PASSWORD).
_PASSWORD_ERROR = 4
# PDFium marks a hyphen that ends a printed line with U+FFFE (older builds: U+0002) and joins
# the next line to it: give back the hyphen and the line break, so the clause splitter sees
# the line (and a footer printed after it) as printed, and rejoins "trauma-" / "informed".
_PDFIUM_ODDITIES = str.maketrans({"\ufffe": "-\n", "\x02": "-\n", "\x00": None})
_PDFIUM_LOCK = threading.Lock()


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
    with _PDFIUM_LOCK:
        texts = _pdf_texts(data, limits)
    if not any(text.strip() for text in texts):
        raise DocumentError(
            "no-text-layer",
            "This PDF has no text layer: it is a scan, its pages are pictures of text. "
            "Upload the original Word or PDF file, or run the scan through text "
            "recognition (OCR) first.",
        )
    return tuple(Page(number, _normalise(text)) for number, text in enumerate(texts, start=1))


def _pdf_texts(data: bytes, limits: Limits) -> list[str]:
    try:
        # An owner password alone (printing or copying restrictions) opens without one.
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        if getattr(error, "err_code", None) == _PASSWORD_ERROR:
            raise DocumentError(
                "encrypted-pdf",
                "The PDF is password-protected. Save an unprotected copy and upload that.",
            ) from error
        raise DocumentError("unreadable-pdf", "The PDF is damaged and cannot be read.") from error
    try:
        count = len(pdf)
        if count > limits.max_pages:
            raise DocumentError(
                "too-many-pages",
                f"The PDF has {count} pages; at most {limits.max_pages} are accepted.",
            )
        return [_page_text(pdf, index) for index in range(count)]
    except _PDF_FAILURES as error:
        raise DocumentError("unreadable-pdf", "The PDF is damaged and cannot be read.") from error
    finally:
        pdf.close()


def _page_text(pdf: pypdfium2.PdfDocument, index: int) -> str:
    page = pdf[index]
    try:
        text_page = page.get_textpage()
        try:
            return str(text_page.get_text_range()).translate(_PDFIUM_ODDITIES)
        finally:
            text_page.close()
    finally:
        page.close()


def _docx_pages(data: bytes, limits: Limits) -> tuple[Page, ...]:
    # Checked again here so that extract_pages is safe on its own, not only after sniff().
    check_zip(data, limits).close()
    try:
        document = docx.Document(io.BytesIO(data))
        lines = [text for block in document.iter_inner_content() for text in _block_lines(block)]
    # A damaged part's XML fails in lxml with XMLSyntaxError, a SyntaxError.
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError) as error:
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
