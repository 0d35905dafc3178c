"""axe-core in Chromium finds no serious or critical WCAG 2.1 A/AA violation on any page type.

Each demo user signs in once through the real form; the browser context bypasses the page's
CSP only so that axe can be injected (the app itself never needs inline script).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from helpers import PASSWORD
from pages import PAGE_TYPES, PageType
from quality_site import AXE_JS, LiveServer

from rubric_app.db import db

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def contexts(chromium: Any, demo_server: LiveServer) -> Iterator[dict[str | None, Any]]:
    """One browser context per user, signed in through the sign-in form."""
    assert AXE_JS.exists(), f"{AXE_JS} is missing: run `npm ci` (make test does)"
    made: dict[str | None, Any] = {}
    for user in {page.user for page in PAGE_TYPES}:
        context = chromium.new_context(base_url=demo_server.url, bypass_csp=True)
        if user is not None:
            tab = context.new_page()
            tab.goto("/signin")
            tab.get_by_label("Email").fill(user)
            tab.get_by_label("Password").fill(PASSWORD)
            tab.get_by_role("button", name="Sign in").click()
            tab.wait_for_load_state()
            assert "/signin" not in tab.url, f"{user} could not sign in"
            tab.close()
        made[user] = context
    yield made
    for context in made.values():
        context.close()


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
    page_type: PageType, contexts: dict[str | None, Any], demo_server: LiveServer, demo_site: Any
) -> None:
    with demo_site.app.app_context():
        url = page_type.url(db.session)
    tab = contexts[page_type.user].new_page()
    try:
        response = tab.goto(url)
        assert response is not None
        assert response.status == page_type.status, f"GET {url} answered {response.status}"
        tab.add_script_tag(path=str(AXE_JS))
        result = tab.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    finally:
        tab.close()
    blocking = [v for v in result["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"{page_type.name} ({url}):\n{describe(blocking)}"
