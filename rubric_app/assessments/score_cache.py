"""The cached score rows (``section_scores``, ``item_results``) the SQL roll-ups read.

Written from the scoring core at submit, removed at reopen; nothing else computes them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from rubric_app.models import Assessment, ItemResult, SectionScoreRow
from rubric_app.rubrics.model import Rubric
from rubric_app.scoring import AssessmentScore, rating_is_full


def write_section_scores(session: Session, assessment: Assessment, score: AssessmentScore) -> None:
    """Replace the cached score rows the SQL roll-ups read."""
    session.execute(delete(SectionScoreRow).where(SectionScoreRow.assessment_id == assessment.id))
    rows: list[SectionScoreRow] = []
    for section_id, percent, level, by_dimension in [
        ("_overall", score.percent, score.level, score.by_dimension),
        *[(s.section_id, s.percent, s.level, s.by_dimension) for s in score.sections],
    ]:
        rows.append(
            SectionScoreRow(
                assessment_id=assessment.id,
                section_id=section_id,
                dimension="_all",
                percent=percent,
                level=level.id if level else None,
            )
        )
        rows.extend(
            SectionScoreRow(
                assessment_id=assessment.id,
                section_id=section_id,
                dimension=dimension,
                percent=value,
                level=None,
            )
            for dimension, value in by_dimension.items()
        )
    session.add_all(rows)


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
