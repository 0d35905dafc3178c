"""The small histogram beside each score distribution: bars laid out for an SVG chart."""

from __future__ import annotations

from dataclasses import dataclass

from rubric_app.scoring import Suppressed

from .view_data import DistributionRow


@dataclass(frozen=True)
class Bar:
    """One histogram bar, laid out for a small SVG chart (heights in chart units)."""

    label: str
    text: str
    x: float
    y: float
    height: float
    suppressed: bool


#: Size of the small histogram drawn beside each distribution (SVG user units).
CHART_WIDTH = 150
CHART_HEIGHT = 40


def bars_of(row: DistributionRow) -> list[Bar]:
    """Return the bars of a distribution's histogram; hidden counts get a short dashed bar."""
    shown = [fig.value or 0.0 for _, fig in row.bins if not fig.suppressed]
    top = max(shown, default=0.0) or 1.0
    width = CHART_WIDTH / max(1, len(row.bins))
    bars = []
    for index, (bin_, fig) in enumerate(row.bins):
        label = f"{bin_.low:.0f} to {bin_.high:.0f}%"
        if isinstance(fig, Suppressed):
            # A band hidden to protect its neighbours may hold many: "fewer than k" would lie.
            text = f"fewer than {fig.k}" if fig.because == "small" else "hidden"
            height = CHART_HEIGHT * 0.25
        else:
            height = CHART_HEIGHT * (fig.value or 0.0) / top
            text = f"{fig.value or 0:.0f}"
        bars.append(Bar(label, text, index * width, CHART_HEIGHT - height, height, fig.suppressed))
    return bars
