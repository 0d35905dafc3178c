"""Journey: an afterschool program lead compares its own assessment with one a district shared.

In the demo, Riverton City School District shared its 2025-26 review with Riverton Youth Sports
& Learning, whose lead has the program's own afterschool assessment. The lead picks both in the
chooser, reads them side by side (differences phrased against the program, a headline, a chart
that fits a 360 px phone with every value label inside it) and downloads the comparison as CSV.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from journey_helpers import Steps
from playwright.sync_api import expect
from pypdf import PdfReader

pytestmark = pytest.mark.browser

LEAD = "lead@rys.example.org"
PROGRAM = "Riverton Youth Sports & Learning"
DISTRICT = "Riverton City School District"


def test_program_lead_compares_its_assessment_with_a_shared_district_one(
    page: Any, live_server: Any, signin_page: Any, screenshot: Any
) -> None:
    steps = Steps("program", screenshot)
    page.set_default_timeout(30_000)
    signin_page(page, live_server, LEAD)
    steps("signed in", page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Compare").click()
    page.wait_for_url(re.compile(r"/compare$"))
    own = page.get_by_label(re.compile(re.escape(PROGRAM)))
    shared = page.get_by_label(re.compile(re.escape(DISTRICT)))
    expect(own).to_have_count(1)
    expect(shared).to_have_count(1)
    expect(page.locator("label", has_text=DISTRICT)).to_contain_text("Shared with you")
    steps("chooser", page)

    own.check()
    shared.check()
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"/compare\?"))
    main = page.locator("main")
    expect(main.locator("th", has_text=PROGRAM).first).to_be_visible()
    expect(main.locator("th", has_text=DISTRICT).first).to_be_visible()
    expect(main.locator(".compare-headline")).to_contain_text("Your program's overall score is")
    expect(main.locator(".compare-change").first).to_contain_text("your program")
    chart = main.locator("svg.compare-chart")
    expect(chart).to_have_attribute("role", "img")
    steps("side by side", page)

    # On a phone the chart scales into its figure: nothing runs past the viewport and every
    # value label lies inside the visible part of the chart.
    page.set_viewport_size({"width": 360, "height": 800})
    page.wait_for_function("document.documentElement.clientWidth === 360")
    chart_box = chart.bounding_box()
    assert chart_box is not None
    assert chart_box["x"] >= 0
    assert chart_box["x"] + chart_box["width"] <= 360, chart_box
    figure_box = main.locator(".compare-figure").bounding_box()
    assert figure_box is not None
    assert figure_box["x"] + figure_box["width"] <= 360, figure_box
    labels = chart.locator("text.compare-chart-value")
    assert labels.count() >= 2
    for index in range(labels.count()):
        box = labels.nth(index).bounding_box()
        assert box is not None
        assert box["x"] >= chart_box["x"]
        assert box["x"] + box["width"] <= chart_box["x"] + chart_box["width"] + 0.5, box
    steps("side by side at 360 px", page)
    page.set_viewport_size({"width": 1280, "height": 800})

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("CSV")).click()
    download = download_info.value
    assert download.suggested_filename == "comparison.csv"
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    header = rows[0]
    assert any(PROGRAM in cell for cell in header), header
    assert any(DISTRICT in cell for cell in header), header
    # Different rubrics: the comparison is of scores (items are compared within one rubric).
    overall = rows[1]
    assert overall[0] == "overall", rows[:3]
    assert len(overall) == len(header)
    for name in (PROGRAM, DISTRICT):
        column = next(
            i for i, cell in enumerate(header) if cell.startswith(name) and "score (%" in cell
        )
        assert 0 <= float(overall[column]) <= 100, f"no figure for {name}: {overall}"
    # The district is measured from the program (the viewer's own), as a signed number.
    difference = next(i for i, cell in enumerate(header) if cell.endswith("(points)"))
    assert header[difference].startswith(DISTRICT)
    float(overall[difference])

    # The PDF keeps the hierarchy: a heading per step, its dimensions under it. Kept beside the
    # screenshots, so it can be rendered to images and looked at.
    href = page.get_by_role("link", name="Download PDF").get_attribute("href")
    response = page.request.get(live_server.url_for(href))
    assert response.ok
    pdf_path = steps.paths[0].parent / "program-compare.pdf"
    pdf_path.write_bytes(response.body())
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages).split()
    )
    positions = [text.index(f"Step {number}. ") for number in range(1, 6)]
    assert positions == sorted(positions)
    steps("exported", page)
