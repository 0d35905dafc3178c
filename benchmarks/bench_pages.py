"""Benchmark the pages people wait on: a questionnaire section, an autosave and a report.

Each is timed through Flask's test client (no network) as the signed-in Riverton owner on the
seeded demo, and compared with a bare Flask route served the same way in the same process, so
the ratio is what the app itself adds per request: session, sign-in check, access policy,
database reads and writes, scoring and templates.

Both sides are timed in CPU time of this process (``time.process_time``) unless
``BENCH_PAGES_CLOCK=wall``: the requests run in this one thread, so CPU time is what the app
spends on them, while on a machine shared with other work the wall-clock median of a 10 ms
request mostly measures how often the scheduler ran something else (at a load of 20 on two
cores, the same section page read 12 ms of CPU and 77 ms of wall time). CPU time leaves out
waiting for SQLite's disk writes, which the autosave does once per save.
"""

from __future__ import annotations

import itertools
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _forms import read_form
from _report import Result, median_seconds, record
from _setup import bench_app, signed_in
from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from rubric_app.db import db
from rubric_app.models import Assessment, Organization
from rubric_app.questionnaire.fields import BASE_SUFFIX, SEPARATOR, field_name
from rubric_app.reports.page_cache import page_cache
from rubric_app.rubric_versions import rubric_of

RUNS = 30
WALL = os.environ.get("BENCH_PAGES_CLOCK", "cpu") == "wall"
BASELINE = "bare Flask route, test client" + ("" if WALL else " (CPU time)")


def median_time(work: Callable[[], object], runs: int, warmup: int = 2) -> float:
    """The median time of ``work()`` over ``runs`` calls: CPU time, or wall time if asked."""
    if WALL:
        return median_seconds(work, runs=runs, warmup=warmup)
    for _ in range(warmup):
        work()
    times = []
    for _ in range(runs):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return statistics.median(times)


def bare_flask_time() -> float:
    """The median of a GET to a route that returns a short string, on a throwaway app."""
    bare = Flask("bare")

    @bare.get("/")
    def hello() -> str:
        return "Hello"

    client = bare.test_client()
    return median_time(lambda: client.get("/"), runs=RUNS * 5)


def riverton(app: Flask, status: str) -> tuple[int, str]:
    """Riverton's assessment in ``status`` and the id of its first section."""
    with app.app_context():
        assessment = db.session.scalar(
            select(Assessment)
            .join(Organization, Organization.id == Assessment.org_id)
            .where(
                Organization.name == "Riverton City School District", Assessment.status == status
            )
        )
        assert assessment is not None
        return assessment.id, rubric_of(assessment.rubric_version).sections[0].id


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = bench_app(Path(folder))
        client = signed_in(app, "admin@riverton.example.org")
        draft_id, section_id = riverton(app, "draft")
        submitted_id, _ = riverton(app, "submitted")
        section_url = f"/assessments/{draft_id}/sections/{section_id}"
        report_url = f"/assessments/{submitted_id}/report"

        def get_ok(url: str) -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        def report_first_view() -> None:
            # The report as drawn the first time after a submit or any change to what it shows:
            # nothing kept in this process's page cache (``reports/page_cache.py``).
            page_cache(app).clear()
            get_ok(report_url)

        section_html = client.get(section_url).get_data(as_text=True)
        form = read_form(section_html, "section-form")
        group, options = next(iter(form.radios.items()))
        assert len(options) > 1, "the first answer group offers one choice"
        autosave_url = f"/assessments/{draft_id}/autosave"
        # Starting from the other answers, so every save changes what is stored.
        current = form.value(group)
        values = itertools.cycle(
            [option for option in options if option != current] + [current]
            if current in options
            else options
        )

        item_of_group = group.rpartition(SEPARATOR)[0]

        def autosave() -> None:
            # Posts the fields the page's script would send (FormData of the whole section
            # form) with the answer changed, then takes the new bases from the answer as the
            # script does, so the next save is a change too: each save is a real write.
            response = client.post(
                autosave_url,
                data=MultiDict(form.with_value(group, next(values))),
                headers={"X-Requested-With": "fetch"},
            )
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            payload = response.json
            assert payload is not None
            assert payload["status"] == "saved", payload
            assert payload["saved"] == [item_of_group], payload
            for item_id, base in payload["bases"].items():
                form.fields = form.with_value(field_name(item_id, BASE_SUFFIX), base)

        baseline = bare_flask_time()
        results = [
            Result(
                "Questionnaire section page (GET)",
                median_time(lambda: get_ok(section_url), runs=RUNS),
                BASELINE,
                baseline,
                RUNS,
            ),
            Result(
                "Autosave of a section (POST)",
                median_time(autosave, runs=RUNS),
                BASELINE,
                baseline,
                RUNS,
            ),
            Result(
                "Report page (GET), submitted assessment, body kept from an earlier view",
                median_time(lambda: get_ok(report_url), runs=RUNS),
                BASELINE,
                baseline,
                RUNS,
            ),
            Result(
                "Report page (GET), first view after a change (nothing kept)",
                median_time(report_first_view, runs=RUNS),
                BASELINE,
                baseline,
                RUNS,
            ),
        ]
        with app.app_context():
            db.engine.dispose()
    record(results)


if __name__ == "__main__":
    main()
