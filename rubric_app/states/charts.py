"""Geometry of the overview's SVG charts: the step-by-peer-group heatmap and the trend lines.

Templates draw what these return and do no arithmetic. Both charts scale by their viewBox (width
100 %), so they fit a 360 px screen; each has a text alternative built here (title and desc),
and the page puts the same figures in a table. A hidden figure is drawn as an outlined cell or
left out of a line, never as a value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rubric_app.scoring import Figure

from .findings import Step, ViewSteps

#: Fill and text colour for each fifth of the 0-100 % scale, light to dark; every text colour
#: has at least 4.5:1 contrast on its fill.
SHADES = (
    ("#f1f5fa", "#1b1f24"),
    ("#c9d8ea", "#1b1f24"),
    ("#8fb0d6", "#1b1f24"),
    ("#3c6fa8", "#ffffff"),
    ("#123461", "#ffffff"),
)
#: One colour per step line (each at least 4.5:1 on white, so its label reads too).
LINE_COLOURS = ("#1d4e89", "#b34700", "#2f6f32", "#7b2d8b", "#4a5360", "#8a3b12")

LABEL_WIDTH = 64
CELL_WIDTH = 76
CELL_HEIGHT = 30
HEADER_HEIGHT = 26


@dataclass(frozen=True)
class HeatCell:
    """One cell of the heatmap: where it sits, how it is filled and what it says."""

    x: int
    y: int
    fill: str
    ink: str
    text: str
    hidden: bool


@dataclass(frozen=True)
class Heatmap:
    """The heatmap: size, column and row labels with positions, cells and text alternative."""

    width: int
    height: int
    columns: tuple[tuple[int, str], ...]
    rows: tuple[tuple[int, str], ...]
    cells: tuple[HeatCell, ...]
    description: str


def _shade(value: float) -> tuple[str, str]:
    return SHADES[min(int(value // 20), len(SHADES) - 1)]


def _text(view: ViewSteps, step: Step) -> str:
    figure = view.medians.get(step.section_id)
    if isinstance(figure, Figure) and figure.value is not None:
        return f"{figure.value:.0f}%"
    return "no scores" if figure is None and isinstance(view.organizations, Figure) else "hidden"


def heatmap(steps: Sequence[Step], views: Sequence[ViewSteps]) -> Heatmap:
    """Return the heatmap of step medians (rows) by view (columns)."""
    cells = []
    for row, step in enumerate(steps):
        for column, view in enumerate(views):
            figure = view.medians.get(step.section_id)
            x = LABEL_WIDTH + column * CELL_WIDTH
            y = HEADER_HEIGHT + row * CELL_HEIGHT
            if isinstance(figure, Figure) and figure.value is not None:
                fill, ink = _shade(figure.value)
                cells.append(HeatCell(x, y, fill, ink, _text(view, step), False))
            else:
                cells.append(HeatCell(x, y, "#ffffff", "#4a5360", _text(view, step), True))
    description = "; ".join(
        f"{step.label}: " + ", ".join(f"{view.label} {_text(view, step)}" for view in views)
        for step in steps
    )
    return Heatmap(
        width=LABEL_WIDTH + CELL_WIDTH * len(views),
        height=HEADER_HEIGHT + CELL_HEIGHT * len(steps),
        columns=tuple(
            (LABEL_WIDTH + i * CELL_WIDTH + CELL_WIDTH // 2, view.label)
            for i, view in enumerate(views)
        ),
        rows=tuple(
            (HEADER_HEIGHT + i * CELL_HEIGHT + CELL_HEIGHT // 2 + 4, step.label)
            for i, step in enumerate(steps)
        ),
        cells=tuple(cells),
        description=description,
    )


@dataclass(frozen=True)
class TrendLine:
    """One step's medians over the periods: polyline points, dots and its end label."""

    label: str
    colour: str
    points: str
    dots: tuple[tuple[float, float], ...]
    label_at: tuple[float, float] | None


