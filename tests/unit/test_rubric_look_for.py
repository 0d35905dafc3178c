"""``look_for``: the per-item words and phrases that rank an agreement's clauses.

The loader's checks (code, line and path of each error), the stored definition (with and without
the key), and the shipped rubrics: every scored item has a list.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from rubric_app.rubrics.catalog import load_catalog
from rubric_app.rubrics.errors import RubricError
from rubric_app.rubrics.model import Rubric
from rubric_app.rubrics.rubric_reader import (
    LOOK_FOR_MAX_CHARS,
    LOOK_FOR_MAX_ENTRIES,
    LOOK_FOR_MAX_WORDS,
)
from rubric_app.rubrics.serialize import (
    definition_hash,
    rubric_from_definition,
    rubric_to_definition,
)

MakeRubric = Callable[..., Rubric]
MakeRubricErrors = Callable[..., list[RubricError]]

RUBRICS = Path(__file__).resolve().parents[2] / "rubrics"
LOOK_FOR_PATH = "sections[0].items[0].look_for"

BASE = textwrap.dedent(
    """\
    id: mini
    version: "1"
    title: Mini rubric
    summary: A tiny rubric for tests.
    audience: [district]
    issuer: [Test issuer]
    status_note: Test only.
    sources: [src]
    dimensions:
      - {id: policy, label: Policy}
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
          - id: discipline
            prompt: Does the MOU keep discipline with educators?
            LOOK_FOR
            scale: in-place
            basis: [src]
          - id: training
            prompt: Does the MOU require training?
            scale: in-place
            basis: [src]
    scoring:
      levels:
        - {id: all, label: All, min: 0, max: 100}
    """
)


def rubric_text(look_for: str) -> str:
    """BASE with the first item's ``look_for`` line(s) (indented under the item)."""
    lines = look_for.splitlines() or [""]
    indented = "\n".join([lines[0], *("        " + line for line in lines[1:])])
    return BASE.replace("LOOK_FOR", indented)


def line_of(text: str, snippet: str) -> int:
    return text[: text.index(snippet)].count("\n") + 1


def test_look_for_loads_in_order_with_spacing_normalised(make_rubric: MakeRubric) -> None:
    rubric = make_rubric(
        rubric_text('look_for: ["school  discipline", code of conduct, "Sole prerogative"]')
    )
    discipline, training = rubric.items
    assert discipline.look_for == ("school discipline", "code of conduct", "Sole prerogative")
    # Optional in the format: an item without it has none.
    assert training.look_for == ()


@pytest.mark.parametrize(
    ("look_for", "code", "path_suffix", "snippet", "words"),
    [
        ("look_for: discipline", "wrong-type", "", "look_for: discipline", "a list"),
        ("look_for: []", "bad-value", "", "look_for: []", "at least 1"),
        ('look_for: [discipline, ""]', "bad-value", "[1]", "look_for:", "empty"),
        ("look_for: [discipline, 3]", "wrong-type", "[1]", "look_for:", "text"),
        (
            "look_for:\n  - code of conduct\n  - Code  of Conduct",
            "bad-value",
            "[1]",
            "Code  of Conduct",
            "already in look_for",
        ),
        (
            "look_for:\n  - discipline\n  - one two three four five six seven",
            "bad-value",
            "[1]",
            "one two",
            f"at most {LOOK_FOR_MAX_WORDS} words",
        ),
        (
            f"look_for:\n  - discipline\n  - {'x' * (LOOK_FOR_MAX_CHARS + 1)}",
            "bad-value",
            "[1]",
            "xxxx",
            f"{LOOK_FOR_MAX_CHARS} characters",
        ),
        ('look_for:\n  - discipline\n  - "--"', "bad-value", "[1]", '"--"', "no letter or digit"),
    ],
)
def test_look_for_errors_have_code_line_and_path(
    make_rubric_errors: MakeRubricErrors,
    look_for: str,
    code: str,
    path_suffix: str,
    snippet: str,
    words: str,
) -> None:
    text = rubric_text(look_for)
    errors = make_rubric_errors(text)
    assert len(errors) == 1, [str(e) for e in errors]
    (error,) = errors
    assert (error.code, error.path) == (code, LOOK_FOR_PATH + path_suffix)
    assert error.line == line_of(text, snippet)
    assert words in error.message


def test_too_many_look_for_entries(make_rubric_errors: MakeRubricErrors) -> None:
    entries = ", ".join(f"term{n}" for n in range(LOOK_FOR_MAX_ENTRIES + 1))
    text = rubric_text(f"look_for: [{entries}]")
    (error,) = make_rubric_errors(text)
    assert (error.code, error.path, error.line) == (
        "bad-value",
        LOOK_FOR_PATH,
        line_of(text, "look_for:"),
    )
    assert f"{LOOK_FOR_MAX_ENTRIES} or fewer" in error.message


def test_look_for_is_stored_and_rebuilt(make_rubric: MakeRubric) -> None:
    rubric = make_rubric(rubric_text("look_for: [school discipline, code of conduct]"))
    definition = rubric_to_definition(rubric)
    assert definition["sections"][0]["items"][0]["look_for"] == [
        "school discipline",
        "code of conduct",
    ]
    # An item without look_for writes no key, so its definition (and hash) is what it was.
    assert "look_for" not in definition["sections"][0]["items"][1]
    assert rubric_from_definition(definition) == rubric


def test_definitions_stored_before_look_for_still_load(make_rubric: MakeRubric) -> None:
    with_terms = make_rubric(rubric_text("look_for: [school discipline]"))
    without = make_rubric(rubric_text(""))
    old_definition = rubric_to_definition(without)
    assert all("look_for" not in item for item in old_definition["sections"][0]["items"])
    rebuilt = rubric_from_definition(old_definition)
    assert [item.look_for for item in rebuilt.items] == [(), ()]
    # Adding terms changes the content, so a stored version is never silently reused.
    assert definition_hash(rubric_to_definition(with_terms)) != definition_hash(old_definition)


def test_every_scored_item_of_the_shipped_rubrics_has_look_for() -> None:
    catalog = load_catalog(RUBRICS)
    missing = [
        f"{rubric.id}: {item.id}"
        for rubric in catalog.rubrics.values()
        for item in rubric.items
        if item.scored and not item.look_for
    ]
    assert missing == []
    assert len(catalog.rubrics) == 4
