"""The access matrix: role x action x relation, for assessments (draft and submitted) and
organizations, asked of ``rubric_app.access`` directly. The expected tables are written out
here by hand, independently of the policy code.

Relations: "own" (an assessment of the user's organization), "other" (another organization's,
not shared), "shared" (another organization shared it with the user's organization) and
"revoked" (it was shared, then the share was revoked). Role "none" is a signed-in user who
belongs to a third organization only.
"""

from __future__ import annotations

import pytest
from flask import Flask
from helpers import csrf_from, make_org, make_site_admin, make_user, signin, signin_two_step
from sqlalchemy.orm import Session

from rubric_app.access import can, is_site_admin
from rubric_app.accounts.operations import find_user
from rubric_app.accounts.policy import requires_two_step
from rubric_app.accounts.sharing import revoke_share, share_assessment
from rubric_app.assessments import reopen, start_assessment, submit
from rubric_app.models import Assessment, Organization, User
from rubric_app.rubric_versions import latest_version

ROLES = ("owner", "editor", "viewer", "none")
RELATIONS = ("own", "other", "shared", "revoked")
ACTIONS = (
    "view",
    "view_shares",
    "follow_up",
    "edit",
    "submit",
    "reopen",
    "share",
    "plan",
    "delete",
)
STATUSES = ("draft", "submitted")

# What each role may do on its OWN organization's assessment, by status.
OWN = {
    "owner": {
        "draft": {"view", "view_shares", "follow_up", "edit", "submit", "share", "plan", "delete"},
        "submitted": {"view", "view_shares", "follow_up", "reopen", "share", "plan", "delete"},
    },
    "editor": {
        "draft": {"view", "view_shares", "follow_up", "edit", "submit", "share", "plan"},
        "submitted": {"view", "view_shares", "follow_up", "share", "plan"},
    },
    "viewer": {
        "draft": {"view", "view_shares", "follow_up"},
        "submitted": {"view", "view_shares", "follow_up"},
    },
    "none": {"draft": set(), "submitted": set()},
}


def expected(role: str, relation: str, status: str) -> set[str]:
    if relation == "own":
        return OWN[role][status]
    if relation == "shared" and role != "none" and status == "submitted":
        # Any member of the receiving organization reads it; nobody there may act on it.
        return {"view"}
    return set()


def _assessment(session: Session, org: Organization, user: User, status: str) -> Assessment:
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    assessment = start_assessment(
        session, org=org, version=version, title="Review", period="2026-27", user=user
    )
    if status == "submitted":
        submit(session, assessment, user=user)
    return assessment


def _world(session: Session, role: str, relation: str, status: str) -> tuple[User, Assessment]:
    """The user (with ``role`` in Home District) and an assessment related to them."""
    home = make_org(session, "Home District")
    owner_org = make_org(session, "Owner District")
    third = make_org(session, "Bystander Program", kind="afterschool_program")
    author = make_user(session, "author@owner.example.org", owner_org, "owner")
    if role == "none":
        user = make_user(session, "someone@third.example.org", third, "owner")
    else:
        user = make_user(session, "me@home.example.org", home, role)
    if relation == "own":
        make_user(session, "boss@home.example.org", home, "owner")
        return user, _assessment(session, home, user, status)
    assessment = _assessment(session, owner_org, author, "submitted")
    if relation in ("shared", "revoked"):
        share = share_assessment(session, assessment, home, by=author, partner=home.partner_code)
        if relation == "revoked":
            revoke_share(session, share, by=author)
    if status == "draft":
        reopen(session, assessment, user=author)
    session.flush()
    return user, assessment


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES)
def test_assessment_matrix(session: Session, role: str, relation: str) -> None:
    wrong = []
    for status in STATUSES:
        user, assessment = _world(session, role, relation, status)
        assert assessment.status == status
        allowed = expected(role, relation, status)
        for action in ACTIONS:
            answer = can(session, user, action, assessment)  # type: ignore[arg-type]
            if answer != (action in allowed):
                wrong.append(f"{status} {action}: got {answer}")
        session.rollback()
    assert not wrong, f"role={role} relation={relation}: " + "; ".join(wrong)


ORG_ACTIONS = (
    "view",
    "create_assessment",
    "manage_members",
    "view_audit",
    "edit_profile",
    "view_dashboard",
)
OWN_ORG = {
    "owner": {"view", "create_assessment", "manage_members", "view_audit", "edit_profile"},
    "editor": {"view", "create_assessment"},
    "viewer": {"view"},
    "none": set(),
}


