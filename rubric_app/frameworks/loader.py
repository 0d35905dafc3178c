"""The one way YAML becomes a Framework or a Crosswalk, and the check of a whole folder.

The rubric loader's discipline, reused: only a regular file of at most 1 MiB is opened (stat'ed
first, ``rubrics.files``), read with the safe line-aware reader that refuses tags, anchors and
aliases (``rubrics.yaml_nodes``), normalised by a reader that records every problem with file,
line, key path and code, and built into a frozen tree only when there was none. Errors use the
rubric error catalogue (``rubrics.errors``), so ``flask frameworks validate`` prints them exactly
like ``flask rubrics validate``.

Layout: ``frameworks/*.yaml`` are frameworks, ``frameworks/crosswalks/*.yaml`` crosswalks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from rubric_app.rubrics.errors import RubricError, RubricLoadError
from rubric_app.rubrics.files import read_source
from rubric_app.rubrics.model import Rubric
from rubric_app.rubrics.yaml_nodes import Document, read_document

from .crosswalk_reader import CrosswalkReader, RubricVersions
from .framework_reader import FrameworkReader
from .model import Crosswalk, Framework

CROSSWALKS_DIR = "crosswalks"


def _in_line_order(document: Document) -> list[RubricError]:
    return sorted(document.errors, key=lambda error: error.line or 0)


def load_framework_text(
    text: str | bytes, filename: str, rubrics: Mapping[str, Rubric] | None = None
) -> Framework:
    """Load one framework; with ``rubrics=None`` its item references are not checked."""
    document = read_document(text, filename)
    framework = None
    if document.value is not None:
        framework = FrameworkReader(document, rubrics).read()
    elif not document.errors:
        document.error("not-mapping", "", "the file is empty; expected a framework mapping")
    if document.errors or framework is None:
        raise RubricLoadError(_in_line_order(document))
    return framework


def load_crosswalk_text(
    text: str | bytes, filename: str, versions: RubricVersions | None = None
) -> Crosswalk:
    """Load one crosswalk; with ``versions=None`` its item references are not checked."""
    document = read_document(text, filename)
    crosswalk = None
    if document.value is not None:
        crosswalk = CrosswalkReader(document, versions).read()
    elif not document.errors:
        document.error("not-mapping", "", "the file is empty; expected a crosswalk mapping")
    if document.errors or crosswalk is None:
        raise RubricLoadError(_in_line_order(document))
    return crosswalk


def load_framework_file(path: Path, rubrics: Mapping[str, Rubric] | None = None) -> Framework:
    """Load the framework file at ``path`` (a regular file, checked before it is read)."""
    return load_framework_text(read_source(path), str(path), rubrics)


def load_crosswalk_file(path: Path, versions: RubricVersions | None = None) -> Crosswalk:
    """Load the crosswalk file at ``path`` (a regular file, checked before it is read)."""
    return load_crosswalk_text(read_source(path), str(path), versions)


def versions_of(rubrics: Mapping[str, Rubric]) -> dict[tuple[str, str], Rubric]:
    """Index rubrics by ``(id, version)``, as crosswalks name them."""
    return {(rubric.id, rubric.version): rubric for rubric in rubrics.values()}


@dataclass(frozen=True)
class FrameworkLoad:
    """What loading a folder gave: what loaded, by id, and every error of what did not."""

    frameworks: Mapping[str, Framework]
    crosswalks: Mapping[str, Crosswalk]
    errors: tuple[RubricError, ...]

    def for_jurisdiction(self, jurisdiction: str) -> tuple[Framework, ...]:
        """The frameworks of a state code (or "federal"), in file-name order."""
        return tuple(f for f in self.frameworks.values() if f.jurisdiction == jurisdiction)


#: A framework or a crosswalk: both are loaded from a folder of YAML files, by id.
Loaded = TypeVar("Loaded", Framework, Crosswalk)


def _duplicate(path: Path, kind: str, identifier: str, first: Path) -> RubricError:
    return RubricError(
        "duplicate-id",
        f"{kind} id '{identifier}' is already used by {first}",
        str(path),
        None,
        "id",
    )


def _load_folder(
    folder: Path, kind: str, load: Callable[[Path], Loaded], errors: list[RubricError]
) -> dict[str, Loaded]:
    """Every file of ``folder`` that loads, by id; errors (and repeated ids) go to ``errors``."""
    loaded: dict[str, Loaded] = {}
    files: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            entry = load(path)
        except RubricLoadError as exc:
            errors.extend(exc.errors)
            continue
        if entry.id in loaded:
            errors.append(_duplicate(path, kind, entry.id, files[entry.id]))
            continue
        loaded[entry.id] = entry
        files[entry.id] = path
    return loaded


def read_frameworks(
    directory: Path,
    rubrics: Mapping[str, Rubric],
    versions: RubricVersions | None = None,
) -> FrameworkLoad:
    """Load every framework and crosswalk of ``directory`` that loads; never raises for a file.

    Framework items are checked against ``rubrics`` (id -> current rubric); crosswalk items
    against ``versions`` (default: the versions of ``rubrics``). A missing folder loads nothing.
    """
    known_versions = versions if versions is not None else versions_of(rubrics)
    errors: list[RubricError] = []
    frameworks = _load_folder(
        directory, "framework", lambda path: load_framework_file(path, rubrics), errors
    )
    crosswalks = _load_folder(
        directory / CROSSWALKS_DIR,
        "crosswalk",
        lambda path: load_crosswalk_file(path, known_versions),
        errors,
    )
    return FrameworkLoad(frameworks, crosswalks, tuple(errors))


def check_paths(
    paths: Sequence[Path],
    rubrics: Mapping[str, Rubric],
    versions: RubricVersions | None = None,
) -> list[RubricError]:
    """Every error in ``paths`` (folders or files); an empty list means all is well.

    A folder is checked like the frameworks folder (its ``crosswalks/`` too); a file inside a
    folder named ``crosswalks`` is a crosswalk, any other file a framework.
    """
    known_versions = versions if versions is not None else versions_of(rubrics)
    errors: list[RubricError] = []
    for path in paths:
        try:
            if path.is_dir():
                errors.extend(read_frameworks(path, rubrics, known_versions).errors)
            elif path.parent.name == CROSSWALKS_DIR:
                load_crosswalk_file(path, known_versions)
            else:
                load_framework_file(path, rubrics)
        except RubricLoadError as exc:
            errors.extend(exc.errors)
    return list(dict.fromkeys(errors))
