"""The crosswalk loader: pairs between rubrics and between versions, every mapped item checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from framework_fixtures import CROSSWALK, RUBRIC_V2, mini_rubric

from rubric_app.frameworks.loader import (
    CROSSWALKS_DIR,
    check_paths,
    load_crosswalk_text,
    read_frameworks,
    versions_of,
)
from rubric_app.rubrics.errors import RubricError, RubricLoadError

V1 = mini_rubric()
V2 = mini_rubric(RUBRIC_V2)
VERSIONS = {("mini", "1"): V1, ("mini", "2"): V2}


def errors_of(text: str) -> list[RubricError]:
    with pytest.raises(RubricLoadError) as caught:
        load_crosswalk_text(text, "walk.yaml", VERSIONS)
    return caught.value.errors


def coded(errors: list[RubricError]) -> set[tuple[str, str]]:
    return {(error.code, error.path) for error in errors}


def test_a_version_crosswalk_loads_and_answers_both_ways() -> None:
    crosswalk = load_crosswalk_text(CROSSWALK, "walk.yaml", VERSIONS)
    assert crosswalk.between_versions
    assert (crosswalk.source.version, crosswalk.target.version) == ("1", "2")
    assert crosswalk.target_of("no-discipline") == "discipline-role"
    assert crosswalk.source_of("discipline-role") == "no-discipline"
    assert crosswalk.target_of("exists") is None
    first, second = crosswalk.pairs
    assert (first.match, first.topic) == ("same", "")
    assert (second.match, second.topic, second.note) == ("close", "discipline", "Renamed.")


def test_an_item_missing_from_its_side_is_reported_on_that_side() -> None:
    # "no-discipline" exists only in version 1, "discipline-role" only in version 2.
    swapped = CROSSWALK.replace("to: discipline-role", "to: no-discipline").replace(
        "{from: mou, to: mou}", "{from: discipline-role, to: mou}"
    )
    errors = errors_of(swapped)
    assert coded(errors) == {("unknown-item", "pairs[0].from"), ("unknown-item", "pairs[1].to")}
    assert all(error.line is not None for error in errors)
    assert "version 2" in next(e.message for e in errors if e.path == "pairs[1].to")


def test_an_unknown_version_is_refused_with_the_known_ones() -> None:
    errors = errors_of(CROSSWALK.replace('version: "2"', 'version: "3"'))
    assert coded(errors) == {("unknown-rubric", "to.version")}
    assert "known versions: 1, 2" in errors[0].message


@pytest.mark.parametrize(
    ("old", "new", "code", "path"),
    [
        ("{from: mou, to: mou}", "{from: mou, to: discipline-role}", "duplicate-id", "pairs[1].to"),
        ("{from: mou, to: mou}", "{from: no-discipline, to: mou}", "duplicate-id", "pairs[1].from"),
        ('to: {rubric: mini, version: "2"}', 'to: {rubric: mini, version: "1"}', "bad-value", "to"),
        ("match: close", "match: roughly", "bad-value", "pairs[1].match"),
        ("topic: discipline", "topic: Discipline!", "bad-value", "pairs[1].topic"),
        ('from: {rubric: mini, version: "1"}\n', "", "missing-key", "from"),
        ("{from: mou, to: mou}", "{from: mou}", "missing-key", "pairs[0].to"),
        ("pairs:", "pears:", "unknown-key", "pears"),
    ],
)
def test_broken_crosswalks_get_coded_located_errors(
    old: str, new: str, code: str, path: str
) -> None:
    text = CROSSWALK.replace(old, new, 1)
    assert text != CROSSWALK
    assert (code, path) in coded(errors_of(text))


def test_unchecked_without_versions() -> None:
    text = CROSSWALK.replace('version: "2"', 'version: "9"')
    assert load_crosswalk_text(text, "walk.yaml", None).target.version == "9"


def test_the_folder_reads_crosswalks_and_checks_paths(tmp_path: Path) -> None:
    walks = tmp_path / CROSSWALKS_DIR
    walks.mkdir()
    (walks / "good.yaml").write_text(CROSSWALK, encoding="utf-8")
    broken = walks / "broken.yaml"
    broken.write_text(
        CROSSWALK.replace("id: mini-1-to-2", "id: other").replace(
            "to: discipline-role", "to: gone"
        ),
        encoding="utf-8",
    )
    loaded = read_frameworks(tmp_path, {"mini": V2}, VERSIONS)
    assert list(loaded.crosswalks) == ["mini-1-to-2"]
    assert [(e.code, e.path, Path(e.file).name) for e in loaded.errors] == [
        ("unknown-item", "pairs[1].to", "broken.yaml")
    ]
    # One file, found as a crosswalk by its folder; only the current versions known: v1 is not.
    errors = check_paths([walks / "good.yaml"], {"mini": V2})
    assert coded(errors) == {("unknown-rubric", "from.version")}
    assert versions_of({"mini": V2}) == {("mini", "2"): V2}
