"""Vetted organizations: the fake-advocate journey, site administrators' decisions, the unique
name rule among verified organizations (in the database, and when two approvals race).
"""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import (
    PASSWORD,
    csrf_from,
    make_org,
    make_site_admin,
    make_user,
    signin,
    signin_two_step,
)
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rubric_app.accounts.operations import AccountError, update_organization
from rubric_app.accounts.sharing import share_assessment, share_targets
from rubric_app.accounts.vetting import (
    pending_organizations,
    reject_organization,
    unverified_organizations,
    verification_status,
    verify_organization,
)
from rubric_app.assessments import start_assessment, submit
from rubric_app.db import db
from rubric_app.models import Assessment, AuditEvent, Organization, Share, User, utcnow
from rubric_app.rubric_versions import latest_version

REAL = "Buckeye Youth Justice Coalition"


def _submitted(session: Session, org: Organization, user: User) -> Assessment:
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    assessment = start_assessment(
        session, org=org, version=version, title="Review 2026-27", period="2026-27", user=user
    )
    submit(session, assessment, user=user)
    return assessment


def _token(client: FlaskClient) -> str:
    return csrf_from(client.get("/account").data)


def _profile(name: str) -> dict[str, str]:
    """The organization form as a browser posts it: optional fields left at "Not given"."""
    return {
        "name": name,
        "kind": "state_advocate",
        "state": "OH",
        "nces_id": "",
        "enrollment_band": "",
        "locale": "",
        "sro_model": "",
    }


def _sign_up_and_create_advocate(app: Flask, email: str, name: str) -> FlaskClient:
    """What anyone on the internet can do: sign up, then create a state advocate organization."""
    client = app.test_client()
    token = csrf_from(client.get("/signup").data)
    signed_up = client.post(
        "/signup",
        data={
            "name": "Pat Impostor",
            "email": email,
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": token,
        },
    )
    # Sign-up answers "check your email" whatever the address; then they sign in.
    assert signed_up.status_code == 200
    signin(client, email)
    created = client.post(
        "/organizations/new",
        data={**_profile(name), "csrf_token": csrf_from(client.get("/organizations/new").data)},
    )
    assert created.status_code == 302
    return client


@pytest.fixture
def ohio(session: Session) -> dict[str, object]:
    """A district with a submitted assessment, the real (verified) advocate, a site admin."""
    district = make_org(session, "Riverton City School District")
    owner = make_user(session, "owner@riverton.example.org", district, "owner")
    real = make_org(session, REAL, kind="state_advocate")
    # A site administrator always signs in with two steps.
    secret = make_site_admin(session, "admin@site.example.org")
    assessment = _submitted(session, district, owner)
    session.commit()
    return {"district": district, "real": real, "assessment": assessment, "secret": secret}


def _offered(client: FlaskClient, assessment: Assessment) -> str:
    return client.get(f"/assessments/{assessment.id}/sharing").get_data(as_text=True)


def _words(html: str) -> str:
    """The page with runs of white space (template line breaks) made single spaces."""
    return " ".join(html.split())


def _option(org_id: int) -> str:
    return f'<option value="{org_id}">'


