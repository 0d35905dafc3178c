"""The proposed amendments as data: which gaps count as written-side gaps, and the MOU's order
(anchored items by clause position, a deleted file's items and new clauses in rubric order), and
the writer's handling of characters Word's XML cannot hold."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import docx

from rubric_app.exports.amendments_docx import amendments_docx
from rubric_app.reports.amendments import (
    AmendmentsHeader,
    AnchoredClause,
    build_amendments,
)
from rubric_app.resources.view_data import ResourceView
from rubric_app.rubrics.model import Rubric
from rubric_app.scoring import score_assessment
from rubric_app.scoring.answers import ItemAnswer

MakeRubric = Callable[..., Rubric]

TWO_SIDES = """\
id: sides
version: "3"
title: Two sides
summary: Rated on paper and in practice.
audience: [district]
issuer: [Test issuer]
status_note: Test only.
dimensions:
  - {id: policy, label: Written MOU or policy}
  - {id: practice, label: Practice}
scales:
  - id: in-place
    label: In place
    options:
      - {key: not-in-place, label: Not in place, points: 0}
      - {key: partly, label: Partly in place, points: 1}
      - {key: fully, label: Fully in place, points: 2}
sections:
  - id: first
    title: First step
    items:
{items}
scoring:
  levels:
    - {id: low, label: Low, min: 0, max: 49.99}
    - {id: high, label: High, min: 50, max: 100}
"""


def item(item_id: str, language: str | None = "Model text for {id}.") -> str:
    lines = [
        f"      - id: {item_id}",
        f"        prompt: Prompt of {item_id}.",
        "        scale: in-place",
        "        basis: [src]",
        f"        recommendation: Advice for {item_id}.",
        "        recommendations:",
        f"          policy: Write {item_id} down.",
        f"          practice: Do {item_id}.",
    ]
    if language is not None:
        lines.append(f"        model_language: {language.format(id=item_id)}")
    return "\n".join(lines)


def rated(policy: str, practice: str) -> ItemAnswer:
    return ItemAnswer(values={"policy": policy, "practice": practice})


def clause(number: str, position: int | None, document: int | None = 1) -> AnchoredClause:
    return AnchoredClause(
        document_label="MOU",
        file_name="mou.pdf",
        number=number,
        heading="",
        page=3,
        quote=f"Text of {number}.",
        document_order=document if position is not None else None,
        position=position,
    )


HEADER = AmendmentsHeader(
    assessment_id=7,
    org_name="Harbor Valley USD",
    assessment_title="Review",
    period="2026-27",
    prepared_on=dt.date(2026, 11, 28),
)
GUIDE = ResourceView(
    "guide", "A guide", "COPS Office", "2014", "https://example.org/g", "guide", "Guide", "", False
)


def test_amendments_follow_the_mou_then_the_rubric(make_rubric: MakeRubric) -> None:
    ids = ["a", "b", "c", "d", "e", "f", "g"]
    rubric = make_rubric(TWO_SIDES.replace("{items}", "\n".join(item(i) for i in ids)))
    score = score_assessment(
        rubric,
        {
            "a": rated("partly", "fully"),  # anchored late in the MOU
            "b": rated("not-in-place", "not-in-place"),  # anchored early
            "c": rated("fully", "not-in-place"),  # practice only: not a written gap
            "d": rated("not-in-place", "fully"),  # no anchor: a new clause
            "e": rated("partly", "partly"),  # anchored, but the file was deleted since
            "f": rated("partly", "fully"),  # anchored in a second, later document
            "g": rated("not-in-place", "fully"),  # a new clause after d
        },
    )
    anchors = {
        "a": [clause("9.1", 40)],
        "b": [clause("5.2", 30), clause("2.5", 12)],
        "c": [clause("1.1", 1)],
        "e": [clause("4.1", None)],
        "f": [clause("1.1", 0, document=2)],
    }
    document = build_amendments(rubric, score, anchors, {"a": (GUIDE,)}, HEADER)
    assert [a.item_id for a in document.amendments] == ["b", "a", "f", "d", "e", "g"]
    first = document.amendments[0]
    # Several anchored clauses of one item are shown in agreement order.
    assert [c.number for c in first.current] == ["2.5", "5.2"]
    assert first.current[0].citation == "MOU §2.5, p. 3"
    assert first.rating == "Not in place"
    assert first.proposed == "Model text for b."
    assert not first.proposed_is_advice
    assert document.amendments[1].guidance == (GUIDE,)
    new = document.amendments[3]
    assert new.is_new_clause
    assert new.current == ()
    deleted = document.amendments[4]
    assert not deleted.is_new_clause
    assert deleted.current[0].quote == "Text of 4.1."
    assert document.written_label == "Written MOU or policy"
    assert (document.org_name, document.rubric_version) == ("Harbor Valley USD", "3")


def test_an_item_without_model_language_proposes_its_written_advice(
    make_rubric: MakeRubric,
) -> None:
    rubric = make_rubric(TWO_SIDES.replace("{items}", item("a", None)))
    score = score_assessment(rubric, {"a": rated("not-in-place", "partly")})
    (amendment,) = build_amendments(rubric, score, {}, {}, HEADER).amendments
    assert amendment.proposed == "Write a down."
    assert amendment.proposed_is_advice


def test_no_written_gap_means_no_amendments(make_rubric: MakeRubric) -> None:
    rubric = make_rubric(TWO_SIDES.replace("{items}", "\n".join(item(i) for i in ("a", "b"))))
    score = score_assessment(
        rubric, {"a": rated("fully", "not-in-place"), "b": ItemAnswer(not_applicable=True)}
    )
    document = build_amendments(rubric, score, {"a": [clause("1.1", 1)]}, {}, HEADER)
    assert document.amendments == ()


def test_a_one_dimension_rubric_lists_each_gap(make_rubric: MakeRubric) -> None:
    one_dimension = TWO_SIDES.replace("  - {id: practice, label: Practice}\n", "")
    items = "\n".join(
        f"      - {{id: {i}, prompt: Prompt {i}., scale: in-place, basis: [src], "
        f"model_language: Model text for {i}.}}"
        for i in ("a", "b")
    )
    text = one_dimension.replace("{items}", items)
    rubric = make_rubric(text)
    score = score_assessment(
        rubric,
        {"a": ItemAnswer(values={"policy": "fully"}), "b": ItemAnswer(values={"policy": "partly"})},
    )
    document = build_amendments(rubric, score, {}, {}, HEADER)
    assert [(a.item_id, a.rating) for a in document.amendments] == [("b", "Partly in place")]


def test_the_writer_drops_characters_word_cannot_hold(make_rubric: MakeRubric) -> None:
    rubric = make_rubric(TWO_SIDES.replace("{items}", item("a")))
    score = score_assessment(rubric, {"a": rated("partly", "fully")})
    broken = AnchoredClause("MOU", "mou\x00.pdf", "4.1", "", 2, "Text\x0b with\x1f controls.", 1, 3)
    header = AmendmentsHeader(7, "Harbor\x07 Valley", "Review\x1b", "2026-27", HEADER.prepared_on)
    data = amendments_docx(build_amendments(rubric, score, {"a": [broken]}, {}, header))
    texts = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert "Organization: Harbor Valley" in texts
    assert "Text with controls." in texts
    assert "Current clause: MOU §4.1, p. 2, mou.pdf" in texts
