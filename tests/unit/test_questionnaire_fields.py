"""The item-type registry and the section form reader: round trips, format errors, skip logic."""

from __future__ import annotations

import pytest

from rubric_app.assessments import EMPTY_STATE, ItemState
from rubric_app.assessments.parts import base_of
from rubric_app.questionnaire.fields import (
    ITEM_TYPES,
    field_name,
    form_data_from_state,
    item_field_names,
    state_from_form,
)
from rubric_app.questionnaire.forms import read_section
from rubric_app.rubrics.model import ITEM_TYPES as RUBRIC_ITEM_TYPES
from rubric_app.rubrics.model import Rubric

ALL_TYPES = """
id: all-types
version: "1"
title: Every item type
summary: A rubric with one item of each type.
audience: [district]
issuer: [Test]
status_note: Test only.
dimensions:
  - {id: policy, label: Written policy}
  - {id: practice, label: Practice}
scales:
  - id: in-place
    label: In place
    options:
      - {key: not-in-place, label: Not in place, points: 0}
      - {key: partly, label: Partly, points: 1}
      - {key: fully, label: Fully, points: 2}
sections:
  - id: one
    title: One
    items:
      - {id: gate, type: yes_no, prompt: "Is there a partnership?", basis: [x]}
      - id: rated
        prompt: Rated on both
        scale: in-place
        basis: [x]
        recommendations: {policy: Write it down., practice: Do it.}
        show_if: {item: gate, equals: "yes"}
      - id: ticks
        type: multi_select
        prompt: Which?
        basis: [x]
        choices: [{key: a, label: A}, {key: b, label: B}, {key: c, label: C}]
      - {id: count, type: number, prompt: "How many?", basis: [x]}
      - {id: line, type: short_text, prompt: "Name?", basis: [x]}
      - {id: para, type: long_text, prompt: Describe, basis: [x]}
      - {id: when, type: date, prompt: "When?", basis: [x]}
scoring:
  levels:
    - {id: low, label: Low, min: 0, max: 49.99}
    - {id: high, label: High, min: 50, max: 100}
"""


@pytest.fixture
def rubric(make_rubric) -> Rubric:
    return make_rubric(ALL_TYPES)


def as_post(data: dict[str, object]) -> dict[str, list[str]]:
    """Field data as a browser would post it (checkboxes only when ticked, lists of text)."""
    posted: dict[str, list[str]] = {}
    for name, value in data.items():
        if value is True:
            posted[name] = ["y"]
        elif value in (False, None, ""):
            continue
        elif isinstance(value, list):
            posted[name] = [str(part) for part in value]
        else:
            posted[name] = [str(value)]
    return posted


def test_every_rubric_item_type_is_registered() -> None:
    assert set(ITEM_TYPES) == set(RUBRIC_ITEM_TYPES)


@pytest.mark.parametrize(
    ("item_id", "state"),
    [
        (
            "rated",
            ItemState(
                values={"policy": "fully", "practice": "partly"},
                comment="Line one\nline two",
                evidence_quote="Officers shall not",
                evidence_source="MOU p. 3",
                flagged=True,
            ),
        ),
        ("rated", ItemState(not_applicable=True, na_reason="No officers at night")),
        ("gate", ItemState(values={"value": "no"})),
        ("ticks", ItemState(values={"value": ("a", "c")})),
        ("count", ItemState(values={"value": "12.5"})),
        ("line", ItemState(values={"value": "Chief Smith"})),
        ("para", ItemState(values={"value": "First\nSecond"})),
        ("when", ItemState(values={"value": "2026-09-01"})),
        ("when", EMPTY_STATE),
    ],
)
def test_showing_a_state_and_posting_it_back_keeps_its_fingerprint(
    rubric: Rubric, item_id: str, state: ItemState
) -> None:
    item = rubric.item(item_id)
    data = form_data_from_state(item, rubric, state)
    # The base: the fingerprint, then a hash per part (what lets changes to parts merge).
    assert data[field_name(item_id, "base")] == base_of(state)
    assert data[field_name(item_id, "base")].startswith(f"{state.fingerprint()};")
    read, errors = state_from_form(item, rubric, as_post(data))
    assert errors == []
    assert read == state
    assert read.fingerprint() == state.fingerprint()


