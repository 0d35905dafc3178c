"""The questionnaire in a real browser: start, fill in with autosave and skip logic, two tabs
in conflict, an ended session that keeps what was typed, and submitting."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from rubric_app.assessments import load_states
from rubric_app.models import Assessment, Snapshot

pytestmark = pytest.mark.browser

EDITOR = "editor@riverton.example.org"
SECTION = "partnerships-and-mous"


def start_assessment_in_browser(page: Any, server: Any, period: str = "2027-28") -> int:
    page.goto(server.url_for("/assessments"))
    page.get_by_role("link", name="Start an assessment").click()
    page.locator("input[name=rubric][value=secure-local-implementation]").check()
    page.get_by_label("Title").fill("MOU review with Riverton PD")
    page.get_by_label("Period").fill(period)
    page.get_by_role("button", name="Start the assessment").click()
    page.wait_for_url(re.compile(r"/assessments/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def stored(server: Any, assessment_id: int) -> dict[str, Any]:
    session = server.session()
    try:
        return load_states(session, session.get(Assessment, assessment_id))
    finally:
        session.close()


def wait_saved(page: Any) -> None:
    page.locator("[data-autosave-status]").filter(
        has_text=re.compile(r"Saved at \d\d:\d\d")
    ).wait_for()


def test_start_fill_with_autosave_and_skip_logic(
    page: Any, live_server: Any, signin_page: Any, screenshot: Any
) -> None:
    signin_page(page, live_server, EDITOR)
    assessment_id = start_assessment_in_browser(page, live_server)
    assert page.get_by_text("0 of 5 sections complete").is_visible()
    screenshot(page, "questionnaire-task-list")

    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("1. Build lasting partnerships")).click()
    improve_item = page.locator("#item-mou-living-document-reviewed")
    assert improve_item.is_hidden()
    page.locator("#partnership-exists__value-0").check()  # "Yes"
    improve_item.wait_for(state="visible")  # shown at once by the page's script
    wait_saved(page)
    assert stored(live_server, assessment_id)["partnership-exists"].values == {"value": "yes"}

    page.locator("#mou-purpose-stated__policy-1").check()  # Partly in place
    page.locator("#mou-purpose-stated__practice-0").check()  # Not in place
    page.locator("#item-mou-purpose-stated summary", has_text="Comment and evidence").click()
    page.locator("#mou-purpose-stated__comment").fill("Purpose clause is vague")
    page.locator("#mou-purpose-stated__flagged").check()
    page.locator("[data-autosave-status]").filter(has_text="Saved at").wait_for()
    expect(page.locator("[data-answered]")).to_have_text("2")
    state = stored(live_server, assessment_id)["mou-purpose-stated"]
    assert state.values == {"policy": "partly", "practice": "not-in-place"}
    assert state.comment == "Purpose clause is vague"
    assert state.flagged
    screenshot(page, "questionnaire-section-autosaved")

    # N/A opens the justification box; the page still saves the rest.
    page.locator("#mou-roles-responsibilities__na").check()
    page.locator("#mou-roles-responsibilities__na_reason").wait_for(state="visible")
    page.locator("#mou-roles-responsibilities__na_reason").fill("No officers assigned yet")
    expect(page.locator("[data-answered]")).to_have_text("3")

    # Resumed in another browser: every answer is there.
    other = page.context.browser.new_context()
    try:
        second = other.new_page()
        signin_page(second, live_server, EDITOR)
        second.goto(live_server.url_for(f"/assessments/{assessment_id}/sections/{SECTION}"))
        assert second.locator("#partnership-exists__value-0").is_checked()
        assert second.locator("#mou-purpose-stated__policy-1").is_checked()
        assert second.locator("#mou-purpose-stated__comment").input_value() == (
            "Purpose clause is vague"
        )
        assert second.locator("#mou-roles-responsibilities__na").is_checked()
        assert second.locator("#item-mou-living-document-reviewed").is_visible()
    finally:
        other.close()


def two_tabs_on_a_section(page: Any, live_server: Any, signin_page: Any) -> tuple[int, str, Any]:
    """The editor's new assessment's first section open in ``page`` and in a second tab:
    the assessment id, the section's address and the second tab."""
    signin_page(page, live_server, EDITOR)
    assessment_id = start_assessment_in_browser(page, live_server)
    url = live_server.url_for(f"/assessments/{assessment_id}/sections/{SECTION}")
    page.goto(url)
    tab_two = page.context.new_page()
    tab_two.goto(url)
    return assessment_id, url, tab_two


def test_an_item_changed_in_your_other_tab_is_said_to_be_yours(
    page: Any, live_server: Any, signin_page: Any
) -> None:
    """Tab two saves another item while the first tab's change is still not on its page: the
    bar says the change was this user's own, in another tab, never "someone else"."""
    assessment_id, _url, tab_two = two_tabs_on_a_section(page, live_server, signin_page)
    page.locator("#mou-purpose-stated__policy-2").check()
    wait_saved(page)
    tab_two.locator("#mou-model-based__policy-1").check()
    bar = tab_two.locator("[data-autosave-status]")
    bar.filter(has_text="reload to see those answers").wait_for()
    text = bar.inner_text()
    assert "You also changed 1 item on this page in another tab or window" in text
    assert "Someone else" not in text
    assert stored(live_server, assessment_id)["mou-model-based"].values == {"policy": "partly"}


