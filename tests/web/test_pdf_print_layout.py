"""The demo's PDFs, parsed back, read well in print: the report opens with a contents page whose
entries link to their parts and print the right page numbers, the gap list links to every item,
no page is less than a quarter full except where a part ends nor two pages in a row both less
than half full, no heading is left alone at the bottom of a page (report, state summary and
comparison), the state's law table starts under its heading, and the comparison keeps its step
and dimension hierarchy.

Page layout is read from the text runs pypdf reports (position, font, size): a heading is bold
text of at least 10 pt (h3; body text and table headers are 9.5 pt); a part starts where a page
opens with a 17 pt heading (h1). The demo is seeded into each backend's database once, and its
three PDFs rendered once, because rendering the full report takes seconds.
"""

from __future__ import annotations

import io
import itertools
import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from helpers import PASSWORD, signin
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.catalog_state import current_catalog
from rubric_app.demo import seed_demo
from rubric_app.demo_state import seed_state
from rubric_app.models import Assessment, Organization
from rubric_app.reports.view_data import Report, build_report

ADMIN = "admin@riverton.example.org"
LEAD = "lead@rys.example.org"
ADVOCATE = "advocate@buckeye.example.org"
RIVERTON = "Riverton City School District"
RYS = "Riverton Youth Sports & Learning"

#: Letter, with pdf.css's margins (22 mm top, 20 mm bottom): the body lies between these
#: heights (PDF points from the bottom of the page); the running header and footer outside.
PAGE_TOP = 792 - 22 / 25.4 * 72
PAGE_BOTTOM = 20 / 25.4 * 72
#: Font sizes in the PDF's text space (px: pt / 0.75): h1 17 pt, h3 10 pt.
PART_HEADING = 17 / 0.75 - 0.1
HEADING = 10 / 0.75 - 0.1
MIN_FILL = 0.25
#: Of two pages in a row, at least one is this full (the last page of a part may be nearly empty).
MIN_PAIR_FILL = 0.5

#: What the PDFs' pages look like does not depend on the database that held the data: each
#: is rendered and checked once, on SQLite (the report data is checked on both elsewhere).
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@dataclass(frozen=True)
class Run:
    """One run of text on a page: where it sits, how it is set, what it says."""

    x: float
    y: float
    size: float
    bold: bool
    text: str


@dataclass(frozen=True)
class ParsedPdf:
    """A PDF read once (pypdf's text extraction takes seconds for a long report)."""

    reader: PdfReader
    texts: tuple[str, ...]
    runs: tuple[list[Run], ...]

    @classmethod
    def of(cls, pdf: bytes) -> ParsedPdf:
        reader = PdfReader(io.BytesIO(pdf))
        texts = tuple(_normal(page.extract_text()) for page in reader.pages)
        return cls(reader, texts, tuple(_runs(page) for page in reader.pages))


@dataclass(frozen=True)
class DemoPdfs:
    """The demo's report, state summary and comparison PDFs, and the report's view data."""

    report: ParsedPdf
    state: ParsedPdf
    compare: ParsedPdf
    report_data: Report


_RENDERED: dict[str, DemoPdfs] = {}


def _normal(text: str) -> str:
    return " ".join(text.split())


def _runs(page: Any) -> list[Run]:
    """The page's text runs inside the body area, top to bottom."""
    runs: list[Run] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if not PAGE_BOTTOM < y < PAGE_TOP:
            return  # running header and footer
        scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5 / 0.75
        name = str(font.get("/BaseFont", "")) if font else ""
        runs.append(Run(x, y, size * scale, "Bold" in name, text))

    page.extract_text(visitor_text=visit)
    return sorted(runs, key=lambda run: -run.y)


def _is_heading(run: Run) -> bool:
    return run.bold and run.size >= HEADING


def _last_line(runs: list[Run]) -> list[Run]:
    lowest = runs[-1].y
    return [run for run in runs if run.y - lowest < 2]


def _fill(runs: list[Run]) -> float:
    """How far down the body area the page's text reaches (0: empty, 1: to the bottom)."""
    return (PAGE_TOP - runs[-1].y) / (PAGE_TOP - PAGE_BOTTOM) if runs else 0.0


def _opens_a_part(runs: list[Run]) -> bool:
    return bool(runs) and runs[0].bold and runs[0].size >= PART_HEADING


def _assessment(session: Session, org_name: str) -> Assessment:
    found = session.scalar(
        select(Assessment)
        .join(Organization, Organization.id == Assessment.org_id)
        .where(Organization.name == org_name, Assessment.status == "submitted")
        .order_by(Assessment.id)
    )
    assert found is not None
    return found


