"""The app's frameworks and crosswalks: loaded once at start-up from FRAMEWORKS_DIR.

Like the rubric catalog (``catalog_state``), a broken framework file never stops the app: every
file that loads is kept, each error of the others is logged with file and line. Mapped items
are checked against the rubric catalog the app started with, so this runs after it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from rubric_app.catalog_state import current_catalog
from rubric_app.frameworks.loader import FrameworkLoad, read_frameworks

_KEY = "rubric_app.framework_load"


def init_frameworks(app: Flask) -> None:
    """Load every framework and crosswalk that loads; log the errors of those that do not."""
    with app.app_context():
        rubrics = current_catalog().rubrics
    loaded = read_frameworks(Path(app.config["FRAMEWORKS_DIR"]), rubrics)
    app.extensions[_KEY] = loaded
    for error in loaded.errors:
        app.logger.error("Framework file not loaded: %s", error)
    if loaded.errors:
        app.logger.error(
            "Some framework files could not be loaded; run `flask frameworks validate`."
        )


def current_frameworks() -> FrameworkLoad:
    """The frameworks and crosswalks of the running app (those whose files loaded)."""
    loaded: FrameworkLoad = current_app.extensions[_KEY]
    return loaded
