"""The app's rubric catalog: loaded once at start-up from RUBRICS_DIR, read by every request."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from rubric_app.rubrics.catalog import Catalog, load_catalog


def init_catalog(app: Flask) -> None:
    """Load and validate every rubric; a broken file stops start-up with all its errors."""
    app.extensions["rubric_app.catalog"] = load_catalog(Path(app.config["RUBRICS_DIR"]))


def current_catalog() -> Catalog:
    """The catalog of the running app."""
    catalog: Catalog = current_app.extensions["rubric_app.catalog"]
    return catalog
