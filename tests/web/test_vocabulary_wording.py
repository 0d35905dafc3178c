"""One wording per term: the profile, the state dashboard and its export word a band alike.

The issue found the profile saying "1,000 to 4,999 students" and the dashboard "1,000 to 5,000";
both now read ``rubric_app.vocabulary``.
"""

from __future__ import annotations

import csv
import io
import random
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import share_assessment
from rubric_app.assessments import ItemChange, save_items, start_assessment, submit
from rubric_app.demo import generate_states
from rubric_app.rubric_versions import latest_version, rubric_of

RUBRIC = "secure-local-implementation"
BAND = "1,000 to 4,999 students"
STAFFING = "City or county police"


@pytest.fixture
def shared(session: Session) -> None:
    advocate = make_org(session, "Ohio Youth Advocates", kind="state_advocate", state="OH")
    make_user(session, "advocate@oh.example.org", advocate)
    org = make_org(
        session, "Lakeview District", state="OH", enrollment_band="1k_5k", sro_model="local_police"
    )
    owner = make_user(session, "owner@lakeview.example.org", org, "owner")
    version = latest_version(session, RUBRIC)
    assert version is not None
    assessment = start_assessment(
        session, org=org, version=version, title="Review", period="2025-26", user=owner
    )
    states = generate_states(rubric_of(version), random.Random(1), 0.5)
    save_items(session, assessment, [ItemChange(i, s, None) for i, s in states.items()], user=owner)
    submit(session, assessment, user=owner)
    share_assessment(session, assessment, advocate, by=owner, named=True)
    session.commit()


@pytest.mark.parametrize("app_config", [{"SUPPRESSION_K": 1}])
def test_profile_dashboard_and_export_word_the_band_and_staffing_alike(
    app: Flask, client: FlaskClient, shared: None, app_config: dict[str, Any]
) -> None:
    signin(client, "owner@lakeview.example.org")
    profile = client.get("/organization").get_data(as_text=True)
    assert BAND in profile
    assert STAFFING in profile

    advocate = app.test_client()
    signin(advocate, "advocate@oh.example.org")
    dashboard = advocate.get("/states/OH/dashboard?period=2025-26")
    assert dashboard.status_code == 200
    page = dashboard.get_data(as_text=True)
    assert f">{BAND}</option>" in page
    assert f">{STAFFING}</option>" in page
    assert "1,000 to 5,000" not in page
    text = advocate.get("/states/OH/export.csv?period=2025-26").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows
    assert {row["enrollment_band"] for row in rows} == {BAND}
