"""The answer-type registry: storage, import and display round trips per type, coded errors,
one display text on the page, in the report and in the CSV cell, and the export JSON Schema."""

from __future__ import annotations

import json

import jsonschema
import pytest
from answer_type_fixtures import ITEM_OF_TYPE, every_type_rubric, values_of
from hypothesis import given
from hypothesis import strategies as st

from rubric_app.assessments import ItemState, decode_value, encode_value
from rubric_app.questionnaire.view_data import answer_row
from rubric_app.reports.importer import _check_state
from rubric_app.reports.view_data import _answer_lines
from rubric_app.rubrics.answer_types import (
    ANSWER_TYPES,
    MAX_TEXT,
    AnswerError,
    answer_type,
    display_text,
    items_schema,
)
from rubric_app.rubrics.model import ITEM_TYPES, Item
from rubric_app.scoring import ItemAnswer, is_answered
from rubric_app.states.exports import _label

RUBRIC = every_type_rubric()
TYPES = sorted(ITEM_OF_TYPE)


def item_of(type_name: str) -> Item:
    return RUBRIC.item(ITEM_OF_TYPE[type_name])


def states_of(item: Item) -> st.SearchStrategy[ItemState]:
    """A stored state of the item with a value under every answer dimension."""
    return st.fixed_dictionaries(
        {dimension: values_of(RUBRIC, item) for dimension in item.answer_dimensions}
    ).map(lambda values: ItemState(values=values, comment="Seen in the 2024 MOU."))


def test_every_item_type_is_registered_and_covered() -> None:
    assert set(ANSWER_TYPES) == set(ITEM_TYPES)
    assert {item.type for item in RUBRIC.items} == set(ITEM_TYPES)


@pytest.mark.parametrize("type_name", TYPES)
@given(data=st.data())
def test_storage_round_trip(type_name: str, data: st.DataObject) -> None:
    item = item_of(type_name)
    value = data.draw(values_of(RUBRIC, item))
    stored = encode_value(value, item.type)
    assert isinstance(stored, str)
    assert decode_value(stored, item.type) == value


@pytest.mark.parametrize("type_name", TYPES)
@given(data=st.data())
def test_import_reads_back_what_export_wrote(type_name: str, data: st.DataObject) -> None:
    item = item_of(type_name)
    state = data.draw(states_of(item))
    exported = json.loads(json.dumps(state.to_dict()))  # what export_assessment writes
    errors: list[str] = []
    imported = _check_state(RUBRIC, item, exported, errors)
    assert errors == []
    assert imported == state
    assert imported.fingerprint() == state.fingerprint()


@pytest.mark.parametrize("type_name", TYPES)
@given(data=st.data())
def test_one_display_text_on_page_report_and_csv(type_name: str, data: st.DataObject) -> None:
    item = item_of(type_name)
    state = data.draw(states_of(item))
    expected = [display_text(RUBRIC, item, state.values[dim]) for dim in item.answer_dimensions]
    page = [line.value for line in answer_row(RUBRIC, item, "1.1", state).lines]
    labels = {dimension.id: dimension.label for dimension in RUBRIC.dimensions}
    report = [line.value for line in _answer_lines(RUBRIC, item, state, labels)]
    csv = [
        _label(RUBRIC, item.id, dim, encode_value(state.values[dim], item.type))[2]
        for dim in item.answer_dimensions
    ]
    assert page == report == csv == expected
    assert "Not answered" not in expected


