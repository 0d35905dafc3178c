"""The PDF cache: one file per (assessment, revision, report content, PDF layout).

A download looks here first, so repeated downloads return at once. The key includes a digest
of the whole report context, so anything the PDF shows changing (answers, actions, the
organization's name, a resource's title) gives a new key; older files of the assessment are
removed when a new one is written. Files are written to a temporary name and renamed, so a
reader never sees half a PDF.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path

from rubric_app.config import PROJECT_ROOT

from .context import Report

#: Bump when the way a PDF is made changes outside the files ``layout_fingerprint`` reads
#: (e.g. the renderer's options), so cached PDFs are rebuilt.
TEMPLATE_VERSION = "1"

#: The files a report PDF's look depends on, relative to the project root.
_LAYOUT_FILES = ("templates/pdf/*.html", "templates/reports/_report.html", "static/css/pdf.css")


@functools.cache
def layout_fingerprint() -> str:
    """Return a digest of the PDF templates and stylesheet, read once per process.

    Part of every cache key, so a deployment that changes how the PDF looks never serves a
    PDF cached by the previous one.
    """
    digest = hashlib.sha256(TEMPLATE_VERSION.encode())
    for pattern in _LAYOUT_FILES:
        for path in sorted(PROJECT_ROOT.glob(pattern)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def report_digest(report: Report) -> str:
    """Return a stable digest of everything the report shows."""
    canonical = json.dumps(
        dataclasses.asdict(report), sort_keys=True, default=str, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:20]


def cache_key(report: Report, kind: str = "report") -> str:
    """Return the cache file name of ``report``'s PDF."""
    return (
        f"{kind}-{report.assessment_id}-r{report.revision}-{report_digest(report)}"
        f"-t{layout_fingerprint()}.pdf"
    )


def cached_pdf(cache_dir: Path, key: str) -> bytes | None:
    """Return the cached PDF for ``key``, or None."""
    path = cache_dir / key
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def store_pdf(cache_dir: Path, key: str, pdf: bytes, *, prefix: str) -> Path:
    """Write ``pdf`` under ``key`` and remove older files that start with ``prefix``."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / key
    handle, temp_name = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
    with os.fdopen(handle, "wb") as temp:
        temp.write(pdf)
    os.replace(temp_name, target)
    for old in cache_dir.glob(f"{prefix}*.pdf"):
        if old != target:
            old.unlink(missing_ok=True)
    return target


def assessment_prefix(report: Report, kind: str = "report") -> str:
    """Return the file name prefix shared by every cached PDF of one assessment."""
    return f"{kind}-{report.assessment_id}-"
