"""The guidance library page: every resource, filters by kind and action step, citing items."""

from __future__ import annotations

import html
import re

from flask.testing import FlaskClient

from rubric_app.catalog_state import current_catalog


def _titles(page: str) -> list[str]:
    return [
        html.unescape(title)
        for title in re.findall(
            r'class="library-entry__title"><a href="[^"]+" rel="noopener">([^<]+)</a>', page
        )
    ]


def test_library_lists_every_resource_without_signing_in(client: FlaskClient) -> None:
    page = client.get("/resources").get_data(as_text=True)
    library = current_catalog().resources
    assert sorted(_titles(page)) == sorted(resource.title for resource in library)
    archived = sum(1 for resource in library if resource.archived)
    assert page.count('<span class="tag tag--archived">Archived guidance</span>') == archived
    for resource in library:
        assert f'href="{html.escape(resource.url)}"' in page


def test_filter_by_kind(client: FlaskClient) -> None:
    page = client.get("/resources?kind=blog_post").get_data(as_text=True)
    expected = [r.title for r in current_catalog().resources if r.kind == "blog_post"]
    assert expected
    assert sorted(_titles(page)) == sorted(expected)
    assert '<option value="blog_post" selected>' in page


def test_filter_by_action_step_includes_citing_items(client: FlaskClient) -> None:
    catalog = current_catalog()
    page = client.get("/resources?step=training").get_data(as_text=True)
    titles = set(_titles(page))
    for resource in catalog.resources:
        about_training = "training" in resource.steps or any(
            item.section_id == "training" for _rubric, item in catalog.citing(resource.id)
        )
        assert (resource.title in titles) == about_training, resource.id


def test_each_resource_shows_the_items_that_cite_it(client: FlaskClient) -> None:
    catalog = current_catalog()
    resource = next(r for r in catalog.resources if catalog.citing(r.id))
    page = client.get(f"/resources?kind={resource.kind}").get_data(as_text=True)
    entries = page.split('<li class="card library-entry"')[1:]
    entry = next(part for part in entries if part.startswith(f' id="{resource.id}"'))
    citing = catalog.citing(resource.id)
    assert f"Cited by {len(citing)} item" in entry
    rubric, item = citing[0]
    assert html.escape(item.prompt) in entry
    assert html.escape(rubric.title) in entry


def test_unknown_filter_shows_everything_with_a_note(client: FlaskClient) -> None:
    page = client.get("/resources?kind=podcast").get_data(as_text=True)
    assert "Unknown filter podcast was ignored." in page
    assert len(_titles(page)) == len(current_catalog().resources)