@pytest.mark.parametrize("type_name", TYPES)
@given(data=st.data())
def test_export_schema_accepts_every_stored_value(type_name: str, data: st.DataObject) -> None:
    item = item_of(type_name)
    state = data.draw(states_of(item))
    exported = json.loads(json.dumps({item.id: state.to_dict()}))
    validator = jsonschema.Draft202012Validator(
        items_schema(RUBRIC), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    assert list(validator.iter_errors(exported)) == []


def test_long_text_that_looks_like_a_list_stays_text() -> None:
    item = item_of("long_text")
    stored = encode_value("[1, 2]", item.type)
    assert decode_value(stored, item.type) == "[1, 2]"
    state = ItemState(values={"value": "[1, 2]"})
    read_back = ItemState(values={"value": decode_value(stored, item.type)})
    assert read_back.fingerprint() == state.fingerprint()
    # Multi-select rows keep their JSON-list format, so rows stored before still decode.
    assert decode_value('["mou", "sop"]', "multi_select") == ("mou", "sop")
    assert encode_value(("mou", "sop"), "multi_select") == '["mou", "sop"]'


@pytest.mark.parametrize(
    ("type_name", "value", "shown"),
    [
        ("yes_no", "yes", "Yes"),
        ("scale", "partly", "Partly in place"),
        ("multi_select", ("mou", "sop"), "MOU, signed; Standard operating procedures, 2024"),
        ("number", "3.50", "3.50"),
        ("short_text", "Chief Ames", "Chief Ames"),
        ("long_text", "[1, 2]", "[1, 2]"),
        ("date", "2026-09-08", "8 Sep 2026"),
        ("date", None, "Not answered"),
        ("multi_select", (), "Not answered"),
        ("long_text", "  ", "Not answered"),
    ],
)
def test_display_wording(type_name: str, value: str | tuple[str, ...] | None, shown: str) -> None:
    assert display_text(RUBRIC, item_of(type_name), value) == shown


@pytest.mark.parametrize(
    ("type_name", "raw", "code", "message"),
    [
        ("number", "abc", "not-a-number", "Enter a number"),
        ("date", "2026-13-45", "not-a-date", "Enter a real date"),
        ("scale", "very", "unknown-option", "Choose one of the options"),
        ("yes_no", "maybe", "unknown-option", "Choose yes or no"),
        ("multi_select", ["mou", "zzz"], "unknown-option", "Tick only the choices listed"),
        ("multi_select", "mou", "not-a-list", "Tick the choices"),
        ("long_text", "x" * (MAX_TEXT + 1), "too-long", "Keep the answer under 20,000"),
        ("short_text", ["a", "b"], "not-text", "Give one answer"),
        ("number", 12, "not-text", "Give one answer"),
    ],
)
def test_bad_input_raises_a_coded_error(
    type_name: str, raw: object, code: str, message: str
) -> None:
    item = item_of(type_name)
    with pytest.raises(AnswerError) as caught:
        answer_type(item).read(item, RUBRIC, raw)
    assert caught.value.code == code
    assert caught.value.message.startswith(message)


def test_importer_refuses_a_bad_number_and_date_naming_item_and_value() -> None:
    errors: list[str] = []
    number, date = item_of("number"), item_of("date")
    assert _check_state(RUBRIC, number, {"values": {"value": "abc"}}, errors) is None
    assert _check_state(RUBRIC, date, {"values": {"value": "2026-13-45"}}, errors) is None
    assert errors == [
        "Item 'count', 'value': 'abc' is not a number (write it like 12 or 3.5).",
        "Item 'when', 'value': '2026-13-45' is not a real date "
        "(write it as year-month-day, like 2026-09-01).",
    ]


def test_input_is_read_the_way_the_form_stores_it() -> None:
    def read(type_name: str, raw: object) -> object:
        item = item_of(type_name)
        return answer_type(item).read(item, RUBRIC, raw)

    assert read("number", " 1,200 ") == "1200"
    assert read("date", "2026-09-08") == "2026-09-08"
    assert read("multi_select", ["sop", "mou", "sop"]) == ("mou", "sop")  # rubric order, once
    assert read("long_text", " a\r\nb ") == "a\nb"
    for type_name in TYPES:
        assert read(type_name, "") is None


@pytest.mark.parametrize(
    ("type_name", "bad"),
    [("number", "abc"), ("date", "2026-13-45"), ("scale", "very"), ("multi_select", ["zzz"])],
)
def test_export_schema_refuses_values_the_importer_refuses(type_name: str, bad: object) -> None:
    item = item_of(type_name)
    dimension = item.answer_dimensions[0]
    validator = jsonschema.Draft202012Validator(
        items_schema(RUBRIC), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    assert not validator.is_valid({item.id: {"values": {dimension: bad}}})


def test_answered_follows_the_type() -> None:
    ticks, para = item_of("multi_select"), item_of("long_text")
    assert not is_answered(ticks, ItemAnswer(values={"value": ()}))
    assert is_answered(ticks, ItemAnswer(values={"value": ("mou",)}))
    assert not is_answered(para, ItemAnswer(values={"value": " \n "}))
    assert is_answered(para, ItemAnswer(values={"value": "[]"}))
