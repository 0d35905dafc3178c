"""The SVG bar chart: well-formed, labelled, escaped, patterned, with no inline styles."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from rubric_app.reports.charts import Bar, BarGroup, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    # The markup is our own chart output, not untrusted input.
    return ET.fromstring(markup)  # noqa: S314


def _chart(**overrides: object) -> str:
    arguments: dict[str, object] = {
        "series": ["Written policy", "Practice"],
        "title": "Scores <by> step",
        "description": "Percent of the maximum & more",
        "chart_id": "scores",
    }
    arguments.update(overrides)
    groups = [
        BarGroup(
            "1. Partnerships & <MOUs>", (Bar("Written policy", 45.0, 0), Bar("Practice", None, 1))
        ),
        BarGroup("2. Civil rights", (Bar("Written policy", 100.0, 0), Bar("Practice", 12.5, 1))),
    ]
    return str(bar_chart(groups, **arguments))  # type: ignore[arg-type]


def test_chart_is_well_formed_svg_with_title_and_description() -> None:
    root = _parse(_chart())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert title.text == "Scores <by> step"
    assert desc is not None
    assert desc.text == "Percent of the maximum & more"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_text_is_escaped_not_injected() -> None:
    markup = _chart(title="<script>alert(1)</script>")
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    texts = [node.text for node in _parse(markup).iter(f"{SVG}text")]
    assert "1. Partnerships & <MOUs>" in texts


def test_every_bar_prints_its_label_and_value() -> None:
    texts = [node.text for node in _parse(_chart()).iter(f"{SVG}text")]
    for expected in ("45%", "not rated yet", "100%", "12%"):
        assert expected in texts
    assert texts.count("Written policy") >= 2  # legend and bar labels
    assert texts.count("Practice") >= 2


def test_series_differ_by_pattern_not_colour_alone() -> None:
    root = _parse(_chart())
    fills = {rect.get("fill") for rect in root.iter(f"{SVG}rect") if rect.get("height") == "20"}
    assert "url(#scores-hatch)" in fills
    assert any(fill and fill.startswith("#") and fill != "#ffffff" for fill in fills)
    assert root.find(f".//{SVG}pattern[@id='scores-hatch']") is not None


def test_no_inline_style_attributes() -> None:
    root = _parse(_chart())
    assert all("style" not in node.attrib for node in root.iter())


def test_bar_widths_follow_values_and_clamp() -> None:
    groups = [BarGroup("Only", (Bar("A", 50.0), Bar("B", 150.0), Bar("C", 0.0)))]
    root = _parse(str(bar_chart(groups, series=["A"], title="t", description="d", chart_id="x")))
    bars = [
        rect
        for rect in root.iter(f"{SVG}rect")
        if rect.get("height") == "20" and rect.get("fill") != "none"
    ]
    widths = sorted(float(rect.get("width", "0")) for rect in bars)
    assert widths == [215.0, 430.0]  # 0 % draws no bar; 150 % is drawn as full


def test_chart_ids_are_made_safe() -> None:
    root = _parse(_chart(chart_id='1 bad"id'))
    assert root.get("id", "").startswith("c-")
    assert '"' not in root.get("id", "")


def _texts(markup: str) -> list[ET.Element]:
    return list(_parse(markup).iter(f"{SVG}text"))


def test_narrow_layout_puts_each_label_above_its_bar_with_its_value() -> None:
    root = _parse(_chart(layout="narrow"))
    assert root.get("class") == "chart chart--narrow"
    assert root.get("viewBox", "").startswith("0 0 440 ")
    texts = _texts(_chart(layout="narrow"))
    values = [node for node in texts if node.get("text-anchor") == "end"]
    # Every bar's value is printed, right-aligned at the edge of the viewBox, on the label's line.
    assert [node.text for node in values] == ["45%", "not rated yet", "100%", "12%"]
    for value in values:
        assert value.get("x") == "440"
        label = next(
            node for node in texts if node.get("y") == value.get("y") and node is not value
        )
        assert label.get("x") == "0"
        bar_tops = [
            float(rect.get("y", "0"))
            for rect in root.iter(f"{SVG}rect")
            if rect.get("height") == "14" and rect.get("fill") == "none"
        ]
        # The bar (its track) starts just below the line that names it.
        assert any(0 < top - float(value.get("y", "0")) <= 6 for top in bar_tops)


def test_narrow_layout_shortens_long_labels_but_never_the_value() -> None:
    groups = [BarGroup("A step", (Bar("A very long series name " * 4, None),))]
    texts = _texts(
        str(
            bar_chart(
                groups, series=["A"], title="t", description="d", chart_id="x", layout="narrow"
            )
        )
    )
    label, value = (node.text or "" for node in texts[-2:])
    assert value == "not rated yet"
    assert label.endswith("…")
    # 16-unit text at 0.62 em a character: label, gap and value fit the 440-unit line.
    assert (len(label) + 2 + len(value)) * 16 * 0.62 <= 440


def test_wide_layout_grows_to_fit_the_longest_value() -> None:
    short = _parse(str(bar_chart([BarGroup("g", (Bar("A", 50.0),))], **_ARGS)))
    long = _parse(str(bar_chart([BarGroup("g", (Bar("A", None),))], **_ARGS)))
    assert short.get("viewBox", "").split()[2] == "720"
    width = float(long.get("viewBox", "").split()[2])
    value = next(node for node in long.iter(f"{SVG}text") if node.text == "not rated yet")
    assert float(value.get("x", "0")) + len("not rated yet") * 13 * 0.62 <= width


_ARGS: dict[str, Any] = {"series": ["A"], "title": "t", "description": "d", "chart_id": "x"}
