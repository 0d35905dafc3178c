"""Benchmark the report PDF: the demo Riverton local-rubric report, rendered uncached.

Measured against WeasyPrint rendering a one-page minimal document in the same run, so the ratio
is what the report adds (its size, fonts, chart and tagging) over WeasyPrint's fixed cost.
Also prints pages per second. Run: ``python benchmarks/bench_pdf.py``.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from _report import Result, median_seconds, record
from _setup import bench_app
from pypdf import PdfReader
from sqlalchemy import select
from weasyprint import HTML

from rubric_app.catalog_state import current_catalog
from rubric_app.db import db
from rubric_app.models import Assessment, Organization
from rubric_app.reports.pdf_documents import board_of, render_report_pdf
from rubric_app.reports.view_data import build_report

RUNS = 5
MINIMAL = "<!doctype html><html lang='en'><title>Minimal</title><p>One page.</p></html>"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = bench_app(Path(folder))
        with app.test_request_context():
            assessment = db.session.scalar(
                select(Assessment)
                .join(Organization, Organization.id == Assessment.org_id)
                .where(
                    Organization.name == "Riverton City School District",
                    Assessment.rubric_key == "secure-local-implementation",
                    Assessment.status == "submitted",
                )
            )
            assert assessment is not None

            def report_pdf() -> bytes:
                # What a cache miss does: build the context, render the template, run WeasyPrint.
                # (The report PDF opens with the board summary, so that is built too.)
                report = build_report(db.session, assessment, current_catalog())
                return render_report_pdf(report, board_of(report))

            pages = len(PdfReader(io.BytesIO(report_pdf())).pages)
            seconds = median_seconds(report_pdf, runs=RUNS, warmup=1)
            minimal = median_seconds(lambda: HTML(string=MINIMAL).write_pdf(), runs=RUNS * 4)
    print(f"{pages} pages in {seconds:.2f} s: {pages / seconds:.1f} pages per second")
    record(
        [
            Result(
                "Report PDF, demo local rubric (uncached)",
                seconds,
                "WeasyPrint, one-page minimal document",
                minimal,
                runs=RUNS,
                note=f"{pages} pages, {pages / seconds:.1f} pages/s",
            )
        ]
    )


if __name__ == "__main__":
    main()