@dataclass(frozen=True)
class TrendChart:
    """The trend chart: size, period ticks, percent gridlines, lines and text alternative."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    ticks: tuple[tuple[float, str], ...]
    grid: tuple[tuple[float, str], ...]
    lines: tuple[TrendLine, ...]
    description: str


TREND_LEFT, TREND_RIGHT, TREND_TOP, TREND_BOTTOM = 44, 60, 12, 26
TREND_PLOT_WIDTH, TREND_PLOT_HEIGHT = 290, 120
#: Least vertical room between two end labels, so that lines ending close together stay legible
#: (the labels are 13 units tall: big enough to read at 360 px, where the chart scales down).
LABEL_GAP = 14.0


def _spread(positions: list[float], gap: float, low: float, high: float) -> list[float]:
    """Return the positions moved apart so that they are at least ``gap`` apart.

    Labels that crowd together form a group, spread ``gap`` apart and centred where their
    lines end, so that the group stays beside its dots rather than drifting below them, and
    kept between ``low`` and ``high``.
    """
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    groups: list[list[int]] = []
    for index in order:
        if groups and positions[index] < positions[groups[-1][0]] + gap * len(groups[-1]):
            groups[-1].append(index)
        else:
            groups.append([index])
    spread = list(positions)
    for group in groups:
        centre = sum(positions[i] for i in group) / len(group)
        start = centre - gap * (len(group) - 1) / 2
        start = max(low, min(start, high - gap * (len(group) - 1)))
        for offset, index in enumerate(group):
            spread[index] = round(start + gap * offset, 1)
    return spread


def trend_chart(steps: Sequence[Step], periods: Sequence[ViewSteps]) -> TrendChart:
    """Return the trend chart: one line per step over the periods (oldest first)."""
    span = max(len(periods) - 1, 1)

    def x_of(index: int) -> float:
        if len(periods) == 1:
            return TREND_LEFT + TREND_PLOT_WIDTH / 2
        return TREND_LEFT + TREND_PLOT_WIDTH * index / span

    def y_of(value: float) -> float:
        return round(TREND_TOP + TREND_PLOT_HEIGHT * (1 - value / 100), 1)

    dots_of = [
        tuple(
            (x_of(i), y_of(figure.value))
            for i, view in enumerate(periods)
            if isinstance(figure := view.medians.get(step.section_id), Figure)
            and figure.value is not None
        )
        for step in steps
    ]
    # End labels sit right of each line's last dot; those ending close together are spread.
    ends = [(n, dots[-1]) for n, dots in enumerate(dots_of) if dots]
    label_ys = dict(
        zip(
            (n for n, _ in ends),
            _spread(
                [end[1] + 3 for _, end in ends],
                LABEL_GAP,
                TREND_TOP + 3,
                TREND_TOP + TREND_PLOT_HEIGHT + 3,
            ),
            strict=True,
        )
    )
    lines = tuple(
        TrendLine(
            label=step.label,
            colour=LINE_COLOURS[number % len(LINE_COLOURS)],
            points=" ".join(f"{x},{y}" for x, y in dots_of[number]),
            dots=dots_of[number],
            label_at=(dots_of[number][-1][0] + 6, label_ys[number]) if dots_of[number] else None,
        )
        for number, step in enumerate(steps)
    )
    description = "; ".join(
        f"{step.label}: " + ", ".join(f"{view.label} {_text(view, step)}" for view in periods)
        for step in steps
    )
    return TrendChart(
        width=TREND_LEFT + TREND_PLOT_WIDTH + TREND_RIGHT,
        height=TREND_TOP + TREND_PLOT_HEIGHT + TREND_BOTTOM,
        plot_left=TREND_LEFT,
        plot_right=TREND_LEFT + TREND_PLOT_WIDTH,
        ticks=tuple((x_of(i), view.label) for i, view in enumerate(periods)),
        grid=tuple((y_of(v), f"{v}%") for v in (0, 50, 100)),
        lines=lines,
        description=description,
    )


def table_rows(
    steps: Sequence[Step], views: Sequence[ViewSteps]
) -> tuple[tuple[Step, tuple[str, ...]], ...]:
    """Return one row per step with what each view's cell says, for the data tables."""
    return tuple((step, tuple(_text(view, step) for view in views)) for step in steps)