def test_fake_advocate_is_pending_gets_no_dashboard_is_never_offered_and_cannot_be_approved(
    app: Flask, session: Session, ohio: dict[str, object]
) -> None:
    real, assessment = ohio["real"], ohio["assessment"]
    assert isinstance(real, Organization)
    assert isinstance(assessment, Assessment)
    impostor = _sign_up_and_create_advocate(app, "pat@impostor.example.net", REAL)
    fake = session.scalar(
        select(Organization).where(Organization.name == REAL, Organization.id != real.id)
    )
    assert fake is not None
    assert verification_status(fake) == "pending"
    assert fake.created_by_id is not None
    # Created and pending: its own pages say so, and there is no dashboard.
    assert "Awaiting approval" in impostor.get("/organization").get_data(as_text=True)
    closed = impostor.get("/states/OH/dashboard")
    assert closed.status_code == 403
    assert "waiting for a site administrator" in _words(closed.get_data(as_text=True))
    assert impostor.get("/states").status_code == 403
    assert impostor.get("/states/OH/export.csv").status_code == 403
    # Never offered: the district sees the real advocate only, and a forged post is refused,
    # even with the fake's own partner code.
    district = app.test_client()
    signin(district, "owner@riverton.example.org")
    page = _offered(district, assessment)
    assert _option(real.id) in page
    assert _option(fake.id) not in page
    for partner in ("", fake.partner_code):
        forged = district.post(
            f"/assessments/{assessment.id}/sharing",
            data={"to_org": str(fake.id), "partner": partner, "csrf_token": _token(district)},
        )
        assert forged.status_code == 400
    assert session.scalar(select(Share.id).where(Share.to_org_id == fake.id)) is None
    with pytest.raises(AccountError, match="not a verified state advocate"):
        share_assessment(session, assessment, fake, by=None, partner=fake.partner_code)
    session.rollback()
    # The site administrator sees who asked and when, and that the name clashes.
    admin = app.test_client()
    signin_two_step(admin, "admin@site.example.org", str(ohio["secret"]))
    listing = admin.get("/admin/organizations").get_data(as_text=True)
    assert "pat@impostor.example.net" in listing
    assert f"Same name as the verified {REAL} (id {real.id})" in listing
    # Approving it is refused with a clear message; it stays pending.
    refused = admin.post(
        f"/admin/organizations/{fake.id}/approve", data={"csrf_token": _token(admin)}
    )
    assert refused.status_code == 302
    assert "cannot share a name" in _words(admin.get("/admin/organizations").get_data(as_text=True))
    session.expire_all()
    assert verification_status(session.get(Organization, fake.id)) == "pending"  # type: ignore[arg-type]
    # Rejecting it is audited; it keeps its members but stays closed.
    admin.post(f"/admin/organizations/{fake.id}/reject", data={"csrf_token": _token(admin)})
    session.expire_all()
    assert verification_status(session.get(Organization, fake.id)) == "rejected"  # type: ignore[arg-type]
    assert "did not approve" in _words(impostor.get("/states/OH/dashboard").get_data(as_text=True))
    rejection = session.scalar(select(AuditEvent).where(AuditEvent.action == "org.reject"))
    assert rejection is not None
    assert rejection.org_id == fake.id
    assert f"{REAL} (id" not in admin.get("/admin/organizations").get_data(as_text=True)


def test_a_new_advocate_is_offered_once_a_site_administrator_approves_it(
    app: Flask, session: Session, ohio: dict[str, object]
) -> None:
    assessment = ohio["assessment"]
    assert isinstance(assessment, Assessment)
    newcomer = _sign_up_and_create_advocate(app, "lee@lakeshore.example.org", "Lakeshore Voices")
    org = session.scalar(select(Organization).where(Organization.name == "Lakeshore Voices"))
    assert org is not None
    district = app.test_client()
    signin(district, "owner@riverton.example.org")
    assert _option(org.id) not in _offered(district, assessment)
    admin = app.test_client()
    signin_two_step(admin, "admin@site.example.org", str(ohio["secret"]))
    # A district is not vetted on this page: a forged approval of one finds nothing.
    riverton = session.scalar(select(Organization).where(Organization.kind == "district"))
    assert riverton is not None
    forged = admin.post(
        f"/admin/organizations/{riverton.id}/approve", data={"csrf_token": _token(admin)}
    )
    assert forged.status_code == 404
    session.expire_all()
    assert verification_status(riverton) == "not_needed"
    assert riverton.verified_at is None
    approved = admin.post(
        f"/admin/organizations/{org.id}/approve", data={"csrf_token": _token(admin)}
    )
    assert approved.status_code == 302
    # Then offered, labelled verified, and its dashboard opens.
    page = _offered(district, assessment)
    assert f"{_option(org.id)}Lakeshore Voices (State advocate, OH, verified)" in page
    assert newcomer.get("/states/OH/dashboard").status_code == 200
    assert 'class="tag tag--verified">Verified' in newcomer.get("/organization").get_data(
        as_text=True
    )
    admin_user = session.scalar(select(User).where(User.email == "admin@site.example.org"))
    assert admin_user is not None
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "org.verify", AuditEvent.org_id == org.id)
    )
    assert event is not None
    assert (event.user_id, event.org_id, event.detail["via"]) == (
        admin_user.id,
        org.id,
        "admin_page",
    )
    # Shared, it counts; approving again changes nothing and records nothing more.
    shared = district.post(
        f"/assessments/{assessment.id}/sharing",
        data={"to_org": str(org.id), "csrf_token": _token(district)},
    )
    assert shared.status_code == 302
    admin.post(f"/admin/organizations/{org.id}/approve", data={"csrf_token": _token(admin)})
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "org.verify", AuditEvent.org_id == org.id)
    ).all()
    assert len(events) == 1


def test_approving_without_the_csrf_token_changes_nothing(
    app: Flask, session: Session, ohio: dict[str, object]
) -> None:
    pending = make_org(session, "Lakeshore Voices", kind="state_advocate", verified=False)
    session.commit()
    admin = app.test_client()
    signin_two_step(admin, "admin@site.example.org", str(ohio["secret"]))
    assert admin.post(f"/admin/organizations/{pending.id}/approve", data={}).status_code == 400
    session.expire_all()
    assert verification_status(session.get(Organization, pending.id)) == "pending"  # type: ignore[arg-type]


