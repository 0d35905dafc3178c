"""Run every ``benchmarks/bench_*.py`` in its own process and report which ones failed.

Each script measures its subject against a baseline from the same run and writes its rows into
BENCHMARKS.md through ``_report.record``. ``make bench`` calls this.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Benchmarks with their own make target: they need a throwaway PostgreSQL and many minutes.
SEPARATE = {"bench_national.py"}


def main() -> int:
    scripts = sorted(path for path in HERE.glob("bench_*.py") if path.name not in SEPARATE)
    if not scripts:
        print("no benchmarks/bench_*.py to run")
        return 1
    failed = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        start = time.perf_counter()
        # One process per benchmark, so no warm cache or leftover state flatters the next one.
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False)  # noqa: S603
        print(f"   {script.name} took {time.perf_counter() - start:.1f} s", flush=True)
        if result.returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}")
        return 1
    print(f"{len(scripts)} benchmarks written to BENCHMARKS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
