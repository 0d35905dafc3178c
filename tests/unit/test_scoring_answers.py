"""Tests of the answer types: is_answered, immutability and the JSON round trip."""

from __future__ import annotations

import json

import pytest
from scoring_factories import plain_item, scale_item

from rubric_app.rubrics.model import Item
from rubric_app.scoring import (
    ItemAnswer,
    answers_from_json,
    answers_to_json,
    has_value,
    is_answered,
)

RATED_TWICE = scale_item("x")
YES_NO = plain_item("y")
TICKS = plain_item("z", "multi_select", choices=("a", "b"))


@pytest.mark.parametrize(
    ("item", "answer", "expected"),
    [
        (RATED_TWICE, None, False),
        (RATED_TWICE, ItemAnswer(values={"policy": "fully"}), False),
        (RATED_TWICE, ItemAnswer(values={"policy": "fully", "practice": "partly"}), True),
        (RATED_TWICE, ItemAnswer(values={"policy": "fully", "practice": " "}), False),
        (RATED_TWICE, ItemAnswer(not_applicable=True, na_reason="No SROs on campus"), True),
        (RATED_TWICE, ItemAnswer(not_applicable=True, na_reason="   "), False),
        (YES_NO, ItemAnswer(values={"value": "no"}), True),
        (YES_NO, ItemAnswer(values={"value": ""}), False),
        (YES_NO, ItemAnswer(comment="Will check", flagged=True), False),
        (TICKS, ItemAnswer(values={"value": ("a",)}), True),
        (TICKS, ItemAnswer(values={"value": ()}), False),
    ],
)
def test_is_answered(item: Item, answer: ItemAnswer | None, expected: bool) -> None:
    assert is_answered(item, answer) is expected


def test_has_value() -> None:
    assert not has_value(None)
    assert not has_value("")
    assert has_value("0")
    assert has_value(("a",))


def test_answer_values_are_a_frozen_copy() -> None:
    source: dict[str, str | tuple[str, ...]] = {"policy": "fully"}
    answer = ItemAnswer(values=source)
    source["policy"] = "not-in-place"
    assert answer.values["policy"] == "fully"
    with pytest.raises(TypeError):
        answer.values["policy"] = "partly"  # type: ignore[index]


def test_lists_become_tuples() -> None:
    answer = ItemAnswer(values={"value": ["a", "b"]})  # type: ignore[dict-item]
    assert answer.values["value"] == ("a", "b")


def test_rejects_values_that_are_not_text() -> None:
    with pytest.raises(TypeError):
        ItemAnswer(values={"value": 3})  # type: ignore[dict-item]


def test_json_round_trip_restores_equal_answers() -> None:
    answers = {
        "x": ItemAnswer(
            values={"policy": "fully", "practice": "partly"}, comment="c", flagged=True
        ),
        "y": ItemAnswer(not_applicable=True, na_reason="No SRO", evidence="Board minutes"),
        "z": ItemAnswer(values={"value": ("a", "b")}),
    }
    restored = answers_from_json(json.loads(json.dumps(answers_to_json(answers))))
    assert restored == answers
    assert restored["z"].values["value"] == ("a", "b")
