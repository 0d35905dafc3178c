"""The dashboard's kept figures (``states/figure_cache.py``): counted once, never stale.

A repeat view of the same data is served from the kept figures (its item query does not run
again), and after every kind of change the figures are counted from (a new share, a revoked
one, a change of profile or of naming, a reopened and changed assessment, a resubmission) the
page reads exactly as one counted from nothing.
"""

from __future__ import annotations

import difflib
import random
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import main_of, make_org, make_user, signin, statements_run, submitted_generated
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import revoke_share, share_assessment
from rubric_app.assessments import ItemChange, reopen, save_items
from rubric_app.assessments import submit as submit_assessment
from rubric_app.db import db
from rubric_app.demo import generate_states
from rubric_app.models import Assessment, Organization, Share, User
from rubric_app.rubric_versions import rubric_of
from rubric_app.states import figure_cache, figures

ADVOCATE = "advocate@oh-cache.example.org"
RUBRIC = "secure-local-implementation"
PAGE = "/states/OH/dashboard"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SUPPRESSION_K": 3, "PAGE_SIZE": 5}


def _submitted(session: Session, org: Organization, maturity: float) -> Assessment:
    return submitted_generated(session, org, "2025-26", maturity)


@pytest.fixture
def advocate(session: Session) -> Organization:
    """Ohio's advocate (Ohio has a law the dashboard checks) and six districts sharing with it,
    two of them twice this period."""
    org = make_org(session, "Ohio Cache Advocates", kind="state_advocate", state="OH")
    make_user(session, ADVOCATE, org)
    for index in range(6):
        district = make_org(
            session,
            f"Cache District {index}",
            state="OH",
            locale="rural" if index % 2 else "town",
            sro_model="sheriff",
        )
        shares = [_submitted(session, district, 0.2 + 0.1 * index)]
        if index < 2:
            shares.append(_submitted(session, district, 0.9 - 0.1 * index))
        for assessment in shares:
            share_assessment(session, assessment, org, by=None, named=index != 5)
    session.commit()
    return org


def _page(client: FlaskClient, query: str = "") -> str:
    response = client.get(PAGE + query)
    assert response.status_code == 200
    # The figures are kept once the base was read again, on a thread of their own.
    figure_cache.settle(client.application)
    return main_of(response.get_data(as_text=True))


def test_a_repeat_view_is_served_from_the_kept_figures(
    app: Flask, client: FlaskClient, advocate: Organization
) -> None:
    signin(client, ADVOCATE)
    with statements_run(db.engine, "item_results") as first:
        page = _page(client)
    assert first, "the first view counts the item results"
    assert "Cache District 0" in page
    with statements_run(db.engine, "item_results") as again:
        repeat = _page(client)
    assert not again, "a repeat view of the same data counts nothing again"
    assert repeat == page
    # Another page of the participants list is read now; the figures stay kept.
    with statements_run(db.engine, "item_results") as paging:
        second = _page(client, "?page=2")
    assert not paging
    assert second != page
    # Another view is counted once too.
    with statements_run(db.engine, "item_results") as other:
        _page(client, "?locale=rural")
    assert other


def _share_another(session: Session, advocate: Organization) -> None:
    district = make_org(session, "Cache District New", state="OH", locale="town")
    share_assessment(session, _submitted(session, district, 0.55), advocate, by=None)


def _revoke_one(session: Session, advocate: Organization) -> None:
    share = session.scalars(
        select(Share).where(Share.to_org_id == advocate.id, Share.revoked_at.is_(None))
    ).first()
    assert share is not None
    revoke_share(session, share, by=None)


def _move_locale(session: Session, advocate: Organization) -> None:
    org = session.scalars(select(Organization).where(Organization.name == "Cache District 2"))
    org.one().locale = "city"


def _unname(session: Session, advocate: Organization) -> None:
    share = session.scalars(
        select(Share).where(Share.to_org_id == advocate.id, Share.named_in_lists.is_(True))
    ).first()
    assert share is not None
    share.named_in_lists = False


