"""Journey: an afterschool program lead compares its own assessment with one a district shared.

In the demo, Riverton City School District shared its 2025-26 review with Riverton Youth Sports
& Learning, whose lead has the program's own afterschool assessment. The lead picks both in the
chooser, reads them side by side and downloads the comparison as CSV.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from journey_helpers import Steps
from playwright.sync_api import expect

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
    steps("side by side", page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("CSV")).click()
    download = download_info.value
    assert download.suggested_filename == "comparison.csv"
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    header = rows[0]
    assert any(PROGRAM in cell for cell in header), header
    assert any(DISTRICT in cell for cell in header), header
    # Different rubrics: the comparison is of scores (items are compared within one rubric).
    scores = [row for row in rows[1:] if row[0] == "score"]
    assert scores, rows[:5]
    overall = scores[0]
    assert len(overall) == len(header)
    assert overall[3], f"no figure for {PROGRAM}: {overall}"
    assert overall[5], f"no figure for {DISTRICT}: {overall}"
    steps("exported", page)
