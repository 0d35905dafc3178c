"""Scoring: pure functions over (Rubric, answers) that every page, export, PDF and roll-up calls.

No Flask, no database, no YAML: ``answers`` (input types), ``visibility`` (show_if),
``score`` (item, section and overall scores), ``gaps``, ``compare`` and ``aggregate``.
"""

from .answers import (
    VALUE_DIMENSION,
    Answers,
    AnswerValue,
    ItemAnswer,
    answer_value,
    answers_from_json,
    answers_to_json,
    has_value,
    is_answered,
)
from .score import (
    PAPER_PRACTICE_THRESHOLD,
    AssessmentScore,
    ItemScore,
    PaperPractice,
    PaperPracticeLabel,
    Rating,
    SectionScore,
    is_scored_item,
    level_of,
    pooled_percent,
    score_assessment,
)
from .visibility import condition_holds, is_visible, visibility, visible_items

__all__ = [
    "PAPER_PRACTICE_THRESHOLD",
    "VALUE_DIMENSION",
    "AnswerValue",
    "Answers",
    "AssessmentScore",
    "ItemAnswer",
    "ItemScore",
    "PaperPractice",
    "PaperPracticeLabel",
    "Rating",
    "SectionScore",
    "answer_value",
    "answers_from_json",
    "answers_to_json",
    "condition_holds",
    "has_value",
    "is_answered",
    "is_scored_item",
    "is_visible",
    "level_of",
    "pooled_percent",
    "score_assessment",
    "visibility",
    "visible_items",
]
