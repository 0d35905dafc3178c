"""The PDF cache: one file per (assessment, revision, report content, template version).

A download looks here first, so repeated downloads return at once. The key includes a digest
of the whole report context, so anything the PDF shows changing (answers, actions, the
organization's name, a resource's title) gives a new key; older files of the assessment are
removed when a new one is written. Files are written to a temporary name and renamed, so a
reader never sees half a PDF.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from pathlib import Path

from .context import Report

#: Bump when templates/pdf/ or static/css/pdf.css change, so cached PDFs are rebuilt.
TEMPLATE_VERSION = "1"


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
        f"-t{TEMPLATE_VERSION}.pdf"
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
