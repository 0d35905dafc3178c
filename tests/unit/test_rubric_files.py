"""The real files in rubrics/ load and match the JSON Schema; the catalog; the validate command."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from rubric_app.rubrics.catalog import check_paths, load_catalog, rubric_files
from rubric_app.rubrics.errors import CODES, RubricLoadError
from rubric_app.rubrics.model import SECURE_STEP_IDS
from rubric_app.rubrics.validate import format_errors, main
from rubric_app.rubrics.yaml_nodes import read_document

ROOT = Path(__file__).resolve().parents[2]
RUBRICS = ROOT / "rubrics"
DOC = ROOT / "docs" / "rubric-format.md"

#: The rubric files the project ships, by file name, with the id each must carry.
EXPECTED = {
    "secure-local-implementation.yaml": "secure-local-implementation",
    "secure-state-local-policy.yaml": "secure-state-local-policy",
    "afterschool-law-enforcement-partnership.yaml": "afterschool-law-enforcement-partnership",
    "campus-policing-21cp.yaml": "campus-policing-21cp",
}


def schema(name: str) -> jsonschema.Draft202012Validator:
    loaded = json.loads((RUBRICS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(loaded)
    return jsonschema.Draft202012Validator(loaded)


def document_value(path: Path) -> Any:
    # The loader's own reader, so values are what the loader sees (e.g. dates stay text).
    document = read_document(path.read_bytes(), str(path))
    assert not document.errors, [str(e) for e in document.errors]
    return document.value


# --- the real files ---------------------------------------------------------------------------


def test_every_real_file_loads_without_errors() -> None:
    try:
        catalog = load_catalog(RUBRICS)
    except RubricLoadError as exc:
        pytest.fail(f"rubrics/ has errors:\n{exc}")
    assert len(catalog.resources) > 0
    assert set(catalog.files.values()) == set(rubric_files(RUBRICS))
    for name, rubric_id in EXPECTED.items():
        if (RUBRICS / name).exists():
            assert catalog.files[rubric_id].name == name


def test_at_least_the_first_secure_rubric_is_present() -> None:
    assert (RUBRICS / "resources.yaml").exists()
    assert "secure-local-implementation" in load_catalog(RUBRICS).rubrics


def test_every_secure_family_rubric_has_the_five_steps() -> None:
    catalog = load_catalog(RUBRICS)
    secure = [rubric for rubric in catalog.rubrics.values() if rubric.family == "secure"]
    assert secure, "expected at least one SECURe-family rubric"
    for rubric in secure:
        assert tuple(section.id for section in rubric.sections) == SECURE_STEP_IDS, rubric.id


@pytest.mark.parametrize("path", rubric_files(RUBRICS), ids=lambda p: p.name)
def test_every_rubric_file_matches_the_schema(path: Path) -> None:
    errors = [e.message for e in schema("rubric").iter_errors(document_value(path))]
    assert errors == []


def test_resources_file_matches_the_schema() -> None:
    value = document_value(RUBRICS / "resources.yaml")
    assert [e.message for e in schema("resources").iter_errors(value)] == []


# --- the schema rejects what the loader rejects -----------------------------------------------

MINIMAL: dict[str, Any] = {
    "id": "mini",
    "version": "1",
    "title": "Mini",
    "summary": "Tiny.",
    "audience": ["district"],
    "issuer": ["Test"],
    "status_note": "Test only.",
    "dimensions": [{"id": "policy", "label": "Policy"}],
    "scales": [
        {
            "id": "in-place",
            "label": "In place",
            "options": [
                {"key": "no", "label": "No", "points": 0},
                {"key": "yes", "label": "Yes", "points": 1},
            ],
        }
    ],
    "sections": [
        {
            "id": "first",
            "title": "First",
            "items": [{"id": "a", "prompt": "A?", "scale": "in-place", "basis": ["src"]}],
        }
    ],
    "scoring": {"levels": [{"id": "all", "label": "All", "min": 0, "max": 100}]},
}


def changed(path: str, value: Any) -> dict[str, Any]:
    """MINIMAL with the value at a dotted path (list indexes as numbers) replaced or deleted."""
    document = json.loads(json.dumps(MINIMAL))
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target = document
    for part in parents:
        target = target[part]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return document


def test_the_minimal_document_is_valid_for_schema_and_loader() -> None:
    from rubric_app.rubrics.loader import load_rubric_text

    assert list(schema("rubric").iter_errors(MINIMAL)) == []
    assert load_rubric_text(json.dumps(MINIMAL), "mini.yaml").id == "mini"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("version", 2016.1),
        ("id", "Not A Slug"),
        ("title", ...),
        ("colour", "red"),
        ("sections.0.items.0.weight", 11),
        ("sections.0.items.0.weight", 0),
        ("sections.0.items.0.type", "essay"),
        ("sections.0.items.0.scale", ...),
        ("sections.0.items.0.show_if", {"item": "x", "equals": True}),
        ("sections.0.items.0.show_if", {"item": "x"}),
        ("scales.0.options", [{"key": "no", "label": "No", "points": 0}]),
        ("family", "secure"),
    ],
)
def test_bad_documents_fail_schema_and_loader(path: str, value: Any) -> None:
    from rubric_app.rubrics.loader import load_rubric_text

    document = changed(path, value)
    assert list(schema("rubric").iter_errors(document)), "the schema accepted it"
    with pytest.raises(RubricLoadError):
        load_rubric_text(json.dumps(document), "bad.yaml")


def test_schema_rejects_a_bad_resource() -> None:
    resource = {
        "id": "x",
        "title": "T",
        "publisher": "P",
        "date": "2016-09-08",
        "url": "javascript:alert(1)",
        "kind": "letter",
        "summary": "S",
    }
    assert list(schema("resources").iter_errors({"resources": [resource]}))


def test_the_format_doc_lists_every_error_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \|", text, flags=re.MULTILINE))
    assert set(CODES) <= documented, sorted(set(CODES) - documented)


# --- the catalog ------------------------------------------------------------------------------

RESOURCES = """\
resources:
  - {id: src, title: S, publisher: P, date: "2016", url: "https://example.org", kind: letter,
     summary: S}
