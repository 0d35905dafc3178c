"""The answers that scoring reads: one immutable ``ItemAnswer`` per item id, plus JSON conversion.

The web layer and the database turn whatever they store into these; scoring never sees ORM rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from rubric_app.rubrics.answer_types import answer_type, value_given
from rubric_app.rubrics.model import VALUE_DIMENSION, Item

__all__ = [
    "VALUE_DIMENSION",
    "AnswerValue",
    "Answers",
    "ItemAnswer",
    "answer_value",
    "answers_from_json",
    "answers_to_json",
    "has_value",
    "is_answered",
]

#: One stored value: an option key, "yes"/"no", text, an ISO date, a number as text, or the keys
#: ticked on a multi-select item.
AnswerValue = str | tuple[str, ...]


def _freeze_values(values: Mapping[str, Any]) -> Mapping[str, AnswerValue]:
    """Copy values into a read-only mapping, turning lists (as JSON gives them) into tuples."""
    frozen: dict[str, AnswerValue] = {}
    for key, value in values.items():
        if isinstance(value, str):
            frozen[key] = value
        elif isinstance(value, list | tuple):
            frozen[key] = tuple(str(part) for part in value)
        else:
            raise TypeError(f"answer value for {key!r} must be str or a sequence of str")
    return MappingProxyType(frozen)


@dataclass(frozen=True)
class ItemAnswer:
    """The answer to one item: a value per answer dimension, or N/A with a reason."""

    values: Mapping[str, AnswerValue] = field(default_factory=dict)
    not_applicable: bool = False
    na_reason: str = ""
    comment: str = ""
    evidence: str = ""
    flagged: bool = False

    def __post_init__(self) -> None:
        # Copy so that a caller mutating its own dict later cannot change a scored answer.
        object.__setattr__(self, "values", _freeze_values(self.values))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict; ``ItemAnswer.from_dict`` reverses it."""
        return {
            "values": {
                key: list(value) if isinstance(value, tuple) else value
                for key, value in self.values.items()
            },
            "not_applicable": self.not_applicable,
            "na_reason": self.na_reason,
            "comment": self.comment,
            "evidence": self.evidence,
            "flagged": self.flagged,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ItemAnswer:
        """Build an answer from ``to_dict`` output (missing keys take their defaults)."""
        values = data.get("values", {})
        if not isinstance(values, Mapping):
            raise TypeError("'values' must be a mapping")
        return cls(
            values=values,
            not_applicable=bool(data.get("not_applicable", False)),
            na_reason=str(data.get("na_reason", "")),
            comment=str(data.get("comment", "")),
            evidence=str(data.get("evidence", "")),
            flagged=bool(data.get("flagged", False)),
        )


#: Every answer of one assessment, by item id.
Answers = Mapping[str, ItemAnswer]


def answers_to_json(answers: Answers) -> dict[str, dict[str, Any]]:
    """Return the answers as JSON-friendly dicts keyed by item id."""
    return {item_id: answer.to_dict() for item_id, answer in answers.items()}


def answers_from_json(data: Mapping[str, Mapping[str, Any]]) -> dict[str, ItemAnswer]:
    """Rebuild answers from ``answers_to_json`` output."""
    return {item_id: ItemAnswer.from_dict(entry) for item_id, entry in data.items()}


def has_value(value: AnswerValue | None) -> bool:
    """Return whether a stored value counts as given (blank text and no ticks do not)."""
    return value_given(value)


def answer_value(answer: ItemAnswer | None, dimension: str) -> AnswerValue | None:
    """Return the value given under ``dimension``, or None when absent, blank or N/A."""
    if answer is None or answer.not_applicable:
        return None
    value = answer.values.get(dimension)
    return value if has_value(value) else None


def is_answered(item: Item, answer: ItemAnswer | None) -> bool:
    """Return whether every answer dimension of ``item`` has a value, or it is N/A with a reason."""
    if answer is None:
        return False
    if answer.not_applicable:
        return bool(answer.na_reason.strip())
    kind = answer_type(item)
    return all(kind.is_answered(answer.values.get(dim)) for dim in item.answer_dimensions)
