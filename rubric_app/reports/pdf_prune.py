"""Pruning the PDF cache: files no request can hit any more are deleted.

Writing a PDF already removes the older files of the same assessment (``pdf_cache.store_pdf``).
What that leaves behind is pruned here, from the hourly job (``rubric_app.jobs.maintenance``)
or ``flask jobs prune``:

- files drawn with templates this deployment no longer has (their key ends in another layout
  fingerprint, so no request builds that key again);
- files not written for ``max_age`` (assessments nobody downloads any more);
- temporary files of a write that died half-way.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .pdf_cache import COMPARISON_LAYOUT_FILES, layout_fingerprint

#: A temporary file older than this belongs to a write that will never finish.
STALE_TEMP = dt.timedelta(hours=1)


def current_layouts() -> dict[str, str]:
    """Return the layout fingerprint of this deployment for each cached kind's file prefix."""
    return {
        "report-": layout_fingerprint(),
        "compare-": layout_fingerprint(COMPARISON_LAYOUT_FILES),
    }


def _is_stale_layout(name: str, layouts: dict[str, str]) -> bool:
    for prefix, fingerprint in layouts.items():
        if name.startswith(prefix):
            return not name.endswith(f"-t{fingerprint}.pdf")
    # A kind this module does not know (a newer PDF kind): only its age decides.
    return False


def prune_pdf_cache(cache_dir: Path, *, max_age: dt.timedelta, now: dt.datetime) -> list[str]:
    """Delete stale files under ``cache_dir``; return their names."""
    if not cache_dir.is_dir():
        return []
    layouts = current_layouts()
    removed: list[str] = []
    for path in cache_dir.iterdir():
        if not path.is_file():
            continue
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        age = now - modified
        if path.suffix == ".tmp":
            stale = age > STALE_TEMP
        elif path.suffix == ".pdf":
            stale = age > max_age or _is_stale_layout(path.name, layouts)
        else:
            stale = False
        if stale:
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return sorted(removed)
