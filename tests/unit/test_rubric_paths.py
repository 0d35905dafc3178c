"""Whatever sits in the rubrics folder, the loader answers with a located, coded error.

Directories named ``x.yaml``, dangling links, FIFOs, links to ``/dev/zero``, oversize files and
absurd numbers each get one error naming the file (and the line and key path for numbers),
never a traceback or a hang. Also: validating a file outside the folder checks its resource
ids, or says it could not.
"""

from __future__ import annotations

import os
import textwrap
import threading
from pathlib import Path

import pytest

from rubric_app.rubrics.catalog import check_paths, read_catalog
from rubric_app.rubrics.errors import RubricError, RubricLoadError
from rubric_app.rubrics.files import read_source
from rubric_app.rubrics.loader import load_rubric_file
from rubric_app.rubrics.validate import main
from rubric_app.rubrics.yaml_nodes import MAX_BYTES, MAX_INT, read_document

RESOURCES = """\
resources:
  - {id: src, title: S, publisher: P, date: "2016", url: "https://example.org", kind: letter,
     summary: S}
"""


def rubric_yaml(rubric_id: str, basis: str = "src", weight: str = "1") -> str:
    return textwrap.dedent(
        f"""\
        id: {rubric_id}
        version: "1"
        title: {rubric_id}
        summary: S
        audience: [district]
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
              - id: q
                prompt: Q
                scale: s
                weight: {weight}
                basis: [{basis}]
        scoring:
          levels: [{{id: all, label: All, min: 0, max: 100}}]
        """
    )


def read_errors(path: Path) -> list[RubricError]:
    with pytest.raises(RubricLoadError) as caught:
        read_source(path)
    return caught.value.errors


def only(errors: list[RubricError]) -> tuple[str, str, int | None, str]:
    assert len(errors) == 1, [str(e) for e in errors]
    error = errors[0]
    return error.code, error.file, error.line, error.path


# --- one test per malformed path --------------------------------------------------------------


def test_a_directory_named_like_a_rubric_file(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.mkdir()
    errors = read_errors(path)
    assert only(errors) == ("not-regular-file", str(path), None, "")
    assert "a directory" in errors[0].message


def test_a_dangling_symlink(tmp_path: Path) -> None:
    path = tmp_path / "gone.yaml"
    path.symlink_to(tmp_path / "nowhere.yaml")
    errors = read_errors(path)
    assert only(errors) == ("dangling-link", str(path), None, "")
    assert "nowhere.yaml" in errors[0].message


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    outcome: list[list[RubricError]] = []
    # Opening a FIFO for reading blocks until a writer comes; run the read in a daemon thread
    # so a regression fails this test after a few seconds instead of hanging the suite.
    worker = threading.Thread(target=lambda: outcome.append(read_errors(path)), daemon=True)
    worker.start()
    worker.join(timeout=10)
    if worker.is_alive():
        # Release the blocked reader so the thread can end, then fail.
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("reading a FIFO blocked")
    assert outcome, "the reader raised something other than RubricLoadError"
    assert only(outcome[0]) == ("not-regular-file", str(path), None, "")
    assert "FIFO" in outcome[0][0].message


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_link_to_dev_zero(tmp_path: Path) -> None:
    path = tmp_path / "zero.yaml"
    path.symlink_to("/dev/zero")
    errors = read_errors(path)
    assert only(errors) == ("not-regular-file", str(path), None, "")
    assert "character device" in errors[0].message


def test_an_oversize_file_is_refused_by_its_size(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_BYTES + 1))
    errors = read_errors(path)
    assert only(errors) == ("file-too-large", str(path), None, "")
    assert f"{MAX_BYTES + 1:,} bytes" in errors[0].message


def test_a_huge_sparse_file_is_refused_before_reading(tmp_path: Path) -> None:
    # 64 GiB that take no disk space: reading it would exhaust memory, stat'ing it does not.
    path = tmp_path / "sparse.yaml"
    with path.open("wb") as stream:
        stream.truncate(64 * 1024**3)
    assert only(read_errors(path))[0] == "file-too-large"


def test_a_5000_digit_integer_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(rubric_yaml("huge", weight="9" * 5000), encoding="utf-8")
    with pytest.raises(RubricLoadError) as caught:
        load_rubric_file(path)
    assert only(caught.value.errors) == (
        "number-out-of-range",
        str(path),
        20,
        "sections[0].items[0].weight",
    )
    assert "5000 characters" in caught.value.errors[0].message


@pytest.mark.parametrize(
    "text",
    [str(MAX_INT + 1), f"-{MAX_INT + 1}", "0x" + "f" * 14, ".inf", "-.inf", ".nan", "1.0e+999"],
)
def test_numbers_out_of_range_are_located_errors(text: str) -> None:
    document = read_document(f"fine: {MAX_INT}\nalso: -{MAX_INT}\nbad: {text}\n", "n.yaml")
    assert [(e.code, e.line, e.path) for e in document.errors] == [
        ("number-out-of-range", 3, "bad")
    ]
    assert document.value["fine"] == MAX_INT


