"""A newcomer signs up, signs in, creates an organization, confirms their address, invites a
colleague (the links are read from the mail log) and sees the colleague join, in a real
Chromium; then reviews where they are signed in and signs the colleague's-desk browser out."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser

NEWCOMER_PASSWORD = "harbor point lighthouse 42"
COLLEAGUE_PASSWORD = "tide pools and sea glass 7"


def fill_signup(page: Any, name: str, email: str | None, password: str) -> None:
    page.get_by_label("Your name").fill(name)
    if email is not None:
        page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Type the password again").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()


def signin(page: Any, email: str, password: str, remember: bool = False) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    if remember:
        page.get_by_label("Keep me signed in on this device").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_newcomer_creates_an_organization_and_a_colleague_joins(
    browser: Any, page: Any, live_server: Any, outbox: list[Any], screenshot: Any
) -> None:
    page.goto(live_server.url_for("/"))
    with page.expect_navigation():
        page.get_by_role("link", name="Create account").click()
    fill_signup(page, "Morgan Reyes", "morgan@harborpoint.example.org", NEWCOMER_PASSWORD)
    # Sign-up answers "check your email" whether or not the address is taken: sign in next.
    assert page.get_by_role("heading", name="Check your email").is_visible()
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Sign in").click()
    signin(page, "morgan@harborpoint.example.org", NEWCOMER_PASSWORD)
    assert page.url.endswith("/organizations/new")
    assert page.get_by_role("heading", name="Create an organization").is_visible()

    page.get_by_label("Name of the organization").fill("Harbor Point Schools")
    page.get_by_label("Kind of organization").select_option("district")
    page.get_by_label("State").select_option("ME")
    page.get_by_label("Locale (optional)").select_option("town")
    with page.expect_navigation():
        page.get_by_role("button", name="Create organization").click()
    # The next step is the first assessment; the organization page is one link away.
    assert page.get_by_role("heading", name="Start your first assessment").is_visible()
    screenshot(page, "accounts-first-assessment")
    # A link click does not wait for the next page: without the wait, the assertions below
    # could read the page being left.
    with page.expect_navigation():
        page.get_by_role("link", name="Organization", exact=True).click()
    assert page.get_by_role("heading", name="Harbor Point Schools").is_visible()
    assert "working for Harbor Point Schools" in page.locator(".org-bar").inner_text()

    # Until the address is confirmed, the invitation form is replaced by a notice.
    assert "Please confirm your email address" in page.locator(".verify-bar").inner_text()
    assert "Confirm your email address to invite colleagues" in page.inner_text("main")
    assert page.get_by_role("button", name="Send invitation").count() == 0
    screenshot(page, "accounts-organization-unverified")
    # The newcomer opens the link from the mail sent at sign-up, as they would from their inbox.
    assert [mail.to for mail in outbox] == ["morgan@harborpoint.example.org"]
    verify = re.search(r"https?://\S+/verify/\S+", outbox[0].body)
    assert verify, outbox[0].body
    page.goto(verify.group(0))
    assert page.get_by_role("heading", name="Email address confirmed").is_visible()
    assert page.locator(".verify-bar").count() == 0
    with page.expect_navigation():
        page.get_by_role("link", name="Invite your colleagues").click()

    page.get_by_label("Colleague's email address").fill("jamie@harborpoint.example.org")
    page.get_by_label("Role", exact=True).select_option("editor")
    with page.expect_navigation():
        page.get_by_role("button", name="Send invitation").click()
    assert "Invitation sent to jamie@harborpoint.example.org" in page.inner_text("main")
    assert outbox, "no invitation mail was recorded"
    mail = outbox[-1]
    assert mail.to == "jamie@harborpoint.example.org"
    link = re.search(r"https?://\S+/invitations/\S+", mail.body)
    assert link, mail.body
    screenshot(page, "accounts-organization-invited")

    colleague = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        other = colleague.new_page()
        other.goto(link.group(0))
        assert "Morgan Reyes" in other.inner_text("main")
        with other.expect_navigation():
            other.get_by_role("link", name="Create an account to join").click()
        assert other.get_by_label("Email address").input_value() == "jamie@harborpoint.example.org"
        fill_signup(other, "Jamie Chen", None, COLLEAGUE_PASSWORD)
        with other.expect_navigation():
            other.get_by_role("button", name="Join Harbor Point Schools").click()
        assert "Welcome to Harbor Point Schools" in other.inner_text("main")
        assert "working for Harbor Point Schools" in other.locator(".org-bar").inner_text()
        screenshot(other, "accounts-colleague-joined-phone")
    finally:
        colleague.close()

    page.reload()
    members = page.locator("table.members").inner_text()
    assert "Jamie Chen" in members
    assert "jamie@harborpoint.example.org" in members
    assert "No invitations are waiting." in page.inner_text("main")
    with page.expect_navigation():
        page.get_by_role("link", name="Audit log").click()
    log = page.inner_text("main")
    assert "Accepted an invitation" in log
    assert "Invited someone" in log


def test_owner_signs_out_a_forgotten_browser_from_the_account_page(
    browser: Any, page: Any, live_server: Any, screenshot: Any
) -> None:
    email = "editor@riverton.example.org"
    page.goto(live_server.url_for("/signin"))
    signin(page, email, live_server.password)
    library = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        forgotten = library.new_page()
        forgotten.goto(live_server.url_for("/signin"))
        signin(forgotten, email, live_server.password, remember=True)
        forgotten.goto(live_server.url_for("/account"))
        assert forgotten.get_by_role("heading", name="Your account").is_visible()

        page.goto(live_server.url_for("/account"))
        sessions = page.locator("#sessions + p + .table-wrap table")
        assert sessions.locator("tbody tr").count() == 2
        assert "This browser" in sessions.inner_text()
        assert "Kept signed in" in sessions.inner_text()
        screenshot(page, "accounts-sessions")
        other_row = sessions.locator("tbody tr", has_text="Kept signed in")
        with page.expect_navigation():
            other_row.get_by_role("button").click()
        assert "Signed out:" in page.inner_text("main")
        assert page.locator("#sessions + p + .table-wrap table tbody tr").count() == 1

        # The forgotten browser, even with its remember-me cookie, is signed out.
        forgotten.reload()
        assert "/signin" in forgotten.url
        assert forgotten.get_by_role("heading", name="Sign in").is_visible()
    finally:
        library.close()
