"""Dashboard figures shared by every process (``figure_store``) and counted ahead of time
after a change (``figure_jobs``).

"Another process" is a second app on the same database: its own kept figures, its own job
queue, nothing in memory shared with the first. Each test checks that the figures it reads
instead of counting are exactly what counting from nothing shows.
"""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import (
    csrf_from,
    main_of,
    make_org,
    make_user,
    signin,
    statements_run,
    submitted_generated,
)
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import share_assessment
from rubric_app.db import db
from rubric_app.jobs import operations
from rubric_app.jobs.models import Job
from rubric_app.models import Assessment, KeptFigures, Organization, Share
from rubric_app.states import figure_cache, figure_jobs, figure_store, figures
from rubric_app.states.rollup import Filters, Scope
from tests.conftest import make_app

ADVOCATE = "advocate@oh-store.example.org"
OWNER = "owner@oh-store-late.example.org"
PAGE = "/states/OH/dashboard"
RUBRIC = "secure-local-implementation"
#: The title of Ohio's law file (frameworks/oh-rc-3313-951.yaml), shown beside the figures.
OHIO_LAW = "Ohio: memorandum of understanding for school resource officers"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SUPPRESSION_K": 3, "FIGURES_PREPARE_ON_CHANGE": True}


@pytest.fixture
def advocate(session: Session) -> Organization:
    """Ohio's advocate and five districts sharing with it this period."""
    org = make_org(session, "Ohio Store Advocates", kind="state_advocate", state="OH")
    make_user(session, ADVOCATE, org)
    for index in range(5):
        district = make_org(session, f"Store District {index}", state="OH", locale="town")
        assessment = submitted_generated(session, district, "2025-26", 0.2 + 0.15 * index)
        share_assessment(session, assessment, org, by=None, named=True)
    session.commit()
    return org


@pytest.fixture
def other_app(app: Flask, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A second process on the same database (the first app's context stays pushed)."""
    second = make_app(database_url, tmp_path / "other", SUPPRESSION_K=3)
    yield second
    with second.app_context():
        db.engine.dispose()


def _page(client: FlaskClient, query: str = "") -> str:
    response = client.get(PAGE + query)
    assert response.status_code == 200
    figure_cache.settle(client.application)
    return main_of(response.get_data(as_text=True))


def _engine_of(application: Flask) -> Any:
    with application.app_context():
        return db.engine


def _counted_from_nothing(app: Flask, client: FlaskClient) -> str:
    figures.forget_everywhere(app, db.engine)
    return _page(client)


def test_a_view_counted_by_one_process_is_read_by_another(
    app: Flask, client: FlaskClient, other_app: Flask, advocate: Organization
) -> None:
    signin(client, ADVOCATE)
    with statements_run(db.engine, "item_results") as first:
        counted = _page(client)
    assert first, "the first process counts the view"
    assert "Store District 4" in counted
    other = other_app.test_client()
    signin(other, ADVOCATE)
    with statements_run(_engine_of(other_app), "item_results") as second:
        read = _page(other)
    assert not second, "the second process reads the view instead of counting it"
    assert read == counted


def test_stored_figures_of_other_rows_or_other_files_are_not_used(
    app: Flask,
    client: FlaskClient,
    session: Session,
    database_url: str,
    tmp_path: Path,
    advocate: Organization,
) -> None:
    signin(client, ADVOCATE)
    before = _page(client)
    # Another district shares: the stored view no longer matches the rows a reader has.
    late = make_org(session, "Store District Late", state="OH", locale="town")
    share_assessment(
        session, submitted_generated(session, late, "2025-26", 0.9), advocate, by=None, named=True
    )
    session.commit()
    figure_cache.forget_figures(app)
    with statements_run(db.engine, "item_results") as counting:
        after = _page(client)
    assert counting, "figures of other rows are counted again"
    assert "Store District Late" in after
    assert after != before
    # A process that loaded other law files counts for itself too.
    laws = tmp_path / "other-laws"
    shutil.copytree(app.config["FRAMEWORKS_DIR"], laws, ignore=shutil.ignore_patterns("oh-*"))
    different = make_app(database_url, tmp_path / "laws", SUPPRESSION_K=3, FRAMEWORKS_DIR=laws)
    reader = different.test_client()
    signin(reader, ADVOCATE)
    with statements_run(_engine_of(different), "item_results") as other_files:
        page = _page(reader)
    assert other_files, "figures counted with other law files are not read"
    assert OHIO_LAW in after
    assert OHIO_LAW not in page
    with different.app_context():
        db.engine.dispose()


class _CallsOnLoad:
    """Pickles into "call this function when loaded" (as a hostile row would)."""

    def __init__(self, function: Any, *args: Any) -> None:
        self.call = (function, args)

    def __reduce__(self) -> Any:
        return self.call


CALLED: list[str] = []


def _note_call(what: str) -> None:
    CALLED.append(what)


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param(b"not figures", id="not-a-pickle"),
        # A function of the app itself, and a builtin: neither is a figure class.
        pytest.param(pickle.dumps(_CallsOnLoad(Path.cwd)), id="a-function"),
        pytest.param(pickle.dumps(_CallsOnLoad(_note_call, "loaded")), id="a-test-function"),
        pytest.param(pickle.dumps(_CallsOnLoad(figure_store.base_digest, ())), id="app"),
        # The app's own classes, but not the figures: read, then not used.
        pytest.param(pickle.dumps((Filters(), None)), id="another-of-the-apps-classes"),
    ],
)
def test_a_stored_view_that_does_not_read_back_is_counted_again(
    app: Flask, client: FlaskClient, session: Session, advocate: Organization, stored: bytes
) -> None:
    """Nothing in a row is called while it is read: only the app's figure classes are made."""
    signin(client, ADVOCATE)
    counted = _page(client)
    session.execute(update(KeptFigures).values(figures=stored))
    session.commit()
    figure_cache.forget_figures(app)
    with statements_run(db.engine, "item_results") as again:
        assert _page(client) == counted
    assert again
    assert not CALLED


