"""National figures: published survey results shown beside a state's and a district's own.

A benchmark file (``rubrics/benchmarks/*.yaml``) holds the figures of one national survey, each
with its year, the population it describes, what it says, and the rubric items whose topic it
matches. The mapping lives in YAML, beside the rubrics, so an editor adds or corrects a figure
without touching code. Files go through the same pipeline as rubrics (stat, line-aware YAML,
located and coded errors), and every named rubric and item is checked against the catalog.

A national figure never measures what a rubric item measures (a survey of principals asks
whether a written policy *covers* a topic; an item asks whether it is *fully in place*), so
every page shows it as context, labelled with its survey, respondents and year.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import RubricError, RubricLoadError
from .fields import Fields
from .files import read_source
from .model import Rubric
from .yaml_nodes import Document, join_key, read_document

#: The folder of benchmark files inside the rubrics folder.
BENCHMARKS_DIR = "benchmarks"
FILE_KEYS = (
    "id", "survey", "publisher", "respondents", "source_title", "source_url", "figures",
)  # fmt: skip
FIGURE_KEYS = ("id", "year", "percent", "population", "statement", "items")
_YEAR_RE = re.compile(r"\d{4}(-\d{2})?")


@dataclass(frozen=True)
class NationalFigure:
    """One published figure: in ``year``, ``percent`` of ``population`` ``statement``."""

    id: str
    year: str
    percent: float
    population: str
    statement: str
    #: rubric id -> the item ids whose topic the figure matches.
    items: Mapping[str, tuple[str, ...]]
    survey: str
    publisher: str
    respondents: str
    source_title: str
    source_url: str

    def sentence(self) -> str:
        """The figure in words, e.g. 'In 2015-16, 58.7 % of ... covered arrests.'."""
        percent = f"{self.percent:.1f}".removesuffix(".0")
        return f"In {self.year}, {percent} % of {self.population} {self.statement}."

    def label(self) -> str:
        """Where the figure comes from, as every page must say it."""
        return f"{self.survey} ({self.publisher}), {self.respondents}, {self.year}"


@dataclass(frozen=True)
class NationalLine:
    """A national figure as pages and PDFs print it: the sentence, its source, and a link."""

    sentence: str
    source: str
    source_title: str
    url: str


@dataclass(frozen=True)
class Benchmarks:
    """Every national figure of the catalog, looked up by the rubric item it matches."""

    figures: tuple[NationalFigure, ...] = ()

    def for_item(self, rubric_id: str, item_id: str) -> tuple[NationalFigure, ...]:
        """The figures matching one item, oldest year first."""
        found = [f for f in self.figures if item_id in f.items.get(rubric_id, ())]
        return tuple(sorted(found, key=lambda f: (f.year, f.id)))

    def lines_for(self, rubric_id: str, item_id: str) -> tuple[NationalLine, ...]:
        """The figures matching one item, ready to print (oldest year first)."""
        return tuple(
            NationalLine(f.sentence(), f.label(), f.source_title, f.source_url)
            for f in self.for_item(rubric_id, item_id)
        )


class BenchmarkReader(Fields):
    """Reads one benchmark file into its figures, checking each named rubric and item."""

    def __init__(
        self, document: Document, rubrics: Mapping[str, Rubric], *, every_rubric: bool = True
    ) -> None:
        super().__init__(document)
        self.rubrics = rubrics
        # False when a rubric file failed to load: a figure naming its rubric is then left
        # unmapped quietly, since the broken file is already reported with its own errors.
        self.every_rubric = every_rubric

    def read(self) -> tuple[NationalFigure, ...]:
        root = self.mapping(self.document.value, "", "a benchmark file")
        if root is None:
            return ()
        self.check_keys(root, "", FILE_KEYS, "a benchmark file")
        self.slug(root, "", "id")
        common = {
            key: self.text(root, "", key, required=True)
            for key in ("survey", "publisher", "respondents", "source_title", "source_url")
        }
        if common["source_url"] and not common["source_url"].startswith(("https://", "http://")):
            self.error("bad-value", "source_url", "must start with https:// or http://")
        seen: dict[str, str] = {}
        figures = []
        for path, value in self.elements(root, "", "figures", required=True, min_items=1):
            figure = self._figure(value, path, common)
            if figure is not None:
                self.unique(seen, figure.id, join_key(path, "id"), "figure")
                figures.append(figure)
        return tuple(figures)

    def _figure(self, value: Any, path: str, common: dict[str, str]) -> NationalFigure | None:
        m = self.mapping(value, path, "a national figure")
        if m is None:
            return None
        self.check_keys(m, path, FIGURE_KEYS, "a national figure")
        year = self.text(m, path, "year", required=True)
        if year and not _YEAR_RE.fullmatch(year):
            self.error("bad-value", join_key(path, "year"), f"'{year}' is not YYYY or YYYY-YY")
        percent = self.number(m, path, "percent")
        if not 0 <= percent <= 100:
            self.error("bad-value", join_key(path, "percent"), "must be between 0 and 100")
        return NationalFigure(
            id=self.slug(m, path, "id"),
            year=year,
            percent=percent,
            population=self.text(m, path, "population", required=True),
            statement=self.text(m, path, "statement", required=True),
            items=self._items(m, path),
            **common,
        )

    def _items(self, m: dict[str, Any], path: str) -> dict[str, tuple[str, ...]]:
        """rubric id -> item ids, each checked against the catalog (located, coded errors)."""
        items_path = join_key(path, "items")
        if "items" not in m:
            self.error("missing-key", items_path, "a figure names the rubric items it matches")
            return {}
        mapping = self.mapping(m["items"], items_path, "rubric id -> list of item ids")
        if mapping is None:
            return {}
        result: dict[str, tuple[str, ...]] = {}
        for rubric_id in mapping:
            pairs = self.slug_list(mapping, items_path, str(rubric_id), min_items=1)
            rubric = self.rubrics.get(str(rubric_id))
            if rubric is None and not self.every_rubric:
                continue
            if rubric is None:
                self.error(
                    "unknown-rubric",
                    join_key(items_path, str(rubric_id)),
                    f"no rubric with id '{rubric_id}'",
                )
            else:
                for item_path, item_id in pairs:
                    if not rubric.has_item(item_id):
                        self.error(
                            "unknown-item",
                            item_path,
                            f"rubric '{rubric_id}' has no item '{item_id}'",
                        )
            result[str(rubric_id)] = tuple(item_id for _, item_id in pairs)
        return result


def read_benchmarks_file(
    path: Path, rubrics: Mapping[str, Rubric], *, every_rubric: bool = True
) -> tuple[NationalFigure, ...]:
    """Read one benchmark file; raise RubricLoadError with every located problem."""
    document = read_document(read_source(path), str(path))
    figures: tuple[NationalFigure, ...] = ()
    if document.value is not None:
        figures = BenchmarkReader(document, rubrics, every_rubric=every_rubric).read()
    elif not document.errors:
        document.error("not-mapping", "", "the file is empty; expected a benchmark mapping")
    if document.errors:
        raise RubricLoadError(sorted(document.errors, key=lambda error: error.line or 0))
    return figures


def read_benchmarks(
    directory: Path, rubrics: Mapping[str, Rubric], *, every_rubric: bool = True
) -> tuple[Benchmarks, list[RubricError]]:
    """Read every ``*.yaml`` of ``directory`` (if it exists); never raises for a bad file.

    A file with an error is left out whole, so a half-checked figure is never shown.
    ``every_rubric`` False: some rubric file did not load, so a rubric id the catalog lacks
    may be that file's; such mappings are skipped instead of reported a second time.
    """
    figures: list[NationalFigure] = []
    errors: list[RubricError] = []
    if not directory.is_dir():
        return Benchmarks(), errors
    for path in sorted(directory.glob("*.yaml")):
        try:
            figures.extend(read_benchmarks_file(path, rubrics, every_rubric=every_rubric))
        except RubricLoadError as exc:
            errors.extend(exc.errors)
    return Benchmarks(tuple(figures)), errors
