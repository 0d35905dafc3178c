"""Organizations through HTTP: create, profile, invitations, roles, last owner, switching, audit."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_from, make_org, make_user, signin
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rubric_app.accounts.mail import outbox
from rubric_app.accounts.operations import AccountError, change_role, membership_of, remove_member
from rubric_app.models import AuditEvent, Invitation, Membership, Organization, User

ORG_FORM = {
    "name": "Lakeview Unified School District",
    "kind": "district",
    "state": "MI",
    "nces_id": "2612345",
    "enrollment_band": "5k_25k",
    "locale": "suburb",
    "sro_model": "local_police",
}


def post(client: FlaskClient, url: str, data: dict[str, str], page: str) -> object:
    token = csrf_from(client.get(page).data)
    return client.post(url, data={**data, "csrf_token": token})


def invitation_path(app: Flask) -> str:
    with app.app_context():
        body = outbox()[-1].body
    match = re.search(r"https?://[^/\s]+(/invitations/\S+)", body)
    assert match, body
    return match.group(1)


def test_signed_in_user_without_org_is_sent_to_create_one(
    client: FlaskClient, session: Session
) -> None:
    make_user(session, "new@example.org")
    session.commit()
    signin(client, "new@example.org")
    response = client.get("/organization")
    assert response.status_code == 302
    assert response.headers["Location"] == "/organizations/new"


def test_create_organization_makes_the_creator_owner(client: FlaskClient, session: Session) -> None:
    user = make_user(session, "new@example.org")
    session.commit()
    signin(client, "new@example.org")
    response = post(client, "/organizations/new", ORG_FORM, "/organizations/new")
    assert response.status_code == 302
    org = session.scalar(select(Organization).where(Organization.name == ORG_FORM["name"]))
    assert org is not None
    assert (org.state, org.nces_id, org.locale, org.sro_model) == (
        "MI",
        "2612345",
        "suburb",
        "local_police",
    )
    membership = membership_of(session, user.id, org.id)
    assert membership is not None
    assert membership.role == "owner"
    page = client.get("/organization").get_data(as_text=True)
    assert "Lakeview Unified School District" in page
    assert "Michigan (MI)" in page
    assert "Invite a colleague" in page


def test_create_organization_validates_state_and_id_and_keeps_input(
    client: FlaskClient, session: Session
) -> None:
    make_user(session, "new@example.org")
    session.commit()
    signin(client, "new@example.org")
    response = post(
        client,
        "/organizations/new",
        {**ORG_FORM, "state": "XX", "nces_id": "12ab"},
        "/organizations/new",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Not a valid choice" in page or "Choose the state" in page
    assert "7 digits" in page
    assert 'value="Lakeview Unified School District"' in page
    assert session.scalar(select(Organization).where(Organization.name == ORG_FORM["name"])) is None


def test_a_name_copying_another_with_look_alike_letters_is_refused(
    client: FlaskClient, session: Session
) -> None:
    """A Cyrillic "\u0456" in "Coalition", or a right-to-left override, made a copy of a real
    advocate's name that the clash check did not see (and a site admin could approve)."""
    make_user(session, "new@example.org")
    session.commit()
    signin(client, "new@example.org")
    for name, says in (
        ("Lakeview Unif\u0456ed School District", "mixes Cyrillic and Latin letters"),
        ("Lakeview \u202etcirtsiD", "invisible formatting character (U+202E)"),
    ):
        response = post(
            client, "/organizations/new", {**ORG_FORM, "name": name}, "/organizations/new"
        )
        assert response.status_code == 400
        assert says in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Organization)) == 0


