"""``Cache-Control: no-store`` on everything a signed-in user sees and on every download.

Walks every GET route of every blueprint as a signed-in owner (with real ids, so the pages
render, and their error answers too), downloads each real export, and checks that static files
keep their own caching and public pages stay cacheable for signed-out visitors.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from reports_fixtures import make_assessment, make_setup
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter, Rule

from rubric_app.accounts.sharing import share_assessment

ADVOCATE = "advocate@vt.example.org"
OWNER = "owner@riverton.example.org"


@pytest.fixture
def app_config() -> dict[str, Any]:
    # One organization shares with the advocate: its view is shown (these tests are about
    # headers, not the small-number rule).
    return {"SUPPRESSION_K": 1}


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    """An owner with two submitted assessments, and a state advocate of Vermont."""
    setup = make_setup(session, email=OWNER)
    later = make_assessment(session, setup.org, setup.owner, period="2026-27")
    advocate = make_org(session, "Vermont Advocates", kind="state_advocate", state="VT")
    make_user(session, ADVOCATE, advocate)
    # Something shared with the advocate, so its downloads are files (an empty view's lead back
    # to the dashboard's notice).
    district = make_org(session, "Burlington School District", state="VT")
    district_owner = make_user(session, "owner@burlington.example.org", district)
    shared = make_assessment(session, district, district_owner)
    share_assessment(session, shared, advocate, by=district_owner)
    session.commit()
    return {"first": setup.assessment.id, "later": later.id, "org": setup.org.id}


def _url(app: Flask, rule: Rule, world: dict[str, Any]) -> str:
    """The rule's URL with a real assessment or organization id where it takes one."""
    values: dict[str, Any] = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if name == "assessment_id":
            values[name] = world["first"]
        elif name == "org_id":
            values[name] = world["org"]
        elif name == "code":
            values[name] = "VT"
        elif isinstance(converter, IntegerConverter):
            values[name] = 999999
        else:
            values[name] = "no-such-key"
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def test_every_response_to_a_signed_in_user_is_no_store(app: Flask, world: dict[str, Any]) -> None:
    owner = app.test_client()
    signin(owner, OWNER)
    statuses: dict[int, int] = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        url = _url(app, rule, world)
        response = owner.get(url)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.headers.get("Cache-Control") == "no-store", (
            f"{url} -> {response.status_code}"
        )
    # The walk reached real pages, not only refusals.
    assert statuses.get(200, 0) > 20, statuses
    # Error pages and refused methods are private too.
    for response in (owner.get("/no-such-page"), owner.delete("/signin")):
        assert response.headers.get("Cache-Control") == "no-store", response.status_code


@pytest.mark.parametrize(
    ("who", "path", "mimetype"),
    [
        (OWNER, "/assessments/{first}.json", "application/json"),
        (OWNER, "/assessments/{first}/report.pdf", "application/pdf"),
        (OWNER, "/compare.csv?ids={first},{later}", "text/csv"),
        (OWNER, "/compare.pdf?ids={first},{later}", "application/pdf"),
        (ADVOCATE, "/states/VT/export.csv", "text/csv"),
        (
            ADVOCATE,
            "/states/VT/export.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (ADVOCATE, "/states/VT/summary.pdf", "application/pdf"),
    ],
)
def test_downloads_are_no_store(
    client: FlaskClient, world: dict[str, Any], who: str, path: str, mimetype: str
) -> None:
    signin(client, who)
    response = client.get(path.format(**world))
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == mimetype
    assert "Content-Disposition" in response.headers
    assert response.headers.get("Cache-Control") == "no-store"


def test_static_files_and_public_pages_keep_their_caching(
    app: Flask, world: dict[str, Any]
) -> None:
    owner = app.test_client()
    signin(owner, OWNER)
    anonymous = app.test_client()
    for client in (owner, anonymous):
        response = client.get("/static/css/app.css")
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")
    for path in ("/", "/signin"):
        response = anonymous.get(path)
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", ""), path
    # The same page is private once signed in.
    assert owner.get("/").headers.get("Cache-Control") == "no-store"
