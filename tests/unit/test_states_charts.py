"""Geometry and text alternatives of the overview's charts (rubric_app.states.charts)."""

from __future__ import annotations

import itertools

from rubric_app.scoring import Figure, Suppressed
from rubric_app.states.charts import heatmap, table_rows, trend_chart
from rubric_app.states.findings import Step, ViewSteps

STEPS = (Step("a", 1, "First"), Step("b", 2, "Second"))


def _view(label: str, a: float | None, b: float | None, withheld: bool = False) -> ViewSteps:
    if withheld:
        hidden = Suppressed(k=5)
        return ViewSteps(label.lower(), label, hidden, {"a": hidden, "b": hidden})
    medians: dict[str, Figure | Suppressed] = {}
    for key, value in (("a", a), ("b", b)):
        medians[key] = Figure(value, 7) if value is not None else Suppressed(k=5)
    return ViewSteps(label.lower(), label, Figure(7.0, 7), medians)


def test_heatmap_draws_hidden_cells_without_a_value() -> None:
    views = (_view("City", 12.0, 85.0), _view("Town", None, None, withheld=True))
    chart = heatmap(STEPS, views)
    by_text = [(cell.text, cell.hidden) for cell in chart.cells]
    assert by_text == [("12%", False), ("hidden", True), ("85%", False), ("hidden", True)]
    # Light fill with dark text for a low score, dark fill with white text for a high one.
    assert chart.cells[0].ink == "#1b1f24"
    assert chart.cells[2].ink == "#ffffff"
    assert chart.description == "Step 1: City 12%, Town hidden; Step 2: City 85%, Town hidden"
    assert chart.width == 64 + 2 * 76
    assert table_rows(STEPS, views) == (
        (STEPS[0], ("12%", "hidden")),
        (STEPS[1], ("85%", "hidden")),
    )


def test_trend_leaves_hidden_periods_out_and_keeps_labels_apart() -> None:
    periods = (
        _view("2023-24", 40.0, 41.0),
        _view("2024-25", None, None),
        _view("2025-26", 50.0, 50.0),
    )
    chart = trend_chart(STEPS, periods)
    first, second = chart.lines
    assert len(first.dots) == 2  # the hidden middle period leaves a gap
    assert first.dots[0][1] > first.dots[1][1]  # 40 % sits lower than 50 %
    assert first.label_at is not None
    assert second.label_at is not None
    # Both lines end at 50 %: their labels are moved apart so that both can be read.
    assert abs(first.label_at[1] - second.label_at[1]) >= 12
    assert [label for _, label in chart.ticks] == ["2023-24", "2024-25", "2025-26"]


def test_trend_labels_of_lines_ending_at_the_top_stay_inside_the_chart() -> None:
    steps = tuple(Step(f"s{n}", n, f"Step {n}") for n in range(1, 6))
    top = ViewSteps(
        "2025-26", "2025-26", Figure(9.0, 9), {s.section_id: Figure(100.0, 9) for s in steps}
    )
    chart = trend_chart(steps, (top,))
    ys = sorted(line.label_at[1] for line in chart.lines if line.label_at is not None)
    assert len(ys) == 5
    assert ys[0] >= 0
    assert ys[-1] <= chart.height
    assert all(b - a >= 12 for a, b in itertools.pairwise(ys))
