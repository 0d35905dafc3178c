"""Charts as inline SVG markup, the same in the browser and in WeasyPrint.

One generic ``bar_chart`` (horizontal bars in labelled groups) and the report's
``section_score_chart``, each in two layouts: "wide" (labels left of the bars, values right of
them; the page on a wide screen and the PDF) and "narrow" (for phones: each label on its own line
above its bar with the value at the end of that line, in a 440-unit viewBox with 16-unit text,
so that at 360 px the chart scales to fit its box and stays legible; the page shows one or the
other by a media query). Every bar carries its label and printed value, and each series has its
own fill pattern as well as a legend entry, so nothing is told by colour alone. The SVG has
``role="img"`` with ``<title>`` and ``<desc>``; pages put a data table beside it as the full text
alternative. Only presentation attributes are used (the CSP forbids inline ``style``), and every
element is built with ``Markup(<literal>).format(...)`` or ``Markup(<literal>) % (...)``, which
escape each value put in.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup

from rubric_app.templating import format_percent

from .view_data import Report

__all__ = ["Bar", "BarGroup", "Layout", "bar_chart", "section_score_chart"]

#: "wide": labels beside the bars; "narrow": labels above them (see the module docstring).
Layout = Literal["wide", "narrow"]

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

#: Average advance of a character, as a share of the font size (DejaVu Sans, generous), to
#: size the viewBox so that the longest value text fits.
CHAR_EM = 0.62

# The narrow layout (phones): everything on a 440-unit width, text at 16 units.
NARROW_WIDTH = 440
NARROW_TEXT = 16
NARROW_TITLE = 17
NARROW_TITLE_CHARS = 40
NARROW_LINE = 20
NARROW_BAR = 14
NARROW_GAP = 10

#: Fill of each series: a solid bar, then hatched, dotted and cross-hatched ones, all in one
#: dark ink that keeps 4.5:1 contrast with the white page.
_PATTERNS = ("solid", "hatch", "dots", "cross")


@dataclass(frozen=True)
class Bar:
    """One bar: a label printed before it, its value (None: 'not rated'), its series index."""

    label: str
    value: float | None
    series: int = 0
    #: The printed value when it is not the number itself (e.g. "not enough answers").
    text: str | None = None


@dataclass(frozen=True)
class BarGroup:
    """A titled group of bars (e.g. one action step)."""

    title: str
    bars: tuple[Bar, ...]


def _safe_id(chart_id: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", chart_id)
    return cleaned if cleaned[:1].isalpha() else f"c-{cleaned}"


def pattern_defs(prefix: str) -> Markup:
    """The fill patterns of the series (shared by every bar chart), with ids under ``prefix``."""
    return Markup(
        "<defs>"
        '<pattern id="{p}-hatch" width="8" height="8" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)">'
        '<rect width="8" height="8" fill="#ffffff"/>'
        '<rect width="3" height="8" fill="{ink}"/></pattern>'
        '<pattern id="{p}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#ffffff"/>'
        '<circle cx="3" cy="3" r="1.6" fill="{ink}"/></pattern>'
        '<pattern id="{p}-cross" width="8" height="8" patternUnits="userSpaceOnUse">'
        '<rect width="8" height="8" fill="#ffffff"/>'
        '<rect width="8" height="2" fill="{ink}"/><rect width="2" height="8" fill="{ink}"/>'
        "</pattern></defs>"
    ).format(p=prefix, ink=INK)


def series_fill(prefix: str, series: int) -> str:
    """The fill of series number ``series``: solid, then hatched, dotted, cross-hatched."""
    pattern = _PATTERNS[series % len(_PATTERNS)]
    return INK if pattern == "solid" else f"url(#{prefix}-{pattern})"


#: A text and a bar, filled in with Markup's ``%`` (see ``_text``).
_TEXT = Markup(
    '<text x="%s" y="%s" text-anchor="%s" font-size="%s" font-weight="%s" fill="#1b1f24">%s</text>'
)
_RECT = Markup(
    '<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="%s" stroke-width="1"/>'
)


def _text(
    x: float, y: float, content: str, *, anchor: str = "start", bold: bool = False, size: int = 13
) -> Markup:
    # Markup's ``%`` escapes every argument, so labels can never inject markup (and costs less
    # than half of ``Markup.format``: a report draws some hundred texts and bars per chart).
    return _TEXT % (
        f"{x:g}",
        f"{y:g}",
        anchor,
        size,
        "bold" if bold else "normal",
        content,
    )


def _rect(x: float, y: float, width: float, height: float, fill: str, stroke: str) -> Markup:
    return _RECT % (
        f"{x:g}",
        f"{y:g}",
        f"{width:.2f}".rstrip("0").rstrip("."),
        f"{height:g}",
        fill,
        stroke,
    )


def _format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "not rated yet"
    return format_percent(value) if unit == "%" else f"{value:g}{unit}"


def _legend(
    prefix: str, series: Sequence[str], width: float, size: int
) -> tuple[list[Markup], float]:
    """The legend (one swatch per series, wrapped into rows within ``width``) and its height."""
    parts: list[Markup] = []
    if len(series) <= 1:
        return parts, 0.0
    x, y = 0.0, 4.0
    for index, name in enumerate(series):
        entry = 24 + CHAR_EM * size * len(name) + 12
        if x > 0 and x + entry > width:
            x, y = 0.0, y + size + 10
        parts.append(_rect(x, y, 18, 14, series_fill(prefix, index), INK))
        parts.append(_text(x + 24, y + 12, name, size=size))
        x += entry
    return parts, y + 14 + GROUP_GAP


def _wide_body(
    prefix: str, groups: Sequence[BarGroup], y: float, max_value: float, unit: str
) -> tuple[list[Markup], float]:
    parts: list[Markup] = []
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
            parts.append(_rect(BAR_LEFT, y, BAR_SPACE, BAR_HEIGHT, "none", GRID))
            width = _bar_width(bar, BAR_SPACE, max_value)
            if width > 0:
                parts.append(
                    _rect(BAR_LEFT, y, width, BAR_HEIGHT, series_fill(prefix, bar.series), INK)
                )
            parts.append(_text(BAR_LEFT + BAR_SPACE + 8, middle, _shown_value(bar, unit)))
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP
    return parts, y


def _narrow_body(
    prefix: str, groups: Sequence[BarGroup], y: float, max_value: float, unit: str
) -> tuple[list[Markup], float]:
    parts: list[Markup] = []
    line_chars = int(NARROW_WIDTH / (CHAR_EM * NARROW_TEXT))
    for group in groups:
        for line in textwrap.wrap(group.title, NARROW_TITLE_CHARS) or [""]:
            y += NARROW_LINE + 2
            parts.append(_text(0, y - 5, line, bold=True, size=NARROW_TITLE))
        y += 4
        for bar in group.bars:
            value = _shown_value(bar, unit)
            # The label gets what the value leaves of the line: the value is never cut.
            room = max(8, line_chars - len(value) - 2)
            label = textwrap.shorten(bar.label, room, placeholder="…")
            y += NARROW_LINE
            parts.append(_text(0, y - 5, label, size=NARROW_TEXT))
            parts.append(
                _text(NARROW_WIDTH, y - 5, value, anchor="end", bold=True, size=NARROW_TEXT)
            )
            parts.append(_rect(0.5, y, NARROW_WIDTH - 1, NARROW_BAR, "none", GRID))
            width = _bar_width(bar, NARROW_WIDTH - 1, max_value)
            if width > 0:
                parts.append(_rect(0.5, y, width, NARROW_BAR, series_fill(prefix, bar.series), INK))
            y += NARROW_BAR + NARROW_GAP
        y += GROUP_GAP
    return parts, y


def _shown_value(bar: Bar, unit: str) -> str:
    """Return what is printed after a bar: its own words ("not enough answers") or its value."""
    return bar.text if bar.text is not None else _format_value(bar.value, unit)


def _bar_width(bar: Bar, space: float, max_value: float) -> float:
    if bar.value is None or max_value <= 0:
        return 0.0
    return space * max(0.0, min(1.0, bar.value / max_value))


def bar_chart(
    groups: Sequence[BarGroup],
    *,
    series: Sequence[str],
    title: str,
    description: str,
    chart_id: str,
    max_value: float = 100.0,
    unit: str = "%",
    layout: Layout = "wide",
) -> Markup:
    """Return an SVG horizontal bar chart of ``groups``; ``series`` names each fill in the legend.

    ``chart_id`` must be unique on the page (it prefixes the pattern and title ids). ``layout``
    chooses labels beside the bars ("wide") or above them ("narrow", for phones).
    """
    prefix = _safe_id(chart_id)
    if layout == "narrow":
        width = float(NARROW_WIDTH)
        legend, y = _legend(prefix, series, width, NARROW_TEXT)
        body, y = _narrow_body(prefix, groups, y, max_value, unit)
    else:
        # Wide enough for the longest printed value after the bars ("not rated yet").
        longest = max(
            (len(_shown_value(bar, unit)) for group in groups for bar in group.bars),
            default=0,
        )
        width = max(float(WIDTH), BAR_LEFT + BAR_SPACE + 8 + CHAR_EM * 13 * longest + 4)
        legend, y = _legend(prefix, series, width, 13)
        body, y = _wide_body(prefix, groups, y, max_value, unit)
    height = f"{y + 4:g}"
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--{layout}" id="{p}"'
        ' role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        ' aria-labelledby="{p}-title {p}-desc" font-family="{font}">'
        '<title id="{p}-title">{title}</title><desc id="{p}-desc">{description}</desc>'
        "{defs}{body}</svg>"
    ).format(
        layout=layout,
        p=prefix,
        width=f"{width:g}",
        height=height,
        font=FONT,
        title=title,
        description=description,
        defs=pattern_defs(prefix),
        body=Markup("").join(legend + body),
    )


def _bar_text(percent: float | None, text: str) -> str | None:
    """Return the report's own words for a score that is not shown, else None (the number)."""
    return text if percent is None and text != "—" else None


