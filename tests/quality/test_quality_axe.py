"""axe-core in Chromium finds no serious or critical WCAG 2.1 A/AA violation on any page type.

Each demo user signs in once through the real form; the browser context bypasses the page's
CSP only so that axe can be injected (the app itself never needs inline script).

The pages are checked in one pass, on a thread of its own: Playwright's sync API allows one
running instance per thread, and the browser tests' session-wide instance may already be
running on the main thread of this test process. Each page type is then its own test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from helpers import PASSWORD
from pages import PAGE_TYPES, PageType
from quality_site import AXE_JS, CHROMIUM, CHROMIUM_ARGS, DemoSite, LiveServer, on_own_thread

from rubric_app.db import db

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}


@dataclass
class PageCheck:
    """What axe said about one page type, or what went wrong before it could say anything."""

    url: str = ""
    status: int = 0
    violations: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""


def _sign_in(context: Any, user: str) -> None:
    tab = context.new_page()
    tab.goto("/signin")
    tab.get_by_label("Email").fill(user)
    tab.get_by_label("Password").fill(PASSWORD)
    # A click does not wait for the next page: without this, the URL below could still be the
    # sign-in page's, and closing the tab could cut the sign-in short.
    with tab.expect_navigation():
        tab.get_by_role("button", name="Sign in").click()
    assert "/signin" not in tab.url, f"{user} could not sign in"
    tab.close()


def _check_all(site: DemoSite, server: LiveServer, results: dict[str, PageCheck]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        contexts: dict[str | None, Any] = {}
        try:
            for page_type in PAGE_TYPES:
                check = results[page_type.name] = PageCheck()
                try:
                    if page_type.user not in contexts:
                        context = browser.new_context(base_url=server.url, bypass_csp=True)
                        context.set_default_timeout(30_000)
                        if page_type.user is not None:
                            _sign_in(context, page_type.user)
                        contexts[page_type.user] = context
                    with site.app.app_context():
                        check.url = page_type.url(db.session)
                    tab = contexts[page_type.user].new_page()
                    try:
                        response = tab.goto(check.url)
                        check.status = response.status if response is not None else 0
                        tab.add_script_tag(path=str(AXE_JS))
                        found = tab.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
                        check.violations = found["violations"]
                    finally:
                        tab.close()
                except Exception as error:
                    check.error = f"{type(error).__name__}: {error}"
        finally:
            for context in contexts.values():
                context.close()
            browser.close()


@pytest.fixture(scope="module")
def axe_results(demo_site: DemoSite, demo_server: LiveServer) -> dict[str, PageCheck]:
    """axe's findings for every page type, gathered on a thread of their own."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    assert AXE_JS.exists(), f"{AXE_JS} is missing: run `npm ci` (make test does)"
    results: dict[str, PageCheck] = {}
    on_own_thread(
        lambda: _check_all(demo_site, demo_server, results),
        name="axe",
        minutes=15,
        what="the axe pass",
    )
    return results


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
        lines.append(
            f"  {violation['id']} ({violation['impact']}): {violation['help']} -> {targets}"
        )
    return "\n".join(lines)


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=lambda page: page.name)
def test_page_has_no_serious_accessibility_violation(
    page_type: PageType, axe_results: dict[str, PageCheck]
) -> None:
    check = axe_results[page_type.name]
    assert not check.error, f"{page_type.name} ({check.url}): {check.error}"
    assert check.status == page_type.status, f"GET {check.url} answered {check.status}"
    blocking = [v for v in check.violations if v["impact"] in BLOCKING]
    assert not blocking, f"{page_type.name} ({check.url}):\n{describe(blocking)}"