def _reopen_and_change(session: Session, advocate: Organization) -> None:
    """The district with one assessment this period answers as if nothing were in place."""
    org = session.scalars(select(Organization).where(Organization.name == "Cache District 3"))
    assessment = session.scalars(select(Assessment).where(Assessment.org_id == org.one().id))
    found = assessment.one()
    user = session.get(User, found.created_by_id)
    reopen(session, found, user=user, reason="Correction.")
    states = generate_states(rubric_of(found.rubric_version), random.Random("low"), 0.0)
    save_items(session, found, [ItemChange(i, s, None) for i, s in states.items()], user=user)
    submit_assessment(session, found, user=user)


def _resubmit_the_older(session: Session, advocate: Organization) -> None:
    """A district with two assessments this period resubmits the older one unchanged: it is
    now its latest (the law counts each organization at its latest)."""
    org = session.scalars(select(Organization).where(Organization.name == "Cache District 0"))
    older = session.scalars(
        select(Assessment).where(Assessment.org_id == org.one().id).order_by(Assessment.id)
    ).first()
    assert older is not None
    user = session.get(User, older.created_by_id)
    reopen(session, older, user=user, reason="Resubmitting.")
    submit_assessment(session, older, user=user)


CHANGES: dict[str, Callable[[Session, Organization], None]] = {
    "a new share": _share_another,
    "a revoked share": _revoke_one,
    "a changed profile": _move_locale,
    "a share no longer named": _unname,
    "a reopened and changed assessment": _reopen_and_change,
    "an older assessment resubmitted": _resubmit_the_older,
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_after_a_change_the_page_reads_as_counted_from_nothing(
    app: Flask, client: FlaskClient, session: Session, advocate: Organization, change: str
) -> None:
    signin(client, ADVOCATE)
    views = ("", "?locale=rural", "?page=2")
    before = [_page(client, view) for view in views]
    CHANGES[change](session, advocate)
    session.commit()
    kept = [_page(client, view) for view in views]
    figures.forget_everywhere(app, db.engine)
    fresh = [_page(client, view) for view in views]
    for one, other in zip(kept, fresh, strict=True):
        difference = difflib.unified_diff(one.splitlines(), other.splitlines(), lineterm="", n=1)
        assert one == other, "\n".join(difference)
    assert kept != before, "the change shows on the page"


def test_figures_counted_while_a_share_came_in_are_not_kept(
    app: Flask,
    client: FlaskClient,
    session: Session,
    advocate: Organization,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A share committed after the page read its base rows, but before its item query ran, is
    in the figures and not in the rows; kept under those rows, the figures would come back
    (counting it) once it was revoked again. They are not kept."""
    district = make_org(session, "Cache District Late", state="OH", locale="town")
    late = _submitted(session, district, 0.95)
    session.commit()
    counted = figures.build_dashboard
    shared: list[int] = []

    def share_meanwhile(*args: Any, **kwargs: Any) -> Any:
        if not shared:
            # Another person shares, on a connection of their own, just after the base was read.
            with Session(db.engine) as other:
                found = other.get_one(Assessment, late.id)
                to = other.get_one(Organization, advocate.id)
                share = share_assessment(other, found, to, by=None)
                other.commit()
                shared.append(share.id)
        return counted(*args, **kwargs)

    monkeypatch.setattr(figures, "build_dashboard", share_meanwhile)
    signin(client, ADVOCATE)
    _page(client)
    monkeypatch.setattr(figures, "build_dashboard", counted)
    with Session(db.engine) as other:
        revoke_share(other, other.get_one(Share, shared[0]), by=None)
        other.commit()
    after = _page(client)
    figures.forget_everywhere(app, db.engine)
    assert after == _page(client)


def test_kept_figures_are_shown_to_nobody_but_the_states_advocates(
    app: Flask, client: FlaskClient, session: Session, advocate: Organization
) -> None:
    """The figures the advocate's view kept are behind the same check as ever: a member of a
    sharing district and another state's advocate are refused, before and after."""
    district = session.scalars(select(Organization).where(Organization.name == "Cache District 0"))
    make_user(session, "member@cache-district.example.org", district.one())
    other = make_org(session, "Indiana Cache Advocates", kind="state_advocate", state="IN")
    make_user(session, "advocate@in-cache.example.org", other)
    session.commit()
    signin(client, ADVOCATE)
    kept = _page(client)
    assert "Cache District 1" in kept
    for email in ("member@cache-district.example.org", "advocate@in-cache.example.org"):
        signin(client, email)
        response = client.get(PAGE)
        assert response.status_code == 404, email
        assert "Cache District 1" not in response.get_data(as_text=True)
