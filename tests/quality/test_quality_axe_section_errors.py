"""axe-core finds no serious or critical WCAG 2.1 A/AA violation on a section page re-rendered
with errors (issue 15, item 4: the page draws its controls from plain data, not WTForms).

The page-type pass (``test_quality_axe``) sees each page as it first opens; this one ticks
"Not applicable" without a reason and presses Save in Chromium, so axe checks the error
summary, the error beside the field, the invalid field and the switched-off ratings. It uses the
second section of Riverton's draft, which no other quality check opens, and saves nothing (the
refused item is the only change). Runs on a thread of its own for the reason given there.
"""

from __future__ import annotations

from typing import Any

import pytest
from pages import ADMIN, RIVERTON, assessment_of
from quality_site import AXE_JS, CHROMIUM, CHROMIUM_ARGS, DemoSite, LiveServer, on_own_thread
from test_quality_axe import AXE_OPTIONS, BLOCKING, _sign_in, describe

from rubric_app.db import db
from rubric_app.rubric_versions import rubric_of

pytestmark = pytest.mark.browser


def _second_section(site: DemoSite) -> str:
    with site.app.app_context():
        assessment = assessment_of(db.session, RIVERTON, "draft")
        section = rubric_of(assessment.rubric_version).sections[1]
        return f"/assessments/{assessment.id}/sections/{section.id}"


def _check(server: LiveServer, url: str, found: dict[str, Any]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=server.url, bypass_csp=True)
            context.set_default_timeout(30_000)
            _sign_in(context, ADMIN)
            tab = context.new_page()
            tab.goto(url)
            box = tab.locator('input[type="checkbox"][name$="__na"]').first
            found["na"] = box.get_attribute("name")
            box.check()
            reason = tab.locator(f'textarea[name="{found["na"][: -len("__na")]}__na_reason"]')
            reason.fill("")
            with tab.expect_navigation() as navigation:
                tab.get_by_role("button", name="Save", exact=True).click()
            response = navigation.value
            found["status"] = response.status if response is not None else 0
            found["summary"] = tab.locator(".error-summary a").all_inner_texts()
            found["invalid"] = tab.locator('[aria-invalid="true"]').count()
            tab.add_script_tag(path=str(AXE_JS))
            found["violations"] = tab.evaluate(
                "options => axe.run(document, options)", AXE_OPTIONS
            )["violations"]
            context.close()
        finally:
            browser.close()


def test_a_section_page_with_errors_has_no_serious_accessibility_violation(
    demo_site: DemoSite, demo_server: LiveServer
) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    assert AXE_JS.exists(), f"{AXE_JS} is missing: run `npm ci` (make test does)"
    url = _second_section(demo_site)
    found: dict[str, Any] = {}
    on_own_thread(
        lambda: _check(demo_server, url, found),
        name="axe-section-errors",
        minutes=5,
        what="the axe check",
    )
    # The page really is the re-rendered one with its error, linked from the summary.
    assert found["status"] == 400
    assert any("does not apply" in text for text in found["summary"]), found["summary"]
    assert found["invalid"] >= 1
    blocking = [v for v in found["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"{url} with errors:\n{describe(blocking)}"
