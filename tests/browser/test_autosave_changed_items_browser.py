"""The autosave in Chromium posts the whole form once, then only what changed.

After the first save of a page visit the script carries the fields of the items changed since
the server confirmed them (``changed_items``) and every item's base. An item that could not be
saved goes again with each save until it is, and nothing typed is lost on the way.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from test_questionnaire_flow import EDITOR, SECTION, start_assessment_in_browser, stored

pytestmark = pytest.mark.browser

GATE = "partnership-exists"
ITEM = "mou-purpose-stated"
OTHER = "mou-roles-responsibilities"


def posted(request: Any) -> dict[str, list[str]]:
    """The fields of a multipart FormData post, by name."""
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(
        r'name="([^"]+)"\r\n\r\n(.*?)\r\n--', request.post_data or "", re.S
    ):
        fields.setdefault(name, []).append(value)
    return fields


def save_after(page: Any, action: Any) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Do ``action``, wait for the autosave it leads to; its post and its answer."""
    with page.expect_response(lambda response: "/autosave" in response.url) as answer:
        action()
    response = answer.value
    return posted(response.request), response.json()


def test_only_changed_items_are_posted_after_the_first_save(
    page: Any, live_server: Any, signin_page: Any
) -> None:
    signin_page(page, live_server, EDITOR)
    assessment_id = start_assessment_in_browser(page, live_server)
    page.goto(live_server.url_for(f"/assessments/{assessment_id}/sections/{SECTION}"))

    first, answer = save_after(page, lambda: page.locator(f"#{GATE}__value-0").check())
    assert "changed_items" not in first  # the whole form, as the Save buttons post it
    assert f"{ITEM}__comment" in first
    assert GATE in answer["confirmed"]

    second, answer = save_after(page, lambda: page.locator(f"#{ITEM}__policy-1").check())
    assert second["changed_items"] == [ITEM]
    assert second[f"{ITEM}__policy"] == ["partly"]
    assert f"{GATE}__value" not in second
    assert f"{OTHER}__comment" not in second
    # Every item's base goes along, so the server can say what others changed meanwhile.
    assert {name for name in second if name.endswith("__base")} == {
        name for name in first if name.endswith("__base")
    }
    assert answer["saved"] == [ITEM]

    # N/A without a reason cannot be saved: the item goes again with the next change elsewhere.
    _post, answer = save_after(page, lambda: page.locator(f"#{ITEM}__na").check())
    assert answer["errors"]
    assert ITEM not in answer["confirmed"]
    page.locator(f"#item-{OTHER} summary", has_text="Comment and evidence").click()
    third, answer = save_after(
        page, lambda: page.locator(f"#{OTHER}__comment").fill("Chain of command unclear")
    )
    assert sorted(third["changed_items"][0].split(",")) == sorted([ITEM, OTHER])
    assert answer["saved"] == [OTHER]
    fourth, answer = save_after(
        page, lambda: page.locator(f"#{ITEM}__na_reason").fill("No agreement signed yet")
    )
    assert fourth["changed_items"] == [ITEM]
    assert answer["saved"] == [ITEM]
    expect(page.locator("[data-autosave-status]")).to_have_text(re.compile(r"^Saved at"))

    states = stored(live_server, assessment_id)
    assert states[GATE].values == {"value": "yes"}
    assert states[ITEM].not_applicable
    assert states[ITEM].na_reason == "No agreement signed yet"
    assert states[OTHER].comment == "Chain of command unclear"

    # A reload starts again from the whole form, and shows everything as stored.
    page.reload()
    after_reload, _answer = save_after(page, lambda: page.locator(f"#{OTHER}__flagged").check())
    assert "changed_items" not in after_reload
    assert stored(live_server, assessment_id)[OTHER].flagged
