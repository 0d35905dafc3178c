"""The rubric loader: one test per error code (asserting code, line and path), plus the happy path,
all-errors-at-once, serialisation round trip and hash stability."""

from __future__ import annotations

import hashlib
import json
import textwrap
from collections.abc import Callable

import pytest

from rubric_app.rubrics.errors import RubricError, RubricLoadError
from rubric_app.rubrics.loader import load_resources_text, load_rubric_text
from rubric_app.rubrics.model import Condition, Resource, Rubric
from rubric_app.rubrics.serialize import (
    definition_hash,
    rubric_from_definition,
    rubric_to_definition,
)

# The fixtures' types (tests/unit/conftest.py); spelled out here as conftest is not importable.
MakeRubric = Callable[..., Rubric]
MakeRubricErrors = Callable[..., list[RubricError]]

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
      - {id: practice, label: Practice}
    scales:
      - id: in-place
        label: In place
        options:
          - {key: not-in-place, label: Not in place, points: 0}
          - {key: partly, label: Partly, points: 1}
          - {key: fully, label: Fully, points: 2}
    sections:
      - id: first
        title: First section
        items:
          - id: exists
            type: yes_no
            prompt: Does it exist?
            basis: [src]
          - id: mou
            prompt: Is there an MOU?
            recommendations: {policy: Sign an MOU., practice: Follow the MOU.}
            scale: in-place
            basis: [src]
            show_if: {item: exists, equals: "yes"}
    scoring:
      levels:
        - {id: low, label: Low, min: 0, max: 39.99}
        - {id: high, label: High, min: 40, max: 100}
    """
)

RESOURCES = textwrap.dedent(
    """\
    resources:
      - id: src
        title: A source
        publisher: Someone
        date: "2016-09-08"
        url: https://example.org/src
        kind: letter
        summary: What it says.
        steps: [training]
    """
)

ITEM_PATH = "sections[0].items[1]"


def variant(old: str, new: str, text: str = BASE) -> str:
    """BASE with one unique snippet replaced."""
    assert text.count(old) == 1, f"snippet {old!r} must occur exactly once"
    return text.replace(old, new)


def line_of(text: str, snippet: str) -> int:
    """The 1-based line on which ``snippet`` first occurs in ``text``."""
    index = text.index(snippet)
    return text[:index].count("\n") + 1


def only(errors: list[RubricError], code: str) -> RubricError:
    matching = [error for error in errors if error.code == code]
    assert len(matching) == 1, f"expected one {code}, got: {[str(e) for e in errors]}"
    return matching[0]


def assert_error(errors: list[RubricError], code: str, line: int | None, path: str) -> RubricError:
    error = only(errors, code)
    assert (error.line, error.path) == (line, path), str(error)
    return error


# --- the happy path ---------------------------------------------------------------------------


def test_minimal_rubric_loads_with_defaults(make_rubric: MakeRubric) -> None:
    rubric = make_rubric(BASE)
    exists, mou = rubric.items
    assert (rubric.id, rubric.version, rubric.family) == ("mini", "1", None)
    assert [section.number for section in rubric.sections] == [1]
    assert (mou.type, mou.weight, mou.importance, mou.scored) == ("scale", 1.0, "recommended", True)
    assert mou.dimensions == ("policy", "practice")
    assert mou.section_id == "first"
    assert mou.show_if == Condition(op="equals", item="exists", values=("yes",))
    assert (exists.scored, exists.dimensions, exists.answer_dimensions) == (False, (), ("value",))
    assert rubric.scale_of(mou) is not None
    assert rubric.level_for(39.99).id == "low"


def test_resource_ids_are_checked_only_when_a_library_is_given(make_rubric: MakeRubric) -> None:
    library = load_resources_text(RESOURCES, "resources.yaml")
    assert make_rubric(BASE, resources=library).sources == ("src",)
    assert library.get("src") == Resource(
        id="src",
        title="A source",
        publisher="Someone",
        date="2016-09-08",
        url="https://example.org/src",
        kind="letter",
        summary="What it says.",
        archived=False,
        steps=("training",),
    )


def test_conditions_all_any_in_and_dimension(make_rubric: MakeRubric) -> None:
    text = variant(
        '        show_if: {item: exists, equals: "yes"}\n',
        '        show_if: {item: exists, equals: "yes"}\n'
        "      - id: later\n"
        "        type: short_text\n"
        "        prompt: Anything else?\n"
        "        basis: [src]\n"
        "        show_if:\n"
        "          any:\n"
        '            - {item: exists, not_equals: "no"}\n'
        "            - all:\n"
        "                - {item: mou, dimension: policy, in: [partly, fully]}\n",
    )
    later = make_rubric(text).item("later")
    assert later.show_if == Condition(
        op="any",
        conditions=(
            Condition(op="not_equals", item="exists", values=("no",)),
            Condition(
                op="all",
                conditions=(
                    Condition(op="in", item="mou", dimension="policy", values=("partly", "fully")),
                ),
            ),
        ),
    )
    assert later.show_if is not None
    assert later.show_if.referenced_items() == ("exists", "mou")


def test_unquoted_dates_keep_their_source_text() -> None:
    library = load_resources_text(RESOURCES.replace('"2016-09-08"', "2016-09-08"), "r.yaml")
    assert library.resources["src"].date == "2016-09-08"


# --- reading the file -------------------------------------------------------------------------


def test_file_too_large_is_refused_before_parsing(make_rubric_errors: MakeRubricErrors) -> None:
    # Not even valid YAML: proves the size check runs first.
    errors = make_rubric_errors(b"[" * (1024 * 1024 + 1))
    assert [(e.code, e.line, e.path) for e in errors] == [("file-too-large", None, "")]


def test_not_utf8_names_the_line_of_the_first_bad_byte(
    make_rubric_errors: MakeRubricErrors,
) -> None:
    errors = make_rubric_errors(b"id: mini\ntitle: caf\xe9\n")
    assert_error(errors, "not-utf8", 2, "")


def test_tab_indent(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant("    title: First section\n", "\ttitle: First section\n")
    errors = make_rubric_errors(text)
    assert_error(errors, "tab-indent", line_of(text, "\ttitle"), "")


def test_yaml_syntax_error_has_the_parser_line(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant("title: Mini rubric", "title: Mini: rubric")
    errors = make_rubric_errors(text)
    error = assert_error(errors, "yaml-syntax", 3, "")
    assert "mapping values are not allowed" in error.message


def test_anchors_and_aliases_are_refused(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant("issuer: [Test issuer]", "issuer: &who [Test issuer]\nalso: *who")
    errors = make_rubric_errors(text)
    codes = [(e.code, e.line) for e in errors if e.code == "yaml-alias"]
    assert codes == [("yaml-alias", line_of(text, "&who")), ("yaml-alias", line_of(text, "*who"))]
    assert "alias bomb" in errors[0].message


def test_alias_bomb_is_refused_quickly(make_rubric_errors: MakeRubricErrors) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    errors = make_rubric_errors(bomb)
    assert {e.code for e in errors} >= {"yaml-alias"}


def test_explicit_tags_are_refused_and_never_constructed(
    make_rubric_errors: MakeRubricErrors,
) -> None:
    text = variant("title: Mini rubric", 'title: !!python/object/apply:os.system ["exit 3"]')
    errors = make_rubric_errors(text)
    error = assert_error(errors, "yaml-tag", line_of(text, "!!python"), "")
    assert "!!python/object/apply:os.system" in error.message


@pytest.mark.parametrize("text", ["- just\n- a list\n", "", "# only a comment\n", "plain text\n"])
def test_not_mapping(make_rubric_errors: MakeRubricErrors, text: str) -> None:
    assert [e.code for e in make_rubric_errors(text)] == ["not-mapping"]


# --- shapes and values ------------------------------------------------------------------------


def test_unknown_key_suggests_the_near_match(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant("    prompt: Is there an MOU?", "    promt: Is there an MOU?")
    errors = make_rubric_errors(text)
    error = assert_error(errors, "unknown-key", line_of(text, "promt"), f"{ITEM_PATH}.promt")
    assert "did you mean 'prompt'" in error.message
    # The required key it replaced is missing too, reported at the item's first line.
    assert_error(errors, "missing-key", line_of(text, "- id: mou"), f"{ITEM_PATH}.prompt")


def test_missing_top_level_key(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant("status_note: Test only.\n", "")
    assert_error(make_rubric_errors(text), "missing-key", 1, "status_note")


def test_unquoted_float_version_asks_for_quotes(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant('version: "1"', "version: 2016.10")
    error = assert_error(make_rubric_errors(text), "wrong-type", 2, "version")
    assert 'quote it: "2016.10"' in error.message


def test_unquoted_yes_in_show_if_is_not_silently_true(
    make_rubric_errors: MakeRubricErrors,
) -> None:
    text = variant('equals: "yes"', "equals: yes")
    error = assert_error(
        make_rubric_errors(text),
        "wrong-type",
        line_of(text, "show_if"),
        f"{ITEM_PATH}.show_if.equals",
    )
    assert 'quote it: "yes"' in error.message


def test_wrong_type_list_expected(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant("audience: [district]", "audience: district")
    assert_error(make_rubric_errors(text), "wrong-type", 5, "audience")


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("id: mini", "id: Mini Rubric", "id"),
        (
            "    prompt: Is there an MOU?",
            "    prompt: Is there an MOU?\n        type: essay",
            f"{ITEM_PATH}.type",
        ),
        (
            "    scale: in-place",
            "    scale: in-place\n        importance: vital",
            f"{ITEM_PATH}.importance",
        ),
        ("title: Mini rubric", 'title: ""', "title"),
        ("audience: [district]", "audience: [district, parents]", "audience[1]"),
    ],
)
def test_bad_value(make_rubric_errors: MakeRubricErrors, old: str, new: str, path: str) -> None:
    text = variant(old, new)
    last = new.splitlines()[-1].strip()
    assert_error(make_rubric_errors(text), "bad-value", line_of(text, last), path)


# --- duplicates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("      - id: mou\n", "      - id: exists\n", f"{ITEM_PATH}.id"),
        (
            "  - id: first\n",
            "  - id: first\n    title: A\n"
            "    items: [{id: x, prompt: X, scale: in-place, basis: [s]}]\n  - id: first\n",
            "sections[1].id",
        ),
        (
            "  - {id: practice, label: Practice}",
            "  - {id: policy, label: Practice}",
            "dimensions[1].id",
        ),
        (
            "{key: fully, label: Fully, points: 2}",
            "{key: partly, label: Fully, points: 2}",
            "scales[0].options[2].key",
        ),
        (
            "{id: high, label: High, min: 40, max: 100}",
            "{id: low, label: High, min: 40, max: 100}",
            "scoring.levels[1].id",
        ),
        ("sources: [src]\n", "sources: [src]\ntitle: Again\n", "title"),
    ],
)
def test_duplicate_ids(make_rubric_errors: MakeRubricErrors, old: str, new: str, path: str) -> None:
    text = variant(old, new)
    errors = make_rubric_errors(text)
    duplicate = only(errors, "duplicate-id")
    assert duplicate.path == path
    assert duplicate.line == _line_of_path_end(text, new)


def _line_of_path_end(text: str, new: str) -> int:
    # The duplicate is the last occurrence of the snippet's last line (the second use of the id).
    last = new.rstrip("\n").splitlines()[-1]
    return text[: text.rindex(last)].count("\n") + 1


def test_duplicate_scales_and_stages(make_rubric_errors: MakeRubricErrors) -> None:
    scale = (
        "  - id: in-place\n    label: Dup\n"
        "    options: [{key: a, label: A, points: 0}, {key: b, label: B, points: 1}]\n"
    )
    stages = "stages:\n  - {id: start, label: Start}\n  - {id: start, label: Again}\n"
    text = variant("sections:\n", scale + stages + "sections:\n")
    text = text.replace("    basis: [src]", "    basis: [src]\n        stage: start")
    errors = [e for e in make_rubric_errors(text) if e.code == "duplicate-id"]
    assert {(e.path, e.line) for e in errors} == {
        ("scales[1].id", line_of(text, "  - id: in-place\n    label: Dup")),
        ("stages[1].id", line_of(text, "{id: start, label: Again}")),
    }


def test_duplicate_resource_ids() -> None:
    text = RESOURCES + RESOURCES.removeprefix("resources:\n")
    with pytest.raises(RubricLoadError) as caught:
        load_resources_text(text, "resources.yaml")
    assert_error(caught.value.errors, "duplicate-id", line_of(text, "kind") + 3, "resources[1].id")


# --- cross-references -------------------------------------------------------------------------


def test_unknown_scale(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant("    scale: in-place", "    scale: in-plaice")
    assert_error(
        make_rubric_errors(text), "unknown-scale", line_of(text, "in-plaice"), f"{ITEM_PATH}.scale"
    )


def test_scale_item_needs_a_scale(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant("        scale: in-place\n", "")
    assert_error(
        make_rubric_errors(text), "missing-key", line_of(text, "- id: mou"), f"{ITEM_PATH}.scale"
    )


def test_unknown_resource(make_rubric_errors: MakeRubricErrors) -> None:
    library = load_resources_text(RESOURCES, "resources.yaml")
    text = variant(
        "    basis: [src]\n        show_if", "    basis: [src, nowhere]\n        show_if"
    )
    errors = make_rubric_errors(text, resources=library)
    assert_error(errors, "unknown-resource", line_of(text, "nowhere"), f"{ITEM_PATH}.basis[1]")


def test_unknown_dimension_on_item(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant(
        "    scale: in-place", "    scale: in-place\n        dimensions: [policy, practice, vibes]"
    )
    errors = make_rubric_errors(text)
    assert_error(errors, "unknown-dimension", line_of(text, "vibes"), f"{ITEM_PATH}.dimensions[2]")


def test_unknown_stage_and_missing_stage(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant("sections:\n", "stages:\n  - {id: start, label: Start}\nsections:\n")
    text = variant("    scale: in-place", "    scale: in-place\n        stage: finish", text)
    errors = make_rubric_errors(text)
    assert_error(errors, "unknown-stage", line_of(text, "stage: finish"), f"{ITEM_PATH}.stage")
    assert_error(
        errors, "missing-stage", line_of(text, "- id: exists"), "sections[0].items[0].stage"
    )


def test_unknown_section_in_resource_steps() -> None:
    text = RESOURCES.replace("steps: [training]", "steps: [training, hiring]")
    with pytest.raises(RubricLoadError) as caught:
        load_resources_text(text, "resources.yaml")
    assert_error(
        caught.value.errors, "unknown-section", line_of(text, "steps"), "resources[0].steps[1]"
    )


def test_show_if_unknown_item(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant("{item: exists,", "{item: exist,")
    errors = make_rubric_errors(text)
    assert_error(
        errors, "show-if-unknown-item", line_of(text, "show_if"), f"{ITEM_PATH}.show_if.item"
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('{item: exists, equals: "yes"}', '{item: mou, dimension: policy, equals: "fully"}'),
        (
            "    type: yes_no\n",
            '    type: yes_no\n        show_if: {item: mou, dimension: policy, equals: "fully"}\n',
        ),
    ],
    ids=["itself", "later"],
)
def test_show_if_later_item(make_rubric_errors: MakeRubricErrors, old: str, new: str) -> None:
    text = variant(old, new)
    error = only(make_rubric_errors(text), "show-if-later-item")
    assert error.line == line_of(text, "{item: mou")
    assert error.path.endswith("show_if.item")


def test_show_if_dimension_and_answer_are_checked(make_rubric_errors: MakeRubricErrors) -> None:
    base = variant('        show_if: {item: exists, equals: "yes"}\n', "")
    extra = (
        "      - id: third\n        type: yes_no\n        prompt: Third?\n        basis: [src]\n"
        "        show_if:\n          all:\n"
        '            - {item: mou, dimension: vibes, equals: "fully"}\n'
        "            - {item: mou, dimension: policy, in: [fully, totally]}\n"
        '            - {item: mou, equals: "fully"}\n'
    )
    text = variant("scoring:\n", extra + "scoring:\n", base)
    errors = make_rubric_errors(text)
    path = "sections[0].items[2].show_if.all"
    assert_error(errors, "unknown-dimension", line_of(text, "vibes"), f"{path}[0].dimension")
    assert_error(errors, "bad-value", line_of(text, "totally"), f"{path}[1].in[1]")
    # mou is rated on two dimensions, so a condition without one is ambiguous.
    assert_error(errors, "missing-key", line_of(text, "{item: mou, equals"), f"{path}[2].dimension")


@pytest.mark.parametrize("weight", ["0", "-1", "10.5", "11"])
def test_weight_out_of_range(make_rubric_errors: MakeRubricErrors, weight: str) -> None:
    text = variant("    scale: in-place", f"    scale: in-place\n        weight: {weight}")
    errors = make_rubric_errors(text)
    assert_error(errors, "weight-out-of-range", line_of(text, "weight"), f"{ITEM_PATH}.weight")


def test_weight_of_ten_is_allowed(make_rubric: MakeRubric) -> None:
    text = variant("    scale: in-place", "    scale: in-place\n        weight: 10")
    assert make_rubric(text).item("mou").weight == 10.0


LEVELS = (
    "    - {id: low, label: Low, min: 0, max: 39.99}\n"
    "    - {id: high, label: High, min: 40, max: 100}\n"
)


@pytest.mark.parametrize(
    ("bands", "code", "index", "key"),
    [
        ((0, 39, 40, 100), "levels-gap", 1, ".min"),
        ((5, 39.99, 40, 100), "levels-gap", 0, ".min"),
        ((0, 39.99, 40, 99), "levels-gap", 1, ".max"),
        ((0, 50, 40, 100), "levels-overlap", 1, ".min"),
        ((0, 40, 40, 100), "levels-overlap", 1, ".min"),
        ((0, 39.99, 40, 120), "levels-range", 1, ""),
        ((0, 39.99, 70, 40), "levels-range", 1, ""),
    ],
)
def test_levels(
    make_rubric_errors: MakeRubricErrors,
    bands: tuple[float, float, float, float],
    code: str,
    index: int,
    key: str,
) -> None:
    low_min, low_max, high_min, high_max = bands
    levels = (
        f"    - {{id: low, label: Low, min: {low_min}, max: {low_max}}}\n"
        f"    - {{id: high, label: High, min: {high_min}, max: {high_max}}}\n"
    )
    text = variant(LEVELS, levels)
    errors = make_rubric_errors(text)
    line = line_of(text, "{id: low") + index
    assert_error(errors, code, line, f"scoring.levels[{index}]{key}")


def test_adjacent_bands_to_the_hundredth_are_contiguous(make_rubric: MakeRubric) -> None:
    levels = (
        "    - {id: a, label: A, min: 0, max: 39.99}\n"
        "    - {id: b, label: B, min: 40, max: 69.99}\n"
        "    - {id: c, label: C, min: 70, max: 89.99}\n"
        "    - {id: d, label: D, min: 90, max: 100}\n"
    )
    rubric = make_rubric(variant(LEVELS, levels))
    assert [level.id for level in rubric.scoring.levels] == ["a", "b", "c", "d"]
    # A score between two bands written to the hundredth belongs to the lower one.
    assert [rubric.level_for(p).id for p in (0, 39.995, 40, 89.999, 100)] == list("aabcd")


def test_scale_needs_two_options(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant(
        "      - {key: partly, label: Partly, points: 1}\n"
        "      - {key: fully, label: Fully, points: 2}\n",
        "",
    )
    errors = make_rubric_errors(text)
    assert_error(errors, "scale-options", line_of(text, "options"), "scales[0].options")


def test_scale_options_need_distinct_points(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant("{key: fully, label: Fully, points: 2}", "{key: fully, label: Fully, points: 1}")
    errors = make_rubric_errors(text)
    assert_error(
        errors, "scale-options", line_of(text, "key: fully"), "scales[0].options[2].points"
    )


def test_secure_family_needs_the_five_sections(make_rubric_errors: MakeRubricErrors) -> None:
    text = variant("sources: [src]", "sources: [src]\nfamily: secure")
    assert_error(
        make_rubric_errors(text), "secure-sections", line_of(text, "sections:"), "sections"
    )


def test_secure_family_with_the_five_sections_loads(make_rubric: MakeRubric) -> None:
    from rubric_app.rubrics.model import SECURE_STEP_IDS

    section = (
        "  - id: {id}\n    title: T\n"
        "    items: [{{id: i-{id}, prompt: P, scale: in-place, basis: [src],\n"
        "              recommendations: {{policy: Write., practice: Do.}}}}]\n"
    )
    sections = "".join(section.format(id=step) for step in SECURE_STEP_IDS)
    start, end = BASE.index("sections:\n"), BASE.index("scoring:\n")
    text = BASE[:start] + "family: secure\nsections:\n" + sections + BASE[end:]
    rubric = make_rubric(text)
    assert tuple(s.id for s in rubric.sections) == SECURE_STEP_IDS
    assert [s.number for s in rubric.sections] == [1, 2, 3, 4, 5]


# --- all at once, formatting ------------------------------------------------------------------


def test_every_error_of_a_file_is_reported_at_once(make_rubric_errors: MakeRubricErrors) -> None:
    text = BASE
    for old, new in [
        ('version: "1"', "version: 2016.1"),
        ("    scale: in-place", "    scale: nope\n        weight: 0\n        colour: red"),
        ("{item: exists,", "{item: ghost,"),
        ("max: 100}", "max: 90}"),
        ("{id: practice, label: Practice}", "{id: policy, label: Practice}"),
    ]:
        text = variant(old, new, text)
    errors = make_rubric_errors(text)
    assert {e.code for e in errors} == {
        "wrong-type",
        "unknown-scale",
        "weight-out-of-range",
        "unknown-key",
        "show-if-unknown-item",
        "levels-gap",
        "duplicate-id",
        # The duplicate leaves no 'practice' dimension, so mou's advice for it names none.
        "unknown-dimension",
    }
    lines = [e.line or 0 for e in errors]
    assert lines == sorted(lines), "errors are listed top to bottom"


def test_error_string_format() -> None:
    error = RubricError("bad-value", "must not be empty", "rubrics/x.yaml", 3, "title")
    assert str(error) == "rubrics/x.yaml:3: title: must not be empty [bad-value]"
    assert str(RubricError("file-too-large", "too big", "x.yaml", None, "")) == (
        "x.yaml: too big [file-too-large]"
    )


def test_load_error_message_lists_every_error(make_rubric_errors: MakeRubricErrors) -> None:
    with pytest.raises(RubricLoadError) as caught:
        load_rubric_text(variant("title: Mini rubric\n", ""), "x.yaml")
    assert "x.yaml:1: title: 'title' is required [missing-key]" in str(caught.value)


# --- serialisation ----------------------------------------------------------------------------


def test_round_trip_through_the_definition(make_rubric: MakeRubric) -> None:
    text = variant(
        "    scale: in-place",
        "    scale: in-place\n        weight: 2\n        importance: essential",
    )
    rubric = make_rubric(text)
    definition = rubric_to_definition(rubric)
    # The stored form is JSON: go through real JSON text, as the database does.
    restored = rubric_from_definition(json.loads(json.dumps(definition)))
    assert restored == rubric
    assert restored.item("mou").show_if == rubric.item("mou").show_if
    assert list(definition)[:3] == ["format_version", "id", "version"]


def test_malformed_definition_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="format_version"):
        rubric_from_definition({"id": "x"})
    with pytest.raises(ValueError, match="malformed"):
        rubric_from_definition({"format_version": 1, "id": "x"})


def test_hash_is_stable_across_formatting_and_changes_with_content(
    make_rubric: MakeRubric,
) -> None:
    reformatted = variant("audience: [district]", "# who it is for\naudience:\n  - district")
    reformatted = variant(
        "    scale: in-place", "    scale: in-place\n        weight: 1", reformatted
    )
    first = definition_hash(rubric_to_definition(make_rubric(BASE)))
    assert definition_hash(rubric_to_definition(make_rubric(reformatted))) == first
    changed = variant("prompt: Is there an MOU?", "prompt: Is there a signed MOU?")
    assert definition_hash(rubric_to_definition(make_rubric(changed))) != first
    canonical = json.dumps(
        rubric_to_definition(make_rubric(BASE)),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")
    assert first == hashlib.sha256(canonical).hexdigest()


def test_hash_keeps_non_ascii_text() -> None:
    assert definition_hash({"t": "é"}) == hashlib.sha256('{"t":"é"}'.encode()).hexdigest()


def test_deep_nesting_is_a_syntax_error_not_a_crash(make_rubric_errors: MakeRubricErrors) -> None:
    errors = make_rubric_errors("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert [(e.code, e.line) for e in errors] == [("yaml-syntax", 1)]
    assert "nested deeper than" in errors[0].message
