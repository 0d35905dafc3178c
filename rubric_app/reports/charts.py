"""Charts as inline SVG markup, the same in the browser and in WeasyPrint.

One generic ``bar_chart`` (horizontal bars in labelled groups) and the report's
``section_score_chart``. Every bar carries its label and printed value, and each series has its
own fill pattern as well as a legend entry, so nothing is told by colour alone. The SVG has
``role="img"`` with ``<title>`` and ``<desc>``; pages put a data table beside it as the full text
alternative. Only presentation attributes are used (the CSP forbids inline ``style``), and every
piece of text goes through markupsafe's escaping.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from rubric_app.templating import format_percent

from .context import Report

__all__ = ["Bar", "BarGroup", "bar_chart", "section_score_chart"]

WIDTH = 720
LABEL_WIDTH = 200
BAR_LEFT = 210
BAR_SPACE = 430
BAR_HEIGHT = 20
BAR_GAP = 6
TITLE_LINE = 20
GROUP_GAP = 16
TITLE_CHARS = 80
FONT = "DejaVu Sans, Verdana, sans-serif"
INK = "#123461"
GRID = "#8a94a3"

#: Fill of each series: a solid bar, then hatched, dotted and cross-hatched ones, all in one
#: dark ink that keeps 4.5:1 contrast with the white page.
_PATTERNS = ("solid", "hatch", "dots", "cross")


@dataclass(frozen=True)
class Bar:
    """One bar: a label printed before it, its value (None: 'not rated'), its series index."""

    label: str
    value: float | None
    series: int = 0


@dataclass(frozen=True)
class BarGroup:
    """A titled group of bars (e.g. one action step)."""

    title: str
    bars: tuple[Bar, ...]


def _safe_id(chart_id: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", chart_id)
    return cleaned if cleaned[:1].isalpha() else f"c-{cleaned}"


def _defs(prefix: str) -> str:
    return (
        "<defs>"
        f'<pattern id="{prefix}-hatch" width="8" height="8" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)">'
        '<rect width="8" height="8" fill="#ffffff"/>'
        f'<rect width="3" height="8" fill="{INK}"/></pattern>'
        f'<pattern id="{prefix}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#ffffff"/>'
        f'<circle cx="3" cy="3" r="1.6" fill="{INK}"/></pattern>'
        f'<pattern id="{prefix}-cross" width="8" height="8" patternUnits="userSpaceOnUse">'
        '<rect width="8" height="8" fill="#ffffff"/>'
        f'<rect width="8" height="2" fill="{INK}"/><rect width="2" height="8" fill="{INK}"/>'
        "</pattern></defs>"
    )


def _fill(prefix: str, series: int) -> str:
    pattern = _PATTERNS[series % len(_PATTERNS)]
    return INK if pattern == "solid" else f"url(#{prefix}-{pattern})"


def _text(
    x: float, y: float, content: str, *, anchor: str = "start", bold: bool = False, size: int = 13
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}" font-size="{size}"'
        f'{weight} fill="#1b1f24">{escape(content)}</text>'
    )


def _format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "not rated yet"
    return format_percent(value) if unit == "%" else f"{value:g}{unit}"


def bar_chart(
    groups: Sequence[BarGroup],
    *,
    series: Sequence[str],
    title: str,
    description: str,
    chart_id: str,
    max_value: float = 100.0,
    unit: str = "%",
) -> Markup:
    """Return an SVG horizontal bar chart of ``groups``; ``series`` names each fill in the legend.

    ``chart_id`` must be unique on the page (it prefixes the pattern and title ids).
    """
    prefix = _safe_id(chart_id)
    parts: list[str] = []
    y = 0.0

    # Legend: one swatch per series, in a row.
    if len(series) > 1:
        x = 0.0
        y += 4
        for index, name in enumerate(series):
            parts.append(
                f'<rect x="{x:g}" y="{y:g}" width="18" height="14" fill="{_fill(prefix, index)}"'
                f' stroke="{INK}" stroke-width="1"/>'
            )
            parts.append(_text(x + 24, y + 12, name))
            x += 34 + 7.5 * len(name)
        y += 14 + GROUP_GAP

    for group in groups:
        for line in textwrap.wrap(group.title, TITLE_CHARS) or [""]:
            y += TITLE_LINE
            parts.append(_text(0, y - 5, line, bold=True, size=14))
        y += 4
        for bar in group.bars:
            label = textwrap.shorten(bar.label, 30, placeholder="…")
            middle = y + BAR_HEIGHT / 2 + 4.5
            parts.append(_text(LABEL_WIDTH, middle, label, anchor="end"))
            # A faint track shows the full scale, so short bars read as short.
            parts.append(
                f'<rect x="{BAR_LEFT}" y="{y:g}" width="{BAR_SPACE}" height="{BAR_HEIGHT}"'
                f' fill="none" stroke="{GRID}" stroke-width="1"/>'
            )
            if bar.value is not None and max_value > 0:
                share = max(0.0, min(1.0, bar.value / max_value))
                width = BAR_SPACE * share
                if width > 0:
                    parts.append(
                        f'<rect x="{BAR_LEFT}" y="{y:g}" width="{width:.2f}" height="{BAR_HEIGHT}"'
                        f' fill="{_fill(prefix, bar.series)}" stroke="{INK}" stroke-width="1"/>'
                    )
            parts.append(_text(BAR_LEFT + BAR_SPACE + 8, middle, _format_value(bar.value, unit)))
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP

    height = y + 4
    title_id, desc_id = f"{prefix}-title", f"{prefix}-desc"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{prefix}" role="img"'
        f' viewBox="0 0 {WIDTH} {height:g}" width="{WIDTH}" height="{height:g}"'
        f' aria-labelledby="{title_id} {desc_id}" font-family="{FONT}">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(description)}</desc>'
        f"{_defs(prefix)}{''.join(parts)}</svg>"
    )
    return Markup(svg)  # noqa: S704 - every interpolated text was escaped above


def section_score_chart(report: Report, *, chart_id: str = "section-scores") -> Markup:
    """Return the chart of each action step's score per dimension (or pooled, with none)."""
    dimension_labels = [dimension.label for dimension in report.dimensions]
    groups = []
    for section in report.sections:
        if section.by_dimension and dimension_labels:
            bars = tuple(
                Bar(score.label, score.percent, index)
                for index, score in enumerate(section.by_dimension)
            )
        else:
            bars = (Bar("Score", section.percent, 0),)
        groups.append(BarGroup(f"{section.number}. {section.title}", bars))
    summary = "; ".join(
        f"{section.number}. {section.title}: "
        + ", ".join(
            f"{score.label} {_format_value(score.percent, '%')}" for score in section.by_dimension
        )
        for section in report.sections
    )
    return bar_chart(
        groups,
        series=dimension_labels or ["Score"],
        title=f"Scores by action step for {report.org_name}",
        description=f"Percent of the maximum score, per action step and dimension. {summary}.",
        chart_id=chart_id,
    )
