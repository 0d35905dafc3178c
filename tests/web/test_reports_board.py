"""The board summary: its page, who may see it, its PDF, the full report's first page, the change
since the previous period and the peer benchmark under the small-number rule (both databases)."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, make_org, make_user, signin
from pypdf import PdfReader
from reports_fixtures import LOCAL, make_assessment, make_setup, rated_states
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import revoke_share, share_assessment
from rubric_app.assessments import ItemState, rubric_for, score_of
from rubric_app.catalog_state import current_catalog
from rubric_app.demo import seed_demo
from rubric_app.demo_state import AFTERSCHOOL_RUBRIC, seed_state
from rubric_app.models import Assessment, Organization, Share, User
from rubric_app.reports.actions import (
    DESCRIPTION_MAX,
    OWNER_MAX,
    complete_action,
    create_action,
)
from rubric_app.reports.board import BoardSummary, build_board_summary
from rubric_app.reports.pdf_documents import board_of, render_board_pdf, render_report_pdf
from rubric_app.reports.view_data import build_report
from rubric_app.rubric_versions import latest_version, rubric_of
from rubric_app.scoring.board import points_text
from rubric_app.templating import format_date

PROFILE = {"enrollment_band": "5k_25k", "locale": "suburb", "sro_model": "local_police"}


def _normal(text: str) -> str:
    return " ".join(html.unescape(text).split())


def _page_text(page: str) -> str:
    """The visible text of a page, tags removed, whitespace folded."""
    return _normal(re.sub(r"<[^>]+>", " ", page))


def _pdf_text(reader: PdfReader, index: int) -> str:
    return _normal(reader.pages[index].extract_text())


def _without_footer(text: str) -> str:
    """A page's text without its "Page 1 of N" footer."""
    return re.sub(r"Page 1 of \d+", "", text)


def _all_fully(session: Session) -> dict[str, ItemState]:
    """Every scored item fully in place (the gate answered yes)."""
    version = latest_version(session, LOCAL)
    assert version is not None
    rubric = rubric_of(version)
    states: dict[str, ItemState] = {}
    for item in rubric.items:
        if item.type == "yes_no":
            states[item.id] = ItemState(values={"value": "yes"})
        elif item.type == "scale":
            states[item.id] = ItemState(values=dict.fromkeys(item.dimensions, "fully"))
    return states


# --- The page and who may see it ----------------------------------------------------------