def test_two_verified_organizations_never_share_a_name_in_the_database(
    session: Session, ohio: dict[str, object]
) -> None:
    """The partial unique index holds the rule even for a write that skips the operation."""
    twin = make_org(
        session, "  buckeye youth  JUSTICE coalition ", kind="state_advocate", verified=False
    )
    session.commit()
    forged = update(Organization).where(Organization.id == twin.id).values(verified_at=utcnow())
    with pytest.raises(IntegrityError):
        session.execute(forged)
    session.rollback()
    # The same name is fine for a pending one, in another state, or for another kind.
    make_org(session, REAL, kind="state_advocate", state="MI")
    make_org(session, REAL, kind="afterschool_program", verified=True)
    session.commit()
    with pytest.raises(AccountError, match="cannot share a name"):
        verify_organization(session, twin, by=None)


def test_two_approvals_racing_for_one_name_let_exactly_one_through(
    app: Flask, session: Session
) -> None:
    """Two administrators approve two same-named requests at the same moment: the second waits
    for the first (the unique index entry on PostgreSQL, the write lock on SQLite), then is
    refused in words instead of a second verified twin appearing."""
    first_org = make_org(session, "Ohio Youth Voices", kind="state_advocate", verified=False)
    second_org = make_org(session, "OHIO YOUTH VOICES", kind="state_advocate", verified=False)
    session.commit()
    ids = (first_org.id, second_org.id)
    first, second = Session(db.engine), Session(db.engine)
    outcome: dict[str, object] = {}
    try:
        org_one = first.get(Organization, ids[0])
        assert org_one is not None
        assert verify_organization(first, org_one, by=None)  # not committed yet

        def second_admin_approves() -> None:
            try:
                org_two = second.get(Organization, ids[1])
                assert org_two is not None
                outcome["result"] = verify_organization(second, org_two, by=None)
            except AccountError as error:
                outcome["error"] = str(error)

        waiting = threading.Thread(target=second_admin_approves)
        waiting.start()
        waiting.join(timeout=2)
        assert waiting.is_alive()  # held until the first approval ends
        first.commit()
        waiting.join(timeout=30)
        assert not waiting.is_alive()
        second.rollback()
    finally:
        first.close()
        second.close()
    assert "cannot share a name" in str(outcome.get("error"))
    session.expire_all()
    statuses = [verification_status(session.get(Organization, i)) for i in ids]  # type: ignore[arg-type]
    assert statuses == ["verified", "pending"]


def test_renaming_a_verified_advocate_asks_for_approval_again(
    app: Flask, session: Session, ohio: dict[str, object]
) -> None:
    real, district = ohio["real"], ohio["district"]
    assert isinstance(real, Organization)
    assert isinstance(district, Organization)
    make_user(session, "alex@buckeye.example.org", real, "owner")
    session.commit()
    # Keeping the name (only the profile changes) keeps the verification.
    assert not update_organization(
        session, real, by=None, name=REAL, kind="state_advocate", state="OH", locale="city"
    )
    assert verification_status(real) == "verified"
    session.commit()
    owner = app.test_client()
    signin(owner, "alex@buckeye.example.org")
    edited = owner.post(
        "/organization/edit",
        data={**_profile("Buckeye Justice Now"), "csrf_token": _token(owner)},
    )
    assert edited.status_code == 302
    session.expire_all()
    renamed = session.get(Organization, real.id)
    assert renamed is not None
    assert verification_status(renamed) == "pending"
    assert owner.get("/states/OH/dashboard").status_code == 403
    assert renamed not in share_targets(session, district)
    assert [row.id for row in pending_organizations(session)] == [real.id]
    reject_organization(session, renamed, by=None)
    assert verification_status(renamed) == "rejected"


def test_a_name_stored_before_look_alike_letters_were_refused_is_not_verified(
    session: Session, ohio: dict[str, object]
) -> None:
    """An organization named before the rule, with a Cyrillic letter in a real advocate's
    name, cannot be approved until it is renamed (its name key does not clash, so only the
    name rule can see the copy)."""
    copy = make_org(session, "Placeholder Advocates", kind="state_advocate", verified=False)
    copy.name = REAL.replace("i", "\u0456", 1)  # written straight to the row, as before the rule
    session.commit()
    with pytest.raises(
        AccountError, match="until it is renamed: its name mixes Cyrillic and Latin"
    ):
        verify_organization(session, copy, by=None)
    session.rollback()
    assert verification_status(session.get(Organization, copy.id)) == "pending"  # type: ignore[arg-type]


