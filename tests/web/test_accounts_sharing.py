"""Sharing through HTTP: who sees the sharing page (404 / 403), share, revoke, state rule, and
partners found only by their partner code or their owner's e-mail address (no browsing)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_from, make_org, make_user, signin
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.access import can
from rubric_app.assessments import start_assessment, submit
from rubric_app.models import Assessment, AuditEvent, Organization, Share, User
from rubric_app.rubric_versions import latest_version


def _assessment(
    session: Session, org: Organization, user: User, *, submitted: bool = True
) -> Assessment:
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    assessment = start_assessment(
        session,
        org=org,
        version=version,
        title="Policy review 2026-27",
        period="2026-27",
        user=user,
    )
    if submitted:
        submit(session, assessment, user=user)
    return assessment


@pytest.fixture
def world(session: Session) -> dict[str, object]:
    riverton = make_org(session, "Riverton City Schools", state="OH")
    club = make_org(session, "Riverton Youth Club", kind="afterschool_program", state="OH")
    ohio = make_org(session, "Buckeye Advocates", kind="state_advocate", state="OH")
    texas = make_org(session, "Lone Star Advocates", kind="state_advocate", state="TX")
    austin = make_org(session, "Austin Schools", state="TX")
    owner = make_user(session, "owner@riverton.example.org", riverton, "owner")
    make_user(session, "editor@riverton.example.org", riverton, "editor")
    make_user(session, "viewer@riverton.example.org", riverton, "viewer")
    make_user(session, "lead@club.example.org", club, "owner")
    make_user(session, "advocate@texas.example.org", texas, "owner")
    assessment = _assessment(session, riverton, owner)
    session.commit()
    return {
        "assessment": assessment,
        "club": club,
        "ohio": ohio,
        "texas": texas,
        "austin": austin,
    }


def client_for(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    signin(client, email)
    return client


def token_of(client: FlaskClient) -> str:
    return csrf_from(client.get("/account").data)


def test_editor_shares_with_a_partner_who_then_reads_it_until_revoked(
    app: Flask, session: Session, world: dict[str, object]
) -> None:
    assessment = world["assessment"]
    club = world["club"]
    assert isinstance(assessment, Assessment)
    assert isinstance(club, Organization)
    editor = client_for(app, "editor@riverton.example.org")
    page = editor.get(f"/assessments/{assessment.id}/sharing")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    # Only the state's verified advocate is offered; partners are not listed.
    assert "Buckeye Advocates (State advocate, OH, verified)" in text
    assert "Riverton Youth Club" not in text
    assert "Riverton City Schools (School district" not in text  # never itself
    # The club's owner gave out its code; typed in lower case with spaces, it still finds it.
    typed = " ".join(club.partner_code[i : i + 4] for i in range(0, 12, 4)).lower()
    found = editor.post(
        f"/assessments/{assessment.id}/sharing/find",
        data={"partner": typed, "csrf_token": csrf_from(page.data)},
    )
    assert found.status_code == 200
    assert f'<option value="{club.id}">Riverton Youth Club' in found.get_data(as_text=True)
    response = editor.post(
        f"/assessments/{assessment.id}/sharing",
        data={"to_org": str(club.id), "partner": typed, "csrf_token": csrf_from(page.data)},
    )
    assert response.status_code == 302
    lead = session.scalar(select(User).where(User.email == "lead@club.example.org"))
    assert can(session, lead, "view", assessment)
    assert not can(session, lead, "edit", assessment)
    share = session.scalar(select(Share).where(Share.to_org_id == club.id))
    assert share is not None
    # The receiving organization may read it but not see or change its shares.
    partner = client_for(app, "lead@club.example.org")
    assert partner.get(f"/assessments/{assessment.id}/sharing").status_code == 403
    revoked = editor.post(
        f"/assessments/{assessment.id}/sharing/{share.id}/revoke",
        data={"csrf_token": token_of(editor)},
    )
    assert revoked.status_code == 302
    session.expire_all()
    assert not can(session, lead, "view", assessment)
    assert partner.get(f"/assessments/{assessment.id}/sharing").status_code == 404
    actions = list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target == f"assessment:{assessment.id}")
            .order_by(AuditEvent.id)
        )
    )
    assert actions[-2:] == ["share.create", "share.revoke"]
    assert "Stopped" in editor.get(f"/assessments/{assessment.id}/sharing").get_data(as_text=True)


def test_non_members_get_404_and_viewers_403(
    app: Flask, session: Session, world: dict[str, object]
) -> None:
    assessment, club = world["assessment"], world["club"]
    assert isinstance(assessment, Assessment)
    assert isinstance(club, Organization)
    url = f"/assessments/{assessment.id}/sharing"
    outsider = client_for(app, "advocate@texas.example.org")
    assert outsider.get(url).status_code == 404
    assert (
        outsider.post(
            url,
            data={
                "to_org": str(club.id),
                "partner": club.partner_code,
                "csrf_token": token_of(outsider),
            },
        ).status_code
        == 404
    )
    assert (
        outsider.post(
            f"{url}/find", data={"partner": club.partner_code, "csrf_token": token_of(outsider)}
        ).status_code
        == 404
    )
    assert outsider.get("/assessments/999999/sharing").status_code == 404
    viewer = client_for(app, "viewer@riverton.example.org")
    page = viewer.get(url)
    assert page.status_code == 200
    assert "Share read-only" not in page.get_data(as_text=True)
    refused = viewer.post(
        url,
        data={"to_org": str(club.id), "partner": club.partner_code, "csrf_token": token_of(viewer)},
    )
    assert refused.status_code == 403
    assert (
        viewer.post(
            f"{url}/find", data={"partner": club.partner_code, "csrf_token": token_of(viewer)}
        ).status_code
        == 403
    )
    assert session.scalar(select(Share.id)) is None
    anonymous = app.test_client()
    assert anonymous.get(url).status_code == 302


def test_no_browsing_other_organizations_only_exact_codes_or_owner_emails(
    app: Flask, session: Session, world: dict[str, object]
) -> None:
    assessment, texas, austin, club = (
        world["assessment"],
        world["texas"],
        world["austin"],
        world["club"],
    )
    assert isinstance(assessment, Assessment)
    assert isinstance(texas, Organization)
    assert isinstance(austin, Organization)
    assert isinstance(club, Organization)
    owner = client_for(app, "owner@riverton.example.org")
    url = f"/assessments/{assessment.id}/sharing"
    # The old state filter is gone: asking for Texas lists nothing of Texas.
    page = owner.get(f"{url}?state=TX").get_data(as_text=True)
    assert "Austin Schools" not in page
    assert "Lone Star Advocates" not in page
    assert 'name="state"' not in page
    # Posting an organization that was never found is refused, and nothing is shared.
    for data in ({"to_org": str(austin.id)}, {"to_org": str(austin.id), "partner": "TX"}):
        refused = owner.post(url, data={**data, "csrf_token": token_of(owner)})
        assert refused.status_code == 400
    assert session.scalar(select(Share.id)) is None
    # A near miss of a code, a name, or an address that owns nothing finds nothing.
    near_miss = austin.partner_code[:-1] + ("A" if austin.partner_code[-1] != "A" else "B")
    for guess in (near_miss, "Austin Schools", "editor@riverton.example.org", "x@nowhere.org"):
        missed = owner.post(f"{url}/find", data={"partner": guess, "csrf_token": token_of(owner)})
        assert missed.status_code == 400
        assert "No organization you can share with" in missed.get_data(as_text=True)
    # The operation refuses too, in words, whatever the form offers.
    from rubric_app.accounts.operations import AccountError
    from rubric_app.accounts.sharing import NOT_A_TARGET, share_assessment

    with pytest.raises(AccountError, match="partner code"):
        share_assessment(session, assessment, austin, by=None)
    assert "partner code" in NOT_A_TARGET
    # A state advocate of another state is refused even by its exact code.
    assert (
        owner.post(
            f"{url}/find", data={"partner": texas.partner_code, "csrf_token": token_of(owner)}
        ).status_code
        == 400
    )
    with pytest.raises(AccountError, match="state advocate for TX"):
        share_assessment(session, assessment, texas, by=None, partner=texas.partner_code)
    session.rollback()
    # The club's owner gave out their address: it finds the club, and the share goes through.
    found = owner.post(
        f"{url}/find", data={"partner": " Lead@Club.example.org ", "csrf_token": token_of(owner)}
    )
    assert found.status_code == 200
    assert "Riverton Youth Club (Afterschool program, OH)" in found.get_data(as_text=True)
    allowed = owner.post(
        url,
        data={
            "to_org": str(club.id),
            "partner": "lead@club.example.org",
            "csrf_token": token_of(owner),
        },
    )
    assert allowed.status_code == 302
    assert session.scalar(select(Share.to_org_id)) == club.id


def test_an_unverified_user_cannot_look_partners_up(
    app: Flask, session: Session, world: dict[str, object]
) -> None:
    assessment, club = world["assessment"], world["club"]
    assert isinstance(assessment, Assessment)
    assert isinstance(club, Organization)
    riverton = assessment.organization
    make_user(session, "new@riverton.example.org", riverton, "editor", verified=False)
    session.commit()
    newcomer = client_for(app, "new@riverton.example.org")
    response = newcomer.post(
        f"/assessments/{assessment.id}/sharing/find",
        data={"partner": club.partner_code, "csrf_token": token_of(newcomer)},
    )
    assert response.status_code == 403
    assert "Riverton Youth Club" not in response.get_data(as_text=True)


def test_owners_see_and_replace_the_partner_code_and_the_old_one_stops_working(
    app: Flask, session: Session, world: dict[str, object]
) -> None:
    assessment, club = world["assessment"], world["club"]
    assert isinstance(assessment, Assessment)
    assert isinstance(club, Organization)
    old = club.partner_code
    shown = "-".join(old[i : i + 4] for i in range(0, 12, 4))
    lead = client_for(app, "lead@club.example.org")
    assert shown in lead.get("/organization").get_data(as_text=True)
    # Members who are not owners neither see the code nor replace it.
    editor = client_for(app, "editor@riverton.example.org")
    riverton_code = assessment.organization.partner_code
    assert riverton_code[:4] not in editor.get("/organization").get_data(as_text=True)
    assert (
        editor.post("/organization/partner-code", data={"csrf_token": token_of(editor)}).status_code
        == 403
    )
    # Without the CSRF token nothing changes.
    lead.post("/organization/partner-code", data={})
    session.expire_all()
    assert session.get(Organization, club.id).partner_code == old  # type: ignore[union-attr]
    replaced = lead.post("/organization/partner-code", data={"csrf_token": token_of(lead)})
    assert replaced.status_code == 302
    session.expire_all()
    new = session.get(Organization, club.id).partner_code  # type: ignore[union-attr]
    assert new != old
    owner = client_for(app, "owner@riverton.example.org")
    url = f"/assessments/{assessment.id}/sharing/find"
    assert owner.post(url, data={"partner": old, "csrf_token": token_of(owner)}).status_code == 400
    assert owner.post(url, data={"partner": new, "csrf_token": token_of(owner)}).status_code == 200
    assert (
        session.scalar(
            select(AuditEvent.action).where(
                AuditEvent.org_id == club.id, AuditEvent.action == "org.partner_code"
            )
        )
        == "org.partner_code"
    )


def test_a_draft_cannot_be_shared(app: Flask, session: Session, world: dict[str, object]) -> None:
    assessment, club = world["assessment"], world["club"]
    assert isinstance(assessment, Assessment)
    assert isinstance(club, Organization)
    owner_user = session.scalar(select(User).where(User.email == "owner@riverton.example.org"))
    assert owner_user is not None
    draft = start_assessment(
        session,
        org=assessment.organization,
        version=assessment.rubric_version,
        title="Next year",
        period="2027-28",
        user=owner_user,
    )
    session.commit()
    owner = client_for(app, "owner@riverton.example.org")
    page = owner.get(f"/assessments/{draft.id}/sharing").get_data(as_text=True)
    assert "Only submitted assessments can be shared" in page
    response = owner.post(
        f"/assessments/{draft.id}/sharing",
        data={"to_org": str(club.id), "partner": club.partner_code, "csrf_token": token_of(owner)},
    )
    assert response.status_code == 400
    assert "Submit it first" in response.get_data(as_text=True)
    assert session.scalar(select(Share.id)) is None


def test_revoking_a_share_of_another_assessment_is_404(
    app: Flask, session: Session, world: dict[str, object]
) -> None:
    assessment, club = world["assessment"], world["club"]
    assert isinstance(assessment, Assessment)
    assert isinstance(club, Organization)
    lead = session.scalar(select(User).where(User.email == "lead@club.example.org"))
    assert lead is not None
    theirs = _assessment(session, club, lead)
    from rubric_app.accounts.sharing import share_assessment

    share = share_assessment(session, theirs, world["ohio"], by=lead)  # type: ignore[arg-type]
    session.commit()
    owner = client_for(app, "owner@riverton.example.org")
    response = owner.post(
        f"/assessments/{assessment.id}/sharing/{share.id}/revoke",
        data={"csrf_token": token_of(owner)},
    )
    assert response.status_code == 404
    session.expire_all()
    assert session.get(Share, share.id).revoked_at is None  # type: ignore[union-attr]


def test_once_shared_with_the_advocate_the_page_says_so_and_a_second_post_is_harmless(
    app: Flask, session: Session, world: dict[str, object]
) -> None:
    """The advocate is no longer offered once it holds a share: the page must not then say
    the state has no advocate, and the same share sent again from a stale tab is not an
    error (nor a second share)."""
    assessment, ohio = world["assessment"], world["ohio"]
    assert isinstance(assessment, Assessment)
    assert isinstance(ohio, Organization)
    owner = client_for(app, "owner@riverton.example.org")
    url = f"/assessments/{assessment.id}/sharing"
    token = csrf_from(owner.get(url).data)
    for _ in range(2):
        response = owner.post(url, data={"to_org": str(ohio.id), "csrf_token": token})
        assert response.status_code == 302
    page = " ".join(owner.get(url).get_data(as_text=True).split())
    assert "is already shared with Buckeye Advocates" in page
    assert "already shared with the verified state advocate of Ohio" in page
    assert "There is no verified state advocate" not in page
    shares = session.scalars(select(Share).where(Share.to_org_id == ohio.id)).all()
    assert len(shares) == 1


def test_the_share_hint_counts_the_advocates_it_offers(
    app: Flask, session: Session, world: dict[str, object]
) -> None:
    assessment = world["assessment"]
    assert isinstance(assessment, Assessment)
    owner = client_for(app, "owner@riverton.example.org")
    url = f"/assessments/{assessment.id}/sharing"
    assert "The verified state advocate of Ohio." in owner.get(url).get_data(as_text=True)
    make_org(session, "Ohio Youth Voices", kind="state_advocate", state="OH")
    session.commit()
    assert "The verified state advocates of Ohio." in owner.get(url).get_data(as_text=True)