def _share_through_the_page(client: FlaskClient, assessment: Assessment, to: Organization) -> None:
    page = client.get(f"/assessments/{assessment.id}/sharing").get_data(as_text=True)
    response = client.post(
        f"/assessments/{assessment.id}/sharing",
        data={"csrf_token": csrf_from(page), "to_org": str(to.id), "named": "y"},
    )
    assert response.status_code == 302


def _advocates_next_visit(app: Flask, client: FlaskClient) -> str:
    """The advocate's next view, on a process that has counted nothing itself: read from what
    the job counted (no item query), and exactly what counting from nothing shows."""
    figure_cache.forget_figures(app)
    signin(client, ADVOCATE)
    with statements_run(db.engine, "item_results") as visit:
        page = _page(client)
    assert not visit, "the advocate's view was counted before the visit"
    assert page == _counted_from_nothing(app, client)
    return page


def test_a_share_counts_the_advocates_view_before_the_next_visit(
    app: Flask, client: FlaskClient, session: Session, advocate: Organization
) -> None:
    late = make_org(session, "Store District Late", state="OH", locale="town")
    make_user(session, OWNER, late)
    assessment = submitted_generated(session, late, "2025-26", 0.9)
    session.commit()
    signin(client, OWNER)
    with statements_run(db.engine, "item_results") as ahead:
        _share_through_the_page(client, assessment, advocate)
    assert ahead, "the job counted the advocate's view (jobs run at once in the tests)"
    job = session.scalar(select(Job).where(Job.key == figure_jobs.job_key(advocate.id, RUBRIC)))
    assert job is not None
    assert (job.state, job.kind) == ("done", figure_jobs.KIND)
    assert "Store District Late" in _advocates_next_visit(app, client)


def test_a_revoked_share_and_a_reopening_count_ahead_too(
    app: Flask, client: FlaskClient, session: Session, advocate: Organization
) -> None:
    district = session.scalars(select(Organization).where(Organization.name == "Store District 0"))
    org = district.one()
    make_user(session, OWNER, org)
    share = session.scalars(select(Share).where(Share.to_org_id == advocate.id)).first()
    assert share is not None
    assert share.assessment.org_id == org.id
    session.commit()
    signin(client, OWNER)
    sharing = client.get(f"/assessments/{share.assessment_id}/sharing").get_data(as_text=True)
    response = client.post(
        f"/assessments/{share.assessment_id}/sharing/{share.id}/revoke",
        data={"csrf_token": csrf_from(sharing)},
    )
    assert response.status_code == 302
    assert "Store District 0" not in _advocates_next_visit(app, client)

    # A reopening takes a shared assessment out of the view, ahead of the visit too.
    other = session.scalars(select(Share).where(Share.revoked_at.is_(None))).first()
    assert other is not None
    owner = make_user(session, "owner@oh-store-2.example.org", other.assessment.organization)
    session.commit()
    signin(client, owner.email)
    overview = client.get(f"/assessments/{other.assessment_id}").get_data(as_text=True)
    response = client.post(
        f"/assessments/{other.assessment_id}/reopen",
        data={"csrf_token": csrf_from(overview), "reason": "A correction."},
    )
    assert response.status_code == 302
    reopened = other.assessment.organization.name
    assert reopened not in _advocates_next_visit(app, client)


