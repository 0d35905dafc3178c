"""Benchmark: the state dashboard over 5,000 shared, submitted local-rubric assessments.

Seeds one state (the demo advocate's, Ohio) with 5,000 districts, each with one submitted
assessment of the local rubric shared with the advocate, then times, in the same run:

- the dashboard page through the Flask test client, signed in as the advocate, and
- its main grouped query (``rollup.item_results_query``: the cached item results of every
  assessment in scope, grouped by item and dimension) run directly on the same database.

Prints the medians and their ratio (aim: under 1.5, and the page under 300 ms on SQLite) and
writes the row into BENCHMARKS.md. SQLite in a temporary folder by default; set
BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a throwaway PostgreSQL database to run there too
(it is emptied first).

Usage: ``.venv/bin/python benchmarks/bench_dashboard.py [--orgs N] [--runs N] [--no-record]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from _report import Result, format_seconds, median_seconds, record
from _setup import bench_app, signed_in

from rubric_app.db import db
from rubric_app.demo import DEMO_STATE
from rubric_app.demo_state import LOCAL_RUBRIC, seed_state
from rubric_app.states import rollup
from rubric_app.states.rollup import Filters, Scope

ADVOCATE = "advocate@buckeye.example.org"


def run(url: str | None, orgs: int, runs: int) -> Result:
    """Seed, then time the page and the main query; return the result."""
    if url:
        os.environ["BENCH_DATABASE_URL"] = url
    else:
        os.environ.pop("BENCH_DATABASE_URL", None)
    backend = "PostgreSQL" if url else "SQLite"
    with tempfile.TemporaryDirectory() as folder:
        app = bench_app(Path(folder))
        with app.app_context():
            start = time.perf_counter()
            seeded = seed_state(
                db.session, orgs, DEMO_STATE, afterschool_share=0.0, previous_share=0.0
            )
            db.session.commit()
            if url:
                # Fresh tables: give the planner statistics, as autovacuum would in production.
                db.session.connection().exec_driver_sql("ANALYZE")
                db.session.commit()
            print(
                f"{backend}: seeded {seeded.assessments} assessments in "
                f"{time.perf_counter() - start:.1f} s",
                flush=True,
            )
            # The page's default filters: the local rubric and the latest period with figures.
            periods = rollup.filter_options(
                db.session, Scope(seeded.advocate_org_id, DEMO_STATE, LOCAL_RUBRIC)
            ).periods
            period = next(p for p, n in periods if n >= app.config["SUPPRESSION_K"])
            scope = Scope(seeded.advocate_org_id, DEMO_STATE, LOCAL_RUBRIC, Filters(period=period))
            versions = rollup.versions_in_scope(db.session, scope)
            query = rollup.item_results_query(scope, rollup.scored_item_ids(versions))
            in_scope = rollup.totals(db.session, scope)[1]

            def main_query() -> None:
                db.session.execute(query).all()
                db.session.rollback()

            query_seconds = median_seconds(main_query, runs=runs, warmup=2)

        client = signed_in(app, ADVOCATE)
        url_path = f"/states/{DEMO_STATE}/dashboard"

        def page() -> None:
            response = client.get(url_path)
            if response.status_code != 200:
                raise RuntimeError(f"dashboard answered {response.status_code}")

        page_seconds = median_seconds(page, runs=runs, warmup=2)
        with app.app_context():
            db.engine.dispose()
    result = Result(
        f"State dashboard, {backend}",
        page_seconds,
        "its main grouped query",
        query_seconds,
        runs=runs,
        note=f"{in_scope} shared assessments",
    )
    print(
        f"{backend}: page {format_seconds(page_seconds)}, main query "
        f"{format_seconds(query_seconds)}, ratio {result.ratio:.2f}",
        flush=True,
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-record", action="store_true", help="print only")
    args = parser.parse_args()
    postgres = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    results = [run(None, args.orgs, args.runs)]
    if postgres:
        results.append(run(postgres, args.orgs, args.runs))
    if not args.no_record:
        record(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
