"""Test agreements as real files, each as text, PDF (WeasyPrint) and DOCX (python-docx), plus
hostile files (an image-only "scan", a DOCX zip bomb, a renamed program).

Three agreements, written for these tests from the clause patterns in the project's MOU
reference (facts carried over, wording our own), in three styles: Harbor Valley (a city police
MOU numbered "4.2"), Tamarack County (a sheriff's interlocal agreement in "Article IV /
Section 4.02" style with long legal sentences and inline lists) and Millbrook (a short
plain-language city MOU numbered "1." and "(a)", saying "student conduct code" and "student
records" where the others say "discipline" and "FERPA"). Each has some topics strong, some weak
and some missing. ``agreements/labels.yaml`` says which clause answers which rubric item.

In a file, one line is one paragraph. The PDF is printed on US Letter with a "Page N of M"
footer, so page numbers and footer removal are exercised for real. The Harbor Valley helpers
(``mou_text``, ``mou_pdf``, ...) keep their names.
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import docx
import weasyprint

AGREEMENTS_DIR = Path(__file__).parent / "agreements"
LABELS_PATH = AGREEMENTS_DIR / "labels.yaml"
_CSS = """
@page {
  size: Letter; margin: 1in;
  @bottom-center { content: "Page " counter(page) " of " counter(pages); }
}
body { font-family: serif; font-size: 12pt; line-height: 1.6; }
h1 { font-size: 16pt; } h2 { font-size: 13pt; margin-top: 1.2em; }
"""


@dataclass(frozen=True)
class Agreement:
    """One test agreement: its text file and which of its lines are printed as headings."""

    file_name: str
    #: Lines printed as section headings (after the first line, the title).
    heading: re.Pattern[str]

    @property
    def path(self) -> Path:
        return AGREEMENTS_DIR / self.file_name

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def paragraphs(self) -> list[str]:
        return [line for line in self.text().split("\n") if line.strip()]

    def pdf(self) -> bytes:
        return _pdf(self)

    def docx(self) -> bytes:
        return _docx(self)


_NUMBERED_SECTION = re.compile(r"^\d{1,2}\. ")
HARBOR_VALLEY = Agreement("harbor_valley_mou.txt", _NUMBERED_SECTION)
#: "ARTICLE IV" on one line and its title in capitals on the next: both printed as headings.
TAMARACK_COUNTY = Agreement(
    "tamarack_county_agreement.txt", re.compile(r"^(?:ARTICLE [IVXLC]+|[A-Z][A-Z ,]+)$")
)
MILLBROOK_CITY = Agreement("millbrook_city_mou.txt", _NUMBERED_SECTION)
AGREEMENTS: dict[str, Agreement] = {
    agreement.file_name: agreement for agreement in (HARBOR_VALLEY, TAMARACK_COUNTY, MILLBROOK_CITY)
}
MOU_PATH = HARBOR_VALLEY.path


@cache
def _pdf(agreement: Agreement) -> bytes:
    paragraphs = agreement.paragraphs()
    body = [f"<h1>{html.escape(paragraphs[0])}</h1>"]
    for line in paragraphs[1:]:
        tag = "h2" if agreement.heading.match(line) else "p"
        body.append(f"<{tag}>{html.escape(line)}</{tag}>")
    head = f"<!doctype html><html><head><style>{_CSS}</style></head>"
    page = f"{head}<body>{''.join(body)}</body></html>"
    return bytes(weasyprint.HTML(string=page).write_pdf())


@cache
def _docx(agreement: Agreement) -> bytes:
    document = docx.Document()
    paragraphs = agreement.paragraphs()
    document.add_heading(paragraphs[0], level=1)
    for line in paragraphs[1:]:
        if agreement.heading.match(line):
            document.add_heading(line, level=2)
        else:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def mou_text() -> str:
    return HARBOR_VALLEY.text()


def mou_paragraphs() -> list[str]:
    return HARBOR_VALLEY.paragraphs()


def mou_pdf() -> bytes:
    return HARBOR_VALLEY.pdf()


def mou_docx() -> bytes:
    return HARBOR_VALLEY.docx()


def _png(width: int, height: int) -> bytes:
    """A grey greyscale PNG, built by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def scanned_pdf(pages: int = 2) -> bytes:
    """A PDF whose pages hold only a picture, like a scanned agreement: no text layer."""
    import base64

    src = "data:image/png;base64," + base64.b64encode(_png(60, 80)).decode()
    images = "".join(f'<img src="{src}" style="width:6in;break-after:page">' for _ in range(pages))
    return bytes(
        weasyprint.HTML(string=f"<!doctype html><html><body>{images}</body></html>").write_pdf()
    )


def docx_zip_bomb(unpacked_mb: int = 200) -> bytes:
    """A small DOCX-shaped archive whose document.xml unpacks to ``unpacked_mb`` megabytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b" " * (1024 * 1024)
            for _ in range(unpacked_mb):
                member.write(block)
    return buffer.getvalue()


def docx_many_members(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        for index in range(count):
            archive.writestr(f"word/media/part{index}.bin", b"")
    return buffer.getvalue()


def renamed_program() -> bytes:
    """The start of a Windows executable (what a renamed .exe begins with)."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 4