def test_a_profile_edit_counts_ahead_the_views_it_is_counted_in(
    app: Flask, client: FlaskClient, session: Session, advocate: Organization
) -> None:
    """Filters read the profile: a district moving to another locale through its profile page
    has its advocate's view counted again before the visit."""
    org = session.scalars(select(Organization).where(Organization.name == "Store District 1"))
    district = org.one()
    make_user(session, OWNER, district)
    session.commit()
    signin(client, OWNER)
    form = client.get("/organization/edit").get_data(as_text=True)
    response = client.post(
        "/organization/edit",
        data={
            "csrf_token": csrf_from(form),
            "name": district.name,
            "kind": district.kind,
            "state": district.state,
            "nces_id": district.nces_id or "",
            "enrollment_band": district.enrollment_band or "",
            "locale": "city",
            "sro_model": district.sro_model or "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    session.refresh(district)
    assert district.locale == "city"
    _advocates_next_visit(app, client)


def test_a_change_counts_again_the_filtered_views_the_advocate_opened_lately(
    app: Flask, client: FlaskClient, session: Session, advocate: Organization
) -> None:
    """The advocate looked at rural districts and at last period; after a share both are
    counted again before the next visit. A view opened too long ago is left for a page."""
    signin(client, ADVOCATE)
    for query in ("?locale=town", "?locale=rural"):
        client.get(PAGE + query)
    figure_cache.settle(app)
    # The rural view was last asked for before the recount window.
    rural = figures.stored_view(
        Scope(advocate.id, "OH", RUBRIC, Filters(locale="rural", period="2025-26")), 3
    )
    long_ago = operations.utcnow() - dt.timedelta(days=app.config["FIGURES_RECOUNT_DAYS"] + 1)
    session.execute(
        update(KeptFigures).where(KeptFigures.view_key == rural.key).values(asked_at=long_ago)
    )
    late = make_org(session, "Store District Late", state="OH", locale="town")
    make_user(session, OWNER, late)
    assessment = submitted_generated(session, late, "2025-26", 0.9)
    session.commit()
    signin(client, OWNER)
    before_the_share = operations.utcnow()
    _share_through_the_page(client, assessment, advocate)
    job = session.scalar(select(Job).where(Job.key == figure_jobs.job_key(advocate.id, RUBRIC)))
    assert job is not None
    assert job.message == "2 dashboard views are counted."
    figure_cache.forget_figures(app)
    signin(client, ADVOCATE)
    with statements_run(db.engine, "item_results") as town:
        counted_ahead = _page(client, "?locale=town")
    assert not town, "the view opened lately was counted ahead"
    assert "Store District Late" in counted_ahead
    # The rural view (no district is rural: it counts no item) was not counted again.
    counted = session.scalar(
        select(KeptFigures.counted_at).where(KeptFigures.view_key == rural.key)
    )
    assert counted is not None
    assert operations.as_utc(counted) < before_the_share
    figures.forget_everywhere(app, db.engine)
    assert _page(client, "?locale=town") == counted_ahead


def test_only_verified_state_advocates_are_counted_ahead(
    session: Session, advocate: Organization
) -> None:
    """A change reaches the dashboards of verified state advocates only: an advocate no
    administrator verified has none yet, and a district none at all."""
    pending = make_org(session, "Ohio Pending Advocates", kind="state_advocate", verified=False)
    district = make_org(session, "Store District Pending", state="OH")
    session.commit()
    figure_jobs.count_ahead(session, RUBRIC, [pending.id, district.id, advocate.id])
    keys = session.scalars(select(Job.key)).all()
    assert keys == [f"figures:{advocate.id}:{RUBRIC}"]


def test_two_processes_storing_one_view_at_once_leave_one_row(
    app: Flask, session: Session, advocate: Organization
) -> None:
    """The upsert is one statement: the second writer waits for the first and replaces its
    row; neither fails, and the row is the one committed last."""
    view = figure_store.StoredView(advocate.id, "OH", RUBRIC, {}, 3)
    engine = db.engine
    first = Session(engine)
    figure_store.write(first, view, ("first", None), base="a", setup="s", asked=True)
    errors: list[BaseException] = []

    def second_writer() -> None:
        try:
            with Session(engine) as second:
                figure_store.write(second, view, ("second", None), base="b", setup="s", asked=False)
                second.commit()
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    thread = threading.Thread(target=second_writer)
    thread.start()
    thread.join(0.3)
    assert thread.is_alive(), f"the second writer waits for the first's transaction: {errors}"
    first.commit()
    first.close()
    thread.join(10)
    assert not errors
    rows = session.scalars(select(KeptFigures)).all()
    assert [(row.view_key, row.base_digest) for row in rows] == [(view.key, "b")]
    assert figure_store.read(session, view.key, base="b", setup="s") == ("second", None)
    assert figure_store.read(session, view.key, base="a", setup="s") is None


def test_the_workbook_and_summary_use_the_figures_the_page_counted(
    app: Flask, client: FlaskClient, advocate: Organization
) -> None:
    """So they cannot say other than the page, and a download after a view is not counted
    again (the summary's side views included)."""
    signin(client, ADVOCATE)
    _page(client)
    for url in ("/states/OH/export.xlsx", "/states/OH/summary.pdf"):
        with statements_run(db.engine, "item_results") as again:
            response = client.get(url)
        assert response.status_code == 200, url
        assert not again, url
