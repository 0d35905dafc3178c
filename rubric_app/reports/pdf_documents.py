"""The PDFs an assessment has, by name: how each is cached and drawn.

``ASSESSMENT_PDFS`` is what the download route, the submit hook and the PDF job iterate over,
so a further PDF of an assessment (a short board summary, say) is one entry here: a name, a
label for the pages, and a function from the ``Report`` to PDF bytes. Its cache key keeps the
shape of ``pdf_cache.cache_key`` (revision, content digest, template digest).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .charts import section_score_chart
from .context import Report
from .pdf import render_template_pdf
from .pdf_cache import assessment_prefix, cache_key


@dataclass(frozen=True)
class AssessmentPdf:
    """One kind of PDF of an assessment."""

    #: The cache-file kind and the name in URLs and job keys, e.g. "report".
    name: str
    #: What the pages call it, e.g. "report PDF".
    label: str
    render: Callable[[Report], bytes]
    #: The cache key of this PDF for a report; default: ``cache_key(report, name)``, whose
    #: template digest covers the report templates. A PDF drawn from other templates passes
    #: a key function over its own files.
    key_of: Callable[[Report, str], str] = cache_key

    def key(self, report: Report) -> str:
        """Return the cache file name of this PDF of ``report``."""
        return self.key_of(report, self.name)

    def prefix(self, report: Report) -> str:
        """Return the prefix every cached copy of this PDF of the assessment shares."""
        return assessment_prefix(report, self.name)


def file_stem(report: Report) -> str:
    """A safe download name such as "riverton-city-school-district-2025-26"."""
    raw = f"{report.org_name}-{report.period}".lower()
    stem = "".join(char if char.isalnum() else "-" for char in raw)
    return "-".join(part for part in stem.split("-") if part)[:80] or "assessment"


def render_report_pdf(report: Report) -> bytes:
    """Draw the full report PDF."""
    return render_template_pdf(
        "pdf/report.html",
        title=f"{report.org_name}: {report.rubric_title} ({report.period})",
        report=report,
        chart=section_score_chart(report, chart_id="pdf-section-scores"),
    )


ASSESSMENT_PDFS: dict[str, AssessmentPdf] = {
    "report": AssessmentPdf(name="report", label="report PDF", render=render_report_pdf),
}
