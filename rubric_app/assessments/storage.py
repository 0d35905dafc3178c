"""How an answer value is stored: the item's answer type encodes and decodes it."""

from __future__ import annotations

from rubric_app.rubrics.answer_types import ANSWER_TYPES
from rubric_app.rubrics.model import Rubric


def type_of(rubric: Rubric, item_id: str) -> str:
    """The item's type name; an item its rubric version lacks is read as text, never guessed."""
    return rubric.item(item_id).type if rubric.has_item(item_id) else "long_text"


def encode_value(value: str | tuple[str, ...], item_type: str) -> str:
    """The answer column's text for a value of an item of ``item_type`` (see answer_types)."""
    return ANSWER_TYPES[item_type].encode(value)


def decode_value(stored: str, item_type: str) -> str | tuple[str, ...]:
    """The value ``encode_value`` stored for an item of ``item_type``.

    The item's type decides, never the stored text: a long-text answer "[1, 2]" reads back as
    that string, while multi-select rows keep their JSON-list format, so old rows still decode.
    """
    return ANSWER_TYPES[item_type].decode(stored)
