"""Decide what a file is from its bytes, never from its name or the browser's claimed type.

A renamed program stays unsupported whatever its extension. DOCX is a ZIP archive, so the
archive's table of contents is checked against :class:`Limits` *before* any member is read: a
zip bomb (a small upload that unpacks to gigabytes) is refused on its declared sizes, and
:mod:`zipfile` never yields more than a member's declared size, so the declaration cannot lie.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from .errors import DocumentError
from .model import DOCX, PDF, TEXT, MediaType

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much a document may be; the defaults suit a 10 to 15 page agreement many times over."""

    max_bytes: int = 20 * MB
    max_zip_members: int = 1000
    max_unzipped_bytes: int = 100 * MB
    max_pages: int = 1000


DEFAULT_LIMITS = Limits()

# Control characters other than tab, line feed, form feed (a page break) and carriage return:
# their presence means the file is binary, whatever decodes.
_BINARY_CONTROLS = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\f", "\r"}


def check_zip(data: bytes, limits: Limits = DEFAULT_LIMITS) -> zipfile.ZipFile:
    """Open ``data`` as a ZIP archive after checking its member count and unpacked size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise DocumentError("unreadable-docx", "The Word document is damaged.") from error
    members = archive.infolist()
    if len(members) > limits.max_zip_members:
        raise DocumentError(
            "zip-too-many-members",
            f"The Word document has {len(members)} parts; at most "
            f"{limits.max_zip_members} are accepted.",
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unzipped_bytes:
        raise DocumentError(
            "zip-too-large",
            f"The Word document would unpack to {unpacked // MB} MB; at most "
            f"{limits.max_unzipped_bytes // MB} MB are accepted.",
        )
    return archive


def sniff(data: bytes, limits: Limits = DEFAULT_LIMITS) -> MediaType:
    """Return the media type of ``data`` or raise :class:`DocumentError` saying why not."""
    if not data:
        raise DocumentError("empty-file", "The file is empty.")
    if len(data) > limits.max_bytes:
        raise DocumentError(
            "file-too-large",
            f"The file is {len(data) / MB:.3g} MB; the limit is {limits.max_bytes / MB:.3g} MB.",
        )
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        with check_zip(data, limits) as archive:
            if "word/document.xml" in archive.namelist():
                return DOCX
        raise _unsupported()
    if _is_text(data):
        return TEXT
    raise _unsupported()


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(char in _BINARY_CONTROLS for char in text)


def _unsupported() -> DocumentError:
    return DocumentError(
        "unsupported-type",
        "This file is not a PDF, a Word document (.docx) or plain text. "
        "Save the agreement as PDF or DOCX and upload it again.",
    )
