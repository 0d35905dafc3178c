"""Keyboard only: a whole questionnaire section answered and saved with Tab, Space and Enter.

No mouse and no script shortcuts: focus moves with Tab, Space picks the focused option of a
question that has no answer yet, and Enter on "Save and continue" saves. The test then checks
in the database that every question the section showed was answered, and that the page moved
on to the next section.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from journey_helpers import Steps
from sqlalchemy import select

from rubric_app.assessments import load_states, start_assessment
from rubric_app.models import Assessment, Organization, User
from rubric_app.rubric_versions import latest_version, rubric_of
from rubric_app.scoring import score_assessment

pytestmark = pytest.mark.browser

EDITOR = "editor@riverton.example.org"

#: What has keyboard focus: enough to decide between Space, Enter and another Tab.
FOCUSED_JS = """
() => {
  const el = document.activeElement;
  if (!el) return null;
  const group = el.type === 'radio' ? document.getElementsByName(el.name) : [];
  return {
    tag: el.tagName.toLowerCase(),
    type: el.type || '',
    name: el.name || '',
    text: (el.innerText || el.value || '').trim(),
    groupAnswered: [...group].some((radio) => radio.checked),
    visible: el.offsetParent !== null,
  };
}
"""


def fresh_assessment(live_server: Any) -> tuple[int, str, str]:
    """A new, empty Riverton assessment, its first section and the section after it."""
    session = live_server.session()
    try:
        org = session.scalar(
            select(Organization).where(Organization.name == "Riverton City School District")
        )
        user = session.scalar(select(User).where(User.email == EDITOR))
        version = latest_version(session, "secure-local-implementation")
        assert org is not None
        assert user is not None
        assert version is not None
        assessment = start_assessment(
            session, org=org, version=version, title="Keyboard review", period="2030-31", user=user
        )
        session.commit()
        sections = rubric_of(version).sections
        return assessment.id, sections[0].id, sections[1].id
    finally:
        session.close()


def test_a_whole_section_is_answered_and_saved_with_the_keyboard_alone(
    page: Any, live_server: Any, signin_page: Any, screenshot: Any
) -> None:
    steps = Steps("keyboard", screenshot)
    page.set_default_timeout(30_000)
    signin_page(page, live_server, EDITOR)
    assessment_id, section_id, next_section = fresh_assessment(live_server)
    page.goto(live_server.url_for(f"/assessments/{assessment_id}/sections/{section_id}"))
    # Start from the top of the document, as after loading the page.
    page.locator("body").focus()
    steps("section before", page)

    spaces = 0
    saved = False
    for _ in range(1500):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        if focused is None:
            continue
        if focused["type"] == "radio" and not focused["groupAnswered"]:
            page.keyboard.press("Space")
            spaces += 1
        elif focused["tag"] == "button" and focused["text"] == "Save and continue":
            steps("section answered by keyboard", page)
            page.keyboard.press("Enter")
            saved = True
            break
    assert saved, "Tab never reached the Save and continue button"
    assert spaces > 0
    page.wait_for_url(re.compile(rf"/sections/{next_section}$"))
    steps("next section", page)

    session = live_server.session()
    try:
        assessment = session.get(Assessment, assessment_id)
        assert assessment is not None
        rubric = rubric_of(assessment.rubric_version)
        states = load_states(session, assessment)
        score = score_assessment(
            rubric, {item_id: state.to_answer() for item_id, state in states.items()}
        ).section(section_id)
        assert score.applicable > 0
        given = sum(len(state.values) for state in states.values())
        assert given == spaces, "every answer came from a Space press"
        assert score.answered == score.applicable, (
            f"{score.answered} of {score.applicable} answered by keyboard"
        )
    finally:
        session.close()
