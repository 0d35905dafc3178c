"""The cached score rows (``section_scores``, ``item_results``) the SQL roll-ups read.

Written from the scoring core at submit, removed at reopen; nothing else computes them. The row
builders (``section_score_rows``, ``item_result_rows``) are shared with the bulk path
(``bulk_import``), so seeded data holds exactly what a submit writes: per (section, dimension)
the shown percent (null below the coverage threshold), the level, and the answered and
applicable counts the state roll-ups need to say how many scores they left out.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from rubric_app.models import Assessment, ItemResult, SectionScoreRow
from rubric_app.rubrics.model import Rubric
from rubric_app.scoring import AssessmentScore, rating_is_full

#: The section id of the overall score's rows, and the dimension of the pooled rows.
OVERALL_SECTION = "_overall"
ALL_DIMENSIONS = "_all"


def section_score_rows(assessment_id: int, score: AssessmentScore) -> list[dict[str, Any]]:
    """Return the ``SectionScoreRow`` rows of ``score``, as dicts (overall first, then sections)."""
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


def write_section_scores(session: Session, assessment: Assessment, score: AssessmentScore) -> None:
    """Replace the cached score rows the SQL roll-ups read."""
    session.execute(delete(SectionScoreRow).where(SectionScoreRow.assessment_id == assessment.id))
    session.execute(insert(SectionScoreRow), section_score_rows(assessment.id, score))


#: The dimension of the per-item ``ItemResult`` row that carries the paper-vs-practice label.
PAIR_DIMENSION = "_item"


def item_result_rows(
    assessment_id: int, rubric: Rubric, score: AssessmentScore
) -> list[dict[str, Any]]:
    """Return the ``ItemResult`` rows of a scored assessment, as dicts for a bulk insert.

    Only visible, applicable, scored items have ratings in the scoring core, so only they get
    rows; "full" is the scoring core's own rule (the one behind ``ItemScore.is_gap``).
    """
    rows: list[dict[str, Any]] = []
    for item_id, item_score in score.items.items():
        if not (item_score.visible and item_score.scored) or item_score.not_applicable:
            continue
        rows.extend(
            {
                "assessment_id": assessment_id,
                "item_id": item_id,
                "dimension": dimension,
                "option_key": rating.option_key,
                "full": rating_is_full(rubric, rating),
                "paper_practice": None,
            }
            for dimension, rating in item_score.ratings.items()
        )
        if item_score.paper_practice is not None:
            rows.append(
                {
                    "assessment_id": assessment_id,
                    "item_id": item_id,
                    "dimension": PAIR_DIMENSION,
                    "option_key": None,
                    "full": False,
                    "paper_practice": item_score.paper_practice.label,
                }
            )
    return rows


def write_item_results(
    session: Session, assessment: Assessment, rubric: Rubric, score: AssessmentScore
) -> None:
    """Replace the cached per-item results the SQL roll-ups read."""
    session.execute(delete(ItemResult).where(ItemResult.assessment_id == assessment.id))
    rows = item_result_rows(assessment.id, rubric, score)
    if rows:
        session.execute(insert(ItemResult), rows)


def clear_score_cache(session: Session, assessment: Assessment) -> None:
    """Remove the assessment's cached score rows (it is a draft again)."""
    session.execute(delete(SectionScoreRow).where(SectionScoreRow.assessment_id == assessment.id))
    session.execute(delete(ItemResult).where(ItemResult.assessment_id == assessment.id))
