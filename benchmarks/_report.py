"""Timing and reporting shared by every benchmark: medians, the machine note and the tables in
BENCHMARKS.md.

A benchmark measures its subject and its baseline in the same run and hands both to
``record``, which replaces that benchmark's row in the table (or adds it) and keeps the rest.
The load test writes its own section with ``write_section``.

Usage from a ``benchmarks/bench_*.py`` script::

    from _report import Result, median_seconds, record

    record([Result("PDF of a report", median_seconds(make_pdf), "WeasyPrint, minimal document",
                   median_seconds(make_minimal_pdf), runs=10)])
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS_MD = Path(os.environ.get("BENCHMARKS_MD", PROJECT_ROOT / "BENCHMARKS.md"))

BENCH_START = "<!-- bench:start -->"
BENCH_END = "<!-- bench:end -->"
HEADER = (
    "| Benchmark | Measured (median) | Baseline | Baseline (median) | Ratio | Runs | Date "
    "| Machine |",
    "|---|---:|---|---:|---:|---:|---|---|",
)

SKELETON = f"""# Benchmarks

Figures from this repository's own runs. `make bench` times each page or job against a
baseline measured in the same run on the same machine (a bare Flask route, WeasyPrint on a
minimal document, the raw grouped query), so the ratio says what the app adds and travels
between machines better than the absolute times. `make bench-national` seeds a national data set
into a throwaway PostgreSQL database and checks the national-scale aims. `make load` drives
gunicorn (4 workers) on PostgreSQL: how many people at human pace one machine serves with p95 at
most 200 ms and no error, then a saturation run. Each rewrites its own section below.

All figures come from a 2-core machine shared with other work (the load average is noted with
each run): absolute times are pessimistic, ratios measured in the same run travel better.

## make bench

{BENCH_START}
{HEADER[0]}
{HEADER[1]}
{BENCH_END}
"""


@dataclass(frozen=True)
class Result:
    """One benchmark's median time against its baseline's, both in seconds."""

    name: str
    seconds: float
    baseline: str
    baseline_seconds: float
    runs: int
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.seconds / self.baseline_seconds if self.baseline_seconds > 0 else float("inf")


def median_seconds(work: Callable[[], object], runs: int = 20, warmup: int = 2) -> float:
    """The median wall time of ``work()`` over ``runs`` calls, after ``warmup`` unmeasured ones."""
    for _ in range(warmup):
        work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def machine_note() -> str:
    """A short description of where the figures come from, with the load average when the
    note is written (other work on the machine slows every figure, the baselines included)."""
    cpus = os.cpu_count() or 0
    system = f"{platform.system()} {platform.machine()}"
    load = f", load {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return f"{cpus} CPU, {system}, Python {platform.python_version()}{load}"


def format_seconds(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def _row(result: Result, today: str) -> str:
    name = f"{result.name} ({result.note})" if result.note else result.name
    return (
        f"| {name} | {format_seconds(result.seconds)} | {result.baseline} | "
        f"{format_seconds(result.baseline_seconds)} | {result.ratio:.1f}x | {result.runs} | "
        f"{today} | {machine_note()} |"
    )


def _first_cell(row: str) -> str:
    return row.strip().strip("|").split("|")[0].strip()


def _is_row_of(row: str, name: str) -> bool:
    # The first cell is the benchmark name, optionally followed by " (note)".
    cell = _first_cell(row)
    return cell == name or cell.startswith(f"{name} (")


def _read() -> str:
    return BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.exists() else SKELETON


def record(results: list[Result]) -> None:
    """Print the results and put them into the bench table, replacing rows of the same name."""
    today = dt.date.today().isoformat()
    text = _read()
    if BENCH_START not in text:
        text = (
            text.rstrip()
            + "\n\n## make bench\n\n"
            + "\n".join((BENCH_START, *HEADER, BENCH_END))
            + "\n"
        )
    before, rest = text.split(BENCH_START, 1)
    table, after = rest.split(BENCH_END, 1)
    rows = [line for line in table.strip().splitlines() if line.startswith("|")][2:]
    for result in results:
        print(
            f"{result.name}: {format_seconds(result.seconds)} vs {result.baseline} "
            f"{format_seconds(result.baseline_seconds)} = {result.ratio:.1f}x"
        )
        new = _row(result, today)
        places = [index for index, row in enumerate(rows) if _is_row_of(row, result.name)]
        if places:
            # Replace the first row of this benchmark in place and drop any older duplicates.
            rows[places[0]] = new
            rows = [row for index, row in enumerate(rows) if index not in places[1:]]
        else:
            rows.append(new)
    body = "\n".join((*HEADER, *rows))
    BENCHMARKS_MD.write_text(f"{before}{BENCH_START}\n{body}\n{BENCH_END}{after}", encoding="utf-8")


def write_section(key: str, title: str, body: str) -> None:
    """Replace (or add) the section between ``<!-- key:start -->`` and ``<!-- key:end -->``."""
    start, end = f"<!-- {key}:start -->", f"<!-- {key}:end -->"
    text = _read()
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = f"{before}{block}{after}"
    else:
        text = f"{text.rstrip()}\n\n## {title}\n\n{block}\n"
    BENCHMARKS_MD.write_text(text, encoding="utf-8")
