"""Autosaves that carry only the items changed since the server last confirmed them.

The page's script names them in ``changed_items`` and sends every item's base; the items it
leaves out are read as stored: neither checked nor saved, and reported stale when someone else
changed them since the page showed them. Run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from helpers import make_org, make_user, signin, start_draft
from test_questionnaire_pages import form_fields, section_url
from test_questionnaire_saving import page_fields

from rubric_app.assessments import load_states
from rubric_app.models import Assessment, SavedDraft

GATE = "partnership-exists"
RATED = "sro-use-deliberate-decision"
GATED = "mou-crisis-planning"


@pytest.fixture
def assessment(session: Any) -> Assessment:
    org = make_org(session, "Riverside Schools")
    owner = make_user(session, "owner@riverside.example", org, "owner")
    make_user(session, "editor@riverside.example", org, "editor")
    return start_draft(session, org, owner)


def carrying(fields: dict[str, list[str]], *item_ids: str) -> dict[str, list[str]]:
    """What the script posts: the page's own fields, every base, the named items' fields."""
    kept = {
        name: values
        for name, values in fields.items()
        if "__" not in name or name.endswith("__base") or name.partition("__")[0] in item_ids
    }
    return {**kept, "changed_items": [",".join(item_ids)]}


def autosave(
    client: FlaskClient, assessment: Assessment, data: dict[str, list[str]]
) -> dict[str, Any]:
    response = client.post(
        f"/assessments/{assessment.id}/autosave",
        data=data,
        headers={"X-CSRFToken": data["csrf_token"][0]},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    return body


def take_bases(fields: dict[str, list[str]], body: dict[str, Any]) -> None:
    for item_id, base in body["bases"].items():
        fields[f"{item_id}__base"] = [base]


def test_items_left_out_stay_as_stored(
    client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    signin(client, "editor@riverside.example")
    fields = page_fields(client, section_url(assessment))
    fields[f"{GATE}__value"] = ["yes"]
    fields[f"{RATED}__policy"] = ["fully"]
    fields[f"{RATED}__comment"] = ["Board minutes, March"]
    first = autosave(client, assessment, fields)
    assert sorted(first["saved"]) == sorted([GATE, RATED])
    # Every carried item is stored as posted, the untouched ones (empty) included.
    assert set(first["confirmed"]) == set(first["visible"]) - {
        item_id for item_id, shown in first["visible"].items() if not shown
    }
    take_bases(fields, first)

    # The next save carries the rating only, and leaves the gate's fields out altogether: the
    # gate is not read as cleared.
    fields[f"{RATED}__policy"] = ["partly"]
    body = autosave(client, assessment, carrying(fields, RATED))
    assert body["status"] == "saved"
    assert body["saved"] == [RATED]
    assert body["confirmed"] == [RATED]
    assert list(body["bases"]) == [RATED]
    assert body["stale"] == []
    # Visibility still follows the stored gate.
    assert body["visible"][GATED] is True
    session.expire_all()
    stored = load_states(session, assessment)
    assert stored[GATE].values == {"value": "yes"}
    assert stored[RATED].values["policy"] == "partly"
    assert stored[RATED].comment == "Board minutes, March"


def test_an_item_left_out_and_changed_elsewhere_is_stale_and_kept(
    client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    signin(client, "editor@riverside.example")
    url = section_url(assessment)
    fields = page_fields(client, url)
    other = client.application.test_client()
    signin(other, "owner@riverside.example")
    theirs = page_fields(other, url)
    theirs[f"{GATE}__value"] = ["no"]
    assert other.post(url, data=theirs).status_code == 302

    fields[f"{RATED}__policy"] = ["fully"]
    body = autosave(client, assessment, carrying(fields, RATED))
    assert body["saved"] == [RATED]
    assert body["stale"] == [GATE]
    assert body["stale_by_you"] == []
    # The page keeps the base it has for the gate: its next change merges with theirs.
    assert GATE not in body["bases"]
    # And the gate as stored decides what shows.
    assert body["visible"][GATED] is False
    session.expire_all()
    assert load_states(session, assessment)[GATE].values == {"value": "no"}


def test_errors_and_hidden_items_are_not_confirmed(
    client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    """The script sends an unconfirmed item again with every save, so an item that could not be
    saved (an error, or hidden by skip logic) must never be confirmed."""
    signin(client, "editor@riverside.example")
    fields = page_fields(client, section_url(assessment))
    fields[f"{GATE}__value"] = ["no"]
    take_bases(fields, autosave(client, assessment, fields))
    fields[f"{GATED}__policy"] = ["fully"]  # behind the closed gate
    fields["mou-purpose-stated__na"] = ["y"]  # N/A without a reason
    body = autosave(client, assessment, carrying(fields, GATED, "mou-purpose-stated"))
    assert body["saved"] == []
    assert body["confirmed"] == []
    assert [error["field"] for error in body["errors"]] == ["mou-purpose-stated__na_reason"]
    # Sent again with the gate open and a reason, both are saved and confirmed.
    fields[f"{GATE}__value"] = ["yes"]
    fields["mou-purpose-stated__na_reason"] = ["No agreement yet"]
    body = autosave(client, assessment, carrying(fields, GATE, GATED, "mou-purpose-stated"))
    assert sorted(body["saved"]) == sorted([GATE, GATED, "mou-purpose-stated"])
    assert sorted(body["confirmed"]) == sorted([GATE, GATED, "mou-purpose-stated"])


def test_an_empty_or_foreign_list_carries_nothing(
    client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    signin(client, "editor@riverside.example")
    fields = page_fields(client, section_url(assessment))
    fields[f"{GATE}__value"] = ["yes"]
    for named in ("", "no-such-item", "school-climate-data,,"):
        body = autosave(client, assessment, {**fields, "changed_items": [named]})
        assert body["status"] == "saved"
        assert body["saved"] == []
        assert body["confirmed"] == []
    session.expire_all()
    assert load_states(session, assessment) == {}


def test_a_conflict_on_a_partial_save_is_resolved_on_its_items_only(
    client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    signin(client, "editor@riverside.example")
    url = section_url(assessment)
    fields = page_fields(client, url)
    fields[f"{RATED}__comment"] = ["Ours"]
    take_bases(fields, autosave(client, assessment, fields))

    other = client.application.test_client()
    signin(other, "owner@riverside.example")
    theirs = page_fields(other, url)
    theirs[f"{RATED}__comment"] = ["Theirs"]
    theirs[f"{GATE}__value"] = ["yes"]
    assert other.post(url, data=theirs).status_code == 302

    fields[f"{RATED}__comment"] = ["Ours, reworded"]
    body = autosave(client, assessment, carrying(fields, RATED))
    assert body["status"] == "conflict"
    assert body["conflicts"] == [RATED]
    assert body["stale"] == [GATE]
    assert RATED not in body["confirmed"]
    draft = session.query(SavedDraft).one()
    assert draft.form_data["fields"]["changed_items"] == [RATED]

    page = client.get(body["conflict_url"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'name="choice-{RATED}"' in html
    assert f'name="choice-{GATE}"' not in html
    shown = form_fields(html)
    chosen = client.post(
        body["conflict_url"],
        data={
            "csrf_token": shown["csrf_token"],
            f"choice-{RATED}": "mine",
            f"theirs-{RATED}": shown[f"theirs-{RATED}"],
        },
    )
    assert chosen.status_code == 302
    session.expire_all()
    stored = load_states(session, assessment)
    assert stored[RATED].comment == "Ours, reworded"
    assert stored[GATE].values == {"value": "yes"}
