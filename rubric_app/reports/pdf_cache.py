"""The PDF cache: one file per (assessment(s), revision(s), content shown, PDF layout).

A download looks here first, so repeated downloads return at once. Two kinds of PDF are cached:
an assessment's report (``cache_key``) and a comparison of 2-4 assessments
(``comparison_key``). Each key includes the revisions, a digest of everything the PDF shows
(the report context or the comparison view), so anything shown changing (answers, actions, the
organization's name, a resource's title) gives a new key, and a digest of the templates and
stylesheet it is drawn with. Older files of the same assessment, or the same set of compared
assessments, are removed when a new one is written. Files are written to a temporary name and
renamed, so a reader never sees half a PDF.

``pdf_for`` is the one way a route gets a cached PDF: it renders on a miss and counts renders
per kind in ``render_counts`` (read by tests and available to metrics).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import os
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rubric_app.config import PROJECT_ROOT

from .view_data import Report

#: Bump when the way a PDF is made changes outside the files ``layout_fingerprint`` reads
#: (e.g. the renderer's options), so cached PDFs are rebuilt.
TEMPLATE_VERSION = "1"

#: The files a report PDF's look depends on, relative to the project root.
_LAYOUT_FILES = (
    "templates/pdf/*.html",
    "templates/reports/_report.html",
    "templates/reports/_board.html",
    "templates/reports/_law.html",
    "templates/reports/_citations.html",
    "static/css/pdf.css",
)
#: The files a comparison PDF's look depends on.
COMPARISON_LAYOUT_FILES = (
    "templates/pdf/_base.html",
    "templates/compare/compare_pdf.html",
    "templates/compare/_tables.html",
    "templates/compare/_crosswalk.html",
    "static/css/pdf.css",
)

#: PDFs rendered (cache misses) by this process, per kind ("report", "compare").
render_counts: Counter[str] = Counter()
_count_lock = threading.Lock()


@functools.cache
def layout_fingerprint(files: tuple[str, ...] = _LAYOUT_FILES) -> str:
    """Return a digest of the PDF templates and stylesheet in ``files``, read once per process.

    Part of every cache key, so a deployment that changes how the PDF looks never serves a
    PDF cached by the previous one.
    """
    digest = hashlib.sha256(TEMPLATE_VERSION.encode())
    for pattern in files:
        for path in sorted(PROJECT_ROOT.glob(pattern)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _canonical(value: Any) -> str:
    # SQLite hands back naive UTC times where the object just written holds aware ones: the
    # same moment must give the same digest in the request that wrote it and in a job that
    # reads it back.
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat()
    return str(value)


def content_digest(content: Any) -> str:
    """Return a stable digest of a dataclass tree (a report, a comparison view)."""
    canonical = json.dumps(
        dataclasses.asdict(content), sort_keys=True, default=_canonical, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:20]


def report_digest(report: Report) -> str:
    """Return a stable digest of everything the report shows."""
    return content_digest(report)


def cache_key(report: Report, kind: str = "report", *, also: Any = None) -> str:
    """Return the cache file name of ``report``'s PDF.

    ``also`` is more shown content that can change without the assessment changing (the board
    summary's peers and previous period): a dataclass folded into the digest.
    """
    digest = report_digest(report)
    if also is not None:
        digest = hashlib.sha256(f"{digest}:{content_digest(also)}".encode()).hexdigest()[:20]
    return f"{kind}-{report.assessment_id}-r{report.revision}-{digest}-t{layout_fingerprint()}.pdf"


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


def comparison_prefix(assessment_ids: Sequence[int]) -> str:
    """Return the file name prefix of every cached comparison of these assessments, in order."""
    return "compare-" + "_".join(str(i) for i in assessment_ids) + "-"


def comparison_key(revisions: Sequence[tuple[int, int]], view: Any) -> str:
    """Return the cache file name of a comparison PDF.

    ``revisions`` holds (assessment id, revision) in column order; ``view`` is what the PDF
    shows (the comparison view), so any change to it, or to the comparison templates, gives a
    new key.
    """
    ids = [assessment_id for assessment_id, _ in revisions]
    revs = "_".join(str(revision) for _, revision in revisions)
    return (
        f"{comparison_prefix(ids)}r{revs}-{content_digest(view)}"
        f"-t{layout_fingerprint(COMPARISON_LAYOUT_FILES)}.pdf"
    )


def pdf_for(
    cache_dir: Path, key: str, *, prefix: str, kind: str, render: Callable[[], bytes]
) -> tuple[bytes, bool]:
    """Return the PDF cached under ``key`` and True, or ``render()`` it, store it and False."""
    pdf = cached_pdf(cache_dir, key)
    if pdf is not None:
        return pdf, True
    pdf = render()
    with _count_lock:
        render_counts[kind] += 1
    store_pdf(cache_dir, key, pdf, prefix=prefix)
    return pdf, False