def test_a_site_administrator_verifies_ticked_districts_in_bulk(
    app: Flask, session: Session, ohio: dict[str, object]
) -> None:
    lakeside = make_org(session, "Lakeside Local Schools")
    harbor = make_org(session, "Harbor Point Afterschool", kind="afterschool_program")
    michigan = make_org(session, "Lakeside Michigan Schools", state="MI")
    pending_advocate = make_org(session, "Lakeshore Voices", kind="state_advocate", verified=False)
    verified = make_org(session, "Cedar Hollow Local Schools", verified=True)
    # Someone's copy of the verified district's name: it cannot be verified.
    copy = make_org(session, "Cedar  Hollow local schools")
    session.commit()
    riverton = ohio["district"]
    assert isinstance(riverton, Organization)
    admin = app.test_client()
    signin_two_step(admin, "admin@site.example.org", str(ohio["secret"]))

    def row(org: Organization) -> str:
        return _words(f'{org.name} <span class="muted">(id {org.id})</span>')

    page = _words(admin.get("/admin/organizations/unverified?state=OH").get_data(as_text=True))
    for listed in (lakeside, harbor, riverton, copy):
        assert row(listed) in page, listed.name
    for listed in (lakeside, harbor, riverton):
        assert f'name="org" value="{listed.id}"' in page, listed.name
    assert row(michigan) not in page  # another state
    assert row(pending_advocate) not in page  # approved one by one, on the other page
    assert row(verified) not in page  # verified already
    # The copy has no box to tick, and says why.
    assert f'name="org" value="{copy.id}"' not in page
    assert f"Same name as the verified Cedar Hollow Local Schools (id {verified.id})" in page
    assert "4 organizations not verified match" in page

    # The name filter, any case.
    found = _words(
        admin.get("/admin/organizations/unverified?name=LAKESIDE").get_data(as_text=True)
    )
    assert row(lakeside) in found
    assert row(michigan) in found
    assert row(harbor) not in found

    # The copy and the advocate are posted too (as a forged form would): each is refused or
    # skipped on its own, and the others are verified all the same.
    posted = admin.post(
        "/admin/organizations/verify",
        data={
            "csrf_token": _token(admin),
            "org": [str(lakeside.id), str(harbor.id), str(copy.id), str(pending_advocate.id)],
            "state": "OH",
            "page": "1",
        },
    )
    assert posted.status_code == 302
    assert posted.headers["Location"] == "/admin/organizations/unverified?state=OH&page=1"
    shown = _words(admin.get(posted.headers["Location"]).get_data(as_text=True))
    assert "Verified 2 organizations: Lakeside Local Schools, Harbor Point Afterschool." in shown
    assert "Cedar Hollow local schools (OH) was not verified." in shown
    session.expire_all()
    status = {
        org.name: verification_status(org)
        for org in session.scalars(select(Organization).order_by(Organization.id))
    }
    assert status["Lakeside Local Schools"] == "verified"
    assert status["Harbor Point Afterschool"] == "verified"
    assert status["Cedar  Hollow local schools"] == "not_needed"
    assert status["Lakeshore Voices"] == "pending"
    assert status["Lakeside Michigan Schools"] == "not_needed"
    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "org.verify", AuditEvent.org_id.in_([lakeside.id, harbor.id])
        )
    ).all()
    assert sorted((event.org_id, event.detail["via"]) for event in events) == sorted(
        [(lakeside.id, "admin_page"), (harbor.id, "admin_page")]
    )
    # Nothing ticked: said so, nothing changes.
    empty = admin.post("/admin/organizations/verify", data={"csrf_token": _token(admin)})
    assert "Tick at least one organization" in admin.get(empty.headers["Location"]).get_data(
        as_text=True
    )
    # Without the CSRF token nothing changes either.
    assert (
        admin.post("/admin/organizations/verify", data={"org": str(riverton.id)}).status_code == 400
    )
    session.expire_all()
    assert verification_status(session.get(Organization, riverton.id)) == "not_needed"  # type: ignore[arg-type]


def test_the_unverified_list_pages_and_clamps_a_page_past_the_end(session: Session) -> None:
    names = [f"District {letter}" for letter in "ABCDE"]
    for name in names:
        make_org(session, name, state="VT")
    session.commit()
    first = unverified_organizations(session, state="VT", per_page=2)
    assert (first.total, first.pages, first.page) == (5, 3, 1)
    assert [row.name for row in first.rows] == names[:2]
    last = unverified_organizations(session, state="VT", page=99, per_page=2)
    assert last.page == 3
    assert [row.name for row in last.rows] == names[4:]
    assert unverified_organizations(session, state="VT", name="d%").total == 0  # no wildcard