@pytest.mark.parametrize("kind", ["district", "state_advocate", "pending_advocate"])
@pytest.mark.parametrize("relation", ["own", "other", "shared"])
@pytest.mark.parametrize("role", ROLES)
def test_organization_matrix(session: Session, role: str, relation: str, kind: str) -> None:
    # A pending advocate is a state advocate no site administrator has verified yet.
    real_kind = "state_advocate" if kind == "pending_advocate" else kind
    verified = kind != "pending_advocate"
    home = make_org(session, "Home", kind=real_kind, verified=verified)
    other = make_org(session, "Other", kind=real_kind, verified=verified)
    third = make_org(session, "Third")
    if role == "none":
        user = make_user(session, "me@example.org", third, "owner")
    else:
        user = make_user(session, "me@example.org", home, role)
    author = make_user(session, "author@example.org", other, "owner")
    target = home
    if relation != "own":
        target = other
    if relation == "shared":
        # Receiving a shared assessment from an organization grants nothing on the organization.
        assessment = _assessment(session, other, author, "submitted")
        if kind != "pending_advocate":  # a pending advocate receives nothing
            share_assessment(session, assessment, home, by=author, partner=home.partner_code)
        session.flush()
    allowed = OWN_ORG[role] if relation == "own" else set()
    if relation == "own" and role != "none" and kind == "state_advocate":
        allowed = allowed | {"view_dashboard"}
    wrong = [
        f"{action}: got {action not in allowed}"
        for action in ORG_ACTIONS
        if can(session, user, action, target) != (action in allowed)  # type: ignore[arg-type]
    ]
    assert not wrong, f"role={role} relation={relation} kind={kind}: " + "; ".join(wrong)


def test_anonymous_user_may_do_nothing(session: Session) -> None:
    org = make_org(session)
    author = make_user(session, "a@example.org", org)
    assessment = _assessment(session, org, author, "submitted")
    for action in ACTIONS:
        assert not can(session, None, action, assessment)  # type: ignore[arg-type]
    for action in ORG_ACTIONS:
        assert not can(session, None, action, org)  # type: ignore[arg-type]


#: The site administration routes: (method, path builder from a pending organization's id).
ADMIN_ROUTES = (
    ("GET", "/admin/organizations"),
    ("POST", "/admin/organizations/{id}/approve"),
    ("POST", "/admin/organizations/{id}/reject"),
    ("GET", "/admin/organizations/unverified"),
    ("POST", "/admin/organizations/verify"),
)
#: Who asks: a site administrator, the roles of an organization (the owner is the owner of a
#: verified state advocate, the strongest organization role), a user without organization.
ADMIN_ASKERS = ("site_admin", "owner", "editor", "viewer", "no_org")


@pytest.mark.parametrize("asker", ADMIN_ASKERS)
def test_site_admin_pages_matrix(app: Flask, session: Session, asker: str) -> None:
    """Only site administrators reach the admin pages; everyone else gets 404 (anonymous: the
    sign-in page), and their posts change nothing."""
    advocate = make_org(session, "Verified Advocates", kind="state_advocate")
    to_approve = make_org(session, "Pending Advocates", kind="state_advocate", verified=False)
    to_reject = make_org(session, "Other Pending", kind="state_advocate", verified=False)
    secret = None
    if asker == "site_admin":
        secret = make_site_admin(session, "admin@site.example.org")
        user = find_user(session, "admin@site.example.org")
        assert user is not None
    elif asker == "no_org":
        user = make_user(session, "nobody@example.org")
    else:
        user = make_user(session, f"{asker}@advocates.example.org", advocate, asker)
    session.commit()
    assert is_site_admin(user) == (asker == "site_admin")
    targets = {"approve": to_approve.id, "reject": to_reject.id}
    urls = [
        (method, path.format(id=targets[path.rsplit("/", 1)[-1]] if "{id}" in path else 0))
        for method, path in ADMIN_ROUTES
    ]
    client = app.test_client()
    if secret is not None:
        signin_two_step(client, user.email, secret)  # a site administrator always has it
    else:
        signin(client, user.email)
    token = csrf_from(client.get("/account").data)
    got = {
        url: (
            client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
        ).status_code
        for method, url in urls
    }
    admin = asker == "site_admin"
    assert got == {url: (200 if method == "GET" else 302) if admin else 404 for method, url in urls}
    session.expire_all()
    approved, rejected = (
        session.get(Organization, to_approve.id),
        session.get(Organization, to_reject.id),
    )
    assert approved is not None
    assert rejected is not None
    assert (approved.verified_at is not None) == admin
    assert (rejected.rejected_at is not None) == admin
    # Anonymous visitors are sent to sign in (GET) or stopped by the CSRF check (POST).
    anonymous = app.test_client()
    for method, url in urls:
        response = anonymous.get(url) if method == "GET" else anonymous.post(url, data={})
        assert response.status_code == (302 if method == "GET" else 400), url
        if method == "GET":
            assert "/signin" in response.headers["Location"]
    assert not is_site_admin(None)


def test_site_administrators_always_need_two_step_sign_in(session: Session) -> None:
    admin = make_user(session, "admin@site.example.org")
    admin.is_site_admin = True
    member = make_user(session, "member@example.org", make_org(session), "owner")
    assert requires_two_step(admin, session)
    assert not requires_two_step(member, session)


def test_an_action_of_the_other_kind_of_target_is_refused(session: Session) -> None:
    # The owner may do everything to both, but never an organization action on an assessment
    # or the reverse: "manage_members" means nothing for an assessment.
    org = make_org(session)
    owner = make_user(session, "owner@example.org", org, "owner")
    assessment = _assessment(session, org, owner, "draft")
    assert can(session, owner, "edit", assessment)
    assert can(session, owner, "manage_members", org)
    assert not can(session, owner, "manage_members", assessment)  # type: ignore[call-overload]
    assert not can(session, owner, "delete", org)  # type: ignore[call-overload]
