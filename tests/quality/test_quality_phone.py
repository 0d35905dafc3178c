"""Every page type fits a 360 px phone screen: nothing runs past the viewport, and every chart's
labels and values lie inside the visible part of their figure.

Chromium (Debian's, through Playwright) opens each page of ``PAGE_TYPES`` at 360 x 740 as its
user. An element may reach past the right edge only inside a designated scroll container: one
that scrolls sideways (``overflow-x: auto``), can be reached with the keyboard
(``tabindex="0"``) and has a name for screen readers (``aria-label`` or ``aria-labelledby``),
so that a keyboard user can scroll it and knows what it holds. The page's own visible cue
(the "scroll sideways" hint above such a table) is checked by the report tests. List pages
(``NO_SIDEWAYS_SCROLL``) may not scroll sideways at all: their rows stack into cards.

Chart text counts as visible when its box lies inside the chart's figure, the viewport and
any scroll container around it (a small chart in a table that scrolls sideways, inside its own
table cell), and when it is drawn at a readable size (charts scale with their viewBox; a chart
shrunk to a stamp would pass the first check and be useless).

As in the axe check, the pages are measured in one pass on a thread of its own (Playwright's
sync API allows one running instance per thread), then each page type is its own test. With
``SCREENSHOT_DIR`` set, full-page PNGs of every page at 360 px and at 1280 px are kept there.
Each user's browser context carries the session cookie of the demo site's signed-in test
client, so users who sign in with two steps are covered too.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pages import PAGE_TYPES, PageType
from quality_site import CHROMIUM, CHROMIUM_ARGS, DemoSite, LiveServer, on_own_thread

from rubric_app.db import db

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
#: The smallest font size (CSS px, after the chart's viewBox scaling) chart text may have.
MIN_CHART_FONT_PX = 10.0
#: How much of the first question of a section must show on a phone's first screen, above the
#: sticky save bar (its number, prompt and the start of its answers).
FIRST_QUESTION_VISIBLE = 100
#: Page types that must show at least one chart, so the chart check cannot pass vacuously.
CHART_PAGES = {"report", "report shared with a partner", "compare, side by side"}
#: Lists people act on from a phone: each row is a card (``table.stack``), so no part of them
#: may sit off-screen even in a container that scrolls sideways.
NO_SIDEWAYS_SCROLL = {
    "assessments",
    "task list, submitted",
    "actions",
    "agreement documents",
    "agreement documents, viewer",
    "state laws",
    "organization",
    "account",
    "sharing",
    "audit log",
}

#: Collects, in the page, what runs past the screen and which chart text is not visible.
MEASURE = (Path(__file__).parent / "phone_measure.js").read_text(encoding="utf-8")

#: Where the first question of a section page starts and where the sticky save bar covers the
#: first screen from (CSS px from the top of the page, unscrolled).
FIRST_QUESTION = """
() => {
  window.scrollTo(0, 0);
  const item = document.querySelector(".q-item");
  const bar = document.querySelector(".q-savebar");
  return {
    top: item ? item.getBoundingClientRect().top : null,
    barTop: Math.min(bar ? bar.getBoundingClientRect().top : Infinity, window.innerHeight),
  };
}
"""


@dataclass
class PhoneCheck:
    """What one page type looked like at 360 px, or what went wrong before it could be seen."""

    url: str = ""
    status: int = 0
    problems: list[str] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)
    #: The containers on the page that scroll sideways at 360 px.
    scrolling: list[str] = field(default_factory=list)
    first_question: dict[str, float | None] = field(default_factory=dict)
    error: str = ""


def _context_for(browser: Any, site: DemoSite, server: LiveServer, user: str | None) -> Any:
    context = browser.new_context(
        base_url=server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(30_000)
    if user is not None:
        client = site.client_for(user)
        name = site.app.config["SESSION_COOKIE_NAME"]
        cookie = client.get_cookie(name)
        assert cookie is not None, f"{user} has no session cookie"
        context.add_cookies([{"name": name, "value": cookie.value, "url": server.url}])
    return context


def _screenshot(tab: Any, name: str) -> None:
    """Keep full-page PNGs of the page at 360 px and at 1280 px, for people to look at."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    folder = os.environ["SCREENSHOT_DIR"]
    tab.screenshot(path=os.path.join(folder, f"360-{slug}.png"), full_page=True)
    tab.set_viewport_size({"width": 1280, "height": 900})
    tab.screenshot(path=os.path.join(folder, f"1280-{slug}.png"), full_page=True)


