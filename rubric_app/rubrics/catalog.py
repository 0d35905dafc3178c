"""The rubric catalog: every rubric of a directory plus its guidance library, and path checking.

``read_catalog`` reads ``resources.yaml`` first (rubrics cite its ids), then every other
``*.yaml`` in sorted order, then the national figures of ``benchmarks/`` (which name rubric
items), and returns the catalog of every file that loaded together with the
errors of those that did not: one broken file must never take the whole site down. With a broken
``resources.yaml`` the rubrics still load, but their resource ids cannot be checked
(``references_checked`` is False) and the library is empty.
``load_catalog`` is the strict form (raises one ``RubricLoadError`` with the errors of all files).
``check_paths`` is the same work for ``validate`` and ``flask rubrics validate``; it never lets a
rubric file pass whose resource ids it could not check (``resources-unchecked``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .benchmarks import BENCHMARKS_DIR, Benchmarks, read_benchmarks
from .errors import RubricError, RubricLoadError
from .files import read_source
from .loader import load_resources_text, parse_rubric
from .model import Item, ResourceLibrary, Rubric

RESOURCES_FILE = "resources.yaml"


@dataclass(frozen=True)
class Catalog:
    """Every loaded rubric by id, the resource library, and the file each rubric came from."""

    rubrics: Mapping[str, Rubric]
    resources: ResourceLibrary
    files: Mapping[str, Path] = field(default_factory=dict)
    #: National figures (``benchmarks/*.yaml``) shown beside an item's own results.
    benchmarks: Benchmarks = field(default_factory=Benchmarks)

    def get(self, rubric_id: str) -> Rubric | None:
        return self.rubrics.get(rubric_id)

    def for_audience(self, audience: str) -> tuple[Rubric, ...]:
        """Rubrics meant for ``audience`` (district, afterschool_program, state, campus)."""
        return tuple(rubric for rubric in self.rubrics.values() if audience in rubric.audience)

    def citing(self, resource_id: str) -> list[tuple[Rubric, Item]]:
        """Every (rubric, item) whose basis or guidance cites ``resource_id``, in catalog order."""
        return [
            (rubric, item)
            for rubric in self.rubrics.values()
            for item in rubric.items
            if resource_id in item.basis or resource_id in item.guidance
        ]


def rubric_files(directory: Path) -> list[Path]:
    """The rubric files of ``directory``: every ``*.yaml`` but resources.yaml, sorted by name.

    Whatever the entry is (a directory named ``x.yaml``, a FIFO, a link) it is listed here;
    reading it reports what is wrong with it.
    """
    return sorted(path for path in directory.glob("*.yaml") if path.name != RESOURCES_FILE)


@dataclass(frozen=True)
class CatalogLoad:
    """What loading a directory gave: the catalog of the files that loaded, and every error."""

    catalog: Catalog
    errors: tuple[RubricError, ...]
    #: False when resources.yaml could not be read, so the rubrics' resource ids went unchecked.
    references_checked: bool

    def broken_files(self) -> tuple[str, ...]:
        """Each file with an error, once, in the order the errors were found."""
        return tuple(dict.fromkeys(error.file for error in self.errors))


def _read_resources(path: Path, errors: list[RubricError]) -> ResourceLibrary | None:
    if not os.path.lexists(path):
        errors.append(
            RubricError("missing-file", f"{RESOURCES_FILE} not found", str(path), None, "")
        )
        return None
    try:
        return load_resources_text(read_source(path), str(path))
    except RubricLoadError as exc:
        errors.extend(exc.errors)
        return None


def _load_directory(
    directory: Path, errors: list[RubricError], library_path: Path | None = None
) -> CatalogLoad:
    """Load what loads from ``directory``, appending every problem to ``errors``.

    The library is ``library_path`` when given, else the directory's own resources.yaml.
    """
    resources = _read_resources(library_path or directory / RESOURCES_FILE, errors)
    # With a broken library every citation would be reported too; check ids only when it loaded.
    rubrics: dict[str, Rubric] = {}
    files: dict[str, Path] = {}
    before = len(errors)
    for path in rubric_files(directory):
        _load_rubric(path, resources, rubrics, files, errors)
    # National figures name rubric items, so they are read once the rubrics are in.
    benchmarks, wrong = read_benchmarks(
        directory / BENCHMARKS_DIR, rubrics, every_rubric=len(errors) == before
    )
    errors.extend(wrong)
    catalog = Catalog(rubrics, resources or ResourceLibrary({}), files, benchmarks)
    return CatalogLoad(catalog, tuple(errors), references_checked=resources is not None)


def _load_rubric(
    path: Path,
    resources: ResourceLibrary | None,
    rubrics: dict[str, Rubric],
    files: dict[str, Path],
    errors: list[RubricError],
) -> None:
    try:
        loaded = parse_rubric(read_source(path), str(path), resources)
    except RubricLoadError as exc:
        errors.extend(exc.errors)
        return
    rubric = loaded.rubric
    if rubric.id in rubrics:
        errors.append(
            RubricError(
                "duplicate-id",
                f"rubric id '{rubric.id}' is already used by {files[rubric.id]}",
                str(path),
                loaded.document.line_of("id"),
                "id",
            )
        )
        return
    rubrics[rubric.id] = rubric
    files[rubric.id] = path


def read_catalog(directory: Path) -> CatalogLoad:
    """Load every file of ``directory`` that loads; never raises for a bad file."""
    return _load_directory(directory, [])


def load_catalog(directory: Path) -> Catalog:
    """Load ``directory``; raise RubricLoadError with the errors of every file if any."""
    loaded = read_catalog(directory)
    if loaded.errors:
        raise RubricLoadError(loaded.errors)
    return loaded.catalog


def _unchecked(path: Path, why: str) -> RubricError:
    return RubricError(
        "resources-unchecked",
        f"resource ids (basis, guidance, sources) were not checked: {why}",
        str(path),
        None,
        "",
    )


class _Libraries:
    """Resource libraries read once per check, so a broken one is reported once."""

    def __init__(self, errors: list[RubricError]) -> None:
        self._errors = errors
        self._read: dict[Path, ResourceLibrary | None] = {}

    def get(self, path: Path) -> ResourceLibrary | None:
        if path not in self._read:
            self._read[path] = _read_resources(path, self._errors)
        return self._read[path]


def _library_for(path: Path, resources: Path | None, default_resources: Path | None) -> Path | None:
    """The library a single rubric file is checked against, or None when there is none."""
    if resources is not None:
        return resources
    beside = path.parent / RESOURCES_FILE
    if os.path.lexists(beside):
        return beside
    if default_resources is not None and os.path.lexists(default_resources):
        return default_resources
    return None


def check_paths(
    paths: Sequence[Path],
    resources: Path | None = None,
    default_resources: Path | None = None,
) -> list[RubricError]:
    """Every error in ``paths`` (directories or files); an empty list means all is well.

    A directory is checked as a catalog against its own resources.yaml. A rubric file is
    checked against ``resources`` when given, else the resources.yaml beside it, else
    ``default_resources`` (the configured rubrics folder's). When no library can be read, the
    file gets a ``resources-unchecked`` error: it is never reported as valid unchecked.
    """
    errors: list[RubricError] = []
    libraries = _Libraries(errors)
    for path in paths:
        if path.is_dir():
            loaded = _load_directory(path, errors, resources)
            if not loaded.references_checked and rubric_files(path):
                errors.append(_unchecked(path, f"fix {RESOURCES_FILE} first"))
        elif path.name == RESOURCES_FILE:
            libraries.get(path)
        else:
            _check_rubric_file(path, libraries, resources, default_resources, errors)
    return list(dict.fromkeys(errors))


def _check_rubric_file(
    path: Path,
    libraries: _Libraries,
    resources: Path | None,
    default_resources: Path | None,
    errors: list[RubricError],
) -> None:
    library_path = _library_for(path, resources, default_resources)
    library = libraries.get(library_path) if library_path is not None else None
    before = len(errors)
    _load_rubric(path, library, {}, {}, errors)
    if library is not None:
        return
    # A file that cannot even be read needs no second error about its references.
    if any(error.file == str(path) and error.line is None for error in errors[before:]):
        return
    if library_path is None:
        why = f"no {RESOURCES_FILE} beside the file and none configured; pass --resources PATH"
    else:
        why = f"{library_path} could not be read (see its errors)"
    errors.append(_unchecked(path, why))
