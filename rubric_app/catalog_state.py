"""The app's rubric catalog: loaded once at start-up from RUBRICS_DIR, read by every request.

A broken file in RUBRICS_DIR never stops the app: start-up keeps every file that loads, logs
each error of the others with file and line, and remembers them so ``/healthz`` can answer
"degraded" and owners see a notice. Assessments are pinned to stored versions in the database,
so those started on a rubric whose file broke keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from rubric_app.rubrics.catalog import Catalog, CatalogLoad, read_catalog

_KEY = "rubric_app.catalog_load"


@dataclass(frozen=True)
class BrokenFile:
    """A file of RUBRICS_DIR that did not load, as people are shown it (no server paths)."""

    name: str
    line: int | None
    code: str
    message: str
    errors: int


def init_catalog(app: Flask) -> None:
    """Load every rubric that loads; log the errors of those that do not."""
    loaded = read_catalog(Path(app.config["RUBRICS_DIR"]))
    app.extensions[_KEY] = loaded
    for error in loaded.errors:
        # str(error) is "file:line: path: message [code]", so the log line points at the fix.
        app.logger.error("Rubric file not loaded: %s", error)
    if loaded.errors:
        app.logger.error(
            "%d rubric file(s) could not be loaded and are not offered: %s. "
            "Run `flask rubrics validate` for every error.",
            len(loaded.broken_files()),
            ", ".join(Path(name).name for name in loaded.broken_files()),
        )


def current_catalog() -> Catalog:
    """The catalog of the running app (the rubrics whose files loaded)."""
    loaded: CatalogLoad = current_app.extensions[_KEY]
    return loaded.catalog


def broken_files() -> list[BrokenFile]:
    """The files of RUBRICS_DIR that did not load, each with its first error; [] when all did."""
    loaded: CatalogLoad = current_app.extensions[_KEY]
    broken: dict[str, BrokenFile] = {}
    for error in loaded.errors:
        first = broken.get(error.file)
        if first is None:
            broken[error.file] = BrokenFile(
                Path(error.file).name, error.line, error.code, error.message, 1
            )
        else:
            broken[error.file] = BrokenFile(
                first.name, first.line, first.code, first.message, first.errors + 1
            )
    return list(broken.values())
