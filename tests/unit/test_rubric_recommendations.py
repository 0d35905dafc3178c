"""Per-dimension advice (``recommendations``): loading, the fallback, coded and located errors,
and the stored definition of old and new rubric versions."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable

from rubric_app.rubrics.errors import RubricError
from rubric_app.rubrics.model import Rubric
from rubric_app.rubrics.serialize import (
    definition_hash,
    rubric_from_definition,
    rubric_to_definition,
)

MakeRubric = Callable[..., Rubric]
MakeRubricErrors = Callable[..., list[RubricError]]

TWO_SIDES = textwrap.dedent(
    """\
    id: sides
    version: "1"
    title: Two sides
    summary: Rated on paper and in practice.
    audience: [district]
    issuer: [Test issuer]
    status_note: Test only.
    sources: [src]
    dimensions:
      - {id: policy, label: Written MOU or policy}
      - {id: practice, label: Practice}
    scales:
      - id: in-place
        label: In place
        options:
          - {key: not-in-place, label: Not in place, points: 0}
          - {key: fully, label: Fully, points: 2}
    sections:
      - id: first
        title: First section
        items:
          - id: gate
            type: yes_no
            prompt: Is there a partnership?
            basis: [src]
          - id: signed
            prompt: Is the MOU signed?
            scale: in-place
            basis: [src]
            recommendation: Sign it, then live by it.
            recommendations:
              policy: Have both leaders sign the MOU.
              practice: Assign no officer before the signature date.
          - id: paper-only
            prompt: Was the MOU checked against a model?
            scale: in-place
            dimensions: [policy]
            basis: [src]
            recommendation: Compare it with a model MOU.
    scoring:
      levels:
        - {id: low, label: Low, min: 0, max: 49.99}
        - {id: high, label: High, min: 50, max: 100}
    """
)

SIGNED = "sections[0].items[1]"


def variant(old: str, new: str, text: str = TWO_SIDES) -> str:
    assert text.count(old) == 1, f"snippet {old!r} must occur exactly once"
    return text.replace(old, new)


def line_of(text: str, snippet: str) -> int:
    return text[: text.index(snippet)].count("\n") + 1


def codes(errors: list[RubricError]) -> list[tuple[str, int | None, str]]:
    return [(e.code, e.line, e.path) for e in errors]


def test_each_side_gets_its_own_advice(make_rubric: MakeRubric) -> None:
    item = make_rubric(TWO_SIDES).item("signed")
    assert item.recommendations == (
        ("policy", "Have both leaders sign the MOU."),
        ("practice", "Assign no officer before the signature date."),
    )
    assert item.recommendation_for("policy") == "Have both leaders sign the MOU."
    assert item.recommendation_for("practice") == "Assign no officer before the signature date."


def test_the_file_order_of_the_sides_does_not_matter(make_rubric: MakeRubric) -> None:
    text = variant(
        "          policy: Have both leaders sign the MOU.\n"
        "          practice: Assign no officer before the signature date.\n",
        "          practice: Assign no officer before the signature date.\n"
        "          policy: Have both leaders sign the MOU.\n",
    )
    item = make_rubric(text).item("signed")
    assert [dimension for dimension, _ in item.recommendations] == ["policy", "practice"]


def test_an_item_rated_on_one_side_keeps_the_single_recommendation(
    make_rubric: MakeRubric,
) -> None:
    item = make_rubric(TWO_SIDES).item("paper-only")
    assert item.recommendations == ()
    assert item.recommendation_for("policy") == "Compare it with a model MOU."


def test_missing_practice_advice_is_a_coded_error_at_the_mapping(
    make_rubric_errors: MakeRubricErrors,
) -> None:
    text = variant("          practice: Assign no officer before the signature date.\n", "")
    errors = make_rubric_errors(text)
    assert codes(errors) == [
        (
            "missing-recommendation",
            line_of(text, "recommendations:"),
            f"{SIGNED}.recommendations.practice",
        )
    ]
    assert "'practice'" in errors[0].message
    assert errors[0].file == "test.yaml"


def test_no_recommendations_at_all_names_both_sides_at_the_item(
    make_rubric_errors: MakeRubricErrors,
) -> None:
    text = variant(
        "        recommendations:\n"
        "          policy: Have both leaders sign the MOU.\n"
        "          practice: Assign no officer before the signature date.\n",
        "",
    )
    errors = make_rubric_errors(text)
    # The single recommendation is no excuse: it cannot say which side is short.
    line = line_of(text, "- id: signed")
    assert codes(errors) == [
        ("missing-recommendation", line, f"{SIGNED}.recommendations"),
        ("missing-recommendation", line, f"{SIGNED}.recommendations"),
    ]
    assert ["'policy'" in errors[0].message, "'practice'" in errors[1].message] == [True, True]


def test_advice_for_a_side_the_item_is_not_rated_on(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant(
        "        recommendation: Compare it with a model MOU.\n",
        "        recommendation: Compare it with a model MOU.\n"
        "        recommendations: {policy: Compare it., practise: Use it.}\n",
    )
    errors = make_rubric_errors(text)
    assert codes(errors) == [
        (
            "unknown-dimension",
            line_of(text, "practise"),
            "sections[0].items[2].recommendations.practise",
        )
    ]


def test_empty_advice_and_a_list_are_refused(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant("          policy: Have both leaders sign the MOU.\n", '          policy: ""\n')
    errors = make_rubric_errors(text)
    assert ("bad-value", line_of(text, 'policy: ""'), f"{SIGNED}.recommendations.policy") in codes(
        errors
    )
    listed = variant(
        "        recommendations:\n"
        "          policy: Have both leaders sign the MOU.\n"
        "          practice: Assign no officer before the signature date.\n",
        "        recommendations: [Sign it., Do it.]\n",
    )
    assert codes(make_rubric_errors(listed)) == [
        ("wrong-type", line_of(listed, "[Sign it."), f"{SIGNED}.recommendations")
    ]


def test_unscored_and_one_dimension_rubrics_need_no_per_side_advice(
    make_rubric: MakeRubric,
) -> None:
    unscored = variant(
        "        recommendations:\n"
        "          policy: Have both leaders sign the MOU.\n"
        "          practice: Assign no officer before the signature date.\n",
        "        scored: false\n",
    )
    assert make_rubric(unscored).item("signed").recommendations == ()
    one_side = variant("  - {id: practice, label: Practice}\n", "")
    one_side = variant(
        "          practice: Assign no officer before the signature date.\n", "", one_side
    )
    rubric = make_rubric(one_side)
    assert rubric.item("signed").recommendation_for("policy") == "Have both leaders sign the MOU."


def test_advice_survives_the_stored_definition(make_rubric: MakeRubric) -> None:
    rubric = make_rubric(TWO_SIDES)
    definition = rubric_to_definition(rubric)
    restored = rubric_from_definition(json.loads(json.dumps(definition)))
    assert restored == rubric
    assert restored.item("signed").recommendation_for("practice") == (
        "Assign no officer before the signature date."
    )


def test_a_stored_version_from_before_the_key_still_loads_with_its_hash(
    make_rubric: MakeRubric,
) -> None:
    rubric = make_rubric(TWO_SIDES)
    definition = rubric_to_definition(rubric)
    # Items without advice per side are written without the key, so definitions stored before
    # it existed (and their hashes) are unchanged, and such definitions still load.
    items = definition["sections"][0]["items"]
    assert [("recommendations" in item) for item in items] == [False, True, False]
    old = json.loads(json.dumps(definition))
    del old["sections"][0]["items"][1]["recommendations"]
    restored = rubric_from_definition(old)
    assert restored.item("signed").recommendations == ()
    assert restored.item("signed").recommendation_for("practice") == "Sign it, then live by it."
    assert definition_hash(rubric_to_definition(restored)) == definition_hash(old)
