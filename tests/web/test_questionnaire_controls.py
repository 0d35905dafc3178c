"""The section page draws its controls from plain data (issue 15, item 4), and must still post
what the WTForms section form would: the same names, ids, values and ticks, every attribute of
the fields' ``render_kw``, values kept exactly as typed after a bad post, and each error beside
its field with the ARIA links the accessibility checks require.

The oracle is the WTForms form itself (``build_section_form``), rendered by its own widgets for
the same stored answers or posted data. One item of every type (``answer_type_fixtures``).

SQLite, and PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Collection
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from answer_type_fixtures import EVERY_TYPE, every_type_rubric
from flask import Flask
from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from wtforms import Field
from wtforms.widgets import html_params

from rubric_app.assessments import ItemChange, ItemState, load_states, rubric_for, save_items
from rubric_app.assessments import start_assessment as start
from rubric_app.catalog_state import current_catalog
from rubric_app.db import db
from rubric_app.models import Assessment
from rubric_app.questionnaire.fields import item_field_names
from rubric_app.questionnaire.forms import build_section_form
from rubric_app.questionnaire.static_parts import attributes, item_intros
from rubric_app.rubric_versions import latest_version, record_rubric
from rubric_app.rubrics.loader import load_rubric_text

PASSWORD_USER = "owner@riverton.example.org"

#: Stored answers with notes, a flag and text that needs escaping.
STORED = {
    "gate": ItemState(values={"value": "yes"}, flagged=True),
    "rated": ItemState(
        values={"policy": "fully", "practice": "partly"},
        comment='Signed <b>in</b> 2024 & "kept" on file',
        evidence_quote="The officer shall not discipline students.",
        evidence_source="MOU 2024, page 3",
    ),
    "ticks": ItemState(values={"value": ("mou", "sop")}),
    "count": ItemState(values={"value": "3.50"}),
    "line": ItemState(values={"value": "Chief O'Brien & <deputy>"}),
    "para": ItemState(values={"value": "First line\nsecond line"}),
    "when": ItemState(values={"value": "2026-09-08"}),
}

#: Attributes that are the page's own (styling, ARIA, N/A), not the WTForms widgets'.
PAGE_ATTRIBUTES = {"class", "aria-describedby", "aria-invalid", "disabled"}


@dataclass
class Setup:
    assessment: Assessment
    url: str


@pytest.fixture
def setup(session: Session) -> Setup:
    rubric = every_type_rubric()
    record_rubric(session, rubric)
    org = make_org(session, "Riverton City School District")
    owner = make_user(session, PASSWORD_USER, org, "owner")
    version = latest_version(session, rubric.id)
    assert version is not None
    assessment = start(
        session, org=org, version=version, title="Every type", period="2025-26", user=owner
    )
    changes = [ItemChange(item_id, state, None) for item_id, state in STORED.items()]
    save_items(session, assessment, changes, user=owner)
    session.commit()
    return Setup(assessment, f"/assessments/{assessment.id}/sections/one")


class _Controls(HTMLParser):
    """Every input and text area of an HTML fragment: its attributes, and a text area's text
    as a browser reads it (the one line break after the start tag dropped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[dict[str, str]] = []
        self.ids: set[str] = set()
        self.text_of: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if "id" in found:
            self.ids.add(found["id"])
        if tag in ("input", "textarea") and "name" in found:
            found["<tag>"] = tag
            self.found.append(found)
            if tag == "textarea":
                found["<text>"] = ""
                self.text_of = found

    def handle_data(self, data: str) -> None:
        if self.text_of is not None:
            self.text_of["<text>"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.text_of is not None:
            text = self.text_of["<text>"].replace("\r\n", "\n")
            self.text_of["<text>"] = text.removeprefix("\n")
            self.text_of = None


def controls_of(html: str) -> _Controls:
    parser = _Controls()
    parser.feed(html)
    parser.close()
    return parser


def by_name(found: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = {}
    for control in found:
        grouped.setdefault(control["name"], []).append(control)
    return grouped


def widget_html(field: Field) -> str:
    """What WTForms' own widgets render for a field (each option of a choice field)."""
    if field.type in ("RadioField", "MultiCheckboxField"):
        return "".join(str(option()) for option in field)
    return str(field())


def oracle(
    app: Flask, assessment: Assessment, formdata: MultiDict[str, str] | None
) -> dict[str, list[dict[str, str]]]:
    """The controls the WTForms section form renders for the stored answers or posted data."""
    with app.test_request_context():
        rubric = rubric_for(assessment)
        states = load_states_now(assessment)
        form = build_section_form(
            rubric, rubric.section("one"), states, assessment.revision, formdata
        )
        html = "".join(widget_html(field) for field in form if field.name != "csrf_token")
    return by_name(controls_of(html).found)


def load_states_now(assessment: Assessment) -> dict[str, ItemState]:
    return load_states(db.session, assessment)


def assert_same_controls(
    page: dict[str, list[dict[str, str]]],
    expected: dict[str, list[dict[str, str]]],
    skip_values: Collection[str] = (),
) -> None:
    """Each control the oracle has is on the page with the same attributes (the page's own
    styling and ARIA aside); ``skip_values`` are fields whose value the page sets itself."""
    for name, controls in expected.items():
        assert name in page, f"the page lost the field {name}"
        assert len(page[name]) == len(controls), name
        for drawn, wanted in zip(page[name], controls, strict=True):
            drawn_attributes = {k: v for k, v in drawn.items() if k not in PAGE_ATTRIBUTES}
            if name in skip_values:
                drawn_attributes.pop("value", None)
                wanted = {k: v for k, v in wanted.items() if k != "value"}
            assert drawn_attributes == wanted, name


def test_a_fresh_page_draws_every_control_as_wtforms_would(
    app: Flask, client: FlaskClient, setup: Setup
) -> None:
    signin(client, PASSWORD_USER)
    response = client.get(setup.url)
    assert response.status_code == 200
    page = by_name(controls_of(response.get_data(as_text=True)).found)
    expected = oracle(app, setup.assessment, None)
    assert_same_controls(page, expected)
    # Spot checks that the oracle itself saw the stored answers.
    ticked = {c["value"] for c in page["ticks__value"] if "checked" in c}
    assert ticked == {"mou", "sop"}
    assert page["line__value"][0]["value"] == "Chief O'Brien & <deputy>"
    assert page["para__value"][0]["<text>"] == "First line\nsecond line"
    assert page["rated__comment"][0]["<text>"] == 'Signed <b>in</b> 2024 & "kept" on file'
    assert page["when__value"][0]["type"] == "date"
    assert "checked" in page["gate__flagged"][0]


def _posted(page_html: str, changes: dict[str, list[str]]) -> MultiDict[str, str]:
    """What a browser posts from the page, with ``changes`` typed in."""
    fields: list[tuple[str, str]] = []
    for control in controls_of(page_html).found:
        name = control["name"]
        if name in changes:
            continue
        if control.get("type") in ("radio", "checkbox") and "checked" not in control:
            continue
        fields.append((name, control.get("<text>", control.get("value", ""))))
    fields += [(name, value) for name, values in changes.items() for value in values]
    return MultiDict(fields)


BAD = {
    "count__value": ["12abc"],
    "when__value": ["next Tuesday"],
    "line__value": ["Chief\x01Ames"],
    "rated__comment": ["x" * 20_001],
    "rated__policy": ["partly"],
    "ticks__value": ["policy"],
    "para__value": ["\nStarts with a line break"],
}


def test_a_bad_post_keeps_every_value_as_typed_and_links_each_error(
    app: Flask, client: FlaskClient, setup: Setup
) -> None:
    signin(client, PASSWORD_USER)
    posted = _posted(client.get(setup.url).get_data(as_text=True), BAD)
    response = client.post(setup.url, data=posted)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    parsed = controls_of(html)
    page = by_name(parsed.found)
    # The same controls WTForms would show for the posted data; the bases are the page's own
    # (what is stored now, so the next save compares against it).
    bases = {name for name in page if name.endswith("__base")} | {"base_revision"}
    assert_same_controls(page, oracle(app, setup.assessment, posted), skip_values=bases)
    # Kept exactly as typed, even what was refused.
    assert page["count__value"][0]["value"] == "12abc"
    assert page["when__value"][0]["value"] == "next Tuesday"
    assert page["line__value"][0]["value"] == "Chief\x01Ames"
    assert len(page["rated__comment"][0]["<text>"]) == 20_001
    assert page["para__value"][0]["<text>"] == "\nStarts with a line break"
    assert [c["value"] for c in page["rated__policy"] if "checked" in c] == ["partly"]
    assert [c["value"] for c in page["ticks__value"] if "checked" in c] == ["policy"]

    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary is not None
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(0))
    linked = {target for target, _message in links}
    assert {"count__value", "when__value", "line__value", "rated__comment"} <= linked
    for target, message in links:
        # Every summary link lands on a control, and the same message sits beside it.
        assert target in parsed.ids, target
        error = re.search(rf'<p class="field__error" id="{target}-error">(.*?)</p>', html, re.S)
        assert error is not None, target
        assert message.strip() in error.group(1)
        control = page[target][0]
        assert f"{target}-error" in control["aria-describedby"].split()
        assert control["aria-invalid"] == "true"
    assert any(message.startswith("1.4: ") for _target, message in links), "numbered errors"
    # The other answers on the page were saved.
    assert "Your other answers on this page were saved." in html


def test_na_ticked_describes_and_switches_off_the_ratings(
    client: FlaskClient, setup: Setup
) -> None:
    signin(client, PASSWORD_USER)
    posted = _posted(
        client.get(setup.url).get_data(as_text=True),
        {"rated__na": ["y"], "rated__na_reason": [""]},
    )
    html = client.post(setup.url, data=posted).get_data(as_text=True)
    page = by_name(controls_of(html).found)
    for dimension in ("policy", "practice"):
        radios = page[f"rated__{dimension}"]
        # The ratings posted with N/A stay chosen, not disabled (so they post again without a
        # script and come back on untick); the script switches them off on load.
        chosen = posted.getlist(f"rated__{dimension}")
        assert chosen
        assert [r["value"] for r in radios if "checked" in r] == chosen
        assert not any("disabled" in r for r in radios)
        group = re.search(rf'<fieldset class="q-dimension" id="rated__{dimension}"[^>]*>', html)
        assert group is not None
        assert 'aria-describedby="item-rated-na-hint"' in group.group(0)
    reason = page["rated__na_reason"][0]
    assert reason["aria-invalid"] == "true"
    assert reason["aria-describedby"] == "rated__na_reason-error"
    box = page["rated__na"][0]
    assert "checked" in box
    assert box["aria-describedby"] == "rated__na-hint"
    assert re.search(r'<label for="rated__na">Not applicable to us</label>', html)


def test_the_page_posts_the_field_names_the_save_reads_and_an_unchanged_post_changes_nothing(
    client: FlaskClient, session: Session, setup: Setup
) -> None:
    signin(client, PASSWORD_USER)
    html = client.get(setup.url).get_data(as_text=True)
    names = {control["name"] for control in controls_of(html).found}
    rubric = rubric_for(setup.assessment)
    expected = {n for item in rubric.section("one").items for n in item_field_names(item, rubric)}
    assert names == expected | {"csrf_token", "base_revision", "section_id", "conflict_key"}
    before = load_states(session, setup.assessment)
    response = client.post(setup.url, data=_posted(html, {}) | {"save": "1"})
    assert response.status_code == 302
    assert "/conflicts" not in response.headers["Location"]
    session.expire_all()
    assert load_states(session, setup.assessment) == before


def test_static_parts_belong_to_their_rubric_not_to_its_id_and_version(app: Flask) -> None:
    # Two rubrics under the same id and version (as tests and a fixed YAML file make) must
    # not share their rendered prompts.
    first = every_type_rubric()
    second = load_rubric_text(
        textwrap.dedent(EVERY_TYPE).replace("Who signed?", "Who signed it, and when?"), "x.yaml"
    )
    with app.test_request_context():
        resources = current_catalog().resources
        one = item_intros(first, first.section("one"), resources)["line"]
        other = item_intros(second, second.section("one"), resources)["line"]
    assert "Who signed?" in one
    assert "Who signed it, and when?" in other


def test_extra_attributes_are_written_as_wtforms_writes_them(app: Flask) -> None:
    render_kw = {
        "rows": 2,
        "data-max-length": 20000,
        "data_hint": 'say "why" & <how>',
        "class_": "wide",
        "required": True,
        "readonly": False,
    }
    with app.test_request_context():
        ours = controls_of(f"<input name=x{attributes(render_kw)}>").found[0]
    theirs = controls_of(f"<input name=x {html_params(**render_kw)}>").found[0]
    assert ours == theirs
    assert ours["data-hint"] == 'say "why" & <how>'
    assert "readonly" not in ours