def _check_all(site: DemoSite, server: LiveServer, results: dict[str, PhoneCheck]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        contexts: dict[str | None, Any] = {}
        try:
            for page_type in PAGE_TYPES:
                check = results[page_type.name] = PhoneCheck()
                try:
                    if page_type.user not in contexts:
                        contexts[page_type.user] = _context_for(
                            browser, site, server, page_type.user
                        )
                    with site.app.app_context():
                        check.url = page_type.url(db.session)
                    tab = contexts[page_type.user].new_page()
                    try:
                        response = tab.goto(check.url)
                        check.status = response.status if response is not None else 0
                        tab.wait_for_load_state("load")
                        found = tab.evaluate(
                            MEASURE, {"minFont": MIN_CHART_FONT_PX, "width": PHONE["width"]}
                        )
                        check.problems = found["problems"]
                        check.charts = found["charts"]
                        check.scrolling = found["scrolling"]
                        check.first_question = tab.evaluate(FIRST_QUESTION)
                        if os.environ.get("SCREENSHOT_DIR"):
                            _screenshot(tab, page_type.name)
                    finally:
                        tab.close()
                except Exception as error:
                    check.error = f"{type(error).__name__}: {error}"
        finally:
            for context in contexts.values():
                context.close()
            browser.close()


@pytest.fixture(scope="module")
def phone_results(demo_site: DemoSite, demo_server: LiveServer) -> dict[str, PhoneCheck]:
    """What every page type looks like at 360 px, gathered on a thread of its own."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    results: dict[str, PhoneCheck] = {}
    on_own_thread(
        lambda: _check_all(demo_site, demo_server, results),
        name="phone",
        minutes=15,
        what="the 360 px pass",
    )
    return results


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=lambda page: page.name)
def test_page_fits_a_phone_screen(
    page_type: PageType, phone_results: dict[str, PhoneCheck]
) -> None:
    check = phone_results[page_type.name]
    assert not check.error, f"{page_type.name} ({check.url}): {check.error}"
    assert check.status == page_type.status, f"GET {check.url} answered {check.status}"
    assert not check.problems, f"{page_type.name} ({check.url}) at 360 px:\n  " + "\n  ".join(
        check.problems[:15]
    )


@pytest.mark.parametrize("name", sorted(NO_SIDEWAYS_SCROLL))
def test_lists_show_every_column_on_a_phone_without_scrolling(
    name: str, phone_results: dict[str, PhoneCheck]
) -> None:
    check = phone_results[name]
    assert not check.error, f"{name} ({check.url}): {check.error}"
    assert not check.scrolling, f"{name} ({check.url}) scrolls sideways at 360 px: " + (
        "; ".join(check.scrolling)
    )


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=lambda page: page.name)
def test_chart_labels_are_visible_on_a_phone(
    page_type: PageType, phone_results: dict[str, PhoneCheck]
) -> None:
    check = phone_results[page_type.name]
    assert not check.error, f"{page_type.name} ({check.url}): {check.error}"
    if page_type.name in CHART_PAGES:
        assert any(chart["texts"] for chart in check.charts), f"{page_type.name}: no chart shown"
    for chart in check.charts:
        assert not chart["outside"], f"{page_type.name}, {chart['name']}: text cut off:\n  " + (
            "\n  ".join(chart["outside"][:10])
        )
        assert not chart["small"], f"{page_type.name}, {chart['name']}: text too small:\n  " + (
            "\n  ".join(chart["small"][:10])
        )


def test_first_question_starts_on_the_first_screen(phone_results: dict[str, PhoneCheck]) -> None:
    check = phone_results["section"]
    assert not check.error, check.error
    top, bar_top = check.first_question.get("top"), check.first_question.get("barTop")
    assert top is not None, f"{check.url}: no question on the page"
    assert bar_top is not None
    assert top + FIRST_QUESTION_VISIBLE <= bar_top, (
        f"on a 360 x {PHONE['height']} phone the first question starts {top:.0f} px down and "
        f"the save bar covers the screen from {bar_top:.0f} px: less than "
        f"{FIRST_QUESTION_VISIBLE} px of the question shows before scrolling"
    )
