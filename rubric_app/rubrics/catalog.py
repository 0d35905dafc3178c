"""The rubric catalog: every rubric of a directory plus its guidance library, and path checking.

``load_catalog`` reads ``resources.yaml`` first (rubrics cite its ids), then every other
``*.yaml`` in sorted order, and raises one ``RubricLoadError`` with the errors of all files.
``check_paths`` is the same work without raising, for ``validate`` and ``flask rubrics validate``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RubricError, RubricLoadError
from .loader import load_resources_text, parse_rubric
from .model import Item, ResourceLibrary, Rubric

RESOURCES_FILE = "resources.yaml"


@dataclass(frozen=True)
class Catalog:
    """Every loaded rubric by id, the resource library, and the file each rubric came from."""

    rubrics: Mapping[str, Rubric]
    resources: ResourceLibrary
    files: Mapping[str, Path] = field(default_factory=dict)

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
    """The rubric files of ``directory``: every ``*.yaml`` but resources.yaml, sorted by name."""
    return sorted(path for path in directory.glob("*.yaml") if path.name != RESOURCES_FILE)


def _read_resources(path: Path, errors: list[RubricError]) -> ResourceLibrary | None:
    if not path.is_file():
        errors.append(
            RubricError("missing-file", f"{RESOURCES_FILE} not found", str(path), None, "")
        )
        return None
    try:
        return load_resources_text(path.read_bytes(), str(path))
    except RubricLoadError as exc:
        errors.extend(exc.errors)
        return None


def _load_directory(directory: Path, errors: list[RubricError]) -> Catalog:
    """Load what loads from ``directory``, appending every problem to ``errors``."""
    resources = _read_resources(directory / RESOURCES_FILE, errors)
    # With a broken library every citation would be reported too; check ids only when it loaded.
    rubrics: dict[str, Rubric] = {}
    files: dict[str, Path] = {}
    for path in rubric_files(directory):
        _load_rubric(path, resources, rubrics, files, errors)
    return Catalog(rubrics, resources or ResourceLibrary({}), files)


def _load_rubric(
    path: Path,
    resources: ResourceLibrary | None,
    rubrics: dict[str, Rubric],
    files: dict[str, Path],
    errors: list[RubricError],
) -> None:
    try:
        loaded = parse_rubric(path.read_bytes(), str(path), resources)
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


def load_catalog(directory: Path) -> Catalog:
    """Load ``directory``; raise RubricLoadError with the errors of every file if any."""
    errors: list[RubricError] = []
    catalog = _load_directory(directory, errors)
    if errors:
        raise RubricLoadError(errors)
    return catalog


def check_paths(paths: Sequence[Path]) -> list[RubricError]:
    """Every error in ``paths`` (directories or files); an empty list means all is well.

    A rubric file is checked against the resources.yaml beside it when there is one.
    """
    errors: list[RubricError] = []
    for path in paths:
        if path.is_dir():
            _load_directory(path, errors)
        elif not path.is_file():
            errors.append(
                RubricError("missing-file", "no such file or directory", str(path), None, "")
            )
        elif path.name == RESOURCES_FILE:
            _read_resources(path, errors)
        else:
            beside = path.parent / RESOURCES_FILE
            resources = _read_resources(beside, []) if beside.is_file() else None
            _load_rubric(path, resources, {}, {}, errors)
    return errors