def test_the_catalog_keeps_the_good_files_beside_every_bad_path(tmp_path: Path) -> None:
    (tmp_path / "resources.yaml").write_text(RESOURCES, encoding="utf-8")
    (tmp_path / "good.yaml").write_text(rubric_yaml("good"), encoding="utf-8")
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere")
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "big.yaml").write_bytes(b"#" * (MAX_BYTES + 1))
    (tmp_path / "huge.yaml").write_text(rubric_yaml("huge", weight="9" * 5000))
    loaded = read_catalog(tmp_path)
    assert list(loaded.catalog.rubrics) == ["good"]
    assert loaded.references_checked
    assert [(Path(e.file).name, e.code) for e in loaded.errors] == [
        ("big.yaml", "file-too-large"),
        ("dir.yaml", "not-regular-file"),
        ("gone.yaml", "dangling-link"),
        ("huge.yaml", "number-out-of-range"),
        ("pipe.yaml", "not-regular-file"),
    ]
    assert [Path(name).name for name in loaded.broken_files()] == [
        "big.yaml",
        "dir.yaml",
        "gone.yaml",
        "huge.yaml",
        "pipe.yaml",
    ]


def test_a_broken_library_still_serves_the_rubrics_unchecked(tmp_path: Path) -> None:
    (tmp_path / "resources.yaml").write_text("resources: [\n", encoding="utf-8")
    (tmp_path / "good.yaml").write_text(rubric_yaml("good", basis="anything"), encoding="utf-8")
    loaded = read_catalog(tmp_path)
    assert list(loaded.catalog.rubrics) == ["good"]
    assert not loaded.references_checked
    assert len(loaded.catalog.resources) == 0
    assert [(Path(e.file).name, e.code) for e in loaded.errors] == [
        ("resources.yaml", "yaml-syntax")
    ]


# --- validating a file outside the rubrics folder --------------------------------------------


def outside_file(tmp_path: Path, basis: str) -> Path:
    other = tmp_path / "other" / "dir"
    other.mkdir(parents=True)
    path = other / "file.yaml"
    path.write_text(rubric_yaml("outside", basis=basis), encoding="utf-8")
    return path


def library(tmp_path: Path) -> Path:
    folder = tmp_path / "rubrics"
    folder.mkdir(exist_ok=True)
    (folder / "resources.yaml").write_text(RESOURCES, encoding="utf-8")
    return folder / "resources.yaml"


def test_outside_file_is_checked_against_the_given_library(tmp_path: Path) -> None:
    path = outside_file(tmp_path, basis="nowhere")
    errors = check_paths([path], resources=library(tmp_path))
    assert [(e.code, e.file, e.line, e.path) for e in errors] == [
        ("unknown-resource", str(path), 21, "sections[0].items[0].basis[0]")
    ]


def test_outside_file_falls_back_to_the_configured_library(tmp_path: Path) -> None:
    path = outside_file(tmp_path, basis="nowhere")
    errors = check_paths([path], default_resources=library(tmp_path))
    assert [(e.code, e.line) for e in errors] == [("unknown-resource", 21)]
    good = outside_file(tmp_path / "b", basis="src")
    assert check_paths([good], default_resources=library(tmp_path)) == []


def test_outside_file_without_any_library_is_never_valid(tmp_path: Path) -> None:
    path = outside_file(tmp_path, basis="src")
    errors = check_paths([path], default_resources=tmp_path / "missing" / "resources.yaml")
    assert [(e.code, e.file) for e in errors] == [("resources-unchecked", str(path))]
    assert "--resources" in errors[0].message


def test_a_broken_library_means_unchecked_not_valid(tmp_path: Path) -> None:
    path = outside_file(tmp_path, basis="src")
    broken = tmp_path / "resources.yaml"
    broken.write_text("resources: [\n", encoding="utf-8")
    errors = check_paths([path], resources=broken)
    assert [(e.code, Path(e.file).name) for e in errors] == [
        ("yaml-syntax", "resources.yaml"),
        ("resources-unchecked", "file.yaml"),
    ]


def test_a_directory_with_a_broken_library_says_its_ids_went_unchecked(tmp_path: Path) -> None:
    (tmp_path / "resources.yaml").write_text("resources: [\n", encoding="utf-8")
    (tmp_path / "good.yaml").write_text(rubric_yaml("good"), encoding="utf-8")
    codes = [e.code for e in check_paths([tmp_path])]
    assert codes == ["yaml-syntax", "resources-unchecked"]


def test_validate_module_takes_resources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = outside_file(tmp_path, basis="nowhere")
    monkeypatch.chdir(tmp_path)  # so the default rubrics/resources.yaml does not exist
    assert main([str(path)]) == 1
    assert "[resources-unchecked]" in capsys.readouterr().out
    assert main([str(path), "--resources", str(library(tmp_path))]) == 1
    out = capsys.readouterr().out
    assert f"{path}:21: sections[0].items[0].basis[0]: no resource 'nowhere'" in out
