"""The `flask rubrics|demo|users|orgs` commands, run through Flask's CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rubric_app.accounts.passwords import verify_password
from rubric_app.catalog_state import current_catalog
from rubric_app.models import Assessment, Membership, Organization, RubricVersion, Share, User

REPO_RUBRICS = Path(__file__).resolve().parents[2] / "rubrics"


def test_validate_passes_on_the_shipped_rubrics(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["rubrics", "validate"])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_validate_reports_file_line_and_code_and_exits_1(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\nversion: '1'\ntitle: Broken\nsurprise: true\n")
    result = runner.invoke(args=["rubrics", "validate", str(broken)])
    assert result.exit_code == 1
    assert "broken.yaml:4" in result.output
    assert "[unknown-key]" in result.output
    assert "[missing-key]" in result.output


def test_list_prints_every_rubric_with_counts(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["rubrics", "list"])
    assert result.exit_code == 0
    for rubric in current_catalog().rubrics.values():
        line = next(line for line in result.output.splitlines() if line.startswith(rubric.id))
        assert rubric.version in line
        assert f" {len(rubric.items)} " in line


def test_load_is_idempotent(runner: FlaskCliRunner, session: Session) -> None:
    before = session.scalar(select(func.count()).select_from(RubricVersion))
    result = runner.invoke(args=["rubrics", "load"])
    assert result.exit_code == 0
    assert "unchanged" in result.output
    assert "added" not in result.output
    assert session.scalar(select(func.count()).select_from(RubricVersion)) == before


def test_load_refuses_changed_content_without_a_version_bump(
    runner: FlaskCliRunner, session: Session
) -> None:
    version = session.scalar(
        select(RubricVersion).where(RubricVersion.rubric_key == "secure-local-implementation")
    )
    assert version is not None
    version.content_hash = "0" * 64  # as if an earlier, different text had been loaded
    session.commit()
    result = runner.invoke(args=["rubrics", "load"])
    assert result.exit_code == 1
    assert "Bump `version:`" in result.output


def test_demo_seed_creates_a_small_state_and_is_repeatable(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(args=["demo", "seed", "--password", "demo-password-123"])
    assert result.exit_code == 0, result.output
    assert "admin@riverton.example.org" in result.output
    assert "demo-password-123" in result.output
    kinds = set(session.scalars(select(Organization.kind)))
    assert {"state_advocate", "district", "afterschool_program"} <= kinds
    statuses = set(session.scalars(select(Assessment.status)))
    assert statuses == {"draft", "submitted"}
    assert session.scalar(select(func.count()).select_from(Share)) >= 2
    counts = (
        session.scalar(select(func.count()).select_from(User)),
        session.scalar(select(func.count()).select_from(Assessment)),
    )
    again = runner.invoke(args=["demo", "seed", "--password", "demo-password-123"])
    assert again.exit_code == 0
    assert (
        session.scalar(select(func.count()).select_from(User)),
        session.scalar(select(func.count()).select_from(Assessment)),
    ) == counts


def test_demo_seed_prints_a_random_password_when_none_given(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0
    password_line = next(line for line in result.output.splitlines() if "password:" in line)
    assert len(password_line.split("password:")[1].strip()) >= 12


def _printed_password(output: str) -> str:
    line = next(line for line in output.splitlines() if line.strip().startswith("password:"))
    return line.split("password:")[1].strip()


def _admin_hash(session: Session) -> str:
    session.expire_all()
    user = session.scalar(select(User).where(User.email == "admin@riverton.example.org"))
    assert user is not None
    return user.password_hash


def test_demo_seed_prints_the_same_working_password_every_run(
    runner: FlaskCliRunner, session: Session
) -> None:
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    password = _printed_password(first.output)
    kept = Path(runner.app.instance_path) / "demo_password"
    assert kept.read_text().strip() == password
    assert kept.stat().st_mode & 0o777 == 0o600
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0, again.output
    assert _printed_password(again.output) == password
    assert verify_password(_admin_hash(session), password)


def test_demo_seed_sets_the_demo_accounts_to_the_password_it_prints(
    runner: FlaskCliRunner, session: Session
) -> None:
    assert runner.invoke(args=["demo", "seed", "--password", "first-demo-password"]).exit_code == 0
    assert verify_password(_admin_hash(session), "first-demo-password")
    # Seeding again with another password (or after someone changed theirs) sets it back, so
    # the printed logins are never wrong.
    again = runner.invoke(args=["demo", "seed", "--password", "second-demo-password"])
    assert again.exit_code == 0, again.output
    assert _printed_password(again.output) == "second-demo-password"
    assert verify_password(_admin_hash(session), "second-demo-password")
    assert not verify_password(_admin_hash(session), "first-demo-password")


def test_orgs_and_users_create(runner: FlaskCliRunner, session: Session) -> None:
    result = runner.invoke(
        args=["orgs", "create", "--name", "Maple Schools", "--kind", "district", "--state", "vt"]
    )
    assert result.exit_code == 0, result.output
    org = session.scalar(select(Organization).where(Organization.name == "Maple Schools"))
    assert org is not None
    assert org.state == "VT"
    result = runner.invoke(
        args=[
            "users", "create", "--email", "Lee@Maple.example.org", "--name", "Lee",
            "--org", str(org.id), "--role", "editor", "--password", "long enough password",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "lee@maple.example.org"))
    assert user is not None
    assert user.password_hash.startswith("$argon2id$")
    role = session.scalar(select(Membership.role).where(Membership.user_id == user.id))
    assert role == "editor"


@pytest.mark.parametrize(
    ("email", "name", "says"),
    [
        ("not-an-email", "Lee", "is not a valid email address"),
        ("lee@maple.example.org", "Lee\x1bEvil", "invisible control character (U+001B)"),
    ],
)
def test_users_create_checks_what_the_sign_up_form_checks(
    runner: FlaskCliRunner, session: Session, email: str, name: str, says: str
) -> None:
    args = ["users", "create", "--email", email, "--name", name, "--password", "long enough pw"]
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert says in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_orgs_create_rejects_a_bad_state(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["orgs", "create", "--name", "X", "--kind", "district", "--state", "ZZ"]
    )
    assert result.exit_code == 1
    assert "not a two-letter US state code" in result.output


def test_orgs_create_refuses_a_look_alike_name_as_the_web_form_does(
    runner: FlaskCliRunner,
) -> None:
    result = runner.invoke(
        args=[
            "orgs",
            "create",
            "--name",
            "Maple Sch\u043eols",
            "--kind",
            "district",
            "--state",
            "VT",
        ]
    )
    assert result.exit_code == 1
    assert "mixes Cyrillic and Latin letters" in result.output


def test_demo_seed_orgs_tops_up_a_synthetic_state(runner: FlaskCliRunner, session: Session) -> None:
    result = runner.invoke(args=["demo", "seed", "--password", "pw-top-up-6-orgs", "--orgs", "6"])
    assert result.exit_code == 0, result.output
    ohio = select(func.count()).select_from(Organization).where(Organization.state == "OH")
    after_first = session.scalar(ohio)
    again = runner.invoke(args=["demo", "seed", "--password", "pw-top-up-6-orgs", "--orgs", "8"])
    assert again.exit_code == 0, again.output
    assert session.scalar(ohio) == (after_first or 0) + 2
    third = runner.invoke(args=["demo", "seed", "--password", "pw-top-up-6-orgs", "--orgs", "8"])
    assert "already has 8" in third.output
    assert session.scalar(ohio) == (after_first or 0) + 2