def test_browser_newlines_and_surrounding_space_store_the_same_way(rubric: Rubric) -> None:
    item = rubric.item("para")
    state, _ = state_from_form(item, rubric, {"para__value": ["  First\r\nSecond  "]})
    assert state.values == {"value": "First\nSecond"}


def test_multi_select_keeps_rubric_order_not_click_order(rubric: Rubric) -> None:
    state, errors = state_from_form(rubric.item("ticks"), rubric, {"ticks__value": ["c", "a"]})
    assert errors == []
    assert state.values == {"value": ("a", "c")}


@pytest.mark.parametrize(
    ("item_id", "typed", "message"),
    [
        ("count", "twelve", "Enter a number"),
        ("when", "2026-02-30", "Enter a real date"),
        ("when", "next week", "Enter a real date"),
        ("rated", "very", "Choose one of the options"),
        ("gate", "maybe", "Choose yes or no"),
        ("ticks", "z", "Tick only the choices listed"),
    ],
)
def test_format_errors_name_the_field(
    rubric: Rubric, item_id: str, typed: str, message: str
) -> None:
    item = rubric.item(item_id)
    dimension = "policy" if item_id == "rated" else "value"
    state, errors = state_from_form(item, rubric, {field_name(item_id, dimension): [typed]})
    assert [error.field for error in errors] == [field_name(item_id, dimension)]
    assert message in errors[0].message
    assert dimension not in state.values


def test_not_applicable_needs_a_reason(rubric: Rubric) -> None:
    state, errors = state_from_form(rubric.item("rated"), rubric, {"rated__na": ["y"]})
    assert state.not_applicable
    assert [error.field for error in errors] == ["rated__na_reason"]


def test_only_scale_items_offer_not_applicable(rubric: Rubric) -> None:
    assert "rated__na" in item_field_names(rubric.item("rated"), rubric)
    assert "gate__na" not in item_field_names(rubric.item("gate"), rubric)
    state, _ = state_from_form(rubric.item("gate"), rubric, {"gate__na": ["y"]})
    assert not state.not_applicable


def test_read_section_ignores_items_skip_logic_hides(rubric: Rubric) -> None:
    section = rubric.sections[0]
    posted = {
        "gate__value": ["no"],
        "rated__policy": ["fully"],
        "rated__na": ["y"],  # hidden, so its missing reason is no error either
        "count__value": ["3"],
    }
    read = read_section(rubric, section, {}, posted)
    assert read.visible["rated"] is False
    assert {change.item_id for change in read.changes} == {
        "gate",
        "ticks",
        "count",
        "line",
        "para",
        "when",
    }
    assert read.errors == ()


def test_read_section_uses_the_answers_after_this_save_for_visibility(rubric: Rubric) -> None:
    section = rubric.sections[0]
    stored = {"gate": ItemState(values={"value": "no"})}
    read = read_section(
        rubric, section, stored, {"gate__value": ["yes"], "rated__policy": ["partly"]}
    )
    assert read.visible["rated"] is True
    rated = next(change for change in read.changes if change.item_id == "rated")
    assert rated.state.values == {"policy": "partly"}


def test_read_section_keeps_valid_items_when_another_has_an_error(rubric: Rubric) -> None:
    section = rubric.sections[0]
    read = read_section(
        rubric, section, {}, {"count__value": ["lots"], "line__value": ["Chief Smith"]}
    )
    assert read.invalid_items == frozenset({"count"})
    assert "count" not in {change.item_id for change in read.changes}
    line = next(change for change in read.changes if change.item_id == "line")
    assert line.state.values == {"value": "Chief Smith"}
