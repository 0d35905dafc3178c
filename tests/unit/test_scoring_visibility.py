"""Tests of show_if evaluation: operators, multi-select, unanswered and hidden references."""

from __future__ import annotations

import pytest
from scoring_factories import equals, not_applicable, plain_item, rated, rubric, scale_item, section
from scoring_factories import value as answer_of

from rubric_app.rubrics.model import Condition, Rubric
from rubric_app.scoring import (
    Answers,
    is_visible,
    score_assessment,
    visibility,
    visibility_when_read,
    visible_items,
)


def rubric_gated_by(condition: Condition) -> Rubric:
    """Return a rubric whose item 'target' is shown when ``condition`` holds."""
    return rubric(
        section(
            "s",
            plain_item("gate"),
            plain_item("tools", "multi_select", choices=("radios", "cameras", "dogs")),
            scale_item("rating"),
            scale_item("target", show_if=condition, dimensions=("policy",)),
        )
    )


NOT_NO = Condition(op="not_equals", item="gate", values=("no",))
RATING_IN = Condition(op="in", item="rating", dimension="practice", values=("partly", "fully"))


@pytest.mark.parametrize(
    ("condition", "answers", "shown"),
    [
        (equals("gate", "yes"), {"gate": answer_of("yes")}, True),
        (equals("gate", "yes"), {"gate": answer_of("no")}, False),
        (equals("gate", "yes"), {}, False),
        (equals("gate", "yes"), {"gate": answer_of("  ")}, False),
        (NOT_NO, {"gate": answer_of("no")}, False),
        (NOT_NO, {"gate": answer_of("yes")}, True),
        (NOT_NO, {}, True),
        (RATING_IN, {"rating": rated(policy="not-in-place", practice="partly")}, True),
        (RATING_IN, {"rating": rated(policy="fully", practice="not-in-place")}, False),
        (RATING_IN, {"rating": rated(policy="fully")}, False),
        # Without a dimension, a scale item's first dimension (policy) is read.
        (equals("rating", "fully"), {"rating": rated(policy="fully")}, True),
        (equals("rating", "fully"), {"rating": rated(practice="fully")}, False),
        # An N/A answer has no value: like unanswered.
        (equals("gate", "yes"), {"gate": not_applicable()}, False),
        (NOT_NO, {"gate": not_applicable()}, True),
    ],
)
def test_leaf_conditions(condition: Condition, answers: Answers, shown: bool) -> None:
    assert is_visible(rubric_gated_by(condition), answers, "target") is shown


@pytest.mark.parametrize(
    ("op", "ticked", "shown"),
    [
        ("equals", ("radios", "cameras"), True),
        ("equals", ("dogs",), False),
        ("equals", (), False),
        ("not_equals", ("radios", "cameras"), False),
        ("not_equals", ("dogs",), True),
        ("not_equals", (), True),
    ],
)
def test_multi_select_equals_means_contains(op: str, ticked: tuple[str, ...], shown: bool) -> None:
    condition = Condition(op=op, item="tools", values=("cameras",))  # type: ignore[arg-type]
    answers = {"tools": answer_of(ticked)}
    assert is_visible(rubric_gated_by(condition), answers, "target") is shown


def test_multi_select_in_means_any_overlap() -> None:
    condition = Condition(op="in", item="tools", values=("dogs", "cameras"))
    target = rubric_gated_by(condition)
    assert is_visible(target, {"tools": answer_of(("radios", "dogs"))}, "target")
    assert not is_visible(target, {"tools": answer_of(("radios",))}, "target")


ALL = Condition(op="all", conditions=(equals("gate", "yes"), equals("tools", "dogs")))
ANY = Condition(op="any", conditions=(equals("gate", "yes"), equals("tools", "dogs")))


@pytest.mark.parametrize(
    ("gate", "tools", "all_shown", "any_shown"),
    [
        ("yes", ("dogs",), True, True),
        ("yes", ("radios",), False, True),
        ("no", ("dogs",), False, True),
        ("no", ("radios",), False, False),
    ],
)
def test_all_and_any(gate: str, tools: tuple[str, ...], all_shown: bool, any_shown: bool) -> None:
    answers = {"gate": answer_of(gate), "tools": answer_of(tools)}
    assert is_visible(rubric_gated_by(ALL), answers, "target") is all_shown
    assert is_visible(rubric_gated_by(ANY), answers, "target") is any_shown


