"""Display labels shared by the report, the action plan and the exports (no Flask, no database)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from rubric_app.rubrics.model import Rubric

ACTION_STATUS_LABELS: Mapping[str, str] = MappingProxyType(
    {"planned": "Planned", "in_progress": "In progress", "done": "Done"}
)
ASSESSMENT_STATUS_LABELS: Mapping[str, str] = MappingProxyType(
    {"draft": "Draft", "submitted": "Submitted"}
)
PAPER_PRACTICE_NOTES: Mapping[str, str] = MappingProxyType(
    {
        "paper-stronger": "What is written is ahead of what happens in practice.",
        "practice-stronger": "Practice is ahead of what is written down.",
    }
)

#: Longest item prompt shown in a select option or a table cell before it is shortened.
SHORT_PROMPT_CHARS = 110


def item_numbers(rubric: Rubric) -> dict[str, str]:
    """Return the printed number (e.g. "2.4") of every item: the rubric's one numbering rule."""
    return {item.id: rubric.item_number(item.id) for item in rubric.items}


def short_prompt(prompt: str, limit: int = SHORT_PROMPT_CHARS) -> str:
    """Return ``prompt`` cut at a word boundary to at most ``limit`` characters, with "…"."""
    text = " ".join(prompt.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return f"{cut}…"
