"""How much the largest state's dashboard could gain from storing parts of it ahead of time.

A what-if beside ``bench_national.py``, on a database it seeded (run that first). It times the
Texas dashboard page four ways, alternated in rounds so every variant sees the same minutes:

- as it is;
- with the state's law answered from memory (as if each assessment's law outcome had been
  stored at submission: the page still builds the law block, it only does not query for it);
- with the cached section scores answered from memory (as if they came with the base rows);
- with both.

Each is set against the page's main grouped query run alone (``rollup.item_results_query``),
so the output says what ratio the page could reach if those parts cost nothing. The parts
are swapped by replacing two private functions for the run; the app is not changed. The
first call of each replaced function in a run reads the real thing, so the figures it hands
back are the page's own.

Not in ``make bench``: it needs the national data set (minutes to seed). Usage:
``.venv/bin/python benchmarks/dashboard_bounds.py --database-url URL [--rounds R] [--runs N]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _report import machine_note, median_seconds
from _setup import plain_app, signed_in
from bench_national import LARGEST, already_seeded, largest_state_view, machine_cpu_per_call

from rubric_app.db import db
from rubric_app.states import resolved, rollup, view_data

#: Variant name -> (law from memory, scores from memory).
VARIANTS = {
    "as it is": (False, False),
    "law from memory": (True, False),
    "scores from memory": (False, True),
    "both from memory": (True, True),
}


class Swaps:
    """The two replaced functions, each remembering the first real answer it gets."""

    def __init__(self) -> None:
        self.law = False
        self.scores = False
        self._real_law = view_data._law_shares_on_own_connection
        self._real_scores = resolved._read_score_arrays
        self._law: Any = None
        self._scores: dict[Any, Any] = {}

    def law_shares(self, *args: Any, **kwargs: Any) -> Any:
        if not self.law:
            return self._real_law(*args, **kwargs)
        if self._law is None:
            self._law = self._real_law(*args, **kwargs)
        return self._law

    def read_scores(self, session: Any, rows: Any, scores: dict[Any, Any]) -> None:
        if not self.scores:
            self._real_scores(session, rows, scores)
            return
        if not self._scores:
            self._real_scores(session, rows, self._scores)
        for key, by_id in self._scores.items():
            scores.setdefault(key, {}).update(by_id)

    def install(self) -> None:
        view_data._law_shares_on_own_connection = self.law_shares
        resolved._read_score_arrays = self.read_scores


def main_query(app: Any, runs: int) -> Callable[[], float]:
    """Return a function timing the dashboard's main grouped query alone (median seconds)."""
    with app.app_context():
        scope = largest_state_view(app, db.session)
        versions = rollup.versions_in_scope(db.session, scope)
        assessments = rollup.totals(db.session, scope)[1]
        query = rollup.figures_query(
            db.session, scope, versions, assessments, tuple(scope.filters.compared())
        )

    def timed() -> float:
        with app.app_context():

            def once() -> None:
                db.session.execute(query).all()
                db.session.rollback()

            return median_seconds(once, runs=runs, warmup=1)

    return timed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        parser.error("needs the PostgreSQL database bench_national.py seeded: --database-url")
    os.environ["BENCH_DATABASE_URL"] = args.database_url
    swaps = Swaps()
    swaps.install()
    walls: dict[str, list[float]] = {name: [] for name in VARIANTS}
    cpus: dict[str, list[float]] = {name: [] for name in VARIANTS}
    alone: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        app = plain_app(Path(folder), ARGON2_PROFILE="CHEAPEST")
        with app.app_context():
            seeded = already_seeded(db.session)
        email, password = seeded.passwords[LARGEST]
        client = signed_in(app, email, password)
        query_alone = main_query(app, args.runs)

        def page() -> None:
            response = client.get(f"/states/{LARGEST}/dashboard")
            if response.status_code != 200:
                raise RuntimeError(f"dashboard answered {response.status_code}")

        for _ in range(args.rounds):
            alone.append(query_alone())
            for name, (law, scores) in VARIANTS.items():
                swaps.law, swaps.scores = law, scores
                walls[name].append(median_seconds(page, runs=args.runs, warmup=2))
                cpu = machine_cpu_per_call(page, args.runs)
                if cpu is not None:
                    cpus[name].append(cpu)
    query = statistics.median(alone)
    print(f"{machine_note()}; {args.rounds} rounds of {args.runs} requests each")
    print(
        f"Main grouped query alone: median {query * 1e3:.0f} ms "
        f"(rounds: {', '.join(f'{s * 1e3:.0f}' for s in alone)})"
    )
    print("| Dashboard of the largest state | Page (median of rounds) | Ratio | Rounds | CPU |")
    print("|---|---:|---:|---|---:|")
    for name in VARIANTS:
        wall = statistics.median(walls[name])
        rounds = ", ".join(f"{s * 1e3:.0f}" for s in walls[name])
        used = f"{statistics.median(cpus[name]) * 1e3:.0f} ms" if cpus[name] else "n/a"
        print(f"| {name} | {wall * 1e3:.0f} ms | {wall / query:.2f}x | {rounds} | {used} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
