"""The comparison chart: grouped bars per step that fit their viewBox, described in words."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from rubric_app.compare.chart import ChartBar, ChartGroup, comparison_chart, describe

NS = "{http://www.w3.org/2000/svg}"
GROUPS = (
    ChartGroup(
        "Step 1. Build a lasting partnership with local police and put it in writing",
        (ChartBar("Your program", 100.0), ChartBar("Riverton <City> & School District", 36.8)),
    ),
    ChartGroup("Step 2. Rights", (ChartBar("Your program", None), ChartBar("Riverton", 0.0))),
)


def _svg() -> ET.Element:
    markup = comparison_chart(GROUPS, title="Scores by action step", chart_id="c1")
    return ET.fromstring(str(markup))  # noqa: S314 - markup built by the function under test


def test_every_label_and_bar_lies_inside_the_view_box() -> None:
    svg = _svg()
    _, _, width, height = (float(n) for n in (svg.get("viewBox") or "").split())
    assert svg.get("width") == f"{width:g}"
    for text in svg.iter(f"{NS}text"):
        x, y = float(text.get("x") or 0), float(text.get("y") or 0)
        # A value is at most 'no score' (8 characters at 16 units, under 80 units wide).
        assert 0 <= x <= width - 76
        assert 0 < y <= height
    for rect in svg.iter(f"{NS}rect"):
        if rect.get("x") is not None:
            assert float(rect.get("x") or 0) + float(rect.get("width") or 0) <= width


def test_values_and_bars() -> None:
    svg = _svg()
    values = [t.text for t in svg.iter(f"{NS}text") if t.get("class") == "compare-chart-value"]
    assert values == ["100%", "37%", "no score", "0%"]
    bars = [r for r in svg.iter(f"{NS}rect") if r.get("x") is not None and r.get("fill") != "none"]
    # One filled bar per non-zero value; the second series is patterned, not another colour.
    assert [r.get("width") for r in bars] == ["356", "131.01"]
    assert bars[1].get("fill") == "url(#c1-hatch)"


def test_long_step_titles_wrap_instead_of_running_off() -> None:
    titles = [t.text for t in _svg().iter(f"{NS}text") if t.get("class") == "compare-chart-title"]
    assert titles[:2] == [
        "Step 1. Build a lasting partnership with",
        "local police and put it in writing",
    ]
    assert all(len(title or "") <= 42 for title in titles)


def test_scale_sets_the_shown_size_not_the_view_box() -> None:
    full = _svg()
    small = ET.fromstring(  # noqa: S314 - markup built by the function under test
        str(comparison_chart(GROUPS, title="t", chart_id="c1", scale=0.5))
    )
    assert small.get("viewBox") == full.get("viewBox")
    assert float(small.get("width") or 0) == float(full.get("width") or 0) / 2
    assert float(small.get("height") or 0) == float(full.get("height") or 0) / 2


def test_text_alternative_names_every_figure_and_escapes_names() -> None:
    svg = _svg()
    assert svg.get("role") == "img"
    assert (svg.get("aria-labelledby") or "").split() == ["c1-title", "c1-desc"]
    desc = svg.find(f"{NS}desc")
    assert desc is not None
    assert desc.text == describe(GROUPS)
    assert "Riverton <City> & School District 37%" in (desc.text or "")
    assert "Step 2. Rights: Your program no score, Riverton 0%." in (desc.text or "")
    assert "<City>" not in str(comparison_chart(GROUPS, title="t", chart_id="c1"))
