"""The report page and its context: the scoring core's figures, gaps in order, guidance, access."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from markupsafe import escape
from reports_fixtures import make_setup
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import share_assessment
from rubric_app.assessments import load_answers, rubric_for
from rubric_app.catalog_state import current_catalog
from rubric_app.models import AuditEvent
from rubric_app.reports.law_section import required_first
from rubric_app.reports.view_data import START_HERE_COUNT, build_report
from rubric_app.scoring import find_gaps, score_assessment


def test_report_context_comes_from_the_scoring_core(session: Session) -> None:
    setup = make_setup(session)
    rubric = rubric_for(setup.assessment)
    score = score_assessment(rubric, load_answers(session, setup.assessment))
    gaps = find_gaps(rubric, score)

    report = build_report(session, setup.assessment, current_catalog())

    assert report.percent == score.percent
    assert report.level is not None
    assert score.level is not None
    assert report.level.id == score.level.id
    assert [s.percent for s in report.sections] == [s.percent for s in score.sections]
    assert [{d.dimension_id: d.percent for d in s.by_dimension} for s in report.sections] == [
        dict(s.by_dimension) for s in score.sections
    ]
    # The scoring core's order, with the gaps the state's law requires (Ohio here) ranked first.
    assert report.law is not None
    ranked = required_first(gaps, report.law)
    assert [g.item_id for g in report.gaps] == [g.item_id for g in ranked]
    assert [g.priority for g in report.gaps] == list(range(1, len(gaps) + 1))
    assert [g.item_id for g in report.start_here] == [g.item_id for g in ranked[:START_HERE_COUNT]]
    assert report.essential_gap_count == score.essential_gaps
    # Within the required gaps and within the others, essential gaps come first, as the scoring
    # core orders them.
    for required in (True, False):
        essentials = [gap.essential for gap in report.gaps if bool(gap.required_by) is required]
        assert essentials == sorted(essentials, reverse=True)


def test_gap_guidance_resolves_resources_with_archived_mark(session: Session) -> None:
    setup = make_setup(session)
    report = build_report(session, setup.assessment, current_catalog())
    library = current_catalog().resources
    rubric = rubric_for(setup.assessment)
    core = {
        gap.item_id: gap
        for gap in find_gaps(
            rubric, score_assessment(rubric, load_answers(session, setup.assessment))
        )
    }
    for gap in report.gaps:
        # What to do is the advice for the short sides only (rubric 2016.2 and later).
        item = rubric.item(gap.item_id)
        assert gap.recommendation == " ".join(
            item.recommendation_for(advice.dimension_id) for advice in core[gap.item_id].advice
        )
        assert [r.id for r in gap.resources] == list(rubric.item(gap.item_id).guidance)
        for view in gap.resources:
            resource = library.get(view.id)
            assert resource is not None
            assert (view.title, view.url, view.archived) == (
                resource.title,
                resource.url,
                resource.archived,
            )
    assert any(view.archived for gap in report.gaps for view in gap.resources)


def test_report_page_tells_what_to_do_first(client: FlaskClient, session: Session) -> None:
    setup = make_setup(session)
    report = build_report(session, setup.assessment, current_catalog())
    signin(client, setup.owner.email)

    page = client.get(f"/assessments/{setup.assessment.id}/report").get_data(as_text=True)

    assert "Start here" in page
    assert report.level is not None
    assert report.level.label in page
    assert report.level.description in page
    start = page.index("Start here")
    positions = [page.index(str(escape(gap.recommendation)), start) for gap in report.start_here]
    assert positions == sorted(positions)
    for section in report.sections:
        assert section.title in page
    # The gap report lists gaps by section, each section in priority order.
    anchors = re.findall(r'<article class="gap card" id="gap-([^"]+)"', page)
    expected = [gap.item_id for section in report.sections for gap in section.gaps]
    assert anchors == expected
    assert "Archived guidance" in page
    assert "Plan an action for item" in page


def test_report_page_has_chart_with_text_alternative(client: FlaskClient, session: Session) -> None:
    setup = make_setup(session)
    signin(client, setup.owner.email)
    page = client.get(f"/assessments/{setup.assessment.id}/report").get_data(as_text=True)
    assert 'role="img"' in page
    assert "<title id=" in page
    assert "<desc id=" in page
    assert '<table class="score-table">' in page
    assert ' style="' not in page


def test_draft_report_says_results_will_change(client: FlaskClient, session: Session) -> None:
    setup = make_setup(session, submitted=False)
    signin(client, setup.owner.email)
    page = client.get(f"/assessments/{setup.assessment.id}/report").get_data(as_text=True)
    assert "still a draft" in page


def test_other_organizations_get_404_and_guests_sign_in(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    url = f"/assessments/{setup.assessment.id}/report"
    assert client.get(url).status_code == 302
    other = make_org(session, "Cedar Hollow Local Schools")
    make_user(session, "admin@cedar.example.org", other, "owner")
    session.commit()
    signin(client, "admin@cedar.example.org")
    for path in (url, f"/assessments/{setup.assessment.id}/report.pdf"):
        assert client.get(path).status_code == 404
    assert client.get(f"/assessments/{setup.assessment.id}.json").status_code == 404


def test_shared_organization_reads_without_planning(client: FlaskClient, session: Session) -> None:
    setup = make_setup(session)
    advocate = make_org(session, "Buckeye Youth Justice Coalition", kind="state_advocate")
    make_user(session, "advocate@buckeye.example.org", advocate, "owner")
    share_assessment(session, setup.assessment, advocate, by=setup.owner)
    session.commit()
    signin(client, "advocate@buckeye.example.org")
    response = client.get(f"/assessments/{setup.assessment.id}/report")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Riverton City School District" in page
    assert "Plan an action" not in page
    assert client.get(f"/assessments/{setup.assessment.id}/actions/new").status_code == 403


def test_viewer_member_reads_without_planning(client: FlaskClient, session: Session) -> None:
    setup = make_setup(session)
    make_user(session, "viewer@riverton.example.org", setup.org, "viewer")
    session.commit()
    signin(client, "viewer@riverton.example.org")
    page = client.get(f"/assessments/{setup.assessment.id}/report").get_data(as_text=True)
    assert "Where you stand" in page
    assert "Plan an action" not in page


def test_json_export_agrees_with_report_and_is_audited(
    client: FlaskClient, session: Session
) -> None:
    setup = make_setup(session)
    report = build_report(session, setup.assessment, current_catalog())
    signin(client, setup.owner.email)

    response = client.get(f"/assessments/{setup.assessment.id}.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert data["format"] == "rubric_app.assessment/1"
    assert data["rubric"]["id"] == report.rubric_id
    assert data["rubric"]["version"] == report.rubric_version
    assert data["rubric"]["content_hash"] == report.rubric_hash
    assert data["organization"] == {
        "name": "Riverton City School District",
        "kind": "district",
        "state": "OH",
    }
    assert data["status"] == "submitted"
    assert data["snapshot_hash"] == setup.assessment.snapshot_hash
    assert data["scores"]["percent"] == report.percent
    assert [s["percent"] for s in data["scores"]["sections"]] == [
        s.percent for s in report.sections
    ]
    assert [g["item_id"] for g in data["gaps"]] == [g.item_id for g in report.gaps]
    na_items = [i for i, state in data["items"].items() if state["not_applicable"]]
    assert na_items
    assert data["items"][na_items[0]]["na_reason"] == "No officers at night."
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "assessment.export").order_by(AuditEvent.id)
    )
    assert event is not None
    assert event.detail["format"] == "json"
    assert event.target == f"assessment:{setup.assessment.id}"
