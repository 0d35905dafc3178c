"""The app beside a broken rubric file: it starts, serves the rest, and says what is wrong.

Each test runs the real app on a copy of ``rubrics/`` in which one file is broken (by default
an item of secure-local-implementation.yaml cites an unknown resource, on line 89).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rubric_app.assessments import start_assessment
from rubric_app.catalog_state import current_catalog
from rubric_app.models import Assessment, RubricVersion
from rubric_app.rubric_versions import latest_version, record_catalog
from rubric_app.rubrics.catalog import load_catalog

REPO_RUBRICS = Path(__file__).resolve().parents[2] / "rubrics"
BROKEN_ID = "secure-local-implementation"
BROKEN_FILE = f"{BROKEN_ID}.yaml"
BROKEN_LINE = 89


def break_file(folder: Path, name: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    if name == "resources.yaml":
        path.write_text(text.replace("resources:", "resources: [", 1), encoding="utf-8")
        return
    lines = text.splitlines(keepends=True)
    assert lines[BROKEN_LINE - 1].strip() == "basis: [secure-local-rubric]"
    lines[BROKEN_LINE - 1] = lines[BROKEN_LINE - 1].replace("secure-local-rubric", "no-such-id")
    path.write_text("".join(lines), encoding="utf-8")


@pytest.fixture
def broken(request: pytest.FixtureRequest) -> str:
    """The file to break (parametrize indirectly to choose another)."""
    return str(getattr(request, "param", BROKEN_FILE))


@pytest.fixture
def app_config(tmp_path: Path, broken: str) -> dict[str, Any]:
    folder = tmp_path / "rubrics"
    shutil.copytree(REPO_RUBRICS, folder)
    break_file(folder, broken)
    return {"RUBRICS_DIR": str(folder)}


def store_every_real_version(session: Session) -> None:
    # The SQLite template already holds them; on PostgreSQL the app fixture recorded only the
    # catalog it started with (without the broken file), as a deployment that ran
    # `flask rubrics load` before the file broke would have them.
    record_catalog(session, load_catalog(REPO_RUBRICS))
    session.commit()


def test_app_starts_logs_and_serves_the_other_rubrics(
    caplog: pytest.LogCaptureFixture, client: FlaskClient
) -> None:
    assert BROKEN_ID not in current_catalog().rubrics
    assert set(current_catalog().rubrics) == set(load_catalog(REPO_RUBRICS).rubrics) - {BROKEN_ID}
    # The app was created (and logged) while the fixtures were set up.
    records = caplog.get_records("setup")
    logged = [r.getMessage() for r in records if r.levelno >= logging.ERROR]
    assert any(
        f"{BROKEN_FILE}:{BROKEN_LINE}:" in line and "[unknown-resource]" in line for line in logged
    ), logged
    home = client.get("/")
    assert home.status_code == 200
    page = home.get_data(as_text=True)
    for rubric in current_catalog().rubrics.values():
        assert rubric.title in page
    assert client.get("/rubrics/campus-policing-21cp").status_code == 200


def test_assessment_pinned_to_the_broken_rubric_keeps_working(
    client: FlaskClient, session: Session
) -> None:
    store_every_real_version(session)
    org = make_org(session)
    user = make_user(session, "owner@example.org", org)
    version = latest_version(session, BROKEN_ID)
    assert version is not None
    assessment = start_assessment(
        session, org=org, version=version, title="Ours", period="2026-27", user=user
    )
    session.commit()
    signin(client, "owner@example.org")
    first_section = load_catalog(REPO_RUBRICS).rubrics[BROKEN_ID].sections[0].id
    for url in (
        "/assessments",
        f"/assessments/{assessment.id}",
        f"/assessments/{assessment.id}/sections/{first_section}",
        f"/assessments/{assessment.id}/report",
        f"/rubrics/{BROKEN_ID}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    method = client.get(f"/rubrics/{BROKEN_ID}").get_data(as_text=True)
    assert f"version {version.version}" in method
    assert session.get(Assessment, assessment.id) is not None


def test_healthz_is_degraded_and_names_the_file(
    client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    response = client.get("/healthz")
    # 200 on purpose: every instance has the same file, and the rest of the site works.
    assert response.status_code == 200
    versions = session.scalar(select(func.count()).select_from(RubricVersion))
    assert response.json == {
        "status": "degraded",
        "database": "ok",
        "rubric_versions": versions,
        "broken_rubric_files": [
            {"file": BROKEN_FILE, "line": BROKEN_LINE, "code": "unknown-resource", "errors": 1}
        ],
    }
    # No server path leaks to this unauthenticated page.
    assert str(tmp_path) not in response.get_data(as_text=True)


def test_owners_see_a_notice_naming_the_file(client: FlaskClient, session: Session) -> None:
    org = make_org(session)
    make_user(session, "owner@example.org", org, role="owner")
    make_user(session, "editor@example.org", org, role="editor")
    session.commit()
    notice = "rubric file could not be loaded"
    anonymous = client.get("/rubrics/campus-policing-21cp").get_data(as_text=True)
    assert notice not in anonymous
    signin(client, "editor@example.org")
    for url in ("/rubrics/campus-policing-21cp", "/assessments/new"):
        assert notice not in client.get(url).get_data(as_text=True), url
    client.post("/signout", data={"csrf_token": _token(client)})
    signin(client, "owner@example.org")
    for url in ("/rubrics/campus-policing-21cp", "/assessments/new"):
        page = client.get(url).get_data(as_text=True)
        assert notice in page, url
        assert f"<code>{BROKEN_FILE}</code>, line {BROKEN_LINE}" in page, url
        assert "[unknown-resource]" in page, url
    start = client.get("/assessments/new").get_data(as_text=True)
    assert f'value="{BROKEN_ID}"' not in start
    assert 'value="secure-state-local-policy"' in start


def _token(client: FlaskClient) -> str:
    from helpers import csrf_from

    return csrf_from(client.get("/").data)


@pytest.mark.parametrize("broken", ["resources.yaml"], indirect=True)
def test_a_broken_resource_library_keeps_the_rubrics_and_degrades(
    client: FlaskClient, session: Session
) -> None:
    assert set(current_catalog().rubrics) == set(load_catalog(REPO_RUBRICS).rubrics)
    assert len(current_catalog().resources) == 0
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json is not None
    assert health.json["status"] == "degraded"
    assert [f["file"] for f in health.json["broken_rubric_files"]] == ["resources.yaml"]
    assert health.json["broken_rubric_files"][0]["code"] == "yaml-syntax"
    for url in ("/", f"/rubrics/{BROKEN_ID}", "/resources"):
        assert client.get(url).status_code == 200, url
