"""``scoring.min_coverage`` in rubric YAML: default, read, range check with its location, stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml
from test_rubric_loader import BASE, assert_error, line_of, variant

from rubric_app.rubrics.errors import RubricError
from rubric_app.rubrics.model import DEFAULT_MIN_COVERAGE, Rubric
from rubric_app.rubrics.serialize import rubric_from_definition, rubric_to_definition

MakeRubric = Callable[..., Rubric]
MakeRubricErrors = Callable[..., list[RubricError]]

SCHEMA = Path(__file__).resolve().parents[2] / "rubrics" / "rubric.schema.json"


def test_default_is_six_in_ten(make_rubric: MakeRubric) -> None:
    assert make_rubric(BASE).scoring.min_coverage == DEFAULT_MIN_COVERAGE == 0.6


def test_a_rubric_sets_its_own_threshold(make_rubric: MakeRubric) -> None:
    text = variant("scoring:\n", "scoring:\n  min_coverage: 0.75\n")
    assert make_rubric(text).scoring.min_coverage == 0.75


@pytest.mark.parametrize("bad", ["1.5", "-0.1"])
def test_out_of_range_is_a_located_error(make_rubric_errors: MakeRubricErrors, bad: str) -> None:
    text = variant("scoring:\n", f"scoring:\n  min_coverage: {bad}\n")
    assert_error(
        make_rubric_errors(text),
        "bad-value",
        line_of(text, "min_coverage"),
        ("scoring.min_coverage"),
    )


def test_not_a_number_is_a_located_error(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant("scoring:\n", "scoring:\n  min_coverage: most\n")
    assert_error(
        make_rubric_errors(text),
        "wrong-type",
        line_of(text, "min_coverage"),
        "scoring.min_coverage",
    )


def test_stored_definition_keeps_it_and_the_default_keeps_old_hashes(
    make_rubric: MakeRubric,
) -> None:
    default = rubric_to_definition(make_rubric(BASE))
    # Rubrics on the default store what they stored before the key existed.
    assert "min_coverage" not in default["scoring"]
    assert rubric_from_definition(default).scoring.min_coverage == DEFAULT_MIN_COVERAGE
    strict = make_rubric(variant("scoring:\n", "scoring:\n  min_coverage: 0.8\n"))
    restored = rubric_from_definition(json.loads(json.dumps(rubric_to_definition(strict))))
    assert restored.scoring.min_coverage == 0.8
    assert restored == strict


def test_json_schema_accepts_it_in_range_and_rejects_it_out_of_range() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    prop = schema["$defs"]["scoring"]["properties"]["min_coverage"]
    assert prop["default"] == DEFAULT_MIN_COVERAGE
    document = yaml.safe_load(BASE)
    document["scoring"]["min_coverage"] = 0.75
    assert [e.message for e in validator.iter_errors(document)] == []
    document["scoring"]["min_coverage"] = 1.5
    assert [e.json_path for e in validator.iter_errors(document)] == ["$.scoring.min_coverage"]