def test_invite_link_lets_a_newcomer_sign_up_and_join(app: Flask, session: Session) -> None:
    org = make_org(session, "Riverton")
    make_user(session, "owner@riverton.example.org", org, "owner", name="Dana Owner")
    session.commit()
    owner = app.test_client()
    signin(owner, "owner@riverton.example.org")
    response = post(
        owner,
        "/organization/invitations",
        {"email": "Colleague@Riverton.example.org", "role": "editor"},
        "/organization",
    )
    assert response.status_code == 302
    assert "colleague@riverton.example.org" in owner.get("/organization").get_data(as_text=True)
    path = invitation_path(app)
    # Left empty, the address asked for is the colleague's, not the owner's own.
    empty = post(
        owner, "/organization/invitations", {"email": "", "role": "editor"}, "/organization"
    )
    assert "Enter your colleague&#39;s email address." in empty.get_data(as_text=True)

    newcomer = app.test_client()
    landing = newcomer.get(path).get_data(as_text=True)
    assert "Dana Owner" in landing
    assert "Riverton" in landing
    signup_url = re.search(r'href="(/signup\?invitation=[^"]+)"', landing)
    assert signup_url
    signup_page = newcomer.get(signup_url.group(1).replace("&amp;", "&"))
    assert 'value="colleague@riverton.example.org"' in signup_page.get_data(as_text=True)
    created = newcomer.post(
        signup_url.group(1).replace("&amp;", "&"),
        data={
            "name": "Sam Colleague",
            "email": "colleague@riverton.example.org",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": csrf_from(signup_page.data),
        },
    )
    assert created.status_code == 302
    assert created.headers["Location"] == path
    join_page = newcomer.get(path)
    joined = newcomer.post(path, data={"csrf_token": csrf_from(join_page.data)})
    assert joined.status_code == 302
    colleague = session.scalar(select(User).where(User.email == "colleague@riverton.example.org"))
    assert colleague is not None
    membership = membership_of(session, colleague.id, org.id)
    assert membership is not None
    assert membership.role == "editor"
    assert "Sam Colleague" in owner.get("/organization").get_data(as_text=True)
    # Single use: the link now says so.
    again = newcomer.get(path)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("address", "message"),
    [
        # 260 characters: the browser no longer cuts it at 254 into "...@x.o"; the server
        # sees the whole of it and says why it cannot be used.
        ("a" * 250 + "@x.org", "An email address has at most 254 characters; this one has 256."),
        ("colleague@x.o", "The address ends in “.o”, and no domain ends in a single character"),
        ("colleague@riverton.example.o", "The address ends in “.o”"),
    ],
)
def test_an_unusable_address_is_refused_with_a_reason_and_nobody_is_invited(
    app: Flask, session: Session, address: str, message: str
) -> None:
    org = make_org(session, "Riverton")
    make_user(session, "owner@riverton.example.org", org, "owner")
    session.commit()
    owner = app.test_client()
    signin(owner, "owner@riverton.example.org")
    page = owner.get("/organization").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="email"[^>]*>', page)
    assert field is not None
    # Room for the longest address the standards allow, so a paste reaches the server whole.
    maxlength = re.search(r'maxlength="(\d+)"', field.group(0))
    assert maxlength is not None
    assert int(maxlength.group(1)) >= 320
    response = post(
        owner, "/organization/invitations", {"email": address, "role": "editor"}, "/organization"
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Invitation)) == 0
    with app.app_context():
        assert outbox() == []


def test_invite_refuses_an_unusable_address_whoever_calls_it(session: Session) -> None:
    from rubric_app.accounts.invitations import invite

    org = make_org(session, "Riverton")
    owner = make_user(session, "owner@riverton.example.org", org, "owner")
    with pytest.raises(AccountError, match="single character"):
        invite(session, org, email="colleague@x.o", role="editor", by=owner)


def test_invitation_needs_the_invited_address(app: Flask, session: Session) -> None:
    org = make_org(session, "Riverton")
    make_user(session, "owner@example.org", org, "owner")
    make_user(session, "intruder@example.org", make_org(session, "Elsewhere"))
    session.commit()
    owner = app.test_client()
    signin(owner, "owner@example.org")
    post(
        owner,
        "/organization/invitations",
        {"email": "friend@example.org", "role": "viewer"},
        "/organization",
    )
    path = invitation_path(app)
    intruder = app.test_client()
    signin(intruder, "intruder@example.org")
    page = intruder.get(path)
    assert "This invitation is for friend@example.org" in page.get_data(as_text=True)
    refused = intruder.post(path, data={"csrf_token": csrf_from(page.data)})
    assert refused.status_code == 400
    intruder_user = session.scalar(select(User).where(User.email == "intruder@example.org"))
    assert intruder_user is not None
    assert membership_of(session, intruder_user.id, org.id) is None


