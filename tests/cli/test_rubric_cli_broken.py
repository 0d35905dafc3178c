"""`flask rubrics validate|list|load` with a broken file in the rubrics folder, and elsewhere.

Through Flask's CLI runner on an app whose RUBRICS_DIR holds a broken file, and once through a
real ``flask`` process, since the bug was that create_app raised before any command ran.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask.testing import FlaskCliRunner
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from rubric_app.models import RubricVersion

ROOT = Path(__file__).resolve().parents[2]
REPO_RUBRICS = ROOT / "rubrics"
BROKEN_FILE = "secure-local-implementation.yaml"
BROKEN_LINE = 89


def break_file(folder: Path) -> None:
    path = folder / BROKEN_FILE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[BROKEN_LINE - 1].strip() == "basis: [secure-local-rubric]"
    lines[BROKEN_LINE - 1] = lines[BROKEN_LINE - 1].replace("secure-local-rubric", "no-such-id")
    path.write_text("".join(lines), encoding="utf-8")


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    folder = tmp_path / "rubrics"
    shutil.copytree(REPO_RUBRICS, folder)
    break_file(folder)
    return {"RUBRICS_DIR": str(folder)}


def assert_located_failure(result: Result) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # exited on purpose, no exception escaped
    assert "Traceback" not in result.output
    assert f"{BROKEN_FILE}:{BROKEN_LINE}: sections[0].items[0].basis[0]:" in result.output
    assert "[unknown-resource]" in result.output


def test_validate_reports_the_broken_file(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["rubrics", "validate"])
    assert_located_failure(result)
    assert "are valid" not in result.output


def test_list_shows_the_rest_and_fails(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["rubrics", "list"])
    assert_located_failure(result)
    assert any(line.startswith("campus-policing-21cp ") for line in result.output.splitlines())
    assert not any(
        line.startswith("secure-local-implementation ") for line in result.output.splitlines()
    )
    assert f"Not loaded: {BROKEN_FILE}." in result.output


def test_load_records_the_rest_and_fails(runner: FlaskCliRunner, session: Session) -> None:
    session.execute(delete(RubricVersion))  # a fresh database: nothing loaded yet
    session.commit()
    result = runner.invoke(args=["rubrics", "load"])
    assert_located_failure(result)
    stored = set(session.scalars(select(RubricVersion.rubric_key)))
    assert "campus-policing-21cp" in stored
    assert "secure-local-implementation" not in stored


def test_load_records_nothing_when_the_library_is_broken(
    runner: FlaskCliRunner, session: Session, app_config: dict[str, Any]
) -> None:
    library = Path(app_config["RUBRICS_DIR"]) / "resources.yaml"
    library.write_text("resources: [\n", encoding="utf-8")
    session.execute(delete(RubricVersion))
    session.commit()
    result = runner.invoke(args=["rubrics", "load"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "resources.yaml:2:" in result.output
    assert "Nothing recorded" in result.output
    assert session.scalar(select(func.count()).select_from(RubricVersion)) == 0


def test_other_commands_still_run(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["orgs", "list"])
    assert result.exit_code == 0, result.output


# --- a file outside the rubrics folder --------------------------------------------------------


OUTSIDE = textwrap.dedent(
    """\
    id: outside
    version: "1"
    title: Outside
    summary: S
    audience: [district]
    issuer: [I]
    status_note: N
    dimensions: [{id: policy, label: Policy}]
    scales:
      - id: s
        label: S
        options: [{key: a, label: A, points: 0}, {key: b, label: B, points: 1}]
    sections:
      - id: one
        title: One
        items:
          - id: q
            prompt: Q
            scale: s
            basis: [no-such-resource]
    scoring:
      levels: [{id: all, label: All, min: 0, max: 100}]
    """
)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "other" / "dir"
    folder.mkdir(parents=True)
    path = folder / "file.yaml"
    path.write_text(OUTSIDE, encoding="utf-8")
    return path


def test_outside_file_with_an_unknown_resource_fails_against_the_configured_library(
    runner: FlaskCliRunner, outside: Path
) -> None:
    result = runner.invoke(args=["rubrics", "validate", str(outside)])
    assert result.exit_code == 1, result.output
    assert f"{outside}:20: sections[0].items[0].basis[0]: no resource" in result.output
    assert "[unknown-resource]" in result.output
    assert "are valid" not in result.output


def test_outside_file_with_an_unknown_resource_fails_with_resources_option(
    runner: FlaskCliRunner, outside: Path
) -> None:
    result = runner.invoke(
        args=[
            "rubrics",
            "validate",
            str(outside),
            "--resources",
            str(REPO_RUBRICS / "resources.yaml"),
        ]
    )
    assert result.exit_code == 1, result.output
    assert f"{outside}:20: sections[0].items[0].basis[0]: no resource" in result.output
    fixed = outside.read_text(encoding="utf-8").replace("no-such-resource", "secure-local-rubric")
    outside.write_text(fixed, encoding="utf-8")
    result = runner.invoke(
        args=[
            "rubrics",
            "validate",
            str(outside),
            "--resources",
            str(REPO_RUBRICS / "resources.yaml"),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "are valid" in result.output


def test_outside_file_is_never_valid_when_no_library_can_be_read(
    runner: FlaskCliRunner, outside: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere" / "resources.yaml"
    result = runner.invoke(args=["rubrics", "validate", str(outside), "--resources", str(missing)])
    assert result.exit_code == 1, result.output
    assert "[missing-file]" in result.output
    assert "[resources-unchecked]" in result.output
    assert "are valid" not in result.output


# --- a real `flask` process -------------------------------------------------------------------


def run_flask(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    folder = tmp_path / "rubrics"
    if not folder.exists():
        shutil.copytree(REPO_RUBRICS, folder)
        break_file(folder)
    env = {
        **os.environ,
        "RUBRIC_APP_RUBRICS_DIR": str(folder),
        "RUBRIC_APP_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "SECRET_KEY": "test-secret-key-not-for-production",
    }
    return subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_real_flask_process_starts_beside_a_broken_file(tmp_path: Path) -> None:
    for command in (["rubrics", "validate"], ["rubrics", "list"]):
        result = run_flask(tmp_path, *command)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        assert f"{BROKEN_FILE}:{BROKEN_LINE}:" in result.stderr
        assert "[unknown-resource]" in result.stderr
    help_text = run_flask(tmp_path, "--help")
    assert help_text.returncode == 0, help_text.stderr
    assert "Traceback" not in help_text.stderr
