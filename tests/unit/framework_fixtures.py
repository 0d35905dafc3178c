"""Inline rubrics, frameworks and crosswalks for the framework tests (importable helpers)."""

from __future__ import annotations

import textwrap

from rubric_app.rubrics.loader import load_rubric_text
from rubric_app.rubrics.model import Rubric

RUBRIC_V1 = textwrap.dedent(
    """\
    id: mini
    version: "1"
    title: Mini rubric
    summary: A tiny rubric for tests.
    audience: [district]
    issuer: [Test issuer]
    status_note: Test only.
    dimensions:
      - {id: policy, label: Policy}
      - {id: practice, label: Practice}
    scales:
      - id: in-place
        label: In place
        options:
          - {key: not-in-place, label: Not in place, points: 0}
          - {key: partly, label: Partly, points: 1}
          - {key: fully, label: Fully, points: 2}
    sections:
      - id: first
        title: First section
        items:
          - id: exists
            type: yes_no
            prompt: Does it exist?
            basis: [src]
          - id: mou
            prompt: Is there an MOU?
            basis: [src]
            recommendations: {policy: Sign an MOU., practice: Follow the MOU.}
            scale: in-place
            show_if: {item: exists, equals: "yes"}
          - id: no-discipline
            prompt: Do officers stay out of discipline?
            basis: [src]
            recommendations: {policy: Write it down., practice: Keep to it.}
            scale: in-place
          - id: notes
            type: long_text
            prompt: Anything else?
            basis: [src]
    scoring:
      levels:
        - {id: low, label: Low, min: 0, max: 39.99}
        - {id: high, label: High, min: 40, max: 100}
    """
)

#: Version 2 renames ``no-discipline`` to ``discipline-role``.
RUBRIC_V2 = RUBRIC_V1.replace('version: "1"', 'version: "2"').replace(
    "id: no-discipline", "id: discipline-role"
)


def mini_rubric(text: str = RUBRIC_V1) -> Rubric:
    return load_rubric_text(text, "mini.yaml")


FRAMEWORK = textwrap.dedent(
    """\
    id: test-law
    title: A test law
    jurisdiction: WA
    citation: "Test Code § 1"
    text_date: "2021-07"
    status: partial
    sources:
      - "https://example.org/law"
    note: PARTIAL list, for tests. Not legal advice.
    requirements:
      - id: has-mou
        citation: "Test Code § 1(a)"
        statement: The district has an MOU.
        source: "https://example.org/law"
        rules:
          - rubric: mini
            items:
              - mou
      - id: no-discipline
        citation: "Test Code § 1(b)"
        statement: Officers take no part in discipline.
        source: "https://example.org/law"
        status: official
        mapping_note: The rubric asks about practice too.
        rules:
          - rubric: mini
            items:
              - item: no-discipline
                dimensions: [policy]
              - item: exists
    not_checked:
      - citation: "Test Code § 1(c)"
        statement: The MOU is posted online.
        reason: No item asks it.
    """
)

CROSSWALK = textwrap.dedent(
    """\
    id: mini-1-to-2
    title: Mini version 1 to 2
    from: {rubric: mini, version: "1"}
    to: {rubric: mini, version: "2"}
    pairs:
      - {from: mou, to: mou}
      - from: no-discipline
        to: discipline-role
        topic: discipline
        match: close
        note: Renamed.
    """
)
