"""`flask users create --site-admin`, `flask orgs verify` and the demo's verified advocates."""

from __future__ import annotations

from flask.testing import FlaskCliRunner
from helpers import make_org
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.accounts.operations import find_user
from rubric_app.accounts.vetting import verification_status
from rubric_app.models import AuditEvent, Organization, User

PASSWORD = ["--password", "a long enough password"]


def test_users_create_site_admin(runner: FlaskCliRunner, session: Session) -> None:
    result = runner.invoke(
        args=["users", "create", "--email", "Root@Site.example.org", "--name", "Robin",
              "--site-admin", *PASSWORD]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "as a site administrator" in result.output
    admin = find_user(session, "root@site.example.org")
    assert admin is not None
    assert admin.is_site_admin
    assert admin.email_verified_at is not None
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.site_admin"))
    assert event is not None
    assert event.target == f"user:{admin.id}"
    # Without the flag, nobody becomes one.
    plain = runner.invoke(args=["users", "create", "--email", "kim@x.example.org", "--name", "K",
                                *PASSWORD])  # fmt: skip
    assert plain.exit_code == 0
    kim = find_user(session, "kim@x.example.org")
    assert kim is not None
    assert not kim.is_site_admin


def test_orgs_verify_by_name_or_id_and_refuses_a_clash(
    runner: FlaskCliRunner, session: Session
) -> None:
    created = runner.invoke(
        args=["orgs", "create", "--name", "Granite Youth Justice", "--kind", "state_advocate",
              "--state", "NH"]
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    org = session.scalar(select(Organization).where(Organization.name == "Granite Youth Justice"))
    assert org is not None
    assert verification_status(org) == "pending"
    result = runner.invoke(args=["orgs", "verify", "Granite Youth Justice"])
    assert result.exit_code == 0, result.output
    assert "is now verified" in result.output
    session.expire_all()
    assert verification_status(org) == "verified"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "org.verify"))
    assert event is not None
    assert (event.org_id, event.user_id, event.detail["via"]) == (org.id, None, "cli")
    again = runner.invoke(args=["orgs", "verify", str(org.id)])
    assert again.exit_code == 0
    assert "was already verified" in again.output
    # A second one of the same name (by case) cannot be verified too.
    twin = make_org(session, "GRANITE youth justice", kind="state_advocate", state="NH",
                    verified=False)  # fmt: skip
    session.commit()
    clash = runner.invoke(args=["orgs", "verify", str(twin.id)])
    assert clash.exit_code == 1
    assert "cannot share a name" in clash.output
    session.expire_all()
    assert verification_status(twin) == "pending"
    unknown = runner.invoke(args=["orgs", "verify", "Nowhere"])
    assert unknown.exit_code == 1
    assert "No organization with id or name 'Nowhere'" in unknown.output


def test_demo_seed_verifies_its_advocate_and_prints_a_site_admin(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(args=["demo", "seed", "--password", "demo-password-123"])
    assert result.exit_code == 0, result.output
    assert "siteadmin@rubric.example.org" in result.output
    advocate = session.scalar(
        select(Organization).where(Organization.name == "Buckeye Youth Justice Coalition")
    )
    assert advocate is not None
    assert verification_status(advocate) == "verified"
    admin = session.scalar(select(User).where(User.email == "siteadmin@rubric.example.org"))
    assert admin is not None
    assert admin.is_site_admin
    # The demo also has one request waiting for the site administrator.
    pending = session.scalar(
        select(Organization).where(Organization.name == "Lake Erie Youth Advocacy Network")
    )
    assert pending is not None
    assert verification_status(pending) == "pending"
    again = runner.invoke(args=["demo", "seed", "--password", "demo-password-123"])
    assert again.exit_code == 0, again.output
    synthetic = runner.invoke(args=["demo", "seed", "--orgs", "3", "--state", "VT",
                                    "--password", "demo-password-123"])  # fmt: skip
    assert synthetic.exit_code == 0, synthetic.output
    vermont = session.scalar(
        select(Organization).where(
            Organization.state == "VT", Organization.kind == "state_advocate"
        )
    )
    assert vermont is not None
    assert verification_status(vermont) == "verified"