def test_board_page_shows_headline_every_step_with_coverage_status_and_top_actions(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    report = build_report(session, setup.assessment, current_catalog())
    signin(client, setup.owner.email)
    response = client.get(f"/assessments/{setup.assessment.id}/board")
    assert response.status_code == 200
    text = _page_text(response.get_data(as_text=True))
    assert "Board summary · Submitted" in text
    board = build_board_summary(session, setup.assessment, report, k=5)
    assert board.headline.main in text
    for section in report.sections:
        assert f"{section.number}. {_normal(section.title)}" in text
        assert (
            f"from {section.coverage.answered} of {section.coverage.applicable} items answered"
            in text
        )
    # Every status is written out, not only coloured.
    for row in board.rows:
        assert row.status.label in text
    assert f"from {report.coverage.answered} of {report.coverage.applicable} items answered" in text
    assert "This is the first assessment" in text
    assert "too few similar organizations to compare" in _normal(text).lower()
    # No action planned yet: the three highest-priority gaps, in order, with their advice.
    first_three = sorted(report.gaps, key=lambda gap: gap.priority)[:3]
    positions = [text.index(_normal(gap.recommendation)) for gap in first_three]
    assert positions == sorted(positions)
    assert text.count("Not planned yet") == 3


def test_a_planned_action_leads_the_top_actions_with_its_owner(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    report = build_report(session, setup.assessment, current_catalog())
    last_gap = max(report.gaps, key=lambda gap: gap.priority)
    create_action(
        session,
        setup.assessment,
        item_id=last_gap.item_id,
        description="Ask counsel for a civil rights clause.",
        owner="District counsel",
        due_date=None,
        status="in_progress",
        user=setup.owner,
    )
    session.commit()
    signin(client, setup.owner.email)
    text = _page_text(client.get(f"/assessments/{setup.assessment.id}/board").get_data(True))
    actions = text.split("What to do first", 1)[1]
    assert actions.index("Ask counsel for a civil rights clause.") < actions.index(
        "Not planned yet"
    )
    assert "In progress (District counsel)" in actions


def test_a_gap_whose_action_is_done_reads_action_done_not_unplanned(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    report = build_report(session, setup.assessment, current_catalog())
    first_gap = min(report.gaps, key=lambda gap: gap.priority)
    action = create_action(
        session,
        setup.assessment,
        item_id=first_gap.item_id,
        description="Sign the MOU before officers start.",
        owner="Superintendent",
        due_date=None,
        status="planned",
        user=setup.owner,
    )
    complete_action(session, setup.assessment, action, user=setup.owner)
    session.commit()
    done = f"Action done on {format_date(dt.datetime.now(dt.UTC).date())} (Superintendent)"
    signin(client, setup.owner.email)
    page = client.get(f"/assessments/{setup.assessment.id}/board").get_data(True)
    actions = _page_text(page).split("What to do first", 1)[1]
    # The done gap is still among the first three (by priority) and says so.
    assert _normal(first_gap.recommendation) in actions
    assert done in actions
    assert actions.count("Not planned yet") == 2
    pdf = client.get(f"/assessments/{setup.assessment.id}/board.pdf")
    assert pdf.status_code == 200
    assert done in _pdf_text(PdfReader(io.BytesIO(pdf.data)), 0)

    # An action marked done before the day was recorded claims no day.
    action.done_at = None
    session.commit()
    actions = _page_text(client.get(f"/assessments/{setup.assessment.id}/board").get_data(True))
    assert "Action done (Superintendent)" in actions
    assert "Action done on" not in actions


def test_a_step_with_few_answers_says_not_enough_answers_instead_of_a_score(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session, submitted=False)
    rubric = rubric_for(setup.assessment)
    first = rubric.sections[0]
    # Keep the answers of the first step only: every other step rests on nothing.
    kept = {item.id for item in first.items} | {
        item.id for item in rubric.items if item.type == "yes_no"
    }
    other = make_assessment(
        session,
        setup.org,
        setup.owner,
        period="2026-27",
        submitted=False,
        states={k: v for k, v in rated_states(LOCAL, session).items() if k in kept},
    )
    signin(client, setup.owner.email)
    text = _page_text(client.get(f"/assessments/{other.id}/board").get_data(as_text=True))
    assert "Board summary · Draft (not final)" in text
    assert "This is a draft: the answers can still change." in text
    last = rubric.sections[-1]
    row = text.split(f"{last.number}. {_normal(last.title)}", 1)[1]
    assert row.lstrip().startswith("Not scored from 0 of")
    assert "Not enough answers" in row


def test_another_organization_gets_404_and_a_signed_out_visitor_is_sent_to_sign_in(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    elsewhere = make_org(session, "Elsewhere Schools")
    make_user(session, "owner@elsewhere.example", elsewhere, "owner")
    session.commit()
    path = f"/assessments/{setup.assessment.id}/board"
    response = client.get(path)
    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]
    signin(client, "owner@elsewhere.example")
    assert client.get(path).status_code == 404
    assert client.get(path + ".pdf").status_code == 404


def test_a_viewer_of_the_organization_may_read_it(client: FlaskClient, session: Session) -> None:
    setup = make_setup(session)
    make_user(session, "viewer@riverton.example.org", setup.org, "viewer")
    session.commit()
    signin(client, "viewer@riverton.example.org")
    assert client.get(f"/assessments/{setup.assessment.id}/board").status_code == 200


def test_report_page_and_next_steps_panel_link_to_the_board_summary(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    signin(client, setup.owner.email)
    report_page = client.get(f"/assessments/{setup.assessment.id}/report").get_data(True)
    assert f'href="/assessments/{setup.assessment.id}/board"' in report_page
    overview = client.get(f"/assessments/{setup.assessment.id}").get_data(as_text=True)
    assert "Submitted: what to do next" in overview
    assert f'href="/assessments/{setup.assessment.id}/board.pdf"' in overview
    assert "Download the board summary (PDF)" in overview


# --- Change since the previous period ----------------------------------------------------


def test_change_since_the_previous_submitted_assessment_of_the_same_rubric(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session, period="2025-26")
    # Not linked by previous_id: the previous period is found by rubric and period.
    later = make_assessment(
        session, setup.org, setup.owner, period="2026-27", states=_all_fully(session)
    )
    # A draft of an earlier period and another rubric's assessment are not "the previous one".
    make_assessment(session, setup.org, setup.owner, period="2024-25", submitted=False)
    before, after = score_of(session, setup.assessment), score_of(session, later)
    assert before.percent is not None
    assert after.percent is not None
    signin(client, setup.owner.email)
    text = _page_text(client.get(f"/assessments/{later.id}/board").get_data(as_text=True))
    assert "Since 2025-26" in text
    overall = points_text(after.percent - before.percent)
    assert overall.startswith("up ")
    assert f"Overall {overall} since 2025-26." in text
    for old, new in zip(before.sections, after.sections, strict=True):
        assert old.percent is not None
        assert new.percent is not None
        assert points_text(new.percent - old.percent) in text
    assert "This is the first assessment" not in text


def test_the_first_assessment_says_so(client: FlaskClient, session: Session) -> None:
    setup = make_setup(session, period="2025-26")
    # A later period is not a previous one.
    make_assessment(session, setup.org, setup.owner, period="2026-27")
    signin(client, setup.owner.email)
    text = _page_text(client.get(f"/assessments/{setup.assessment.id}/board").get_data(True))
    assert "This is the first assessment, so there is nothing to compare with yet." in text
    assert "Since 2026-27" not in text


# --- The peer benchmark -----------------------------------------------------------------


def _peers(session: Session) -> tuple[Assessment, list[float], dict[str, User]]:
    """Our district and two similar, verified ones that shared with the Ohio advocate, plus four
    that do not count: a similar one that did not share, one whose share is revoked, one in
    another locale, and one nobody verified. Returns our assessment, the two counted peers'
    overall percents and the peers' owners by organization name."""
    advocate = make_org(session, "Ohio Advocates", kind="state_advocate", state="OH")
    ours = make_org(session, "Riverton City School District", **PROFILE)
    owner = make_user(session, "owner@riverton.example.org", ours, "owner")
    own = make_assessment(session, ours, owner)
    owners: dict[str, User] = {}

    def peer(
        name: str, states: dict[str, ItemState] | None, *, verified: bool = True, **profile: str
    ) -> Assessment:
        org = make_org(session, name, verified=verified, **profile)
        owners[name] = make_user(session, f"owner@{name.split()[0].lower()}.example.org", org)
        return make_assessment(session, org, owners[name], states=states)

    counted: list[float] = []
    for name, states in (("Alder District", None), ("Birch District", _all_fully(session))):
        assessment = peer(name, states, **PROFILE)
        share_assessment(session, assessment, advocate, by=owners[name])
        percent = score_of(session, assessment).percent
        assert percent is not None
        counted.append(percent)
    peer("Cedar District", _all_fully(session), **PROFILE)  # never shared
    revoked = peer("Dogwood District", _all_fully(session), **PROFILE)
    share = share_assessment(session, revoked, advocate, by=owners["Dogwood District"])
    revoke_share(session, share, by=None)
    city = peer("Elm District", _all_fully(session), **{**PROFILE, "locale": "city"})
    share_assessment(session, city, advocate, by=owners["Elm District"])
    unvetted = peer("Fir District", _all_fully(session), verified=False, **PROFILE)
    share_assessment(session, unvetted, advocate, by=owners["Fir District"])
    session.commit()
    return own, counted, owners


def test_made_up_peers_cannot_steer_the_median_onto_one_real_score(
    client: FlaskClient, session: Session
) -> None:
    """Anyone can sign up and make organizations of any profile: four made-up peers sharing
    chosen scores beside one real one would make the median of five that real one's score.
    Only organizations a site administrator verified count as peers."""
    advocate = make_org(session, "Ohio Advocates", kind="state_advocate", state="OH")
    real = make_org(session, "Twin Oaks District", verified=True, **PROFILE)
    real_owner = make_user(session, "owner@twinoaks.example.org", real)
    real_assessment = make_assessment(session, real, real_owner)
    share_assessment(session, real_assessment, advocate, by=real_owner)
    prober = make_org(session, "Probe District", **PROFILE)
    mallory = make_user(session, "mallory@example.org", prober, "owner")
    probe = make_assessment(session, prober, mallory)
    for index in range(4):
        sybil = make_org(session, f"Sybil District {index}", **PROFILE)
        sybil_owner = make_user(session, f"owner{index}@sybil.example.org", sybil)
        made_up = make_assessment(
            session, sybil, sybil_owner, states=_all_fully(session) if index < 2 else None
        )
        share_assessment(session, made_up, advocate, by=sybil_owner)
    session.commit()
    signin(client, "mallory@example.org")
    text = _normal(client.get(f"/assessments/{probe.id}/board").get_data(as_text=True))
    assert "There are too few similar organizations to compare with." in text
    assert "The median of" not in text


@pytest.mark.parametrize("app_config", [{"SUPPRESSION_K": 2}])
def test_peer_median_of_similar_organizations_that_shared_with_their_advocate(
    client: FlaskClient, session: Session
) -> None:
    own, counted, _owners = _peers(session)
    median = sum(counted) / 2
    signin(client, "owner@riverton.example.org")
    text = _page_text(client.get(f"/assessments/{own.id}/board").get_data(as_text=True))
    assert f"The median of 2 similar organizations is {median:.0f}%" in text
    assert "School districts, 5,000 to 24,999 students, Suburb, City or county police" in text
    assert "too few similar organizations" not in text


def test_peer_benchmark_below_the_small_number_rule_says_too_few(
    client: FlaskClient, session: Session
) -> None:
    own, _counted, _owners = _peers(session)  # two counted peers, SUPPRESSION_K is 5
    signin(client, "owner@riverton.example.org")
    page = client.get(f"/assessments/{own.id}/board").get_data(as_text=True)
    text = _page_text(page)
    assert "There are too few similar organizations to compare with." in text
    assert "median" not in text.lower()
    assert "Similar organizations</th>" not in page


# --- PDFs --------------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the PDF itself: once
def test_board_pdf_is_short_and_the_full_report_opens_with_the_same_page(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    signin(client, setup.owner.email)
    response = client.get(f"/assessments/{setup.assessment.id}/board.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "board-summary.pdf" in response.headers["Content-Disposition"]
    board = PdfReader(io.BytesIO(response.data))
    # One page, so the full report's first page can hold all of it.
    assert len(board.pages) == 1
    report = build_report(session, setup.assessment, current_catalog())
    summary = build_board_summary(session, setup.assessment, report, k=5)
    first = _pdf_text(board, 0)
    assert summary.headline.main in first
    whole = " ".join(_pdf_text(board, i) for i in range(len(board.pages)))
    for section in report.sections:
        assert f"{section.number}. {_normal(section.title)}" in whole
    full_pdf = client.get(f"/assessments/{setup.assessment.id}/report.pdf").data
    full = PdfReader(io.BytesIO(full_pdf))
    # Page 1 of the full report is the board summary's page 1, word for word (footer aside).
    strip_footer = re.compile(r"Page 1 of \d+")
    assert strip_footer.sub("", _pdf_text(full, 0)) == strip_footer.sub("", first)
    assert "policy review report" in _pdf_text(full, 1).lower()  # the cover follows
    # A second download comes from the cache.
    again = client.get(f"/assessments/{setup.assessment.id}/board.pdf")
    assert again.headers["X-PDF-Cache"] == "hit"


@pytest.mark.parametrize("app_config", [{"SUPPRESSION_K": 2}])
def test_a_new_peer_share_refreshes_a_cached_report_pdf(
    client: FlaskClient, session: Session
) -> None:
    own, _counted, owners = _peers(session)
    signin(client, "owner@riverton.example.org")
    first = client.get(f"/assessments/{own.id}/report.pdf")
    assert first.headers["X-PDF-Cache"] == "miss"
    share = session.scalar(select(Share).where(Share.revoked_at.is_not(None)))
    assert share is not None
    # The revoked peer shares again: three peers now, and nothing of ours changed.
    shared = session.get(Assessment, share.assessment_id)
    assert shared is not None
    share_assessment(session, shared, share.to_org, by=owners["Dogwood District"])
    session.commit()
    second = client.get(f"/assessments/{own.id}/report.pdf")
    assert second.headers["X-PDF-Cache"] == "miss"
    assert "The median of 3 similar organizations" in _pdf_text(
        PdfReader(io.BytesIO(second.data)), 0
    )


def _seed_make_run_demo(session: Session) -> list[Assessment]:
    """The demo ``make run`` seeds (the demo, and 60 Ohio organizations sharing with the
    advocate, so that many summaries carry the peer median), every assessment of it."""
    seed_demo(session, "demo-password-for-tests")
    seed_state(session, 60, "OH")
    session.commit()
    return list(session.scalars(select(Assessment).order_by(Assessment.id)))


def _board_pdf(session: Session, assessment: Assessment) -> tuple[BoardSummary, PdfReader]:
    """The board summary of ``assessment`` and its PDF (in a request context)."""
    report = build_report(session, assessment, current_catalog())
    board = board_of(report)
    return board, PdfReader(io.BytesIO(render_board_pdf(report, board)))


# Layout does not depend on the database, and drawing every demo summary takes a minute: once.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_demo_board_summary_pdf_is_one_page(app: Flask, session: Session) -> None:
    """QA found five demo summaries running a few lines onto a second page, which pushed the
    full report's cover to page 3; long ones are now set tighter instead."""
    assessments = _seed_make_run_demo(session)
    assert len(assessments) >= 60
    pages: dict[str, int] = {}
    with app.test_request_context():
        for assessment in assessments:
            board, reader = _board_pdf(session, assessment)
            pages[f"{assessment.id} {board.org_name} {assessment.period}"] = len(reader.pages)
            text = _normal(reader.pages[0].extract_text())
            assert board.headline.main in text
            for row in board.rows:
                assert f"{row.number}. {_normal(row.title)}" in text
            # Each action is printed whole: the rubrics' advice is never shortened.
            for action in board.actions:
                assert not action.clipped
                assert action.text in text
    assert all(count == 1 for count in pages.values()), {
        name: count for name, count in pages.items() if count != 1
    }


LONG_NAME = (
    "Consolidated Metropolitan Independent Unified School District of the Greater Northwestern "
    "Lake Erie Shoreline Counties and Townships Educational Service Center Region"
)
LONG_ACTION = (
    "Convene the superintendent, the police chief and counsel to rewrite the memorandum of "
    "understanding section by section. " * 20
)[:DESCRIPTION_MAX]
LONG_OWNER = ("Assistant superintendent for student services and district safety " * 4)[:OWNER_MAX]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # layout: once
@pytest.mark.parametrize("app_config", [{"SUPPRESSION_K": 2}])
@pytest.mark.parametrize("rubric_id", [LOCAL, AFTERSCHOOL_RUBRIC])
def test_a_board_summary_with_the_longest_content_still_fits_one_page(
    app: Flask, session: Session, rubric_id: str
) -> None:
    """The longest organization name, three planned actions as long as the form takes with the
    longest owners, the previous period and the peer median beside every step: one page, and
    the full report's cover is still page 2. What is shortened says so and where it is whole."""
    _seed_make_run_demo(session)
    with app.test_request_context():
        candidates = session.scalars(
            select(Assessment)
            .where(Assessment.rubric_key == rubric_id, Assessment.status == "submitted")
            .order_by(Assessment.id)
        ).all()
        # The widest table: the previous period's column and the peer median's.
        assessment = next(
            candidate
            for candidate in candidates
            if (
                summary := board_of(build_report(session, candidate, current_catalog()))
            ).peers_shown
            and summary.previous_period is not None
        )
        org = session.get(Organization, assessment.org_id)
        assert org is not None
        org.name = LONG_NAME
        report = build_report(session, assessment, current_catalog())
        for gap in sorted(report.gaps, key=lambda gap: gap.priority)[:3]:
            create_action(
                session,
                assessment,
                item_id=gap.item_id,
                description=LONG_ACTION,
                owner=LONG_OWNER,
                due_date=dt.date(2027, 1, 14),
                status="in_progress",
                user=None,
            )
        session.commit()
        board, reader = _board_pdf(session, assessment)
        report = build_report(session, assessment, current_catalog())
        full = PdfReader(io.BytesIO(render_report_pdf(report, board)))
    assert len(reader.pages) == 1
    text = _normal(reader.pages[0].extract_text())
    assert board.headline.main in text
    assert board.org_name.endswith("…")
    assert LONG_NAME.startswith(board.org_name[:-1])
    assert text.count("Shortened: full text in the report's action plan.") == 3
    for row in board.rows:
        assert f"{row.number}. {_normal(row.title)}" in text
    assert _without_footer(_pdf_text(full, 0)) == _without_footer(text)
    assert "policy review report" in _pdf_text(full, 1).lower()
    # Whole in the report's action plan.
    assert _normal(LONG_ACTION)[:120] in " ".join(
        _pdf_text(full, index) for index in range(2, len(full.pages))
    )


def test_the_board_summary_counts_questions_as_the_report_page_does(
    client: FlaskClient, session: Session
) -> None:
    """Riverton's demo draft: the report page said "26 of 52 questions are answered" and the
    board summary "Only 23 of 49 questions" (its scored items under the name of questions).
    Both now give the questions answered, and both say the scores rest on the scored items."""
    seed_demo(session, PASSWORD)
    session.commit()
    draft = session.scalar(
        select(Assessment)
        .join(Organization, Organization.id == Assessment.org_id)
        .where(Organization.name == "Riverton City School District", Assessment.status == "draft")
    )
    assert draft is not None
    signin(client, "admin@riverton.example.org")
    report_page = _page_text(client.get(f"/assessments/{draft.id}/report").get_data(as_text=True))
    board_page = _page_text(client.get(f"/assessments/{draft.id}/board").get_data(as_text=True))
    board_pdf = PdfReader(io.BytesIO(client.get(f"/assessments/{draft.id}/board.pdf").data))
    board_text = _pdf_text(board_pdf, 0)
    questions = re.search(r"(\d+) of (\d+) questions are answered", report_page)
    assert questions is not None
    said = f"Only {questions.group(1)} of {questions.group(2)} questions are answered"
    assert said in board_page
    assert said in board_text
    # The scores rest on the scored items, in the report's words on both.
    report = build_report(session, draft, current_catalog())
    assert (report.answered, report.applicable) != (
        report.coverage.answered,
        report.coverage.applicable,
    ), "the demo draft no longer tells the two counts apart"
    basis = f"from {report.coverage.answered} of {report.coverage.applicable} items answered"
    assert basis in report_page
    assert basis in board_page
    assert basis in board_text


def test_a_partly_answered_step_says_it_has_too_few_answers_to_compare(
    client: FlaskClient, session: Session
) -> None:
    """A step half answered since the last period read "not rated now", as if nobody had
    answered it: it now says "not enough answers now", as the report says "not enough
    answers" for its score."""
    seed_demo(session, PASSWORD)
    session.commit()
    draft = session.scalar(
        select(Assessment)
        .join(Organization, Organization.id == Assessment.org_id)
        .where(Organization.name == "Riverton City School District", Assessment.status == "draft")
    )
    assert draft is not None
    report = build_report(session, draft, current_catalog())
    board = build_board_summary(session, draft, report, k=5)
    assert board.previous_period is not None
    partly = [
        section
        for section in report.sections
        if section.coverage.answered > 0 and not section.coverage.enough
    ]
    assert partly, "the demo draft has no partly answered step any more"
    signin(client, "admin@riverton.example.org")
    page = _page_text(client.get(f"/assessments/{draft.id}/board").get_data(as_text=True))
    assert "not rated now" not in page
    for section in partly:
        row = page.split(f"{section.number}. {_normal(section.title)}", 1)[1]
        row = row.split(f"{section.number + 1}. ", 1)[0]
        assert "Not scored" in row
        assert f"from {section.coverage.answered} of {section.coverage.applicable}" in row
        assert "not enough answers now" in row
    report_page = _page_text(client.get(f"/assessments/{draft.id}/report").get_data(as_text=True))
    assert "not enough answers" in report_page
