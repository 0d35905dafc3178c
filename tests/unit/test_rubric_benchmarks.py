"""National figures (rubrics/benchmarks/*.yaml): the shipped file, and broken ones, located."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest

from rubric_app.rubrics.benchmarks import read_benchmarks
from rubric_app.rubrics.catalog import read_catalog
from rubric_app.rubrics.errors import RubricError
from rubric_app.rubrics.model import Rubric

RUBRICS = Path(__file__).resolve().parents[2] / "rubrics"

GOOD = """\
id: test-survey
survey: Test Survey
publisher: Test Agency
respondents: a national survey of school principals
source_title: Test Data Point
source_url: https://example.org/data-point
figures:
  - id: discipline
    year: 2015-16
    percent: 58.7
    population: written policies on the officers' role
    statement: covered the officers' role in student discipline
    items:
      secure-local-implementation: [mou-no-discipline-role]
"""


@pytest.fixture(scope="module")
def catalog_rubrics() -> Mapping[str, Rubric]:
    return read_catalog(RUBRICS).catalog.rubrics


def _errors(tmp_path: Path, text: str, rubrics: Mapping[str, Rubric]) -> list[RubricError]:
    folder = tmp_path / "benchmarks"
    folder.mkdir()
    (folder / "survey.yaml").write_text(text)
    benchmarks, errors = read_benchmarks(folder, rubrics)
    if errors:
        assert benchmarks.figures == ()  # a broken file is left out whole
    return errors


def test_the_shipped_figures_load_and_match_their_items(
    catalog_rubrics: Mapping[str, Rubric],
) -> None:
    loaded = read_catalog(RUBRICS)
    assert loaded.errors == ()
    benchmarks = loaded.catalog.benchmarks
    assert len(benchmarks.figures) == 8
    lines = benchmarks.lines_for("secure-local-implementation", "mou-no-discipline-role")
    assert [line.sentence for line in lines] == [
        "In 2015-16, 58.7 % of the written policies on the officers' role of secondary schools "
        "with sworn officers present at least once a week covered the officers' role in student "
        "discipline.",
        "In 2017-18, 43 % of schools where officers helped maintain discipline had policy "
        "language on the officers' role in discipline.",
    ]
    assert all("a national survey of school principals" in line.source for line in lines)
    assert lines[0].source.endswith("2015-16")
    assert lines[0].url.startswith("https://nces.ed.gov/")
    assert benchmarks.lines_for("secure-local-implementation", "training") == ()


def test_a_good_file_reads(tmp_path: Path, catalog_rubrics: Mapping[str, Rubric]) -> None:
    assert _errors(tmp_path, GOOD, catalog_rubrics) == []


@pytest.mark.parametrize(
    ("change", "code", "line", "path"),
    [
        (("secure-local-implementation:", "secure-local:"), "unknown-rubric", 14,
         "figures[0].items.secure-local"),
        (("[mou-no-discipline-role]", "[mou-nothing]"), "unknown-item", 14,
         "figures[0].items.secure-local-implementation[0]"),
        (("percent: 58.7", "percent: 158.7"), "bad-value", 10, "figures[0].percent"),
        (("year: 2015-16", "year: last year"), "bad-value", 9, "figures[0].year"),
        (("source_url: https://", "source_url: javascript://"), "bad-value", 6, "source_url"),
        (("    population:", "    populace:"), "unknown-key", 11, "figures[0].populace"),
    ],
)  # fmt: skip
def test_broken_files_give_located_coded_errors(
    tmp_path: Path,
    catalog_rubrics: Mapping[str, Rubric],
    change: tuple[str, str],
    code: str,
    line: int,
    path: str,
) -> None:
    errors = _errors(tmp_path, GOOD.replace(*change), catalog_rubrics)
    assert (code, line, path) in [(e.code, e.line, e.path) for e in errors], errors
    assert all(e.file.endswith("survey.yaml") for e in errors)


def test_a_broken_benchmark_file_leaves_the_rubrics_loaded(tmp_path: Path) -> None:
    folder = tmp_path / "rubrics"
    shutil.copytree(RUBRICS, folder)
    (folder / "benchmarks" / "nces-ssocs.yaml").write_text(
        GOOD.replace("[mou-no-discipline-role]", "[mou-nothing]")
    )
    loaded = read_catalog(folder)
    assert [e.code for e in loaded.errors] == ["unknown-item"]
    assert loaded.broken_files() == (str(folder / "benchmarks" / "nces-ssocs.yaml"),)
    assert "secure-local-implementation" in loaded.catalog.rubrics
    assert loaded.catalog.benchmarks.figures == ()


def test_a_broken_rubric_file_is_not_reported_again_by_the_figures_naming_it(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "rubrics"
    shutil.copytree(RUBRICS, folder)
    (folder / "secure-local-implementation.yaml").write_text("id: [broken\n")
    loaded = read_catalog(folder)
    assert {e.file for e in loaded.errors} == {str(folder / "secure-local-implementation.yaml")}
    # The figures load; the ones naming the broken rubric simply match nothing while it is out.
    assert len(loaded.catalog.benchmarks.figures) == 8
