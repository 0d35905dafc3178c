"""Fixtures for domain unit tests: build rubrics (or their errors) from inline YAML text."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import pytest

from rubric_app.rubrics.errors import RubricError, RubricLoadError
from rubric_app.rubrics.loader import load_rubric_text
from rubric_app.rubrics.model import ResourceLibrary, Rubric

MakeRubric = Callable[..., Rubric]
MakeRubricErrors = Callable[..., list[RubricError]]


@pytest.fixture
def make_rubric() -> MakeRubric:
    """Build a Rubric from inline YAML (dedented); fails the test with every error if invalid."""

    def build(
        text: str, resources: ResourceLibrary | None = None, filename: str = "test.yaml"
    ) -> Rubric:
        try:
            return load_rubric_text(textwrap.dedent(text), filename, resources)
        except RubricLoadError as exc:
            pytest.fail(f"rubric did not load:\n{exc}")

    return build


@pytest.fixture
def make_rubric_errors() -> MakeRubricErrors:
    """The errors of invalid inline YAML (dedented); fails the test if the rubric loads."""

    def collect(
        text: str | bytes, resources: ResourceLibrary | None = None, filename: str = "test.yaml"
    ) -> list[RubricError]:
        source = textwrap.dedent(text) if isinstance(text, str) else text
        with pytest.raises(RubricLoadError) as caught:
            load_rubric_text(source, filename, resources)
        assert caught.value.errors, "RubricLoadError raised without errors"
        return caught.value.errors

    return collect
