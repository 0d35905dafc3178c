"""``model_language``: loading, coded and located errors, the schema, the stored definition, and
every scored item of the shipped rubrics having one."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from rubric_app.rubrics.errors import RubricError
from rubric_app.rubrics.loader import load_resources_file, load_rubric_file
from rubric_app.rubrics.model import Rubric
from rubric_app.rubrics.model_language import MAX_MODEL_LANGUAGE
from rubric_app.rubrics.serialize import (
    definition_hash,
    rubric_from_definition,
    rubric_to_definition,
)
from rubric_app.rubrics.yaml_nodes import read_document

MakeRubric = Callable[..., Rubric]
MakeRubricErrors = Callable[..., list[RubricError]]
RUBRICS = Path(__file__).resolve().parents[2] / "rubrics"

BASE = textwrap.dedent(
    """\
    id: clauses
    version: "1"
    title: Clauses
    summary: Model language test.
    audience: [district]
    issuer: [Test issuer]
    status_note: Test only.
    dimensions:
      - {id: policy, label: Written MOU or policy}
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
          - id: discipline
            prompt: The MOU keeps officers out of school discipline.
            scale: in-place
            basis: [src]
            model_language: >-
              School discipline is the sole responsibility of school staff.
              Officers take no part in it.
    scoring:
      levels:
        - {id: low, label: Low, min: 0, max: 49.99}
        - {id: high, label: High, min: 50, max: 100}
    """
)
GOOD = "School discipline is the sole responsibility of school staff. Officers take no part in it."
DISCIPLINE = "sections[0].items[1].model_language"
BLOCK = (
    "        model_language: >-\n"
    "          School discipline is the sole responsibility of school staff.\n"
    "          Officers take no part in it.\n"
)


def variant(old: str, new: str) -> str:
    assert BASE.count(old) == 1, f"snippet {old!r} must occur exactly once"
    return BASE.replace(old, new)


def line_of(text: str, snippet: str) -> int:
    return text[: text.index(snippet)].count("\n") + 1


def test_model_language_loads_as_one_paragraph(make_rubric: MakeRubric) -> None:
    rubric = make_rubric(BASE)
    assert rubric.item("discipline").model_language == GOOD
    assert rubric.item("gate").model_language == ""


def test_an_item_without_model_language_still_loads(make_rubric: MakeRubric) -> None:
    text = variant(
        BLOCK,
        "",
    )
    assert make_rubric(text).item("discipline").model_language == ""


LONG = "Officers shall respect students. " * (MAX_MODEL_LANGUAGE // 30)


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("[a, b]", "wrong-type", "expected text, found a list"),
        ('"  "', "bad-value", "must not be empty"),
        (f'"{LONG}"', "bad-value", f"keep it to at most {MAX_MODEL_LANGUAGE}"),
        ('"Officers <b>never</b> discipline."', "bad-value", "remove the markup starting '<b'"),
        ('"Officers never discipline {{ name }}."', "bad-value", "starting '{{'"),
        ('"Officers <!-- x --> never discipline."', "bad-value", "starting '<!'"),
        ('"Officers never\\x07 discipline."', "bad-value", "control character U+0007"),
    ],
)
def test_bad_model_language_is_a_located_coded_error(
    make_rubric_errors: MakeRubricErrors, value: str, code: str, message: str
) -> None:
    text = variant(
        BLOCK,
        f"        model_language: {value}\n",
    )
    errors = make_rubric_errors(text)
    assert [(e.code, e.path) for e in errors] == [(code, DISCIPLINE)]
    assert message in errors[0].message
    assert errors[0].line == line_of(text, "model_language:")
    assert errors[0].file == "test.yaml"


def test_prose_with_a_less_than_sign_is_not_markup(make_rubric: MakeRubric) -> None:
    text = variant("Officers take no part in it.", "Fewer than 5 < 10 referrals a year.")
    assert "5 < 10" in make_rubric(text).item("discipline").model_language


def test_an_unscored_item_takes_no_model_language(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant(
        "        prompt: Is there a partnership?\n",
        "        prompt: Is there a partnership?\n        model_language: Sign one.\n",
    )
    errors = make_rubric_errors(text)
    assert [(e.code, e.path) for e in errors] == [
        ("bad-value", "sections[0].items[0].model_language")
    ]
    assert "only scored items" in errors[0].message


def test_the_definition_keeps_model_language_and_old_definitions_load(
    make_rubric: MakeRubric,
) -> None:
    rubric = make_rubric(BASE)
    definition = json.loads(json.dumps(rubric_to_definition(rubric)))
    assert rubric_from_definition(definition) == rubric
    # A version stored before the key existed: no key, same rubric without the text.
    for section in definition["sections"]:
        for item in section["items"]:
            item.pop("model_language", None)
    old = rubric_from_definition(definition)
    assert old.item("discipline").model_language == ""
    without = make_rubric(
        variant(
            BLOCK,
            "",
        )
    )
    # Rubrics without model language keep the definition (and hash) they had before the key.
    assert definition_hash(rubric_to_definition(without)) == definition_hash(definition)


def _schema() -> jsonschema.Draft202012Validator:
    loaded = json.loads((RUBRICS / "rubric.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(loaded)


def _schema_errors(text: str) -> list[str]:
    return [error.message for error in _schema().iter_errors(read_document(text, "t").value)]


def test_the_schema_accepts_good_and_refuses_broken_model_language() -> None:
    assert _schema_errors(BASE) == []
    assert _schema_errors(variant("Officers take no part in it.", "Officers <i>never</i>."))
    assert _schema_errors(variant("Officers take no part in it.", LONG))
    on_yes_no = variant(
        "        prompt: Is there a partnership?\n",
        "        prompt: Is there a partnership?\n        model_language: Sign one.\n",
    )
    assert _schema_errors(on_yes_no)


@pytest.mark.parametrize(
    "path", sorted(p for p in RUBRICS.glob("*.yaml") if p.name != "resources.yaml"), ids=str
)
def test_every_scored_item_of_the_shipped_rubrics_has_model_language(path: Path) -> None:
    resources = load_resources_file(RUBRICS / "resources.yaml")
    rubric = load_rubric_file(path, resources)
    missing = [item.id for item in rubric.items if item.scored and not item.model_language]
    assert missing == []
    # Plain clauses a district adopts, not advice to itself: no "you"/"your" in them.
    addressed = [
        item.id
        for item in rubric.items
        if item.model_language and {"you", "your"} & set(item.model_language.lower().split())
    ]
    assert addressed == []
