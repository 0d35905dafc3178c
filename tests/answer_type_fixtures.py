"""A rubric with one item of every type, and hypothesis strategies for each type's stored values.

Shared by the answer-type unit tests and the web tests that store, show and export the answers.
Choice labels carry commas on purpose: the display joins them with "; ", which stays readable.
"""

from __future__ import annotations

import textwrap

from hypothesis import strategies as st

from rubric_app.rubrics.answer_types import MAX_TEXT, Value, normalise_text
from rubric_app.rubrics.loader import load_rubric_text
from rubric_app.rubrics.model import Item, Rubric

EVERY_TYPE = """
id: every-answer-type
version: "1"
title: Every answer type
summary: One item of each type, for answer-type tests.
audience: [district]
issuer: [Test]
status_note: Test only.
dimensions:
  - {id: policy, label: Written policy}
  - {id: practice, label: Practice}
scales:
  - id: in-place
    label: In place
    options:
      - {key: not-in-place, label: Not in place, points: 0}
      - {key: partly, label: Partly in place, points: 1}
      - {key: fully, label: Fully in place, points: 2}
sections:
  - id: one
    title: One
    items:
      - {id: gate, type: yes_no, prompt: "Is there a partnership?", basis: [x]}
      - id: rated
        prompt: Rated on both
        scale: in-place
        basis: [x]
        recommendations: {policy: Write it down., practice: Do it.}
      - id: ticks
        type: multi_select
        prompt: Which documents?
        basis: [x]
        choices:
          - {key: mou, label: "MOU, signed"}
          - {key: policy, label: Board policy}
          - {key: sop, label: "Standard operating procedures, 2024"}
      - {id: count, type: number, prompt: "How many officers?", basis: [x]}
      - {id: line, type: short_text, prompt: "Who signed?", basis: [x]}
      - {id: para, type: long_text, prompt: Describe the training, basis: [x]}
      - {id: when, type: date, prompt: "When was it signed?", basis: [x]}
scoring:
  levels:
    - {id: low, label: Low, min: 0, max: 49.99}
    - {id: high, label: High, min: 50, max: 100}
"""

#: The item id of each type in EVERY_TYPE.
ITEM_OF_TYPE = {
    "yes_no": "gate",
    "scale": "rated",
    "multi_select": "ticks",
    "number": "count",
    "short_text": "line",
    "long_text": "para",
    "date": "when",
}


def every_type_rubric() -> Rubric:
    """The EVERY_TYPE rubric, loaded by the real loader."""
    return load_rubric_text(textwrap.dedent(EVERY_TYPE), "every-answer-type.yaml")


def _text_values(limit: int) -> st.SearchStrategy[str]:
    # Text as the form stores it (trimmed, plain newlines), including text that looks like JSON.
    looks_like_json = st.lists(st.integers(), max_size=3).map(str)
    return (
        # Control characters (but tab and line breaks) and lone surrogates are refused by the
        # form layer and the importer (rubric_app.hostile_input), so no stored answer holds one.
        st.one_of(
            st.text(
                st.characters(blacklist_categories=("Cc", "Cs"), whitelist_characters="\t\n\r"),
                max_size=limit,
            ),
            looks_like_json,
        )
        .map(normalise_text)
        .filter(lambda text: bool(text))
    )


def values_of(rubric: Rubric, item: Item) -> st.SearchStrategy[Value]:
    """Every value the item can store, in its stored (canonical) form."""
    if item.type == "scale":
        scale = rubric.scale_of(item)
        assert scale is not None
        return st.sampled_from([option.key for option in scale.options])
    if item.type == "yes_no":
        return st.sampled_from(["yes", "no"])
    if item.type == "multi_select":
        keys = [choice.key for choice in item.choices]
        return st.sets(st.sampled_from(keys), min_size=1).map(
            lambda ticked: tuple(key for key in keys if key in ticked)
        )
    if item.type == "number":
        return st.from_regex(r"-?[0-9]{1,12}(\.[0-9]{1,6})?", fullmatch=True)
    if item.type == "date":
        return st.dates().map(lambda day: day.isoformat())
    return _text_values(200 if item.type == "short_text" else MAX_TEXT // 100)