"""


def rubric_yaml(rubric_id: str, audience: str = "district", basis: str = "src") -> str:
    return textwrap.dedent(
        f"""\
        id: {rubric_id}
        version: "1"
        title: {rubric_id}
        summary: S
        audience: [{audience}]
        issuer: [I]
        status_note: N
        dimensions: [{{id: policy, label: Policy}}]
        scales:
          - id: s
            label: S
            options: [{{key: a, label: A, points: 0}}, {{key: b, label: B, points: 1}}]
        sections:
          - id: one
            title: One
            items:
              - {{id: q, prompt: Q, scale: s, basis: [{basis}], guidance: [src]}}
        scoring:
          levels: [{{id: all, label: All, min: 0, max: 100}}]
        """
    )


def write(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def test_catalog_indexes_rubrics_and_helps_the_guidance_library(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "resources.yaml": RESOURCES,
            "b.yaml": rubric_yaml("beta", audience="state"),
            "a.yaml": rubric_yaml("alpha"),
            "rubric.schema.json": "{}",
        },
    )
    catalog = load_catalog(tmp_path)
    assert list(catalog.rubrics) == ["alpha", "beta"]
    assert catalog.files["beta"] == tmp_path / "b.yaml"
    assert catalog.get("gamma") is None
    assert [r.id for r in catalog.for_audience("state")] == ["beta"]
    assert [(r.id, i.id) for r, i in catalog.citing("src")] == [("alpha", "q"), ("beta", "q")]
    assert catalog.citing("other") == []


def test_catalog_reports_every_error_of_every_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "resources.yaml": RESOURCES,
            "a.yaml": rubric_yaml("same", basis="nowhere"),
            "b.yaml": rubric_yaml("same"),
            "c.yaml": rubric_yaml("same"),
            "d.yaml": "id: [broken\n",
        },
    )
    with pytest.raises(RubricLoadError) as caught:
        load_catalog(tmp_path)
    found = [(Path(e.file).name, e.code, e.line) for e in caught.value.errors]
    assert found == [
        ("a.yaml", "unknown-resource", 17),
        ("c.yaml", "duplicate-id", 1),
        ("d.yaml", "yaml-syntax", 2),
    ]


def test_catalog_needs_a_resource_library(tmp_path: Path) -> None:
    write(tmp_path, {"a.yaml": rubric_yaml("alpha")})
    with pytest.raises(RubricLoadError) as caught:
        load_catalog(tmp_path)
    assert [e.code for e in caught.value.errors] == ["missing-file"]


def test_check_paths_takes_files_and_uses_the_library_beside_them(tmp_path: Path) -> None:
    write(tmp_path, {"resources.yaml": RESOURCES, "a.yaml": rubric_yaml("alpha", basis="nope")})
    errors = check_paths([tmp_path / "a.yaml", tmp_path / "missing.yaml"])
    assert [(e.code, e.path) for e in errors] == [
        ("unknown-resource", "sections[0].items[0].basis[0]"),
        ("missing-file", ""),
    ]
    assert check_paths([tmp_path / "resources.yaml"]) == []


def test_validate_command_prints_errors_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"resources.yaml": RESOURCES, "a.yaml": rubric_yaml("alpha", basis="nope")})
    assert main([str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{tmp_path / 'a.yaml'}:17: sections[0].items[0].basis[0]: "
        "no resource 'nope' in resources.yaml [unknown-resource]",
        "1 error in 1 file",
    ]
    write(tmp_path, {"a.yaml": rubric_yaml("alpha")})
    assert main([str(tmp_path)]) == 0
    assert capsys.readouterr().out == "no errors\n"


def test_format_errors_without_errors() -> None:
    assert format_errors([]) == "no errors"
