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


def clip_text(text: str, limit: int) -> str:
    """Return ``text`` with its whitespace folded, cut to at most ``limit`` characters.

    A cut text ends at a word boundary with "…", so no word is left half printed.
    """
    folded = " ".join(text.split())
    if len(folded) <= limit:
        return folded
    cut = folded[: limit - 1]
    head, space, _tail = cut.rpartition(" ")
    # A single very long word is cut inside it rather than dropped whole.
    kept = head if space and len(head) >= limit // 2 else cut
    return kept.rstrip(" ,;:.-\u2013\u2014") + "…"


def short_prompt(prompt: str, limit: int = SHORT_PROMPT_CHARS) -> str:
    """Return an item's ``prompt`` as a select option or a table cell shows it (``clip_text``)."""
    return clip_text(prompt, limit)
