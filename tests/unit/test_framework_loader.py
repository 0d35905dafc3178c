"""The framework loader on good and broken frameworks: located, coded errors, all at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from framework_fixtures import FRAMEWORK, mini_rubric

from rubric_app.frameworks.loader import (
    load_framework_file,
    load_framework_text,
    read_frameworks,
)
from rubric_app.frameworks.model import ItemCheck
from rubric_app.rubrics.errors import RubricError, RubricLoadError
from rubric_app.rubrics.yaml_nodes import MAX_BYTES

RUBRICS = {"mini": mini_rubric()}


def errors_of(text: str | bytes) -> list[RubricError]:
    with pytest.raises(RubricLoadError) as caught:
        load_framework_text(text, "law.yaml", RUBRICS)
    return caught.value.errors


def located(errors: list[RubricError]) -> set[tuple[str, str, int | None]]:
    return {(error.code, error.path, error.line) for error in errors}


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the first line of ``text`` containing ``fragment``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_a_good_framework_loads_into_a_frozen_tree() -> None:
    framework = load_framework_text(FRAMEWORK, "law.yaml", RUBRICS)
    assert framework.id == "test-law"
    assert framework.jurisdiction == "WA"
    assert framework.text_date == "2021-07"
    assert framework.partial
    assert [r.id for r in framework.requirements] == ["has-mou", "no-discipline"]
    has_mou, no_discipline = framework.requirements
    # The short form (a bare id) means every dimension of the item.
    assert has_mou.rule_for("mini").checks == (ItemCheck("mou", ()),)  # type: ignore[union-attr]
    assert has_mou.status == "partial"  # inherited from the framework
    assert no_discipline.status == "official"  # its own
    assert no_discipline.rule_for("mini").checks == (  # type: ignore[union-attr]
        ItemCheck("no-discipline", ("policy",)),
        ItemCheck("exists", ()),
    )
    assert no_discipline.rule_for("other") is None
    assert framework.not_checked[0].citation == "Test Code § 1(c)"
    assert framework.rubric_ids() == ("mini",)
    with pytest.raises(AttributeError):
        framework.id = "changed"  # type: ignore[misc]


def test_references_are_unchecked_without_rubrics() -> None:
    text = FRAMEWORK.replace("rubric: mini", "rubric: elsewhere")
    assert load_framework_text(text, "law.yaml", None).rubric_ids() == ("elsewhere",)
    assert ("unknown-rubric", "requirements[0].rules[0].rubric") in {
        (e.code, e.path) for e in errors_of(text)
    }


@pytest.mark.parametrize(
    ("removed", "path"),
    [
        ('    citation: "Test Code § 1(a)"\n', "requirements[0].citation"),
        ('    source: "https://example.org/law"\n    rules:', "requirements[0].source"),
        ("    statement: The district has an MOU.\n", "requirements[0].statement"),
    ],
)
def test_a_requirement_without_citation_source_or_statement_is_refused(
    removed: str, path: str
) -> None:
    text = FRAMEWORK.replace(removed, "\n    rules:" if "rules:" in removed else "", 1)
    assert text != FRAMEWORK
    errors = errors_of(text)
    assert ("missing-key", path) in {(e.code, e.path) for e in errors}
    assert all(e.line is not None and e.file == "law.yaml" for e in errors)


def test_a_requirement_without_mapped_items_is_refused() -> None:
    no_rules = FRAMEWORK.replace(
        "    rules:\n      - rubric: mini\n        items:\n          - mou\n", "", 1
    )
    empty_items = FRAMEWORK.replace("        items:\n          - mou\n", "        items: []\n", 1)
    assert ("missing-key", "requirements[0].rules") in {
        (e.code, e.path) for e in errors_of(no_rules)
    }
    assert ("bad-value", "requirements[0].rules[0].items") in {
        (e.code, e.path) for e in errors_of(empty_items)
    }


def test_every_reference_problem_is_reported_at_once_with_its_line() -> None:
    text = (
        FRAMEWORK.replace("          - mou\n", "          - no-such-item\n", 1)
        .replace("dimensions: [policy]", "dimensions: [paper]")
        .replace("- item: exists", "- item: notes")
    )
    errors = errors_of(text)
    assert located(errors) == {
        ("unknown-item", "requirements[0].rules[0].items[0]", line_of(text, "no-such-item")),
        (
            "unknown-dimension",
            "requirements[1].rules[0].items[0].dimensions[0]",
            line_of(text, "[paper]"),
        ),
        ("bad-value", "requirements[1].rules[0].items[1].item", line_of(text, "item: notes")),
    }
    by_code = {e.code: e.message for e in errors}
    assert "no item 'no-such-item'" in by_code["unknown-item"]
    assert "long_text item" in by_code["bad-value"]
    # Errors print compiler-style so editors and CI jump to the line.
    assert str(errors[0]).startswith(f"law.yaml:{errors[0].line}: requirements[")


@pytest.mark.parametrize(
    ("old", "new", "code", "path"),
    [
        ("jurisdiction: WA", "jurisdiction: Washington", "bad-value", "jurisdiction"),
        ("jurisdiction: WA", "jurisdiction: wa", "bad-value", "jurisdiction"),
        ('text_date: "2021-07"', "text_date: July 2021", "bad-value", "text_date"),
        ('text_date: "2021-07"', "text_date: 2021", "wrong-type", "text_date"),
        ("status: partial", "status: draft", "bad-value", "status"),
        ('  - "https://example.org/law"\nnote', "  - example.org\nnote", "bad-value", "sources[0]"),
        (
            '    source: "https://example.org/law"\n    rules:\n      - rubric: mini\n'
            "        items:\n          - mou",
            '    source: "https://example.org/other"\n    rules:\n      - rubric: mini\n'
            "        items:\n          - mou",
            "bad-value",
            "requirements[0].source",
        ),
        ("  - id: no-discipline", "  - id: has-mou", "duplicate-id", "requirements[1].id"),
        ("          - mou\n", "          - mou\n          - mou\n", "duplicate-id", ""),
        ("    mapping_note:", "    maping_note:", "unknown-key", "requirements[1].maping_note"),
        ("note: PARTIAL", "notes: PARTIAL", "unknown-key", "notes"),
        ("note: PARTIAL list", "note: A list", "bad-value", "note"),
    ],
)
def test_broken_values_get_a_coded_located_error(old: str, new: str, code: str, path: str) -> None:
    text = FRAMEWORK.replace(old, new, 1)
    assert text != FRAMEWORK
    errors = errors_of(text)
    found = {(e.code, e.path) for e in errors}
    if path:
        assert (code, path) in found, errors
    else:
        assert code in {c for c, _ in found}, errors
    assert all(e.line is not None for e in errors if e.path)


def test_a_typo_in_a_key_suggests_the_known_key() -> None:
    errors = errors_of(FRAMEWORK.replace("    mapping_note:", "    maping_note:", 1))
    assert "did you mean 'mapping_note'?" in errors[0].message


def test_federal_jurisdiction_is_accepted() -> None:
    text = FRAMEWORK.replace("jurisdiction: WA", "jurisdiction: federal")
    assert load_framework_text(text, "law.yaml", RUBRICS).federal


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("base: &b {id: x}\nother: *b\n", "yaml-alias"),
        ("id: !!python/object:os.system x\n", "yaml-tag"),
        ("id: [unclosed\n", "yaml-syntax"),
        ("- a list\n", "not-mapping"),
        ("", "not-mapping"),
        (b"id: \xff\n", "not-utf8"),
        ("id: x\n\ttitle: y\n", "tab-indent"),
    ],
)
def test_unsafe_or_unreadable_yaml_is_refused_before_anything_is_built(
    text: str | bytes, code: str
) -> None:
    assert code in {error.code for error in errors_of(text)}


def test_a_file_is_stat_checked_before_it_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "dir.yaml"
    folder.mkdir()
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_BYTES + 1))
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)  # opening a FIFO for reading would block: it must be refused on stat
    for path, code in (
        (folder, "not-regular-file"),
        (big, "file-too-large"),
        (fifo, "not-regular-file"),
    ):
        with pytest.raises(RubricLoadError) as caught:
            load_framework_file(path, RUBRICS)
        assert [(e.code, e.file, e.line) for e in caught.value.errors] == [(code, str(path), None)]


def test_a_folder_loads_what_loads_and_reports_the_rest(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(FRAMEWORK, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(FRAMEWORK, encoding="utf-8")  # the same id again
    (tmp_path / "c.yaml").write_text(
        FRAMEWORK.replace("id: test-law", "id: other-law").replace(
            'citation: "Test Code § 1(a)"', "citation: [not, text]"
        ),
        encoding="utf-8",
    )
    loaded = read_frameworks(tmp_path, RUBRICS)
    assert list(loaded.frameworks) == ["test-law"]
    assert [(e.code, Path(e.file).name) for e in loaded.errors] == [
        ("duplicate-id", "b.yaml"),
        ("wrong-type", "c.yaml"),
    ]
    assert loaded.for_jurisdiction("WA") == (loaded.frameworks["test-law"],)
    assert loaded.for_jurisdiction("OR") == ()
