"""Journey: a state advocate opens the state dashboard, filters it and exports the answers.

The advocate (Buckeye Youth Justice Coalition, Ohio) receives the local-rubric assessments of
two districts in the demo: Riverton (suburb, 2025-26) and Cedar Hollow (rural, 2026-27).
Filtering to rural organizations must change who the dashboard lists and what the CSV export
holds.
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

ADVOCATE = "advocate@buckeye.example.org"
RIVERTON = "Riverton City School District"
CEDAR = "Cedar Hollow Local Schools"


@pytest.fixture
def app_config() -> dict[str, Any]:
    # The demo has only a few organizations sharing with the advocate; with the default K = 5
    # the small-number rule would (rightly) withhold every view. K = 1 shows the journey itself.
    return {"SUPPRESSION_K": 1}


def test_state_advocate_opens_filters_and_exports_the_dashboard(
    page: Any, live_server: Any, signin_page: Any, screenshot: Any
) -> None:
    steps = Steps("advocate", screenshot)
    page.set_default_timeout(30_000)
    signin_page(page, live_server, ADVOCATE)
    steps("signed in", page)

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name=re.compile("State")).click()
    page.wait_for_url(re.compile(r"/states$"))
    steps("state dashboards", page)
    page.get_by_role("link", name="Open the Ohio dashboard").click()
    page.wait_for_url(re.compile(r"/states/OH/dashboard"))
    page.get_by_label("Rubric", exact=True).select_option("secure-local-implementation")
    # Riverton shared its 2025-26 review and Cedar Hollow its 2026-27 one; a view is one
    # period (there is no all-periods view: docs/privacy.md), so each is in its own.
    expect(page.get_by_label("Period", exact=True).locator("option[value='']")).to_have_count(0)
    page.get_by_label("Period", exact=True).select_option("2025-26")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"rubric=secure-local-implementation"))
    steps("dashboard", page)
    main = page.locator("main")
    main.get_by_text("Participating organizations", exact=True).click()  # a disclosure widget
    expect(main.get_by_role("link", name=RIVERTON)).to_be_visible()
    expect(main.get_by_role("link", name=CEDAR)).to_have_count(0)
    page.get_by_label("Period", exact=True).select_option("2026-27")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"period=2026-27"))
    main.get_by_text("Participating organizations", exact=True).click()
    expect(main.get_by_role("link", name=CEDAR)).to_be_visible()

    # Rural districts only: Cedar Hollow is rural, Riverton is a suburb.
    page.get_by_label("Locale", exact=True).select_option("rural")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"locale=rural"))
    expect(page.get_by_label("Locale", exact=True)).to_have_value("rural")
    steps("filtered to rural", page)
    main.get_by_text("Participating organizations", exact=True).click()
    expect(main.get_by_role("link", name=CEDAR)).to_be_visible()
    expect(main.get_by_role("link", name=RIVERTON)).to_have_count(0)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="answers as CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = download.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows, "the export is empty"
    assert {row["organization"] for row in rows} == {CEDAR}
    assert {row["locale_code"] for row in rows} == {"rural"}
    assert {row["rubric_code"] for row in rows} == {"secure-local-implementation"}
    steps("exported", page)
