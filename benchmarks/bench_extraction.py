"""Benchmark reading an agreement: the longest test agreement as PDF and as DOCX, into clauses.

What the extraction job does with an upload (``documents.read_document``: sniff, pages, clause
split), timed against a baseline from the same run: opening the same file with the library
that underlies it, without reading any text (pypdf counting the PDF's pages; python-docx
loading the DOCX). The aim (issue 18) is under 1 s for a 15-page agreement; the row's note gives
the time per page and pypdf's full text extraction of the same PDF, the reader used before.
Run: ``python benchmarks/bench_extraction.py``.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import docx
from _report import Result, median_seconds, record
from pypdf import PdfReader

# The test agreements and their PDF and DOCX builders live with the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from agreement_files import AGREEMENTS

from rubric_app.documents import read_document

RUNS = 9
AIM_SECONDS = 1.0
AIM_PAGES = 15


def main() -> None:
    pdfs = {name: agreement.pdf() for name, agreement in AGREEMENTS.items()}
    name = max(pdfs, key=lambda key: len(PdfReader(io.BytesIO(pdfs[key])).pages))
    pdf, word = pdfs[name], AGREEMENTS[name].docx()
    pages = len(read_document(pdf).pages)
    clauses = len(read_document(pdf).clauses)

    pdf_seconds = median_seconds(lambda: read_document(pdf), runs=RUNS)
    pdf_open = median_seconds(lambda: len(PdfReader(io.BytesIO(pdf)).pages), runs=RUNS)
    pypdf_text = median_seconds(
        lambda: [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages],
        runs=3,
        warmup=1,
    )
    docx_seconds = median_seconds(lambda: read_document(word), runs=RUNS)
    docx_open = median_seconds(lambda: docx.Document(io.BytesIO(word)), runs=RUNS)

    per_page = pdf_seconds / pages
    verdict = "met" if per_page * AIM_PAGES < AIM_SECONDS else "NOT met"
    print(
        f"{name}: {pages} pages, {clauses} clauses; PDF {pdf_seconds * 1e3:.1f} ms "
        f"({per_page * 1e3:.1f} ms/page, {AIM_PAGES} pages ~ {per_page * AIM_PAGES:.2f} s: "
        f"aim of {AIM_SECONDS:.0f} s {verdict}); pypdf text extraction {pypdf_text:.2f} s"
    )
    record(
        [
            Result(
                "Agreement read into clauses, PDF",
                pdf_seconds,
                "pypdf opening the same PDF (no text)",
                pdf_open,
                runs=RUNS,
                note=(
                    f"longest test agreement: {pages} pages, {clauses} clauses, "
                    f"{per_page * 1e3:.1f} ms/page; "
                    f"pypdf's text extraction {pypdf_text:.2f} s"
                ),
            ),
            Result(
                "Agreement read into clauses, DOCX",
                docx_seconds,
                "python-docx opening the same DOCX",
                docx_open,
                runs=RUNS,
                note=f"longest test agreement: {clauses} clauses",
            ),
        ]
    )


if __name__ == "__main__":
    main()
