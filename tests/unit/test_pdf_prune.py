"""Pruning the PDF cache: what no download can hit goes, what a download can hit stays."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from rubric_app.reports.pdf_cache import COMPARISON_LAYOUT_FILES, layout_fingerprint
from rubric_app.reports.pdf_prune import prune_pdf_cache

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


def _file(folder: Path, name: str, *, age: dt.timedelta = dt.timedelta(0)) -> Path:
    path = folder / name
    path.write_bytes(b"%PDF-1.7")
    moment = (NOW - age).timestamp()
    os.utime(path, (moment, moment))
    return path


def test_prune_removes_old_layouts_unread_files_and_dead_temporaries(tmp_path: Path) -> None:
    report = layout_fingerprint()
    compare = layout_fingerprint(COMPARISON_LAYOUT_FILES)
    keep = [
        _file(tmp_path, f"report-1-r3-abc-t{report}.pdf", age=dt.timedelta(days=89)),
        _file(tmp_path, f"compare-1_2-r1_1-abc-t{compare}.pdf"),
        # A kind this module does not know yet: only its age decides.
        _file(tmp_path, "summary-1-r3-abc-tffffffffff.pdf"),
        _file(tmp_path, "half-written.tmp", age=dt.timedelta(minutes=5)),
        _file(tmp_path, "notes.txt", age=dt.timedelta(days=900)),
    ]
    gone = [
        _file(tmp_path, "report-2-r1-abc-t0000000000.pdf"),
        _file(tmp_path, "compare-1_2-r1_1-abc-t0000000000.pdf"),
        _file(tmp_path, f"report-3-r1-abc-t{report}.pdf", age=dt.timedelta(days=91)),
        _file(tmp_path, "dead.tmp", age=dt.timedelta(hours=2)),
    ]
    removed = prune_pdf_cache(tmp_path, max_age=dt.timedelta(days=90), now=NOW)
    assert removed == sorted(path.name for path in gone)
    assert all(path.exists() for path in keep)
    assert not any(path.exists() for path in gone)


def test_prune_of_a_missing_cache_does_nothing(tmp_path: Path) -> None:
    assert prune_pdf_cache(tmp_path / "none", max_age=dt.timedelta(days=1), now=NOW) == []
