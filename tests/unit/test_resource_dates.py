"""Resource dates are optional (never guessed) but must be real dates when given."""

from __future__ import annotations

import textwrap

import pytest

from rubric_app.rubrics.errors import RubricLoadError
from rubric_app.rubrics.loader import load_resources_text

ENTRY = """\
resources:
  - id: undated-guide
    title: An undated guide
    publisher: Someone
    url: https://example.org/guide
    kind: guide
    summary: A page that carries no date.
{date}"""


def test_a_resource_without_a_date_loads_with_an_empty_date() -> None:
    library = load_resources_text(ENTRY.format(date=""), "resources.yaml")
    resource = library.get("undated-guide")
    assert resource is not None
    assert resource.date == ""


def test_a_given_date_must_be_real() -> None:
    text = ENTRY.format(date='    date: "2016-13"\n')
    with pytest.raises(RubricLoadError) as caught:
        load_resources_text(textwrap.dedent(text), "resources.yaml")
    [error] = caught.value.errors
    assert error.code == "bad-value"
    assert error.line == 8
    assert error.path.endswith("date")
