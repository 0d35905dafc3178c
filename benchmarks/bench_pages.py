"""Benchmark the pages people wait on: a questionnaire section, an autosave and a report.

Each is timed through Flask's test client (no network) as the signed-in Riverton owner on the
seeded demo, and compared with a bare Flask route served the same way in the same process, so
the ratio is what the app itself adds per request: session, sign-in check, access policy,
database reads and writes, scoring and templates. The two are timed alternately, round by
round (``paired_medians``), so both see the machine in the same moments.

Both sides are timed in CPU time of this process (``time.process_time``) unless
``BENCH_PAGES_CLOCK=wall``: the requests run in this one thread, so CPU time is what the app
spends on them, while on a machine shared with other work the wall-clock median of a 10 ms
request mostly measures how often the scheduler ran something else (at a load of 20 on two
cores, the same section page read 12 ms of CPU and 77 ms of wall time). CPU time leaves out
waiting for SQLite's disk writes, which the autosave does once per save.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from urllib.parse import urlencode

from _forms import ChangedItems, read_form
from _report import Result, record
from _setup import bench_app, signed_in
from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from rubric_app.db import db
from rubric_app.models import Assessment, Organization
from rubric_app.questionnaire.fields import BASE_SUFFIX, SEPARATOR, field_name
from rubric_app.reports.page_cache import page_cache
from rubric_app.rubric_versions import rubric_of

RUNS = 30
#: Fresh processes the pages are measured in (see ``main``).
PROCESSES = 9
_WORKER = "BENCH_PAGES_WORKER"
WALL = os.environ.get("BENCH_PAGES_CLOCK", "cpu") == "wall"
BASELINE = "bare Flask route, test client" + ("" if WALL else " (CPU time)")
#: Bare-route calls timed after each call of the page in a round (it is about 30 times shorter).
BASELINE_PER_ROUND = 5


def _clock() -> float:
    return time.perf_counter() if WALL else time.process_time()


def paired_medians(
    work: Callable[[], object],
    baseline: Callable[[], object],
    runs: int,
    warmup: int = 2,
    *,
    prepare: Callable[[], None] = lambda: None,
    after: Callable[[object], None] = lambda _: None,
) -> tuple[float, float]:
    """The medians of ``work()`` and of ``baseline()`` over ``runs`` rounds, one call of
    ``work`` then ``BASELINE_PER_ROUND`` of ``baseline`` in each, on the same clock (CPU time,
    or wall time if asked). ``prepare()`` before each call of ``work`` and ``after(its
    result)`` are the benchmark's own bookkeeping, not timed.

    Alternating makes both sides share the machine's moments: on a shared virtual machine the
    bare route's own median moved between 112 and 198 µs from one minute to the next, so a
    baseline timed apart from the page made the ratio swing by half.
    """
    for _ in range(warmup):
        prepare()
        after(work())
        baseline()
    times, bases = [], []
    for _ in range(runs):
        prepare()
        start = _clock()
        result = work()
        times.append(_clock() - start)
        after(result)
        for _ in range(BASELINE_PER_ROUND):
            start = _clock()
            baseline()
            bases.append(_clock() - start)
    return statistics.median(times), statistics.median(bases)


def bare_route() -> Callable[[], object]:
    """A GET to a route that returns a short string, on a throwaway app."""
    bare = Flask("bare")

    @bare.get("/")
    def hello() -> str:
        return "Hello"

    client = bare.test_client()
    return lambda: client.get("/")


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


def measure() -> list[Result]:
    """Time the pages in this process, each against the bare route (``paired_medians``)."""
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
        post: list[bytes] = []

        script = ChangedItems.of(form)

        def next_post() -> None:
            # The fields the page's script would send with the answer changed: after the first
            # save of a page visit (the warm-up's), the changed item's fields and every item's
            # base (``ChangedItems``). Encoded as the browser would before sending: the
            # client's work, not the server's, so it is done before the clock starts.
            post[:] = [urlencode(script.post(form.with_value(group, next(values)))).encode()]

        def first_post() -> None:
            # The first save of a page visit: nothing confirmed yet, so the whole form.
            script.confirmed.clear()
            next_post()

        def autosave() -> TestResponse:
            return client.post(
                autosave_url,
                data=post[0],
                content_type="application/x-www-form-urlencoded",
                headers={"X-Requested-With": "fetch"},
            )

        def take_bases(response: object) -> None:
            # As the script does, the new bases from the answer, so the next save is a change
            # too: each save is a real write.
            assert isinstance(response, TestResponse)
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            payload = response.json
            assert payload is not None
            assert payload["status"] == "saved", payload
            assert payload["saved"] == [item_of_group], payload
            script.confirm(payload["confirmed"])
            for item_id, base in payload["bases"].items():
                form.fields = form.with_value(field_name(item_id, BASE_SUFFIX), base)

        bare = bare_route()
        # Each row: its name, the request, and for an autosave the post it sends.
        timed: tuple[tuple[str, Callable[[], object], Callable[[], None] | None], ...] = (
            ("Questionnaire section page (GET)", lambda: get_ok(section_url), None),
            (
                "Autosave of a section (POST), one answer changed since the last save",
                autosave,
                next_post,
            ),
            (
                "Autosave of a section (POST), first of a page visit (the whole form)",
                autosave,
                first_post,
            ),
            (
                "Report page (GET), submitted assessment, body kept from an earlier view",
                lambda: get_ok(report_url),
                None,
            ),
            (
                "Report page (GET), first view after a change (nothing kept)",
                report_first_view,
                None,
            ),
        )
        results = []
        for name, work, post_of_save in timed:
            if post_of_save is not None:
                seconds, baseline = paired_medians(
                    work, bare, runs=RUNS, prepare=post_of_save, after=take_bases
                )
            else:
                seconds, baseline = paired_medians(work, bare, runs=RUNS)
            results.append(Result(name, seconds, BASELINE, baseline, RUNS))
        with app.app_context():
            db.engine.dispose()
    return results


def main() -> None:
    """Measure in ``PROCESSES`` fresh processes and record each row's medians across them.

    One process's medians differ from another's by up to a fifth on the same code (string
    hashing is randomised per process, so memory layouts differ), more than between minutes:
    each row is the process with the median ratio (its page and bare-route medians), and its
    note gives the spread of the ratios.
    """
    if os.environ.get(_WORKER):
        print(json.dumps([asdict(result) for result in measure()]))
        return
    runs: dict[str, list[Result]] = {}
    for _ in range(PROCESSES):
        done = subprocess.run(  # noqa: S603 - this script again, no shell
            [sys.executable, __file__],
            env={**os.environ, _WORKER: "1"},
            capture_output=True,
            text=True,
            check=True,
        )
        for found in json.loads(done.stdout.strip().splitlines()[-1]):
            result = Result(**found)
            runs.setdefault(result.name, []).append(result)
    results = []
    for found in runs.values():
        ranked = sorted(found, key=lambda result: result.ratio)
        middle = ranked[len(ranked) // 2]
        results.append(
            replace(
                middle,
                note=f"median of {len(found)} processes, ratios {ranked[0].ratio:.1f}x to "
                f"{ranked[-1].ratio:.1f}x",
            )
        )
    record(results)


if __name__ == "__main__":
    main()