def test_revoked_and_replaced_invitation_links_stop_working(app: Flask, session: Session) -> None:
    org = make_org(session)
    make_user(session, "owner@example.org", org, "owner")
    session.commit()
    owner = app.test_client()
    signin(owner, "owner@example.org")
    post(
        owner,
        "/organization/invitations",
        {"email": "a@example.org", "role": "viewer"},
        "/organization",
    )
    first = invitation_path(app)
    invitation = session.scalar(select(Invitation).where(Invitation.email == "a@example.org"))
    assert invitation is not None
    post(owner, f"/organization/invitations/{invitation.id}/resend", {}, "/organization")
    second = invitation_path(app)
    assert first != second
    assert "withdrawn or replaced" in owner.get(first).get_data(as_text=True)
    session.expire_all()
    newest = session.scalars(
        select(Invitation).where(
            Invitation.revoked_at.is_(None), Invitation.email == "a@example.org"
        )
    ).one()
    post(owner, f"/organization/invitations/{newest.id}/revoke", {}, "/organization")
    assert app.test_client().get(second).status_code == 400
    # Inviting an address with an open invitation again says the earlier link stops working.
    invite = {"email": "b@example.org", "role": "viewer"}
    post(owner, "/organization/invitations", invite, "/organization")
    owner.get("/organization")  # the first flash is read
    post(owner, "/organization/invitations", invite, "/organization")
    page = owner.get("/organization").get_data(as_text=True)
    assert "The link in the earlier invitation to this address no longer works." in page


def test_owner_changes_roles_and_removes_members_but_never_the_last_owner(
    client: FlaskClient, session: Session
) -> None:
    org = make_org(session)
    owner = make_user(session, "owner@example.org", org, "owner", name="Olive Owner")
    editor = make_user(session, "editor@example.org", org, "editor", name="Eddie Editor")
    session.commit()
    signin(client, "owner@example.org")
    own = membership_of(session, owner.id, org.id)
    theirs = membership_of(session, editor.id, org.id)
    assert own is not None
    assert theirs is not None
    refused = post(
        client,
        f"/organization/members/{own.id}/role",
        {f"m{own.id}-role": "viewer"},
        "/organization",
    )
    assert refused.status_code == 302
    assert "only owner" in client.get("/organization").get_data(as_text=True)
    session.expire_all()
    assert membership_of(session, owner.id, org.id).role == "owner"  # type: ignore[union-attr]
    post(
        client,
        f"/organization/members/{theirs.id}/role",
        {f"m{theirs.id}-role": "owner"},
        "/organization",
    )
    session.expire_all()
    assert membership_of(session, editor.id, org.id).role == "owner"  # type: ignore[union-attr]
    post(client, f"/organization/members/{theirs.id}/remove", {}, "/organization")
    session.expire_all()
    assert membership_of(session, editor.id, org.id) is None
    post(client, f"/organization/members/{own.id}/remove", {}, "/organization")
    session.expire_all()
    assert membership_of(session, owner.id, org.id) is not None
    actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.org_id == org.id)))
    assert {"membership.role", "membership.remove"} <= actions


def test_last_owner_rules_hold_in_the_operations(session: Session) -> None:
    org = make_org(session)
    owner = make_user(session, "owner@example.org", org, "owner")
    membership = membership_of(session, owner.id, org.id)
    assert membership is not None
    with pytest.raises(AccountError, match="only owner"):
        change_role(session, membership, "editor", by=owner)
    with pytest.raises(AccountError, match="only owner"):
        remove_member(session, membership, by=owner)
    assert membership.role == "owner"


