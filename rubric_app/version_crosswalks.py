"""Version crosswalks for the running app: which item of an older rubric version is which now.

Trends and period-over-period comparisons of one rubric can span a version bump. Identical item
ids match by default; a version crosswalk in ``FRAMEWORKS_DIR/crosswalks`` pairs the renamed or
split ones. The app loads its crosswalks at start-up against the rubric files
(``framework_state``); a version crosswalk whose older side is only *stored* (the file moved
on, the assessments stayed pinned) is read here against the versions actually compared, with
the same loader and checks (every paired item must exist in its side's version). Files that do
not load for those versions are skipped: ``flask frameworks validate`` reports them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from flask import current_app

from rubric_app.catalog_state import current_catalog
from rubric_app.framework_state import current_frameworks
from rubric_app.frameworks.loader import CROSSWALKS_DIR, load_crosswalk_file, versions_of
from rubric_app.frameworks.model import Crosswalk
from rubric_app.frameworks.versions import item_aliases
from rubric_app.rubrics.errors import RubricLoadError
from rubric_app.rubrics.model import Rubric

__all__ = ["aliases_into", "version_crosswalks"]


def version_crosswalks(rubrics: Sequence[Rubric]) -> tuple[Crosswalk, ...]:
    """Every version crosswalk between versions of ``rubrics`` (loaded, or readable now)."""
    found = {c.id: c for c in current_frameworks().crosswalks.values() if c.between_versions}
    versions = {**versions_of(current_catalog().rubrics), **{(r.id, r.version): r for r in rubrics}}
    folder = Path(current_app.config["FRAMEWORKS_DIR"]) / CROSSWALKS_DIR
    for path in sorted(folder.glob("*.yaml")):
        try:
            crosswalk = load_crosswalk_file(path, versions)
        except RubricLoadError:
            continue
        if crosswalk.between_versions:
            found.setdefault(crosswalk.id, crosswalk)
    return tuple(found.values())


def aliases_into(rubrics: Sequence[Rubric], newest: int) -> list[dict[str, str]] | None:
    """Per rubric, its item ids renamed to those of ``rubrics[newest]``; None when not needed
    (different rubrics, or one version throughout)."""
    if len({r.id for r in rubrics}) != 1 or len({r.version for r in rubrics}) == 1:
        return None
    target = rubrics[newest]
    crosswalks = version_crosswalks(rubrics)
    return [
        item_aliases(crosswalks, r.id, r.version, target.version)
        if r.version != target.version
        else {}
        for r in rubrics
    ]