def test_two_tabs_conflict_is_resolved_side_by_side(
    page: Any, live_server: Any, signin_page: Any, screenshot: Any
) -> None:
    assessment_id, url, tab_two = two_tabs_on_a_section(page, live_server, signin_page)

    page.locator("#mou-purpose-stated__policy-2").check()  # Fully in place
    wait_saved(page)
    tab_two.locator("#mou-model-based__policy-1").check()  # a different item: merges
    tab_two.locator("#mou-purpose-stated__policy-0").check()  # Not in place: conflicts
    conflict_link = tab_two.get_by_role("link", name="Choose which answers to keep")
    conflict_link.wait_for()
    # Both tabs are this user's: the page says so, not "someone else".
    bar = tab_two.locator("[data-autosave-status]").inner_text()
    assert "You also changed 1 item in another tab or window" in bar
    assert "Someone else" not in bar
    assert stored(live_server, assessment_id)["mou-model-based"].values == {"policy": "partly"}
    assert stored(live_server, assessment_id)["mou-purpose-stated"].values == {"policy": "fully"}

    conflict_link.click()
    tab_two.wait_for_url(re.compile("/conflicts/"))
    assert tab_two.get_by_text("Keep my version").is_visible()
    assert tab_two.get_by_text("You changed this item in another tab or window.").is_visible()
    # The conflicting part, with what each version holds.
    part = tab_two.get_by_role("row", name=re.compile("Written MOU or policy"))
    expect(part).to_contain_text("Not in place")
    expect(part).to_contain_text("Fully in place")
    screenshot(tab_two, "questionnaire-conflict")
    tab_two.get_by_label(re.compile("Keep my version")).check()
    tab_two.get_by_role("button", name="Save my choices").click()
    tab_two.wait_for_url(url)
    assert stored(live_server, assessment_id)["mou-purpose-stated"].values == {
        "policy": "not-in-place"
    }


def test_ended_session_keeps_typed_answers_through_sign_in(
    page: Any, live_server: Any, signin_page: Any, screenshot: Any
) -> None:
    signin_page(page, live_server, EDITOR)
    assessment_id = start_assessment_in_browser(page, live_server)
    url = live_server.url_for(f"/assessments/{assessment_id}/sections/{SECTION}")
    page.goto(url)
    page.context.clear_cookies()  # the session ends while the page is open

    page.locator("#mou-purpose-stated__policy-2").check()
    page.locator("#item-mou-purpose-stated summary", has_text="Comment and evidence").click()
    page.locator("#mou-purpose-stated__evidence_quote").fill("The SRO shall not discipline")
    status = page.locator("[data-autosave-status]")
    status.filter(has_text="Not saved — your answers are still on this page").wait_for()
    assert stored(live_server, assessment_id) == {}

    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile("/signin"))
    # The sign-in link names no assessment; the draft is bound to this browser by a cookie
    # that page scripts cannot read.
    assert page.url.endswith("/signin?next=%2Fassessments%2Fkept-draft")
    [draft_cookie] = [c for c in page.context.cookies() if c["name"] == "rubric_app_draft"]
    assert draft_cookie["httpOnly"]
    assert draft_cookie["sameSite"] == "Lax"
    assert draft_cookie["path"] == "/assessments"
    page.locator("main input[name=email]").fill(EDITOR)
    page.locator("main input[name=password]").fill(live_server.password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"restore="))
    assert page.get_by_text("We kept what you typed").is_visible()
    assert page.locator("#mou-purpose-stated__policy-2").is_checked()
    assert page.locator("#mou-purpose-stated__evidence_quote").input_value() == (
        "The SRO shall not discipline"
    )
    screenshot(page, "questionnaire-restored")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text(re.compile("Saved at")).first.wait_for()
    state = stored(live_server, assessment_id)["mou-purpose-stated"]
    assert state.values == {"policy": "fully"}
    assert state.evidence_quote == "The SRO shall not discipline"


def test_review_and_submit(page: Any, live_server: Any, signin_page: Any, screenshot: Any) -> None:
    signin_page(page, live_server, EDITOR)
    assessment_id = start_assessment_in_browser(page, live_server)
    page.goto(live_server.url_for(f"/assessments/{assessment_id}/sections/{SECTION}"))
    page.locator("#partnership-exists__value-1").check()  # No
    page.locator("#mou-purpose-stated__flagged").check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile("/sections/civil-rights"))
    page.goto(live_server.url_for(f"/assessments/{assessment_id}/review"))
    assert page.get_by_text("Flagged for review").first.is_visible()
    assert page.get_by_text("Not answered").first.is_visible()
    screenshot(page, "questionnaire-review")
    # Unanswered items: submitting without confirming them shows them again, with the box.
    page.get_by_role("button", name="Submit the assessment").click()
    page.wait_for_url(re.compile(rf"/assessments/{assessment_id}/submit$"))
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert page.locator("#unanswered-items li").count() > 0
    page.get_by_label("Submit without answering the items listed above").check()
    page.get_by_role("button", name="Submit the assessment").click()
    page.wait_for_url(re.compile(rf"/assessments/{assessment_id}$"))
    session = live_server.session()
    try:
        snapshot = session.scalar(select(Snapshot).where(Snapshot.assessment_id == assessment_id))
        assert snapshot is not None
        # The checksum is kept, folded under "Technical details" beside the next steps.
        page.get_by_text("Technical details").click()
        assert page.get_by_text(snapshot.content_hash).first.is_visible()
    finally:
        session.close()
    assert page.get_by_text("Submitted", exact=True).first.is_visible()


def test_section_page_at_phone_width(
    page: Any, live_server: Any, signin_page: Any, screenshot: Any
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    signin_page(page, live_server, EDITOR)
    assessment_id = start_assessment_in_browser(page, live_server)
    page.goto(live_server.url_for(f"/assessments/{assessment_id}/sections/{SECTION}"))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    # Keyboard only: tab to the first answer and choose it with the space bar.
    page.locator("#partnership-exists__value-0").focus()
    page.keyboard.press("Space")
    wait_saved(page)
    screenshot(page, "questionnaire-section-phone")
