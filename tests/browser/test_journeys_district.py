"""Journey: a district administrator signs up, creates the district, fills in and submits a
local-rubric assessment, opens the report and downloads the PDF. One screenshot per step.

Everything is done through the pages in Chromium, as the person would; the database and the
PDF are read back at the end to check that what was clicked is what was stored and printed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from journey_helpers import Steps, answer_visible_items, pdf_text
from playwright.sync_api import expect
from sqlalchemy import select

from rubric_app.assessments import load_states
from rubric_app.models import Assessment, Membership, Organization, User
from rubric_app.rubric_versions import rubric_of
from rubric_app.scoring import score_assessment

pytestmark = pytest.mark.browser

EMAIL = "superintendent@maplegrove.example.org"
PASSWORD = "Maple Grove 2026 policy review"
DISTRICT = "Maple Grove Unified School District"


def rating_for(name: str, count: int) -> int:
    """A spread of ratings: gates answer the first option ("Yes"), the rest vary by item."""
    if name.endswith("__value"):
        return 0
    return sum(map(ord, name)) % count


def test_district_administrator_signs_up_assesses_and_downloads_the_report(
    page: Any, live_server: Any, screenshot: Any, tmp_path: Path
) -> None:
    steps = Steps("district", screenshot)
    # Long pages and full-page screenshots on a busy two-core CI machine need more than 10 s.
    page.set_default_timeout(30_000)

    # Sign up.
    page.goto(live_server.url_for("/signup"))
    page.get_by_label("Your name").fill("Robin Alvarez")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    steps("sign-up form", page)
    page.get_by_role("button", name="Create account").click()
    # Sign-up answers "check your email" (the same for a taken address); then sign in.
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/organizations/new$"))

    # Create the district.
    page.get_by_label("Name of the organization").fill(DISTRICT)
    page.get_by_label("Kind of organization").select_option("district")
    page.get_by_label("State", exact=True).select_option("OH")
    steps("new district", page)
    page.get_by_role("button", name="Create organization").click()
    # Creating the district leads straight to its first assessment.
    page.wait_for_url(re.compile(r"/assessments/new$"))
    expect(page.get_by_text(f"{DISTRICT} is created")).to_be_visible()
    expect(page.get_by_role("heading", name="Start your first assessment")).to_be_visible()
    steps("district created", page)

    # Start the local implementation rubric (suggested for a district, so already chosen).
    expect(page.get_by_label("SECURe-aligned Local Implementation Rubric")).to_be_checked()
    page.get_by_label("Title").fill("SRO program review")
    page.get_by_label("Period").fill("2026-27")
    steps("start assessment", page)
    page.get_by_role("button", name="Start the assessment").click()
    page.wait_for_url(re.compile(r"/assessments/\d+$"))
    assessment_id = int(page.url.rsplit("/", 1)[1])
    steps("task list", page)

    # Fill in every section, each through its own page, saving and continuing.
    section_links = page.locator(".task-list a")
    sections = section_links.count()
    assert sections >= 4
    section_links.first.click()
    for number in range(1, sections + 1):
        page.wait_for_url(re.compile(r"/sections/"))
        assert answer_visible_items(page, rating_for) > 0
        steps(f"section {number} answered", page)
        # The URL stays under /sections/ from one step to the next: wait for the page itself.
        with page.expect_navigation():
            page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/review$"))
    steps("review", page)

    # Submit (items the journey left unanswered are confirmed, as the page asks).
    confirm = page.get_by_label("Submit without answering the items listed above")
    if confirm.count():
        confirm.check()
    page.get_by_role("button", name="Submit the assessment").click()
    page.wait_for_url(re.compile(rf"/assessments/{assessment_id}$"))
    expect(page.get_by_text("Submitted. Snapshot 1 keeps these answers")).to_be_visible()
    expect(page.get_by_role("heading", name="Submitted: what to do next")).to_be_visible()
    steps("submitted", page)

    # The report, and its PDF.
    page.get_by_role("link", name="View the report").click()
    page.wait_for_url(re.compile(r"/report$"))
    expect(page.get_by_role("heading", name="Where you stand")).to_be_visible()
    overall = page.locator(".standing__value").inner_text()
    steps("report", page)
    # The link opens the PDF inline, where Chromium's viewer wraps it; the bytes are fetched
    # with the browser's own session, as "Save" in the viewer would. Rendering can take
    # seconds on a busy CI machine.
    link = page.get_by_role("link", name="Download the report (PDF)")
    response = page.request.get(live_server.url_for(link.get_attribute("href")), timeout=90_000)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "report.pdf" in response.headers["content-disposition"]
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.body())
    with page.expect_response(re.compile(r"/report\.pdf$"), timeout=90_000) as opened:
        link.click()
    assert opened.value.status == 200
    assert pdf.read_bytes().startswith(b"%PDF")
    text = pdf_text(pdf)
    assert DISTRICT in text
    assert overall in text

    # What the pages did is what the database holds.
    session = live_server.session()
    try:
        user = session.scalar(select(User).where(User.email == EMAIL))
        assert user is not None
        org = session.scalar(select(Organization).where(Organization.name == DISTRICT))
        assert org is not None
        assert org.kind == "district"
        assert org.state == "OH"
        member = session.scalar(select(Membership).where(Membership.user_id == user.id))
        assert member is not None
        assert (member.org_id, member.role) == (org.id, "owner")
        assessment = session.get(Assessment, assessment_id)
        assert assessment is not None
        assert assessment.org_id == org.id
        assert assessment.status == "submitted"
        assert assessment.snapshot_hash
        rubric = rubric_of(assessment.rubric_version)
        states = load_states(session, assessment)
        score = score_assessment(
            rubric, {item_id: state.to_answer() for item_id, state in states.items()}
        )
        assert score.applicable > 20
        assert score.answered == score.applicable, "every question shown was answered"
    finally:
        session.close()
