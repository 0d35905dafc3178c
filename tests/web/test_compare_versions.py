"""Comparisons over a rubric version bump line items up (issue 19, item 4): identical item ids
match by default, and a version crosswalk maps a renamed item, read against the *stored* older
version (its file is gone) with every paired item checked. The report's "planned against
achieved" follows an action's item into the new version the same way.

The older version is built here from the current local implementation rubric, with the
discipline item renamed; the crosswalk lives in a temporary frameworks folder.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from helpers import make_org, make_user, signin
from sqlalchemy.orm import Session

from rubric_app.assessments import ItemChange, ItemState, save_items, start_assessment, submit
from rubric_app.catalog_state import current_catalog
from rubric_app.models import Assessment, Organization, User
from rubric_app.reports.actions import create_action
from rubric_app.reports.view_data import build_report
from rubric_app.rubric_versions import record_rubric, versions_of
from rubric_app.rubrics.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
LOCAL = "secure-local-implementation"
OLD = "2000.1"
NEW_ID = "mou-no-discipline-role"
OLD_ID = "sro-discipline-role"
CURRENT = load_catalog(ROOT / "rubrics").rubrics[LOCAL].version

CROSSWALK = f"""\
id: local-old-to-current
title: Local implementation {OLD} to {CURRENT}
from: {{rubric: {LOCAL}, version: "{OLD}"}}
to: {{rubric: {LOCAL}, version: "{CURRENT}"}}
pairs:
  - from: {OLD_ID}
    to: {NEW_ID}
    topic: discipline
"""


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    folder = tmp_path / "frameworks" / "crosswalks"
    folder.mkdir(parents=True)
    (folder / "local-old-to-current.yaml").write_text(CROSSWALK, encoding="utf-8")
    return {"FRAMEWORKS_DIR": str(tmp_path / "frameworks")}


def _store_old_version(session: Session) -> None:
    current = current_catalog().rubrics[LOCAL]
    old = replace(
        current,
        version=OLD,
        sections=tuple(
            replace(
                section,
                items=tuple(
                    replace(item, id=OLD_ID) if item.id == NEW_ID else item
                    for item in section.items
                ),
            )
            for section in current.sections
        ),
    )
    assert record_rubric(session, old).result == "added"
    session.commit()


def _assessment(
    session: Session, org: Organization, user: User, version: str, period: str, answers: dict
) -> Assessment:
    stored = {v.version: v for v in versions_of(session, LOCAL)}
    assessment = start_assessment(
        session, org=org, version=stored[version], title=period, period=period, user=user
    )
    save_items(
        session,
        assessment,
        [ItemChange(item_id, state, None) for item_id, state in answers.items()],
        user=user,
    )
    submit(session, assessment, user=user)
    session.commit()
    return assessment


def _both(value: str) -> ItemState:
    return ItemState(values={"policy": value, "practice": value})


@pytest.fixture
def two_periods(session: Session) -> tuple[str, Assessment, Assessment]:
    _store_old_version(session)
    org = make_org(session, "Evergreen School District", state="WA")
    owner = make_user(session, "owner@evergreen.example.org", org)
    gate = {"partnership-exists": ItemState(values={"value": "yes"})}
    before = _assessment(
        session,
        org,
        owner,
        OLD,
        "2024-25",
        {**gate, OLD_ID: _both("fully"), "complaint-process": _both("fully")},
    )
    after = _assessment(
        session,
        org,
        owner,
        CURRENT,
        "2025-26",
        {**gate, NEW_ID: _both("partly"), "complaint-process": _both("partly")},
    )
    return owner.email, before, after


def _item_rows(client: FlaskClient, before: Assessment, after: Assessment) -> dict[str, list]:
    response = client.get(f"/compare.csv?ids={before.id},{after.id}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header = rows[0]
    notes = [i for i, name in enumerate(header) if name.endswith(": note")]
    return {
        row[header.index("item")]: [row[i] for i in notes] for row in rows[1:] if row[0] == "item"
    }


def test_a_renamed_item_keeps_one_row_across_the_version_bump(
    client: FlaskClient, two_periods: tuple[str, Assessment, Assessment], app_config: dict
) -> None:
    email, before, after = two_periods
    signin(client, email)
    items = _item_rows(client, before, after)
    # Mapped by the crosswalk: one row, both periods' ratings side by side.
    assert OLD_ID not in items
    old_note, new_note = items[NEW_ID]
    assert "Fully in place" in old_note
    assert "Partly in place" in new_note
    # An item id both versions share matches without any crosswalk.
    old_note, new_note = items["complaint-process"]
    assert "Fully in place" in old_note
    assert "Partly in place" in new_note

    # Without the crosswalk file the two ids are two items, each rated in one period only.
    (Path(app_config["FRAMEWORKS_DIR"]) / "crosswalks" / "local-old-to-current.yaml").unlink()
    apart = _item_rows(client, before, after)
    assert "Fully in place" in apart[OLD_ID][0]
    assert apart[OLD_ID][1] == "" or "Fully" not in apart[OLD_ID][1]
    assert "Partly in place" in apart[NEW_ID][1]
    assert "Fully in place" not in apart[NEW_ID][0]


def test_the_validator_checks_the_stored_version_items(
    runner: FlaskCliRunner, session: Session, app_config: dict, tmp_path: Path
) -> None:
    _store_old_version(session)
    good = Path(app_config["FRAMEWORKS_DIR"]) / "crosswalks" / "local-old-to-current.yaml"
    result = runner.invoke(args=["frameworks", "validate", str(good)])
    assert result.exit_code == 0, result.output
    # The old id does not exist in the current version, nor the new one in the stored one.
    broken = tmp_path / "broken" / "crosswalks" / "swapped.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        CROSSWALK.replace(f"from: {OLD_ID}", "from: PLACEHOLDER")
        .replace(f"to: {NEW_ID}", f"to: {OLD_ID}")
        .replace("from: PLACEHOLDER", f"from: {NEW_ID}"),
        encoding="utf-8",
    )
    result = runner.invoke(args=["frameworks", "validate", str(broken)])
    assert result.exit_code == 1
    assert result.output.count("unknown-item") == 2
    assert "pairs[0].from" in result.output
    assert "pairs[0].to" in result.output


def test_planned_against_achieved_follows_a_renamed_item(
    session: Session, app_config: dict
) -> None:
    _store_old_version(session)
    org = make_org(session, "Evergreen School District", state="WA")
    owner = make_user(session, "owner@evergreen.example.org", org)
    gate = {"partnership-exists": ItemState(values={"value": "yes"})}
    before = _assessment(session, org, owner, OLD, "2024-25", {**gate, OLD_ID: _both("partly")})
    create_action(
        session, before, item_id=OLD_ID, description="Write the discipline clause", user=owner
    )
    session.commit()
    stored = {v.version: v for v in versions_of(session, LOCAL)}
    after = start_assessment(
        session,
        org=org,
        version=stored[CURRENT],
        title="2025-26",
        period="2025-26",
        user=owner,
        previous=before,
    )
    save_items(session, after, [ItemChange(NEW_ID, _both("fully"), None)], user=owner)
    session.commit()

    def result() -> str:
        outcomes = build_report(session, after, current_catalog()).outcomes
        (outcome,) = [o for o in outcomes if o.action.description == "Write the discipline clause"]
        return outcome.result

    # Through the crosswalk, the item planned on is the renamed one, now fully in place.
    assert result() == "achieved"
    # Without it, the old id is simply gone from the new version.
    (Path(app_config["FRAMEWORKS_DIR"]) / "crosswalks" / "local-old-to-current.yaml").unlink()
    assert result() == "not-applicable"