def _words(percent: float | None, text: str) -> str:
    return _bar_text(percent, text) or _format_value(percent, "%")


def section_score_chart(
    report: Report, *, chart_id: str = "section-scores", layout: Layout = "wide"
) -> Markup:
    """Return the chart of each action step's score per dimension (or pooled, with none)."""
    dimension_labels = [dimension.label for dimension in report.dimensions]
    groups = []
    for section in report.sections:
        if section.by_dimension and dimension_labels:
            bars = tuple(
                Bar(score.label, score.percent, index, _bar_text(score.percent, score.text))
                for index, score in enumerate(section.by_dimension)
            )
        else:
            bars = (
                Bar("Score", section.percent, 0, _bar_text(section.percent, section.score_text)),
            )
        groups.append(BarGroup(f"{section.number}. {section.title}", bars))
    summary = "; ".join(
        f"{section.number}. {section.title}: "
        + ", ".join(
            f"{score.label} {_words(score.percent, score.text)}" for score in section.by_dimension
        )
        for section in report.sections
    )
    return bar_chart(
        groups,
        series=dimension_labels or ["Score"],
        title=f"Scores by action step for {report.org_name}",
        description=f"Percent of the maximum score, per action step and dimension. {summary}.",
        chart_id=chart_id,
        layout=layout,
    )
