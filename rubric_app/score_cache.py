"""The rows of the ``section_scores`` cache, built from one ``AssessmentScore``.

One place decides what a cached score row holds, so the submit operation and the demo seeder
write the same thing: per (section, dimension) the shown percent (null below the coverage
threshold), the level, and the answered and applicable counts the state roll-ups need to say
how many scores they left out for too few answers.
"""

from __future__ import annotations

from typing import Any

from rubric_app.scoring import AssessmentScore

#: The section id of the overall score's rows, and the dimension of the pooled rows.
OVERALL_SECTION = "_overall"
ALL_DIMENSIONS = "_all"


def section_score_rows(assessment_id: int, score: AssessmentScore) -> list[dict[str, Any]]:
    """Return the ``SectionScore`` rows of ``score``, as dicts (overall first, then sections)."""
    rows: list[dict[str, Any]] = []
    figures = [
        (
            OVERALL_SECTION,
            score.percent,
            score.level,
            score.by_dimension,
            score.coverage,
            score.dimension_coverage,
        ),
        *(
            (s.section_id, s.percent, s.level, s.by_dimension, s.coverage, s.dimension_coverage)
            for s in score.sections
        ),
    ]
    for section_id, percent, level, by_dimension, coverage, dimension_coverage in figures:
        rows.append(
            {
                "assessment_id": assessment_id,
                "section_id": section_id,
                "dimension": ALL_DIMENSIONS,
                "percent": percent,
                "level": level.id if level else None,
                "answered": coverage.answered,
                "applicable": coverage.applicable,
            }
        )
        rows.extend(
            {
                "assessment_id": assessment_id,
                "section_id": section_id,
                "dimension": dimension,
                "percent": value,
                "level": None,
                "answered": dimension_coverage[dimension].answered,
                "applicable": dimension_coverage[dimension].applicable,
            }
            for dimension, value in by_dimension.items()
        )
    return rows
