"""The report page's kept body (``reports/page_cache.py``): a submitted assessment's body is
rendered once and served again, and every input of its key, changed, changes the page to exactly
what a fresh render shows; drafts are never kept; two organizations never share an entry; the
per-user parts stay outside; the body template reads nothing but its four names."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import jinja2.meta
import pytest
from agreement_files import mou_pdf
from flask import Flask
from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from reports_fixtures import Setup, make_assessment, make_setup
from sqlalchemy.orm import Session

from rubric_app.accounts.operations import update_organization
from rubric_app.accounts.org_frameworks import set_added_frameworks
from rubric_app.agreements import evidence, operations
from rubric_app.assessments import (
    ItemChange,
    ItemState,
    reopen,
    rubric_for,
    save_items,
    submit,
)
from rubric_app.catalog_state import current_catalog
from rubric_app.reports import actions as action_ops
from rubric_app.reports.page_cache import BODY_TEMPLATE, page_cache
from rubric_app.reports.sources import read_sources
from rubric_app.reports.view_data import build_report

COPS = "federal-cops-hiring-program"


def _body(page: str) -> str:
    """The page's content (what is kept): from the report's kicker to the end of <main>."""
    start = page.index('<p class="report-kicker">')
    return page[start : page.index("</main>", start)]


def _page(client: FlaskClient, setup: Setup) -> str:
    response = client.get(f"/assessments/{setup.assessment.id}/report")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _fresh(client: FlaskClient, app: Flask, setup: Setup) -> str:
    """The body rendered with nothing kept."""
    page_cache(app).clear()
    return _body(_page(client, setup))


def _changed_to_fresh(client: FlaskClient, app: Flask, setup: Setup, before: str) -> str:
    """Request the page after a change: it must differ from ``before`` and equal a fresh render."""
    served = _body(_page(client, setup))
    assert served != before
    assert served == _fresh(client, app, setup)
    return served


@pytest.fixture
def owner_setup(client: FlaskClient, session: Session) -> Setup:
    setup = make_setup(session)
    signin(client, setup.owner.email)
    return setup


def test_a_submitted_report_is_kept_and_served_again(
    client: FlaskClient, app: Flask, owner_setup: Setup
) -> None:
    first = _page(client, owner_setup)
    assert len(page_cache(app)) == 1
    second = _page(client, owner_setup)
    assert len(page_cache(app)) == 1
    assert _body(second) == _body(first)
    assert _body(second) == _fresh(client, app, owner_setup)
    # The page around the body is the signed-in user's own.
    assert "<title>Report: Review 2025-26 " in second


def test_a_draft_is_never_kept(client: FlaskClient, app: Flask, session: Session) -> None:
    setup = make_setup(session, submitted=False)
    signin(client, setup.owner.email)
    page = _page(client, setup)
    assert "This assessment is still a draft" in page
    assert len(page_cache(app)) == 0


def test_new_answers_change_the_page(
    client: FlaskClient, app: Flask, session: Session, owner_setup: Setup
) -> None:
    before = _body(_page(client, owner_setup))
    assessment = owner_setup.assessment
    report = build_report(session, assessment, current_catalog())
    gap = report.gaps[0]
    reopen(session, assessment, user=owner_setup.owner)
    session.commit()
    # Reopened: a draft, rendered afresh (and not kept).
    draft = _changed_to_fresh(client, app, owner_setup, before)
    assert "This assessment is still a draft" in draft
    item = rubric_for(assessment).item(gap.item_id)
    scale = rubric_for(assessment).scale_of(item)
    assert scale is not None
    full = ItemState(values=dict.fromkeys(item.dimensions, scale.top_option.key))
    save_items(session, assessment, [ItemChange(gap.item_id, full, None)], user=owner_setup.owner)
    submit(session, assessment, user=owner_setup.owner)
    session.commit()
    after = _changed_to_fresh(client, app, owner_setup, before)
    assert f'id="gap-{gap.item_id}"' in before
    assert f'id="gap-{gap.item_id}"' not in after


def test_actions_change_the_page(
    client: FlaskClient, app: Flask, session: Session, owner_setup: Setup
) -> None:
    assessment = owner_setup.assessment
    before = _body(_page(client, owner_setup))
    assert "Action plan (0)" in before
    gap = build_report(session, assessment, current_catalog()).gaps[0]
    action = action_ops.create_action(
        session,
        assessment,
        item_id=gap.item_id,
        description="Ask the police department to sign the revised MOU.",
        owner="Superintendent",
        user=owner_setup.owner,
    )
    session.commit()
    planned = _changed_to_fresh(client, app, owner_setup, before)
    assert "Action plan (1)" in planned
    assert "Ask the police department to sign the revised MOU." in planned
    action_ops.complete_action(session, assessment, action, user=owner_setup.owner)
    session.commit()
    done = _changed_to_fresh(client, app, owner_setup, planned)
    assert "tag--complete" in done.split(f'id="gap-{gap.item_id}"')[1].split("</article>")[0]


def test_today_decides_overdue_and_is_in_the_key(session: Session, owner_setup: Setup) -> None:
    assessment = owner_setup.assessment
    gap = build_report(session, assessment, current_catalog()).gaps[0]
    action_ops.create_action(
        session,
        assessment,
        item_id=gap.item_id,
        description="Review the MOU.",
        due_date=dt.date(2026, 1, 15),
        user=owner_setup.owner,
    )
    session.commit()
    on_time = read_sources(session, assessment, today=dt.date(2026, 1, 15))
    late = read_sources(session, assessment, today=dt.date(2026, 1, 16))
    assert [a.overdue for a in on_time.actions] == [False]
    assert [a.overdue for a in late.actions] == [True]
    assert on_time != late


def test_the_organization_and_the_assessment_fields_change_the_page(
    client: FlaskClient, app: Flask, session: Session, owner_setup: Setup
) -> None:
    before = _body(_page(client, owner_setup))
    org = owner_setup.org
    update_organization(
        session,
        org,
        by=owner_setup.owner,
        name="Riverton Unified School District",
        kind=org.kind,
        state=org.state,
    )
    session.commit()
    renamed = _changed_to_fresh(client, app, owner_setup, before)
    assert "Report for Riverton Unified School District" in renamed
    owner_setup.assessment.title = "Annual review, spring"
    session.commit()
    retitled = _changed_to_fresh(client, app, owner_setup, renamed)
    assert "<h1>Annual review, spring</h1>" in retitled


def test_added_funding_conditions_change_the_page(
    client: FlaskClient, app: Flask, session: Session, owner_setup: Setup
) -> None:
    before = _body(_page(client, owner_setup))
    assert "Laws and funding conditions" not in before
    set_added_frameworks(session, owner_setup.org, [COPS], by=owner_setup.owner)
    session.commit()
    after = _changed_to_fresh(client, app, owner_setup, before)
    assert "Laws and funding conditions" in after


def test_evidence_decisions_and_a_deleted_file_change_the_page(
    client: FlaskClient, app: Flask, session: Session, owner_setup: Setup
) -> None:
    assessment = owner_setup.assessment
    document = operations.upload_document(
        session, assessment, data=mou_pdf(), file_name="mou.pdf", user=owner_setup.owner
    )
    session.commit()
    before = _body(_page(client, owner_setup))
    clause = next(c for c in document.clauses if c.number == "4.2")
    item_id = build_report(session, assessment, current_catalog()).gaps[0].item_id
    evidence.decide(
        session,
        assessment,
        item_id=item_id,
        clause=clause,
        decision="accepted",
        user=owner_setup.owner,
    )
    session.commit()
    cited = _changed_to_fresh(client, app, owner_setup, before)
    link = f"/documents/{document.id}#clause-{clause.id}"
    assert link in cited
    evidence.withdraw(session, assessment, item_id=item_id, clause_id=clause.id)
    session.commit()
    withdrawn = _changed_to_fresh(client, app, owner_setup, cited)
    assert link not in withdrawn
    assert withdrawn == before
    evidence.decide(
        session,
        assessment,
        item_id=item_id,
        clause=clause,
        decision="accepted",
        user=owner_setup.owner,
    )
    session.commit()
    assert _changed_to_fresh(client, app, owner_setup, withdrawn) == cited
    # Deleting the file keeps the decision (the same rows, counted the same) but drops the link.
    operations.delete_document(session, assessment, document, user=owner_setup.owner)
    session.commit()
    unlinked = _changed_to_fresh(client, app, owner_setup, cited)
    assert link not in unlinked
    assert "§4.2" in unlinked


def test_the_previous_assessment_and_its_actions_change_the_page(
    client: FlaskClient, app: Flask, session: Session, owner_setup: Setup
) -> None:
    earlier = owner_setup.assessment
    gap = build_report(session, earlier, current_catalog()).gaps[0]
    later = make_assessment(
        session, owner_setup.org, owner_setup.owner, period="2026-27", previous=earlier
    )
    setup = Setup(owner_setup.org, owner_setup.owner, later)
    before = _body(_page(client, setup))
    assert "Planned last time, achieved now" in before
    action_ops.create_action(
        session,
        earlier,
        item_id=gap.item_id,
        description="Train every officer on the MOU.",
        user=owner_setup.owner,
    )
    session.commit()
    planned = _changed_to_fresh(client, app, setup, before)
    assert "Train every officer on the MOU." in planned
    earlier.title = "Baseline review"
    session.commit()
    retitled = _changed_to_fresh(client, app, setup, planned)
    assert "“Baseline review”" in retitled


def test_the_right_to_plan_is_never_served_to_a_viewer(
    client: FlaskClient, app: Flask, session: Session, owner_setup: Setup
) -> None:
    owner_page = _body(_page(client, owner_setup))
    assert "Plan an action for item" in owner_page
    viewer = make_user(session, "viewer@riverton.example.org", owner_setup.org, "viewer")
    session.commit()
    signin(client, viewer.email)
    viewer_page = _body(_page(client, owner_setup))
    assert "Plan an action for item" not in viewer_page
    assert viewer_page == _fresh(client, app, owner_setup)
    assert len(page_cache(app)) == 1  # only the viewer's, kept after the clear
    signin(client, owner_setup.owner.email)
    assert "Plan an action for item" in _body(_page(client, owner_setup))


def test_two_organizations_never_share_an_entry(
    client: FlaskClient, app: Flask, session: Session, owner_setup: Setup
) -> None:
    other = make_org(session, "Maple Grove Schools")
    other_owner = make_user(session, "owner@maplegrove.example.org", other, "owner")
    other_assessment = make_assessment(session, other, other_owner)
    session.commit()
    riverton = _body(_page(client, owner_setup))
    assert "Report for Riverton City School District" in riverton
    # The other organization's owner: the kept Riverton body is not theirs to see ...
    signin(client, other_owner.email)
    assert client.get(f"/assessments/{owner_setup.assessment.id}/report").status_code == 404
    # ... and their own report, of the same rubric with the same answers, is its own entry.
    maple = _body(_page(client, Setup(other, other_owner, other_assessment)))
    assert "Report for Maple Grove Schools" in maple
    assert "Riverton" not in maple
    assert len(page_cache(app)) == 2
    signin(client, owner_setup.owner.email)
    assert _body(_page(client, owner_setup)) == riverton


def test_a_new_catalog_or_reloading_templates_is_never_served_a_kept_body(
    client: FlaskClient, app: Flask, owner_setup: Setup
) -> None:
    _page(client, owner_setup)
    (key,) = list(page_cache(app)._entries)
    kept = page_cache(app).get(key)
    assert kept is not None
    loaded = app.extensions["rubric_app.catalog_load"]
    # The same rubrics and resources in a new catalog object, as a reload would make.
    app.extensions["rubric_app.catalog_load"] = dataclasses.replace(
        loaded, catalog=dataclasses.replace(loaded.catalog)
    )
    try:
        _page(client, owner_setup)
        renewed = page_cache(app).get(key)
        assert renewed is not None
        assert renewed.catalog is app.extensions["rubric_app.catalog_load"].catalog
        assert renewed is not kept
    finally:
        app.extensions["rubric_app.catalog_load"] = loaded
    page_cache(app).clear()
    app.jinja_env.auto_reload = True
    try:
        _page(client, owner_setup)
        assert len(page_cache(app)) == 0
    finally:
        app.jinja_env.auto_reload = False


def test_the_body_template_reads_only_its_five_names(app: Flask) -> None:
    """What the body shows can only come from the key's values: no user, session or request."""
    env = app.jinja_env
    allowed = {"report", "chart", "phone_chart", "may_plan", "voice", "url_for"}
    source = env.loader.get_source(env, BODY_TEMPLATE)[0]  # type: ignore[union-attr]
    parsed = env.parse(source)
    assert jinja2.meta.find_undeclared_variables(parsed) <= allowed
    imported = set(jinja2.meta.find_referenced_templates(parsed))
    assert imported == {
        "reports/_national.html",
        "reports/_law.html",
        "reports/_citations.html",
        "reports/_report.html",
    }
    for name in imported:
        macros = env.parse(env.loader.get_source(env, name)[0])  # type: ignore[union-attr]
        assert jinja2.meta.find_undeclared_variables(macros) <= {"url_for"}, name


def test_served_bodies_equal_fresh_ones_on_every_demo_shaped_report(
    client: FlaskClient, app: Flask, session: Session, owner_setup: Setup
) -> None:
    # The kept body is the fresh body, byte for byte, including the charts.
    kept = _body(_page(client, owner_setup))
    assert re.search(r'<svg[^>]+id="section-scores"', kept)
    assert re.search(r'<svg[^>]+id="section-scores-phone"', kept)
    assert _body(_page(client, owner_setup)) == _fresh(client, app, owner_setup) == kept