def test_members_of_other_orgs_get_404_and_non_owners_403(app: Flask, session: Session) -> None:
    org = make_org(session, "Riverton")
    other = make_org(session, "Cedar")
    make_user(session, "owner@riverton.example.org", org, "owner")
    editor = make_user(session, "editor@riverton.example.org", org, "editor")
    make_user(session, "viewer@riverton.example.org", org, "viewer")
    make_user(session, "owner@cedar.example.org", other, "owner")
    session.commit()
    target = membership_of(session, editor.id, org.id)
    assert target is not None
    outsider = app.test_client()
    signin(outsider, "owner@cedar.example.org")
    token = csrf_from(outsider.get("/organization").data)
    assert (
        outsider.post(
            f"/organization/members/{target.id}/remove", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert (
        outsider.post(f"/organizations/{org.id}/switch", data={"csrf_token": token}).status_code
        == 404
    )
    for email in ("editor@riverton.example.org", "viewer@riverton.example.org"):
        member = app.test_client()
        signin(member, email)
        token = csrf_from(member.get("/organization").data)
        assert member.get("/organization/audit").status_code == 403
        assert member.get("/organization/edit").status_code == 403
        assert (
            member.post(
                f"/organization/members/{target.id}/remove", data={"csrf_token": token}
            ).status_code
            == 403
        )
        assert (
            member.post(
                "/organization/invitations",
                data={"csrf_token": token, "email": "x@example.org", "role": "owner"},
            ).status_code
            == 403
        )
    session.expire_all()
    assert membership_of(session, editor.id, org.id) is not None
    assert session.scalar(select(Invitation.id)) is None


def test_user_in_two_organizations_switches(client: FlaskClient, session: Session) -> None:
    first = make_org(session, "Alpha District")
    second = make_org(session, "Beta Afterschool", kind="afterschool_program")
    user = make_user(session, "both@example.org", first, "owner")
    from rubric_app.accounts.operations import add_member

    add_member(session, user=user, org=second, role="viewer")
    session.commit()
    signin(client, "both@example.org")
    page = client.get("/organization").get_data(as_text=True)
    assert "working for <strong>Alpha District</strong>" in page
    assert "Switch organization" in page
    response = post(
        client, f"/organizations/{second.id}/switch", {"next": "/organization"}, "/organization"
    )
    assert response.headers["Location"] == "/organization"
    page = client.get("/organization").get_data(as_text=True)
    assert "working for <strong>Beta Afterschool</strong>" in page
    assert "Only owners can invite" in page


def test_owner_sees_the_paginated_audit_log(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    app.config["PAGE_SIZE"] = 3
    org = make_org(session)
    make_user(session, "owner@example.org", org, "owner", name="Olive Owner")
    session.commit()
    for _ in range(3):
        signin(client, "owner@example.org")
    page1 = client.get("/organization/audit").get_data(as_text=True)
    assert "Signed in" in page1
    assert "Olive Owner" in page1
    assert "Page 1 of 2" in page1
    page2 = client.get("/organization/audit?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in page2
    assert "Added a member" in page2
    assert client.get("/organization/audit?page=99").status_code == 200


def test_editing_the_profile_is_saved_and_audited(client: FlaskClient, session: Session) -> None:
    org = make_org(session, "Old Name")
    make_user(session, "owner@example.org", org, "owner")
    session.commit()
    signin(client, "owner@example.org")
    response = post(client, "/organization/edit", {**ORG_FORM, "state": "OH"}, "/organization/edit")
    assert response.status_code == 302
    session.expire_all()
    saved = session.get(Organization, org.id)
    assert saved is not None
    assert saved.name == ORG_FORM["name"]
    assert saved.enrollment_band == "5k_25k"
    assert (
        session.scalar(select(AuditEvent.id).where(AuditEvent.action == "org.update")) is not None
    )
    assert session.scalar(select(Membership.id)) is not None
