"""A name with no space in it (a person's or an organization's) never pushes a page sideways.

A 199-character one-word name made every signed-in page 1,673 px wide on a 360 px phone, and
wider than the window at 1280 px: the "Signed in as ..." line could not wrap.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from rubric_app.models import Assessment, Organization, User

LONG = "Supercalifragilistic" * 9 + "Schools"  # 187 characters, no space


@pytest.mark.parametrize("width", [360, 1280])
def test_a_long_one_word_name_wraps_instead_of_widening_the_page(
    browser: Any, live_server: Any, signin_page: Any, width: int
) -> None:
    with live_server.app.app_context():
        session = live_server.session()
        user = session.scalar(select(User).where(User.email == "admin@riverton.example.org"))
        assert user is not None
        user.name = LONG
        org = session.scalar(select(Organization).where(Organization.name.like("Riverton City%")))
        assert org is not None
        org.name = LONG
        session.commit()
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        signin_page(page, live_server, "admin@riverton.example.org")
        for path in ("/assessments", "/organization", "/account"):
            page.goto(live_server.url_for(path))
            assert LONG in page.content()
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, (path, wide)
    finally:
        context.close()


def test_a_long_one_word_title_never_breaks_a_status_badge_inside_a_word(
    browser: Any, live_server: Any, signin_page: Any
) -> None:
    """A 50-character word in a title squeezed the Status column at 1280 px until "Submitted"
    broke as "Submitt/ed"; the title breaks instead, and each badge keeps its words whole."""
    with live_server.app.app_context():
        session = live_server.session()
        org = session.scalar(select(Organization).where(Organization.name.like("Riverton City%")))
        assert org is not None
        for assessment in session.scalars(select(Assessment).where(Assessment.org_id == org.id)):
            assessment.title = "MOU review " + "W" * 50  # wide letters: the widest word
        session.commit()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        signin_page(page, live_server, "admin@riverton.example.org")
        page.goto(live_server.url_for("/assessments"))
        badges = page.locator("table.q-list td[data-label='Status'] .tag")
        assert badges.count() > 0
        for index in range(badges.count()):
            # A word broken across lines leaves the badge's text on more than one line box.
            lines = badges.nth(index).evaluate(
                "el => { const r = document.createRange(); r.selectNodeContents(el);"
                " return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }"
            )
            assert lines == 1, badges.nth(index).inner_text()
    finally:
        context.close()
