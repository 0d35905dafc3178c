"""One parse per test process of each rubric and framework folder an app starts on.

``create_app`` reads every YAML file of RUBRICS_DIR and FRAMEWORKS_DIR (PyYAML in pure Python:
about a second per app on a CI machine), and the suite builds a fresh app for almost every test,
so most of the suite's time went into parsing the same twenty files again. ``install`` makes the
app's start-up (``catalog_state.read_catalog`` and ``framework_state.read_frameworks``) reuse
the result of an earlier read of the same folder while every file in it has the same bytes.

The key is the folder's path and the content of every file below it, so a test that writes,
changes or deletes a file (a broken rubric, a removed crosswalk) gets a fresh read. A folder
holding anything but plain files and folders (a link, a FIFO, an unreadable file) is never
cached: what reading it reports may depend on more than bytes. The loaders' own tests call
``rubric_app.rubrics.catalog`` and ``rubric_app.frameworks.loader`` directly, never this cache.
What is shared is immutable (frozen dataclasses; nothing writes to the loaded mappings).
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Mapping
from pathlib import Path

import pytest

from rubric_app import catalog_state, framework_state
from rubric_app.frameworks.crosswalk_reader import RubricVersions
from rubric_app.frameworks.loader import FrameworkLoad
from rubric_app.frameworks.loader import read_frameworks as real_read_frameworks
from rubric_app.rubrics.catalog import CatalogLoad
from rubric_app.rubrics.catalog import read_catalog as real_read_catalog
from rubric_app.rubrics.model import Rubric

Fingerprint = tuple[str, bool, tuple[tuple[str, str], ...]]

_catalogs: dict[Fingerprint, CatalogLoad] = {}
# Frameworks are checked against the rubrics they were read with: one entry per rubrics mapping
# (the cached catalog's, so the same object app after app), compared by identity.
_frameworks: dict[Fingerprint, list[tuple[Mapping[str, Rubric], FrameworkLoad]]] = {}


def fingerprint(directory: Path) -> Fingerprint | None:
    """The folder's path and the SHA-256 of every file below it; None when it is not cacheable."""
    entries: list[tuple[str, str]] = []
    try:
        for path in sorted(directory.rglob("*")):
            mode = path.lstat().st_mode
            if stat.S_ISDIR(mode):
                entries.append((path.relative_to(directory).as_posix(), "folder"))
            elif stat.S_ISREG(mode):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                entries.append((path.relative_to(directory).as_posix(), digest))
            else:
                return None
    except OSError:
        return None
    return str(directory), directory.is_dir(), tuple(entries)


def cached_read_catalog(directory: Path) -> CatalogLoad:
    """``read_catalog``, reusing an earlier read of a folder with the same content."""
    key = fingerprint(directory)
    if key is None:
        return real_read_catalog(directory)
    if key not in _catalogs:
        _catalogs[key] = real_read_catalog(directory)
    return _catalogs[key]


def cached_read_frameworks(
    directory: Path, rubrics: Mapping[str, Rubric], versions: RubricVersions | None = None
) -> FrameworkLoad:
    """``read_frameworks``, reusing an earlier read of the same content against the same rubrics."""
    key = fingerprint(directory)
    if key is None or versions is not None:
        return real_read_frameworks(directory, rubrics, versions)
    reads = _frameworks.setdefault(key, [])
    for read_with, loaded in reads:
        if read_with is rubrics:
            return loaded
    loaded = real_read_frameworks(directory, rubrics)
    reads.append((rubrics, loaded))
    return loaded


def install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make app start-up in this process read each folder's content once."""
    monkeypatch.setattr(catalog_state, "read_catalog", cached_read_catalog)
    monkeypatch.setattr(framework_state, "read_frameworks", cached_read_frameworks)
