"""What posting only the changed items buys an autosave, alternated in one process.

``bench_pages.py`` times each autosave row in processes of its own, whose ratios spread by a
fifth or more from one process to the next; a difference of a tenth between two rows is lost
in that. Here the two posts the page's script makes alternate in the same process, round after
round, each followed by the bare-route calls ``bench_pages`` times beside every page: the whole
form (the first save of a page visit, and every save before ``changed_items``) and one changed
answer with every base (``_forms.ChangedItems``, every later save). Both change the same
answer to a new value each time, so both write.

    PYTHONPATH=. .venv/bin/python benchmarks/autosave_posts.py [rounds]

Beside them, for scale, a signed-in GET of a route added here that returns a string: what any
signed-in request costs before its view does anything (the user with its session and
memberships, the session cookie, the request log and metrics, the security headers).

Prints the medians (CPU time) and each against the bare route; records nothing.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from _forms import ChangedItems, read_form
from _setup import bench_app, signed_in
from bench_pages import BASELINE_PER_ROUND, bare_route, riverton

from rubric_app.questionnaire.fields import BASE_SUFFIX, SEPARATOR, field_name

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 400
WARMUP = 20


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = bench_app(Path(folder))
        app.add_url_rule("/bench-signed-in-floor", "bench_floor", lambda: "Hello")
        client = signed_in(app, "admin@riverton.example.org")
        draft_id, section_id = riverton(app, "draft")
        html = client.get(f"/assessments/{draft_id}/sections/{section_id}").get_data(as_text=True)
        form = read_form(html, "section-form")
        group, options = next(iter(form.radios.items()))
        item_id = group.rpartition(SEPARATOR)[0]
        # Starting from the other answers, so every save changes what is stored.
        current = form.value(group)
        values = itertools.cycle(
            [option for option in options if option != current] + [current]
            if current in options
            else options
        )
        script = ChangedItems.of(form)
        url = f"/assessments/{draft_id}/autosave"

        def save(whole: bool) -> float:
            if whole:
                script.confirmed.clear()
            body = urlencode(script.post(form.with_value(group, next(values)))).encode()
            start = time.process_time()
            response = client.post(
                url,
                data=body,
                content_type="application/x-www-form-urlencoded",
                headers={"X-Requested-With": "fetch"},
            )
            took = time.process_time() - start
            payload = response.json
            assert payload is not None
            assert payload["saved"] == [item_id], payload
            for saved_id, base in payload["bases"].items():
                form.fields = form.with_value(field_name(saved_id, BASE_SUFFIX), base)
            script.confirm(payload["confirmed"])
            return took

        bare = bare_route()
        times: dict[str, list[float]] = {
            "whole form": [],
            "changed items": [],
            "signed-in floor": [],
            "bare": [],
        }

        def floor() -> float:
            start = time.process_time()
            response = client.get("/bench-signed-in-floor")
            took = time.process_time() - start
            assert response.status_code == 200, response.status_code
            return took

        def timed_bare() -> None:
            for _ in range(BASELINE_PER_ROUND):
                start = time.process_time()
                bare()
                times["bare"].append(time.process_time() - start)

        rounds: list[tuple[str, Callable[[], float]]] = [
            ("whole form", lambda: save(True)),
            ("changed items", lambda: save(False)),
            ("signed-in floor", floor),
        ]
        for number in range(WARMUP + ROUNDS):
            for name, work in rounds:
                took = work()
                if number >= WARMUP:
                    times[name].append(took)
                timed_bare()
        base = statistics.median(times["bare"])
        print(f"{ROUNDS} rounds; bare Flask route {base * 1e6:.0f} µs (CPU time, median)")
        whole = statistics.median(times["whole form"])
        for name in ("whole form", "changed items"):
            median = statistics.median(times[name])
            print(
                f"autosave, {name}: {median * 1e3:.2f} ms = {median / base:.1f}x the bare route"
                f" ({(median - whole) / whole * 100:+.1f}% against the whole form)"
            )
        median = statistics.median(times["signed-in floor"])
        print(
            f"signed-in GET of a route returning a string: {median * 1e3:.2f} ms = "
            f"{median / base:.1f}x the bare route"
        )


if __name__ == "__main__":
    main()