def _download(client: FlaskClient, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/pdf", url
    return response.data


@pytest.fixture
def demo_pdfs(app: Any, client: FlaskClient, session: Session, database_url: str) -> DemoPdfs:
    """The demo's three PDFs, rendered once per database backend."""
    backend = database_url.split(":", 1)[0]
    if backend not in _RENDERED:
        seed_demo(session, PASSWORD)
        # Enough organizations sharing in Ohio that the state summary has its figures.
        seed_state(session, 40, "OH")
        session.commit()
        own = _assessment(session, RIVERTON)
        program = _assessment(session, RYS)
        signin(client, ADMIN)
        report = _download(client, f"/assessments/{own.id}/report.pdf")
        data = build_report(session, own, current_catalog())
        lead = app.test_client()
        signin(lead, LEAD)
        compare = _download(lead, f"/compare.pdf?ids={program.id},{own.id}")
        advocate = app.test_client()
        signin(advocate, ADVOCATE)
        state = _download(advocate, "/states/OH/summary.pdf")
        _RENDERED[backend] = DemoPdfs(
            ParsedPdf.of(report), ParsedPdf.of(state), ParsedPdf.of(compare), data
        )
    return _RENDERED[backend]


def _link_targets(reader: PdfReader, page_index: int) -> dict[str, int]:
    """Named destination -> target page index, for every internal link on a page."""
    destinations = reader.named_destinations
    targets = {}
    for annotation in reader.pages[page_index].get("/Annots") or []:
        link = annotation.get_object()
        name = link.get("/Dest")
        if isinstance(name, str) and name in destinations:
            targets[name] = reader.get_destination_page_number(destinations[name])
    return targets


def test_report_opens_with_a_contents_page_that_links_to_every_part(
    demo_pdfs: DemoPdfs,
) -> None:
    pdf = demo_pdfs.report
    contents = next(i for i in range(3) if pdf.texts[i].startswith("Contents"))
    targets = _link_targets(pdf.reader, contents)
    report = demo_pdfs.report_data
    entries = {
        "summary": "Executive summary",
        "answers": "Answers by action step",
        "gap-list": "Gap list",
        "action-plan": "Action plan",
        "appendix": "Appendix: method, rubric version and provenance",
    }
    for section in report.sections:
        entries[f"step-{section.number}"] = f"Step {section.number}. {section.title}"
    for anchor, title in entries.items():
        title = _normal(title)
        assert anchor in targets, f"the contents page has no link to {title!r}"
        page = targets[anchor]
        # The link lands on the page that has the heading, and the printed number is that page.
        assert title in pdf.texts[page], f"{title!r} is not on page {page + 1}"
        printed = re.search(re.escape(title) + r"[\s.]*?(\d+)(?!\d)", pdf.texts[contents])
        assert printed is not None, f"no page number after {title!r} in the contents"
        assert int(printed.group(1)) == page + 1, title


def test_gap_list_links_each_gap_to_its_item(demo_pdfs: DemoPdfs) -> None:
    pdf = demo_pdfs.report
    start = next(i for i, text in enumerate(pdf.texts) if text.startswith("Gap list"))
    targets: dict[str, int] = {}
    for index in range(start, len(pdf.texts)):
        targets.update(_link_targets(pdf.reader, index))
    gap_text = " ".join(pdf.texts[start:])
    gaps = demo_pdfs.report_data.gaps
    assert gaps
    for gap in gaps:
        anchor = f"item-{gap.item_id}"
        assert anchor in targets, f"the gap list does not link to item {gap.item_number}"
        page = targets[anchor]
        assert page < start, "an item link points into the gap list itself"
        opening = _normal(gap.prompt)[:40]
        assert f"{gap.item_number} {opening}" in pdf.texts[page], gap.item_number
        # The gap's title says on which page the item is.
        assert f"Item {gap.item_number} (page {page + 1})" in gap_text, gap.item_number


def test_steps_share_pages_instead_of_each_starting_a_new_one(demo_pdfs: DemoPdfs) -> None:
    pdf = demo_pdfs.report
    answers = next(i for i, text in enumerate(pdf.texts) if text.startswith("Answers by"))
    sections = demo_pdfs.report_data.sections
    shared = 0
    for previous, section in itertools.pairwise(sections):
        heading = _normal(f"Step {section.number}. {section.title}")[:40]
        page = next(i for i in range(answers, len(pdf.texts)) if heading in pdf.texts[i])
        shared += bool(re.search(rf"\b{previous.number}\.\d+ ", pdf.texts[page]))
    assert shared >= 1, "every step starts on a page of its own"


@pytest.mark.parametrize("which", ["report", "state", "compare"])
def test_no_page_is_less_than_a_quarter_full_except_where_a_part_ends(
    demo_pdfs: DemoPdfs, which: str
) -> None:
    pages = getattr(demo_pdfs, which).runs
    assert len(pages) > 1
    for number, (runs, following) in enumerate(zip(pages, [*pages[1:], []], strict=True), 1):
        part_ends = not following or _opens_a_part(following)
        if part_ends:
            continue
        assert _fill(runs) >= MIN_FILL, (
            f"{which} PDF, page {number} of {len(pages)} is only {_fill(runs):.0%} full and "
            "no part ends there"
        )


@pytest.mark.parametrize("which", ["report", "state", "compare"])
def test_no_two_pages_in_a_row_are_both_nearly_empty(demo_pdfs: DemoPdfs, which: str) -> None:
    """A part that ends low on a page may leave it nearly empty, but the next part must then
    fill its first page: QA found the state summary's law part holding only its heading and
    introduction on one page, its table whole on the next, after a page ending the findings."""
    pages = getattr(demo_pdfs, which).runs
    for number, (runs, following) in enumerate(itertools.pairwise(pages), 1):
        assert max(_fill(runs), _fill(following)) >= MIN_PAIR_FILL, (
            f"{which} PDF, pages {number} and {number + 1} of {len(pages)} are only "
            f"{_fill(runs):.0%} and {_fill(following):.0%} full"
        )


@pytest.mark.parametrize("which", ["report", "state", "compare"])
def test_no_heading_is_left_alone_at_the_bottom_of_a_page(demo_pdfs: DemoPdfs, which: str) -> None:
    pages = getattr(demo_pdfs, which).runs
    assert any(_is_heading(run) for runs in pages for run in runs), "no headings found"
    for number, runs in enumerate(pages, 1):
        if not runs:
            continue
        last = _last_line(runs)
        assert not all(_is_heading(run) for run in last), (
            f"{which} PDF, page {number}: the page ends with the heading "
            f"{' '.join(run.text for run in last)!r}"
        )


def test_state_law_table_starts_under_its_heading_and_keeps_each_share_on_one_line(
    demo_pdfs: DemoPdfs,
) -> None:
    """The law table was kept whole, so it moved to the next page and left its heading and
    introduction alone on one; and its narrow "Partly met" column broke "69% (36)" in two."""
    pdf = demo_pdfs.state
    law = next(i for i, text in enumerate(pdf.texts) if "'s law: organizations meeting" in text)
    assert "share of organizations by outcome" in pdf.texts[law], (
        "the table is not with its heading"
    )
    raw = pdf.reader.pages[law].extract_text()
    shares = re.findall(r"\d+%(\s+)\(\d+\)", raw)
    assert shares, "no share with its count in the law table"
    assert all(space == " " for space in shares), "a share and its count are on two lines"


def test_only_parts_open_a_page_in_the_report(demo_pdfs: DemoPdfs) -> None:
    pdf = demo_pdfs.report
    opened = [runs[0].text for runs in pdf.runs if _opens_a_part(runs)]
    # Contents, summary, answers, the state's law (where the state has a framework), gap list,
    # action plan, appendix: the steps open no page.
    assert len(opened) <= 7, opened
    assert not any(text.startswith("Step ") for text in opened), opened


def test_compare_pdf_keeps_steps_and_their_dimensions_in_order(demo_pdfs: DemoPdfs) -> None:
    pdf = demo_pdfs.compare
    # The outline nests every step (and "Overall") under the comparison's title.
    outline = pdf.reader.outline
    assert isinstance(outline[0], dict)
    assert _normal(outline[0]["/Title"]).startswith("Comparison of")
    children = outline[1]
    assert isinstance(children, list)
    titles = [_normal(child["/Title"]) for child in children if isinstance(child, dict)]
    assert titles[0] == "Overall"
    steps = [int(title.split()[1].rstrip(".")) for title in titles if title.startswith("Step ")]
    assert steps
    assert steps == sorted(steps)
    # Each dimension row says it is one and sits indented under the score it splits.
    found = 0
    for runs in pdf.runs:
        scores = [run for run in runs if run.text.strip() in ("Step score", "Overall")]
        dimensions = [run for run in runs if run.text.strip().startswith("Dimension:")]
        for dimension in dimensions:
            above = [score for score in scores if score.y > dimension.y]
            assert above, "a dimension row comes before any score row on its page"
            assert dimension.x > above[-1].x + 10, "a dimension row is not indented"
            found += 1
    assert found >= 2, "no dimension rows found in the comparison PDF"
