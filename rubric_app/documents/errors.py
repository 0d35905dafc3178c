"""The document error catalogue: every reason an uploaded agreement is refused, each with a code.

Like the rubric loader's catalogue, codes are stable (pages, logs and tests key on them) and the
message is written for the person who uploaded the file, saying what to do instead.
"""

from __future__ import annotations

from typing import Final, Literal

ErrorCode = Literal[
    "empty-file",
    "file-too-large",
    "unsupported-type",
    "zip-too-many-members",
    "zip-too-large",
    "unreadable-pdf",
    "encrypted-pdf",
    "too-many-pages",
    "no-text-layer",
    "unreadable-docx",
    "no-text",
]

#: Every error code with a one-line description (documentation and tests read this).
CODES: Final[dict[ErrorCode, str]] = {
    "empty-file": "the file has no content",
    "file-too-large": "the file is larger than the upload limit",
    "unsupported-type": "the content is not a PDF, a Word (DOCX) document or UTF-8 plain text",
    "zip-too-many-members": "the DOCX archive holds more parts than any real document",
    "zip-too-large": "the DOCX archive would unpack to more than the allowed size",
    "unreadable-pdf": "the PDF is damaged or not a PDF after all",
    "encrypted-pdf": "the PDF is password-protected",
    "too-many-pages": "the PDF has more pages than the upload limit",
    "no-text-layer": "the PDF has no text layer (a scan): its pages are images",
    "unreadable-docx": "the DOCX is damaged or not a Word document after all",
    "no-text": "the document contains no text",
}


class DocumentError(Exception):
    """Raised when a document cannot be accepted; ``code`` is one of :data:`CODES`."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        self.code: ErrorCode = code
        self.message = message
        super().__init__(f"{message} [{code}]")
