"""The PDFs an assessment has, by name: how each is cached and drawn.

``ASSESSMENT_PDFS`` is what the download route, the submit hook and the PDF job iterate over,
so a further PDF of an assessment (a short board summary, say) is one entry here: a name, a
label for the pages, and a function from the ``Report`` to PDF bytes. Its cache key keeps the
shape of ``pdf_cache.cache_key`` (revision, content digest, template digest).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, render_template, url_for

from rubric_app.db import db
from rubric_app.models import Assessment

from .board import BoardSummary, build_board_summary
from .charts import section_score_chart
from .pdf import page_count, render_fitting_pdf, render_template_pdf
from .pdf_cache import assessment_prefix, cache_key
from .view_data import Report
from .voice import Voice


@dataclass(frozen=True)
class AssessmentPdf:
    """One kind of PDF of an assessment."""

    #: The cache-file kind and the name in URLs and job keys, e.g. "report".
    name: str
    #: What the pages call it, e.g. "report PDF".
    label: str
    render: Callable[[Report, BoardSummary], bytes]
    #: The download route's endpoint (its own address, e.g. ``/assessments/7/board.pdf``),
    #: and the end of the downloaded file's name.
    endpoint: str = "reports.assessment_pdf"
    file_suffix: str = ""

    @property
    def file_name_end(self) -> str:
        """Return what ends the download's file name, e.g. "board-summary"."""
        return self.file_suffix or self.name

    def key(self, report: Report) -> str:
        """Return the cache file name of this PDF of ``report``.

        The board summary (every assessment PDF opens with it, or is it) is in the key: its peers
        and the previous period can change without this assessment changing.
        """
        return cache_key(report, self.name, also=board_of(report))

    def draw(self, report: Report) -> bytes:
        """Draw this PDF of ``report``."""
        return self.render(report, board_of(report))

    def prefix(self, report: Report) -> str:
        """Return the prefix every cached copy of this PDF of the assessment shares."""
        return assessment_prefix(report, self.name)

    def url(self, assessment_id: int) -> str:
        """Return the address this PDF of the assessment is downloaded from."""
        if self.endpoint != "reports.assessment_pdf":
            return url_for(self.endpoint, assessment_id=assessment_id)
        return url_for(self.endpoint, assessment_id=assessment_id, document=self.name)


def file_stem(report: Report) -> str:
    """A safe download name such as "riverton-city-school-district-2025-26"."""
    raw = f"{report.org_name}-{report.period}".lower()
    stem = "".join(char if char.isalnum() else "-" for char in raw)
    return "-".join(part for part in stem.split("-") if part)[:80] or "assessment"


def board_of(report: Report) -> BoardSummary:
    """Return the board summary of ``report``'s assessment (in a request or a job's context)."""
    assessment = db.session.get(Assessment, report.assessment_id)
    if assessment is None:
        abort(404)
    k = int(current_app.config["SUPPRESSION_K"])
    return build_board_summary(db.session, assessment, report, k=k)


def board_is_compact(report: Report, board: BoardSummary) -> bool:
    """Return whether the board summary needs its compact layout to keep to one page.

    Most summaries fit at the standard size; a long one (peers and the previous period beside
    long step titles, long planned actions) is set tighter rather than spill a few lines onto a
    second page. Only laying it out tells: the standard layout is laid out (not written) once.
    """
    html = render_template("pdf/board.html", report=report, board=board, compact=False)
    return page_count(html) > 1


def report_pdf_context(report: Report, board: BoardSummary) -> dict[str, Any]:
    """What ``pdf/report.html`` is drawn from."""
    return {
        "report": report,
        "board": board,
        "compact": board_is_compact(report, board),
        "chart": section_score_chart(report, chart_id="pdf-section-scores"),
        # One file for every reader (the organization's board, a partner, the state
        # advocate): it names the organization instead of saying "your".
        "voice": Voice(member=False, org_name=report.org_name),
    }


def render_report_pdf(report: Report, board: BoardSummary) -> bytes:
    """Draw the full report PDF; its first page is the board summary."""
    return render_template_pdf(
        "pdf/report.html",
        title=f"{report.org_name}: {report.rubric_title} ({report.period})",
        **report_pdf_context(report, board),
    )


def render_board_pdf(report: Report, board: BoardSummary) -> bytes:
    """Draw the board summary on its own: one page, as the full report's first page."""
    return render_fitting_pdf(
        [
            render_template("pdf/board.html", report=report, board=board, compact=compact)
            for compact in (False, True)
        ],
        max_pages=1,
        title=f"Board summary: {report.org_name}, {report.period}",
    )


ASSESSMENT_PDFS: dict[str, AssessmentPdf] = {
    "report": AssessmentPdf(
        name="report", label="report PDF", render=render_report_pdf, endpoint="reports.report_pdf"
    ),
    "board": AssessmentPdf(
        name="board",
        label="board summary PDF",
        render=render_board_pdf,
        endpoint="reports.board_summary_pdf",
        file_suffix="board-summary",
    ),
}
