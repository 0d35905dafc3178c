"""Comparing assessments: chooser, side by side, trend, different rubrics, CSV and PDF, access."""

from __future__ import annotations

import csv
import io
import random
from typing import Any

import pytest
from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from pypdf import PdfReader
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import revoke_share, share_assessment
from rubric_app.assessments import (
    ItemChange,
    load_answers,
    rubric_for,
    save_items,
    start_assessment,
    submit,
)
from rubric_app.compare.view import format_points
from rubric_app.demo import generate_states
from rubric_app.models import Assessment, Organization, User
from rubric_app.rubric_versions import latest_version, rubric_of
from rubric_app.scoring import score_assessment

LOCAL = "secure-local-implementation"
AFTERSCHOOL = "afterschool-law-enforcement-partnership"


def _make(
    session: Session,
    org: Organization,
    user: User,
    rubric_id: str,
    period: str,
    maturity: float,
    *,
    submit_it: bool = True,
) -> Assessment:
    version = latest_version(session, rubric_id)
    assert version is not None
    assessment = start_assessment(
        session, org=org, version=version, title=f"Review {period}", period=period, user=user
    )
    states = generate_states(rubric_of(version), random.Random(f"{org.id}-{period}"), maturity)
    save_items(session, assessment, [ItemChange(i, s, None) for i, s in states.items()], user=user)
    if submit_it:
        submit(session, assessment, user=user)
    return assessment


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    home = make_org(session, "=Home District")
    me = make_user(session, "me@home.example.org", home)
    partner = make_org(session, "Partner Youth Club", kind="afterschool_program")
    partner_user = make_user(session, "lead@partner.example.org", partner)
    stranger = make_org(session, "Stranger District")
    stranger_user = make_user(session, "x@stranger.example.org", stranger)
    old = _make(session, home, me, LOCAL, "2024-25", 0.3)
    new = _make(session, home, me, LOCAL, "2025-26", 0.8, submit_it=False)
    shared = _make(session, partner, partner_user, AFTERSCHOOL, "2025-26", 0.5)
    share_assessment(session, shared, home, by=partner_user, partner=home.partner_code)
    revoked = _make(session, partner, partner_user, AFTERSCHOOL, "2024-25", 0.5)
    revoke_share(
        session,
        share_assessment(session, revoked, home, by=partner_user, partner=home.partner_code),
        by=None,
    )
    private = _make(session, stranger, stranger_user, LOCAL, "2025-26", 0.5)
    session.commit()
    return {"old": old, "new": new, "shared": shared, "revoked": revoked, "private": private}


def test_chooser_lists_own_and_shared_only(client: FlaskClient, world: dict[str, Any]) -> None:
    signin(client, "me@home.example.org")
    page = client.get("/compare").get_data(as_text=True)
    assert 'type="checkbox"' in page
    for key in ("old", "new", "shared"):
        assert f'value="{world[key].id}"' in page
    for key in ("revoked", "private"):
        assert f'value="{world[key].id}"' not in page
    assert "Shared with you" in page


def test_own_assessments_across_periods(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    signin(client, "me@home.example.org")
    old, new = world["old"], world["new"]
    response = client.get(f"/compare?ids={old.id}&ids={new.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    expected_old = score_assessment(rubric_for(old), load_answers(session, old)).percent
    expected_new = score_assessment(rubric_for(new), load_answers(session, new)).percent
    assert expected_old is not None
    assert expected_new is not None
    assert expected_new > expected_old + 1
    assert format_points(expected_old) in page
    assert format_points(expected_new) in page
    assert f"▲ {expected_new - expected_old:+.0f} points (better)" in page
    assert "Trend" in page
    assert "(baseline)" in page
    # Same rubric: item-level ratings, with the chosen options in words.
    assert "Written MOU or policy: " in page
    assert "compare-items" in page


def test_different_rubrics_compare_by_action_step(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    signin(client, "me@home.example.org")
    page = client.get(f"/compare?ids={world['old'].id},{world['shared'].id}").get_data(as_text=True)
    assert "compared by SECURe action step" in page
    assert "Build lasting partnerships" in page  # a shared section id
    assert "Trend" not in page


@pytest.mark.parametrize("key", ["revoked", "private"])
def test_unseeable_assessments_are_404(
    client: FlaskClient, world: dict[str, Any], key: str
) -> None:
    signin(client, "me@home.example.org")
    ids = f"{world['old'].id},{world[key].id}"
    for url in (f"/compare?ids={ids}", f"/compare.csv?ids={ids}", f"/compare.pdf?ids={ids}"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/compare?ids={world['old'].id},999999").status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("ids=1", "Choose at least 2 assessments"),
        ("ids=1,2,3,4,5", "Choose at most 4 assessments to compare (you chose 5)"),
        ("ids=1,abc", "“abc” is not an assessment number."),
    ],
)
def test_bad_choices_get_clear_errors(
    client: FlaskClient, world: dict[str, Any], query: str, message: str
) -> None:
    signin(client, "me@home.example.org")
    response = client.get(f"/compare?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_csv_and_pdf(client: FlaskClient, world: dict[str, Any]) -> None:
    signin(client, "me@home.example.org")
    ids = f"{world['old'].id},{world['new'].id}"
    response = client.get(f"/compare.csv?ids={ids}")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][3].startswith("'=Home District")  # a formula-like name is neutralized
    assert rows[1][1] == "Overall"
    assert "(better)" in rows[1][6]
    pdf = PdfReader(io.BytesIO(client.get(f"/compare.pdf?ids={ids}").data))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Comparison of 2 assessments" in text
    assert "better" in text