CHAIN = rubric(
    section(
        "s",
        plain_item("exists"),
        plain_item("signed", show_if=equals("exists", "yes")),
        # Reads a possibly hidden item with not_equals, which is true on unanswered items.
        scale_item("renewed", show_if=Condition(op="not_equals", item="signed", values=("no",))),
        scale_item("reviewed", show_if=equals("renewed", "fully")),
    )
)


def test_item_reading_a_hidden_item_is_hidden_even_with_not_equals() -> None:
    answers = {
        "exists": answer_of("no"),
        "signed": answer_of("yes"),  # stale: 'signed' is hidden now
        "renewed": rated(policy="fully", practice="fully"),
    }
    shown = visibility(CHAIN, answers)
    assert shown == {"exists": True, "signed": False, "renewed": False, "reviewed": False}


@pytest.mark.parametrize(
    "answers",
    [
        {"exists": answer_of("no"), "signed": answer_of("yes"), "renewed": rated(policy="fully")},
        {"exists": answer_of("yes"), "signed": answer_of("yes"), "renewed": rated(policy="fully")},
        {},
    ],
)
def test_visibility_when_read_agrees_with_visibility_in_any_order(answers: Answers) -> None:
    whole = visibility(CHAIN, answers)
    # The end of the chain first: it decides the items it reads on the way.
    backwards = visibility_when_read(CHAIN, answers)
    assert [backwards[item_id] for item_id in reversed(list(whole))] == list(whole.values())[::-1]
    assert dict(visibility_when_read(CHAIN, answers)) == whole
    assert list(visibility_when_read(CHAIN, answers)) == list(whole)
    with pytest.raises(KeyError):
        visibility_when_read(CHAIN, answers)["no-such-item"]


def test_chain_opens_when_the_gate_is_answered() -> None:
    answers = {"exists": answer_of("yes"), "renewed": rated(policy="fully")}
    assert [item.id for item in visible_items(CHAIN, answers)] == [
        "exists",
        "signed",
        "renewed",
        "reviewed",
    ]


def test_visible_items_keep_rubric_order_and_skip_hidden() -> None:
    answers = {"exists": answer_of("yes"), "signed": answer_of("no")}
    assert [item.id for item in visible_items(CHAIN, answers)] == ["exists", "signed"]


def test_hidden_items_leave_completion() -> None:
    score = score_assessment(CHAIN, {"exists": answer_of("no")})
    assert (score.answered, score.applicable, score.completion) == (1, 1, 1.0)


#: The chain above spread over three sections, read from the last one back, plus an item no
#: condition of the last section reads.
SPREAD = rubric(
    section("first", plain_item("exists"), plain_item("unrelated")),
    section(
        "second",
        plain_item("signed", show_if=equals("exists", "yes")),
        scale_item("renewed", show_if=Condition(op="not_equals", item="signed", values=("no",))),
    ),
    section(
        "third",
        scale_item("reviewed", show_if=equals("renewed", "fully")),
        plain_item("free"),
    ),
)


def test_section_reads_follows_conditions_across_sections() -> None:
    assert SPREAD.section_reads("third") == {"reviewed", "free", "renewed", "signed", "exists"}
    assert SPREAD.section_reads("second") == {"signed", "renewed", "exists"}
    assert SPREAD.section_reads("first") == {"exists", "unrelated"}


@pytest.mark.parametrize(
    "answers",
    [
        {"exists": answer_of("yes"), "renewed": rated(policy="fully"), "unrelated": answer_of("x")},
        {"exists": answer_of("no"), "signed": answer_of("yes"), "renewed": rated(policy="fully")},
        {"exists": answer_of("yes"), "signed": answer_of("no"), "renewed": rated(policy="fully")},
    ],
)
def test_a_section_is_decided_by_the_answers_it_reads(answers: Answers) -> None:
    # What a save of one section loads (``load_states(only=section_reads)``) shows its items
    # exactly as all of the answers do.
    whole = visibility(SPREAD, answers)
    for sect in SPREAD.sections:
        reads = SPREAD.section_reads(sect.id)
        part = {key: answer for key, answer in answers.items() if key in reads}
        shown = visibility(SPREAD, part)
        assert {item.id: shown[item.id] for item in sect.items} == {
            item.id: whole[item.id] for item in sect.items
        }
