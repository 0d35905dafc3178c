"""The suite's catalog cache (tests/catalog_cache.py) never serves a read of other bytes.

Apps built by the fixtures share one read of a rubric or framework folder; a test that writes,
changes or removes a file there must get a fresh read, and a folder with a link in it is read
every time.
"""

from __future__ import annotations

from pathlib import Path

from catalog_cache import cached_read_catalog, cached_read_frameworks

from rubric_app.rubrics.catalog import read_catalog
from rubric_app.rubrics.model import Rubric

RESOURCES = """\
resources:
  - {id: src, title: S, publisher: P, date: "2016", url: "https://example.org", kind: letter,
     summary: S}
"""


def codes(folder: Path) -> list[tuple[str, str]]:
    return [(Path(error.file).name, error.code) for error in cached_read_catalog(folder).errors]


def test_the_same_bytes_share_one_read(tmp_path: Path) -> None:
    (tmp_path / "resources.yaml").write_text(RESOURCES, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    first = cached_read_catalog(tmp_path)
    assert cached_read_catalog(tmp_path) is first
    assert first.errors == read_catalog(tmp_path).errors
    assert [Path(name).name for name in first.broken_files()] == ["broken.yaml"]


def test_changed_added_and_removed_files_are_read_again(tmp_path: Path) -> None:
    (tmp_path / "resources.yaml").write_text(RESOURCES, encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [\n", encoding="utf-8")
    assert codes(tmp_path) == [("broken.yaml", "yaml-syntax")]
    before = cached_read_catalog(tmp_path).errors
    broken.write_text("id: ]\n", encoding="utf-8")  # same size, other bytes: still read again
    after = cached_read_catalog(tmp_path).errors
    assert after != before
    assert after == read_catalog(tmp_path).errors
    (tmp_path / "other.yaml").write_text("id: [\n", encoding="utf-8")
    assert [name for name, _ in codes(tmp_path)] == ["broken.yaml", "other.yaml"]
    broken.unlink()
    (tmp_path / "other.yaml").unlink()
    assert codes(tmp_path) == []
    (tmp_path / "resources.yaml").write_text("resources: [\n", encoding="utf-8")
    assert codes(tmp_path) == [("resources.yaml", "yaml-syntax")]


def test_a_folder_with_a_link_is_read_every_time(tmp_path: Path) -> None:
    (tmp_path / "resources.yaml").write_text(RESOURCES, encoding="utf-8")
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere")
    first = cached_read_catalog(tmp_path)
    assert cached_read_catalog(tmp_path) is not first
    assert codes(tmp_path) == [("gone.yaml", "dangling-link")]


def test_frameworks_are_shared_only_for_the_same_rubrics(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    rubrics: dict[str, Rubric] = {}
    first = cached_read_frameworks(tmp_path, rubrics)
    assert cached_read_frameworks(tmp_path, rubrics) is first
    assert cached_read_frameworks(tmp_path, {}) is not first
    assert first.errors  # an empty file is no framework: the read reports it
    (tmp_path / "empty.yaml").unlink()
    assert not cached_read_frameworks(tmp_path, rubrics).errors
