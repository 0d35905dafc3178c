"""Answering details in Chromium (issue 16, item 5): N/A switches the ratings off from the
keyboard and unticking it brings them back, the save bar shows one state at a time, long text
has a character counter, and the review page's "Change" links lead to the item. Screenshots at
1280 and 360 px."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from test_questionnaire_flow import EDITOR, SECTION, start_assessment_in_browser, stored

from rubric_app.assessments import rubric_for
from rubric_app.models import Assessment

pytestmark = pytest.mark.browser

ITEM = "mou-purpose-stated"

# Every text the save status shows, in order (a MutationObserver, so no state is missed).
RECORD_STATUS = """() => {
  const box = document.querySelector("[data-autosave-status]");
  window.statusLog = [];
  new MutationObserver(() => window.statusLog.push(box.textContent)).observe(
    box, {childList: true, subtree: true, characterData: true});
}"""


def item_number(server: Any, assessment_id: int, item_id: str) -> str:
    session = server.session()
    try:
        return rubric_for(session.get(Assessment, assessment_id)).item_number(item_id)
    finally:
        session.close()


def ratings(page: Any) -> Any:
    return page.locator(f"#item-{ITEM} .q-dimension input[type=radio]")


def test_na_switches_the_ratings_off_and_unticking_brings_them_back_from_the_keyboard(
    page: Any, live_server: Any, signin_page: Any, screenshot: Any
) -> None:
    signin_page(page, live_server, EDITOR)
    assessment_id = start_assessment_in_browser(page, live_server)
    page.goto(live_server.url_for(f"/assessments/{assessment_id}/sections/{SECTION}"))
    page.evaluate(RECORD_STATUS)
    number = item_number(live_server, assessment_id, ITEM)

    page.locator(f"#{ITEM}__policy-1").check()  # Partly in place
    hint = page.locator(f"#item-{ITEM}-na-hint")
    expect(hint).to_be_hidden()
    na = page.locator(f"#{ITEM}__na")
    na.focus()
    page.keyboard.press("Space")
    expect(na).to_be_checked()
    count = ratings(page).count()
    assert count >= 6
    for index in range(count):
        expect(ratings(page).nth(index)).to_be_disabled()
    # Switched off, not cleared: the choice stays on the page (and is not posted).
    expect(page.locator(f"#{ITEM}__policy-1")).to_be_checked()
    expect(hint).to_be_visible()
    expect(page.locator(f"#{ITEM}__policy")).to_have_attribute(
        "aria-describedby", re.compile(f"item-{ITEM}-na-hint")
    )
    # No reason yet: the save bar names the item and does not also say "Saved".
    status = page.locator("[data-autosave-status]")
    expect(status).to_contain_text(f"Not saved yet: {number}: Say why this item does not apply")
    expect(status).not_to_contain_text("Saved at")

    page.locator(f"#{ITEM}__na_reason").fill("No officers are assigned yet")
    expect(status).to_have_text(re.compile(r"^Saved at \d\d:\d\d\.$"))
    state = stored(live_server, assessment_id)[ITEM]
    assert state.not_applicable
    assert state.values == {}
    page.set_viewport_size({"width": 360, "height": 800})
    page.locator(f"#item-{ITEM}").scroll_into_view_if_needed()
    screenshot(page, "answering-section-na-ticked-360")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "answering-section-na-ticked-1280")

    # Unticking enables the ratings again, with the choice made before N/A, and saves it.
    na.focus()
    page.keyboard.press("Space")
    expect(hint).to_be_hidden()
    for index in range(count):
        expect(ratings(page).nth(index)).to_be_enabled()
    expect(page.locator(f"#{ITEM}__policy-1")).to_be_checked()
    expect(status).to_have_text(re.compile(r"^Saved at"))
    assert stored(live_server, assessment_id)[ITEM].values == {"policy": "partly"}
    # Still reachable by keyboard.
    page.locator(f"#{ITEM}__practice-2").focus()
    page.keyboard.press("Space")
    expect(page.locator(f"#{ITEM}__practice-2")).to_be_checked()
    expect(status).to_have_text(re.compile(r"^Saved at"))
    state = stored(live_server, assessment_id)[ITEM]
    assert state.values == {"policy": "partly", "practice": "fully"}
    assert not state.not_applicable
    log = page.evaluate("window.statusLog")
    assert log, "the status never changed"
    both = [text for text in log if "Saved at" in text and "Not saved" in text]
    assert both == []


def test_save_bar_shows_one_message_when_typing_after_a_save(
    page: Any, live_server: Any, signin_page: Any
) -> None:
    signin_page(page, live_server, EDITOR)
    assessment_id = start_assessment_in_browser(page, live_server)
    page.goto(live_server.url_for(f"/assessments/{assessment_id}/sections/{SECTION}"))
    page.evaluate(RECORD_STATUS)
    status = page.locator("[data-autosave-status]")
    page.locator(f"#item-{ITEM} summary", has_text="Comment and evidence").click()
    comment = page.locator(f"#{ITEM}__comment")
    comment.fill("First thoughts")
    expect(status).to_have_text(re.compile(r"^Saved at \d\d:\d\d\.$"))
    comment.press_sequentially(" and more")
    expect(status).to_have_text("Changes not saved yet.")
    expect(status).to_have_text(re.compile(r"^Saved at \d\d:\d\d\.$"))
    assert stored(live_server, assessment_id)[ITEM].comment == "First thoughts and more"
    log = page.evaluate("window.statusLog")
    assert "Changes not saved yet." in log
    assert [text for text in log if "Saved at" in text and "not saved" in text.lower()] == []


def test_long_text_has_a_character_counter_that_speaks_near_the_limit(
    page: Any, live_server: Any, signin_page: Any
) -> None:
    signin_page(page, live_server, EDITOR)
    assessment_id = start_assessment_in_browser(page, live_server)
    page.goto(live_server.url_for(f"/assessments/{assessment_id}/sections/{SECTION}"))
    page.locator(f"#item-{ITEM} summary", has_text="Comment and evidence").click()
    comment = page.locator(f"#{ITEM}__comment")
    limit = int(comment.get_attribute("data-max-length") or 0)
    assert limit == 20_000
    counter = page.locator(f"#{ITEM}__comment-count")
    expect(counter).to_have_text("20,000 characters left")
    expect(comment).to_have_attribute("aria-describedby", re.compile(f"{ITEM}__comment-count"))
    spoken = page.locator("#section-form p[role=status].visually-hidden").last

    comment.fill("Short note")
    expect(counter).to_have_text("19,990 characters left")
    expect(spoken).to_have_text("")  # far from the limit: nothing is announced

    comment.fill("x" * (limit - 5))
    expect(counter).to_have_text("5 characters left")
    expect(spoken).to_have_text("5 characters left")
    # Within a few seconds of the last announcement, a new count waits instead of interrupting.
    comment.fill("x" * (limit + 3))
    expect(counter).to_have_text("3 characters too many (the limit is 20,000)")
    expect(counter).to_have_class(re.compile("q-counter--over"))
    assert spoken.text_content() == "5 characters left"
    expect(spoken).to_have_text("3 characters too many (the limit is 20,000)", timeout=8_000)


def test_review_lists_what_needs_attention_and_change_leads_to_the_item(
    page: Any, live_server: Any, signin_page: Any, screenshot: Any
) -> None:
    signin_page(page, live_server, EDITOR)
    assessment_id = start_assessment_in_browser(page, live_server)
    page.goto(live_server.url_for(f"/assessments/{assessment_id}/sections/{SECTION}"))
    page.locator("#partnership-exists__value-0").check()  # Yes
    page.locator(f"#{ITEM}__policy-2").check()
    page.locator(f"#{ITEM}__practice-2").check()
    page.locator(f"#{ITEM}__flagged").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()

    page.goto(live_server.url_for(f"/assessments/{assessment_id}/review"))
    attention = page.locator(".q-attention-list")
    expect(attention.locator(f"#attention-item-{ITEM}")).to_be_visible()
    expect(attention.locator("#attention-item-partnership-exists")).to_have_count(0)
    # Folded by step: the answered item is in a closed <details>.
    expect(page.locator("details.q-step")).to_have_count(5)
    expect(page.locator("#item-partnership-exists")).to_be_hidden()
    screenshot(page, "answering-review-1280")
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "answering-review-360")
    page.set_viewport_size({"width": 1280, "height": 900})

    number = item_number(live_server, assessment_id, ITEM)
    page.get_by_role("link", name=f"Change the answer to {number}").first.click()
    page.wait_for_url(re.compile(rf"/sections/{SECTION}#item-{ITEM}$"))
    expect(page.locator(f"#item-{ITEM}")).to_be_in_viewport()


def test_ticking_and_unticking_na_keeps_both_ratings_after_a_reload(
    page: Any, live_server: Any, signin_page: Any
) -> None:
    """The reported steps: an item rated Fully / Partly, N/A ticked then unticked (each step
    autosaved, the reason not typed yet): the ratings are there again, also after a reload."""
    signin_page(page, live_server, EDITOR)
    assessment_id = start_assessment_in_browser(page, live_server)
    url = live_server.url_for(f"/assessments/{assessment_id}/sections/{SECTION}")
    page.goto(url)
    status = page.locator("[data-autosave-status]")
    page.locator(f"#{ITEM}__policy-2").check()  # Fully in place
    page.locator(f"#{ITEM}__practice-1").check()  # Partly in place
    expect(status).to_have_text(re.compile(r"^Saved at"))
    na = page.locator(f"#{ITEM}__na")
    na.check()
    page.locator(f"#{ITEM}__na_reason").fill("Not sure yet")
    expect(status).to_have_text(re.compile(r"^Saved at"))
    assert stored(live_server, assessment_id)[ITEM].values == {}  # N/A stores no ratings
    na.uncheck()
    expect(page.locator(f"#{ITEM}__policy-2")).to_be_checked()
    expect(page.locator(f"#{ITEM}__practice-1")).to_be_checked()
    expect(status).to_have_text(re.compile(r"^Saved at"))
    page.reload()
    expect(page.locator(f"#{ITEM}__policy-2")).to_be_checked()
    expect(page.locator(f"#{ITEM}__practice-1")).to_be_checked()
    expect(na).not_to_be_checked()
    assert stored(live_server, assessment_id)[ITEM].values == {
        "policy": "fully",
        "practice": "partly",
    }


def test_the_save_button_with_na_and_no_reason_keeps_the_ratings_to_untick(
    page: Any, live_server: Any, signin_page: Any
) -> None:
    """Save pressed with N/A ticked and no reason: the page comes back with the error and the
    ratings still chosen (switched off), so unticking N/A and saving keeps them."""
    signin_page(page, live_server, EDITOR)
    assessment_id = start_assessment_in_browser(page, live_server)
    page.goto(live_server.url_for(f"/assessments/{assessment_id}/sections/{SECTION}"))
    page.locator(f"#{ITEM}__policy-1").check()
    page.locator(f"#{ITEM}__na").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(f"#{ITEM}__na")).to_be_checked()
    expect(page.locator(f"#{ITEM}__policy-1")).to_be_checked()
    expect(page.locator(f"#{ITEM}__policy-1")).to_be_disabled()
    page.locator(f"#{ITEM}__na").uncheck()
    expect(page.locator(f"#{ITEM}__policy-1")).to_be_enabled()
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert stored(live_server, assessment_id)[ITEM].values == {"policy": "partly"}
