"""The comparison chart: grouped horizontal bars, one group per action step, as inline SVG.

Built for a phone first: the SVG is 440 units wide and scales by its ``viewBox`` (the page CSS
sets ``width: 100%``); text is 16-17 units, so it stays legible at 360 px; every label sits on
its own line above its bar instead of beside it; each value is printed in a fixed column right
of the bar track, inside the viewBox, so at 360 px nothing is cut off or needs sideways
scrolling. Each compared assessment (series) has its own fill pattern and is named above every
bar, so nothing is told by colour alone. ``role="img"`` with ``<title>`` and ``<desc>`` (every
figure in words) is the text alternative; the page keeps the data table as well. Only
presentation attributes (the CSP forbids inline ``style``), and every element is built with
``Markup(<literal>).format(...)``, which escapes each value put in.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

# One look for every bar chart: the report's fonts, ink and fill patterns.
from rubric_app.reports.charts import FONT, GRID, INK, pattern_defs, series_fill

WIDTH = 440
TRACK = 356  # bar track width; the value column starts after it
VALUE_X = TRACK + 8
TITLE_CHARS = 42  # at 17 units bold, about 45 characters fit the width
LABEL_CHARS = 46
TITLE_LINE = 22
LABEL_LINE = 20
BAR_HEIGHT = 18
BAR_GAP = 8
GROUP_GAP = 14
TEXT = "#1b1f24"


@dataclass(frozen=True)
class ChartBar:
    """One assessment's score in one step (None: no score)."""

    label: str
    value: float | None
    #: Why there is no value, in the page's words (e.g. "not enough answers"); "" for 'no score'.
    missing: str = ""

    @property
    def text(self) -> str:
        """Return the printed value: '72%', the reason there is none, or 'no score'."""
        return self.missing if self.value is None and self.missing else value_text(self.value)


@dataclass(frozen=True)
class ChartGroup:
    """One action step's bars, one per compared assessment, in column order."""

    title: str
    bars: tuple[ChartBar, ...]


def value_text(value: float | None) -> str:
    """Return the printed value: '72%', or 'no score'."""
    return "no score" if value is None else f"{value:.0f}%"


def _text(x: float, y: float, content: str, *, size: int = 16, bold: bool = False) -> Markup:
    return Markup(
        '<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" fill="{fill}"'
        ' class="compare-chart-{kind}">{content}</text>'
    ).format(
        x=f"{x:g}",
        y=f"{y:g}",
        size=size,
        weight="bold" if bold else "normal",
        fill=TEXT,
        kind="title" if bold else "label",
        content=content,
    )


def _value(y: float, content: str) -> Markup:
    return Markup(
        '<text x="{x}" y="{y}" font-size="16" fill="{fill}" class="compare-chart-value">'
        "{content}</text>"
    ).format(x=f"{VALUE_X:g}", y=f"{y:g}", fill=TEXT, content=content)


def _rect(x: float, y: float, width: float, fill: str, stroke: str) -> Markup:
    return Markup(
        '<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="{fill}"'
        ' stroke="{stroke}" stroke-width="1"/>'
    ).format(
        x=f"{x:g}",
        y=f"{y:g}",
        width=f"{width:.2f}".rstrip("0").rstrip("."),
        height=BAR_HEIGHT,
        fill=fill,
        stroke=stroke,
    )


def describe(groups: Sequence[ChartGroup]) -> str:
    """Return every figure of the chart in words (the SVG's ``<desc>``)."""
    return "Percent of the maximum score per action step. " + " ".join(
        f"{group.title}: " + ", ".join(f"{bar.label} {bar.text}" for bar in group.bars) + "."
        for group in groups
    )


def comparison_chart(
    groups: Sequence[ChartGroup], *, title: str, chart_id: str, scale: float = 1.0
) -> Markup:
    """Return the SVG; ``chart_id`` must be unique on the page (it prefixes the pattern ids).

    ``scale`` sets the intrinsic size (``width``/``height``) against the viewBox: the PDF, which
    has no page CSS to size it, uses a smaller one so the chart fits beside the headline.
    """
    parts: list[Markup] = []
    y = 0.0
    for group in groups:
        for line in textwrap.wrap(group.title, TITLE_CHARS) or [""]:
            y += TITLE_LINE
            parts.append(_text(0, y - 5, line, size=17, bold=True))
        for series, bar in enumerate(group.bars):
            y += LABEL_LINE
            parts.append(_text(0, y - 4, textwrap.shorten(bar.label, LABEL_CHARS, placeholder="…")))
            # A faint track shows the full scale, so a short bar reads as short.
            parts.append(_rect(0.5, y, TRACK, "none", GRID))
            if bar.value is not None and bar.value > 0:
                width = TRACK * max(0.0, min(1.0, bar.value / 100))
                parts.append(_rect(0.5, y, width, series_fill(chart_id, series), INK))
            parts.append(_value(y + BAR_HEIGHT - 3, bar.text))
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP
    height = f"{y:g}"
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="compare-chart" id="{p}" role="img"'
        ' viewBox="0 0 {width} {height}" width="{shown_width}" height="{shown_height}"'
        ' aria-labelledby="{p}-title {p}-desc" font-family="{font}">'
        '<title id="{p}-title">{title}</title><desc id="{p}-desc">{description}</desc>'
        "{defs}{body}</svg>"
    ).format(
        p=chart_id,
        width=WIDTH,
        height=height,
        shown_width=f"{WIDTH * scale:g}",
        shown_height=f"{y * scale:g}",
        font=FONT,
        title=title,
        description=describe(groups),
        defs=pattern_defs(chart_id),
        body=Markup("").join(parts),
    )
