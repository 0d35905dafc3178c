"""``/rubrics/<id>``: the rubric as a method document reviewers can check without YAML."""

from __future__ import annotations

import html

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from rubric_app.catalog_state import current_catalog
from rubric_app.rubric_versions import record_rubric
from rubric_app.rubrics.model import Rubric


@pytest.mark.parametrize(
    "rubric_id",
    [
        "secure-local-implementation",
        "secure-state-local-policy",
        "afterschool-law-enforcement-partnership",
        "campus-policing-21cp",
    ],
)
def test_method_page_shows_every_section_item_scale_and_level(
    client: FlaskClient, rubric_id: str
) -> None:
    rubric = current_catalog().rubrics[rubric_id]
    response = client.get(f"/rubrics/{rubric_id}")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert rubric.status_note in page
    for section in rubric.sections:
        assert section.title in page
        for item in section.items:
            assert item.prompt in page
    for scale in rubric.scales.values():
        for option in scale.options:
            assert option.label in page
    for level in rubric.scoring.levels:
        assert level.description in page


def test_skip_logic_is_explained_in_words(client: FlaskClient) -> None:
    rubric = current_catalog().rubrics["secure-local-implementation"]
    gated = [item for item in rubric.items if item.show_if is not None]
    assert gated, "the local rubric's improve items depend on the partnership question"
    page = html.unescape(client.get("/rubrics/secure-local-implementation").get_data(as_text=True))
    sentence = "Asked only when “Does your district already have a school-police partnership"
    assert page.count(sentence) == len(gated)
    assert "is answered “Yes”" in page


def test_sources_link_to_their_addresses(client: FlaskClient) -> None:
    catalog = current_catalog()
    rubric = catalog.rubrics["secure-local-implementation"]
    page = client.get("/rubrics/secure-local-implementation").get_data(as_text=True)
    for resource_id in rubric.sources:
        resource = catalog.resources.get(resource_id)
        assert resource is not None
        assert f'href="{html.escape(resource.url)}"' in page


def test_unknown_rubric_and_unknown_version_are_404(client: FlaskClient) -> None:
    assert client.get("/rubrics/no-such-rubric").status_code == 404
    assert client.get("/rubrics/secure-local-implementation?version=0.0").status_code == 404


def test_version_history_lists_and_shows_older_versions(
    client: FlaskClient, session: Session
) -> None:
    rubric = current_catalog().rubrics["secure-local-implementation"]
    # Every field the constructor takes (the derived indexes are built by the rubric).
    fields = {f: getattr(rubric, f) for f, spec in rubric.__dataclass_fields__.items() if spec.init}
    newer = Rubric(**{**fields, "version": "2099.1", "title": "A renamed rubric"})
    record_rubric(session, newer)
    session.commit()
    page = client.get("/rubrics/secure-local-implementation").get_data(as_text=True)
    assert "2099.1" in page
    assert "View version 2099.1" in page
    older = client.get("/rubrics/secure-local-implementation?version=2099.1")
    assert older.status_code == 200
    assert "A renamed rubric" in older.get_data(as_text=True)


def test_owners_see_no_broken_file_notice_when_every_file_loaded(
    client: FlaskClient, session: Session
) -> None:
    from helpers import make_org, make_user, signin

    make_user(session, "owner@example.org", make_org(session), role="owner")
    session.commit()
    signin(client, "owner@example.org")
    for url in ("/rubrics/secure-local-implementation", "/assessments/new"):
        page = client.get(url).get_data(as_text=True)
        assert any(
            heading in page
            for heading in ("Start an assessment", "Start your first assessment", "Rubric method")
        ), url
        assert "could not be loaded" not in page, url
