"""`flask users create` and `flask orgs create|list` go through the account operations."""

from __future__ import annotations

import datetime as dt

import pyotp
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.accounts.operations import find_user, membership_of
from rubric_app.models import Organization


def test_orgs_create_with_peer_attributes_then_user_joins_by_name(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(
        args=[
            "orgs", "create", "--name", "Harbor Point Schools", "--kind", "district",
            "--state", "me", "--nces-id", "2301234", "--enrollment-band", "1k_5k",
            "--locale", "town", "--sro-model", "sheriff",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    org = session.scalar(select(Organization).where(Organization.name == "Harbor Point Schools"))
    assert org is not None
    assert (org.state, org.nces_id, org.enrollment_band, org.locale, org.sro_model) == (
        "ME", "2301234", "1k_5k", "town", "sheriff",
    )  # fmt: skip
    result = runner.invoke(
        args=[
            "users", "create", "--email", " Kim@Harbor.example.org", "--name", "Kim Lee",
            "--org", "Harbor Point Schools", "--role", "editor",
            "--password", "a long enough password",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = find_user(session, "kim@harbor.example.org")
    assert user is not None
    assert user.password_hash.startswith("$argon2id$")
    membership = membership_of(session, user.id, org.id)
    assert membership is not None
    assert membership.role == "editor"
    listing = runner.invoke(args=["orgs", "list"])
    line = next(line for line in listing.output.splitlines() if "Harbor Point Schools" in line)
    assert line.split()[:5] == [str(org.id), "ME", "district", "not_needed", "1"]
    # A state advocate's vetting shows too: an operator sees who waits for approval.
    runner.invoke(
        args=[
            "orgs",
            "create",
            "--name",
            "Pine Tree Voices",
            "--kind",
            "state_advocate",
            "--state",
            "ME",
        ]
    )
    listing = runner.invoke(args=["orgs", "list"])
    line = next(line for line in listing.output.splitlines() if "Pine Tree Voices" in line)
    assert line.split()[2:4] == ["state_advocate", "pending"]


def test_users_create_refuses_taken_email_unknown_org_and_short_password(
    runner: FlaskCliRunner, session: Session
) -> None:
    base = ["users", "create", "--name", "Kim", "--password", "a long enough password"]
    assert runner.invoke(args=[*base, "--email", "kim@example.org"]).exit_code == 0
    taken = runner.invoke(args=[*base, "--email", "KIM@example.org"])
    assert taken.exit_code == 1
    assert "already exists" in taken.output
    unknown = runner.invoke(args=[*base, "--email", "new@example.org", "--org", "Nowhere"])
    assert unknown.exit_code == 1
    assert "No organization with id or name 'Nowhere'" in unknown.output
    assert find_user(session, "new@example.org") is None
    short = runner.invoke(
        args=["users", "create", "--name", "S", "--email", "s@example.org", "--password", "short"]
    )
    assert short.exit_code == 1
    assert "at least 10 characters" in short.output


def test_orgs_create_refuses_bad_ids(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["orgs", "create", "--name", "X", "--kind", "college", "--state", "OH",
              "--nces-id", "12"]
    )  # fmt: skip
    assert result.exit_code == 1
    assert "IPEDS unit id has 6 digits" in result.output


def test_reset_two_step_lets_a_user_who_must_use_it_move_to_a_new_phone(
    runner: FlaskCliRunner, session: Session
) -> None:
    """No page can turn two-step off for a site administrator (or a member whose organization
    requires it); the operator's reset does, ends their sessions, and the next sign-in sets it
    up again."""
    from flask import current_app

    from rubric_app.accounts import two_step
    from rubric_app.models import UserSession, utcnow

    result = runner.invoke(
        args=[
            "users", "create", "--email", "admin@site.example.org", "--name", "Sam Admin",
            "--site-admin", "--password", "long enough password",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = find_user(session, "admin@site.example.org")
    assert user is not None
    with current_app.test_request_context():
        secret = two_step.begin_enrolment(session, user)
        two_step.confirm_enrolment(session, user, pyotp.TOTP(secret).now())
    session.add(
        UserSession(
            user_id=user.id, token_hash="x" * 64, expires_at=utcnow() + dt.timedelta(days=1)
        )
    )
    session.commit()
    assert two_step.is_enabled(user)

    result = runner.invoke(args=["users", "reset-two-step", "Admin@Site.example.org"])
    assert result.exit_code == 0, result.output
    assert "Two-step sign-in is off for admin@site.example.org" in result.output
    session.expire_all()
    assert not two_step.is_enabled(user)
    live = session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    ).all()
    assert live == []
    again = runner.invoke(args=["users", "reset-two-step", "nobody@site.example.org"])
    assert again.exit_code == 1
