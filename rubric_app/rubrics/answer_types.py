"""The answer-type registry: what each rubric item type means for the answers given to it.

One small class per item type (``scale``, ``yes_no``, ``multi_select``, ``number``,
``short_text``, ``long_text``, ``date``), registered in ``ANSWER_TYPES`` by type name, owns every
job that depends on the type, so no other module switches on ``item.type`` for them:

- **reading input** (``read``): a value posted by the questionnaire or found in an imported
  file becomes the stored value, or ``None`` when nothing was given; a bad value raises
  ``AnswerError`` with a short ``code`` (``unknown-option``, ``not-a-number``, ``not-a-date``,
  ``too-long``, ``not-text``, ``not-a-list``), a ``message`` telling the person at the form what
  to do and a ``problem`` describing the bad value for an import report. The form and the
  importer call the same function, so a file can never hold what the form would refuse;
- **storage** (``encode`` / ``decode``): the answer column is text. Multi-select answers are
  stored as a JSON list of choice keys (the format rows have always used, so existing rows still
  decode); every other type stores its text unchanged. Decoding is driven by the item's type,
  never by the stored text: a long-text answer that happens to read ``[1, 2]`` comes back as that
  same string, not as a list;
- **display text** (``display``): the one wording used by the questionnaire's review, snapshot
  and conflict pages, the report context (the PDF's answers) and the state CSV/XLSX exports.
  Scale options and yes/no answers show their labels; multi-select answers show the ticked
  choices' labels joined with
  "; " (labels may contain commas, so a comma would be ambiguous); dates show as "8 Sep 2026";
  numbers and text show as stored; nothing given shows "Not answered";
- **answered** (``is_answered``): blank text and an empty multi-select do not count;
- **demo answers** (``sample``): what the demo and benchmark seeders answer at a maturity;
- **export schema** (``json_schema``): the JSON Schema fragment one exported value satisfies;
  ``items_schema`` assembles them into the schema of an export's ``items`` object.

Pure: no Flask and no database, so the web layer, the importer, the exports, the seeders and the
tests all share it. The WTForms fields of each type stay in ``questionnaire/fields.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

from .model import Item, Rubric

#: One stored value: an option key, "yes"/"no", text, an ISO date, a number as text, or the keys
#: ticked on a multi-select item (the same shape as ``scoring.AnswerValue``).
Value = str | tuple[str, ...]

#: Longest answer text kept; longer text is refused with a message, never cut silently.
MAX_TEXT: Final = 20_000
#: What the page shows for an answer not given.
NOT_ANSWERED: Final = "Not answered"

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class AnswerError(ValueError):
    """A value an item cannot take: a short code, advice for the form, the problem for a file."""

    def __init__(self, code: str, message: str, problem: str) -> None:
        super().__init__(problem)
        self.code = code
        #: What the person at the form should do, e.g. "Enter a number, like 12 or 3.5."
        self.message = message
        #: What is wrong with the value, for a report that names where it is.
        self.problem = problem


def normalise_text(text: str) -> str:
    """Trim and use plain newlines, so text typed once always stores the same way."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def value_given(value: Value | None) -> bool:
    """Whether a value counts as given: blank text and no ticks do not."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    # An empty multi-select is indistinguishable from an untouched one, so it is not an answer;
    # rubrics that need "none of these" offer it as a choice.
    return len(value) > 0


def _single_text(raw: object) -> str:
    """The text of a one-value answer; a list or anything else is refused."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, list | tuple):
        raise AnswerError(
            "not-text",
            "Give one answer.",
            "a list of choices is only valid for a multi-select item",
        )
    raise AnswerError("not-text", "Give one answer.", "the value must be text")


class AnswerType:
    """The behaviour shared by every type; subclasses override what differs."""

    #: The rubric item type this behaviour is registered under.
    name: str = ""

    def read(self, item: Item, rubric: Rubric, raw: object) -> Value | None:
        """The stored value of ``raw`` (posted or imported), None if empty; AnswerError if bad."""
        text = normalise_text(_single_text(raw))
        return text or None

    def read_posted(self, item: Item, rubric: Rubric, posted: Sequence[str]) -> Value | None:
        """Like ``read``, for the list of strings a browser posts under one field name."""
        return self.read(item, rubric, posted[0] if posted else "")

    def encode(self, value: Value) -> str:
        """The text stored in the answer column."""
        if not isinstance(value, str):
            raise TypeError(f"a {self.name} answer is text, not {value!r}")
        return value

    def decode(self, stored: str) -> Value:
        """The value ``encode`` stored."""
        return stored

    def display(self, item: Item, rubric: Rubric, value: Value | None) -> str:
        """The answer as people read it, on every page, report and export."""
        if value is None or not self.is_answered(value):
            return NOT_ANSWERED
        return self.display_given(item, rubric, value)

    def display_given(self, item: Item, rubric: Rubric, value: Value) -> str:
        """The display text of a given value (subclasses label it)."""
        return value if isinstance(value, str) else "; ".join(value)

    def is_answered(self, value: Value | None) -> bool:
        """Whether the value counts as an answer."""
        return value_given(value)

    def json_schema(self, item: Item, rubric: Rubric) -> dict[str, Any]:
        """The JSON Schema fragment an exported value of this item satisfies."""
        return {"type": "string", "minLength": 1, "maxLength": MAX_TEXT}

    def sample(self, item: Item, rubric: Rubric, level: float) -> Value | None:
        """A plausible answer for demo data at maturity ``level`` (0..1), or None for none."""
        return None


class ScaleAnswer(AnswerType):
    """One option key of the item's scale per rating dimension; shown as the option's label."""

    name = "scale"

    def read(self, item: Item, rubric: Rubric, raw: object) -> Value | None:
        chosen = _single_text(raw).strip()
        if not chosen:
            return None
        scale = rubric.scale_of(item)
        if scale is None or scale.option(chosen) is None:
            keys = ", ".join(option.key for option in scale.options) if scale else "none"
            raise AnswerError(
                "unknown-option",
                "Choose one of the options.",
                f"'{chosen}' is not an option of its scale ({keys})",
            )
        return chosen

    def display_given(self, item: Item, rubric: Rubric, value: Value) -> str:
        scale = rubric.scale_of(item)
        option = scale.option(str(value)) if scale is not None else None
        return option.label if option is not None else str(value)

    def json_schema(self, item: Item, rubric: Rubric) -> dict[str, Any]:
        scale = rubric.scale_of(item)
        return {"type": "string", "enum": [option.key for option in scale.options] if scale else []}

    def sample(self, item: Item, rubric: Rubric, level: float) -> Value | None:
        """The option as far up the scale (by points) as ``level`` reaches."""
        scale = rubric.scale_of(item)
        if scale is None:
            return None
        options = sorted(scale.options, key=lambda option: option.points)
        position = min(len(options) - 1, max(0, int(level * len(options))))
        return options[position].key


class YesNoAnswer(AnswerType):
    """'yes' or 'no'; shown as "Yes" or "No"."""

    name = "yes_no"
    LABELS: ClassVar[Mapping[str, str]] = {"yes": "Yes", "no": "No"}

    def read(self, item: Item, rubric: Rubric, raw: object) -> Value | None:
        chosen = _single_text(raw).strip()
        if not chosen:
            return None
        if chosen not in self.LABELS:
            raise AnswerError(
                "unknown-option",
                "Choose yes or no.",
                f"a yes/no answer must be 'yes' or 'no', not '{chosen}'",
            )
        return chosen

    def display_given(self, item: Item, rubric: Rubric, value: Value) -> str:
        return self.LABELS.get(str(value), str(value))

    def json_schema(self, item: Item, rubric: Rubric) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.LABELS)}

    def sample(self, item: Item, rubric: Rubric, level: float) -> Value | None:
        """'yes': yes/no items are gates ("is there a partnership?"), so every stage applies."""
        return "yes"


class MultiSelectAnswer(AnswerType):
    """The ticked choice keys, in rubric order; shown as their labels joined with "; "."""

    name = "multi_select"

    def read(self, item: Item, rubric: Rubric, raw: object) -> Value | None:
        if raw == "":
            return None
        if not isinstance(raw, list | tuple) or not all(isinstance(part, str) for part in raw):
            raise AnswerError(
                "not-a-list",
                "Tick the choices that apply.",
                "a multi-select answer must be a list of choices",
            )
        known = [choice.key for choice in item.choices]
        unknown = [part for part in raw if part not in known]
        if unknown:
            raise AnswerError(
                "unknown-option",
                "Tick only the choices listed.",
                f"unknown choices {', '.join(unknown)}",
            )
        ticked = set(raw)
        chosen = tuple(key for key in known if key in ticked)  # rubric order, not click order
        return chosen or None

    def read_posted(self, item: Item, rubric: Rubric, posted: Sequence[str]) -> Value | None:
        return self.read(item, rubric, list(posted))

    def encode(self, value: Value) -> str:
        if isinstance(value, str):
            raise TypeError(f"a multi-select answer is a tuple of keys, not {value!r}")
        return json.dumps(list(value))

    def decode(self, stored: str) -> Value:
        try:
            parsed = json.loads(stored)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return tuple(str(part) for part in parsed)
        # Not a list as this type stores them: keep the text as one key, never lose it.
        return (stored,)

    def display_given(self, item: Item, rubric: Rubric, value: Value) -> str:
        labels = {choice.key: choice.label for choice in item.choices}
        keys = value if isinstance(value, tuple) else (value,)
        return "; ".join(labels.get(key, key) for key in keys)

    def json_schema(self, item: Item, rubric: Rubric) -> dict[str, Any]:
        return {
            "type": "array",
            "items": {"type": "string", "enum": [choice.key for choice in item.choices]},
            "minItems": 1,
            "uniqueItems": True,
        }


class NumberAnswer(AnswerType):
    """A number kept as the text typed (thousands commas dropped), so "3.50" stays "3.50"."""

    name = "number"

    def read(self, item: Item, rubric: Rubric, raw: object) -> Value | None:
        text = _single_text(raw).strip().replace(",", "")
        if not text:
            return None
        if not _NUMBER.match(text):
            raise AnswerError(
                "not-a-number",
                "Enter a number, like 12 or 3.5.",
                f"'{text}' is not a number (write it like 12 or 3.5)",
            )
        return text

    def json_schema(self, item: Item, rubric: Rubric) -> dict[str, Any]:
        return {"type": "string", "pattern": _NUMBER.pattern}


class TextAnswer(AnswerType):
    """Free text, one line (short_text) or a paragraph (long_text), trimmed, at most MAX_TEXT."""

    def __init__(self, name: str) -> None:
        self.name = name  # two registered instances share this class

    def read(self, item: Item, rubric: Rubric, raw: object) -> Value | None:
        text = normalise_text(_single_text(raw))
        if len(text) > MAX_TEXT:
            raise AnswerError(
                "too-long",
                f"Keep the answer under {MAX_TEXT:,} characters.",
                f"the answer is {len(text):,} characters long; at most {MAX_TEXT:,} are kept",
            )
        return text or None


class DateAnswer(AnswerType):
    """A calendar date stored as ISO text (YYYY-MM-DD); shown as "8 Sep 2026"."""

    name = "date"

    def read(self, item: Item, rubric: Rubric, raw: object) -> Value | None:
        text = _single_text(raw).strip()
        if not text:
            return None
        try:
            parsed = dt.date.fromisoformat(text)
        except ValueError:
            raise AnswerError(
                "not-a-date",
                "Enter a real date as year-month-day, like 2026-09-01.",
                f"'{text}' is not a real date (write it as year-month-day, like 2026-09-01)",
            ) from None
        return parsed.isoformat()

    def display_given(self, item: Item, rubric: Rubric, value: Value) -> str:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            return str(value)  # stored before dates were checked: show it as it is
        return f"{day.day} {day:%b %Y}"

    def json_schema(self, item: Item, rubric: Rubric) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": _ISO_DATE.pattern}


#: The registry: rubric item type -> its answer behaviour.
ANSWER_TYPES: Mapping[str, AnswerType] = {
    answer_type.name: answer_type
    for answer_type in (
        ScaleAnswer(),
        YesNoAnswer(),
        MultiSelectAnswer(),
        NumberAnswer(),
        TextAnswer("short_text"),
        TextAnswer("long_text"),
        DateAnswer(),
    )
}


def answer_type(item: Item) -> AnswerType:
    """The registered behaviour of the item's type."""
    return ANSWER_TYPES[item.type]


def display_text(rubric: Rubric, item: Item, value: Value | None) -> str:
    """The one display text of an answer value (see the module docstring for each wording)."""
    return answer_type(item).display(item, rubric, value)


def items_schema(rubric: Rubric) -> dict[str, Any]:
    """The JSON Schema of an export's ``items`` object: each item's values by its type."""
    properties: dict[str, Any] = {}
    for item in rubric.items:
        fragment = answer_type(item).json_schema(item, rubric)
        properties[item.id] = {
            "type": "object",
            "required": ["values"],
            "properties": {
                "values": {
                    "type": "object",
                    "properties": dict.fromkeys(item.answer_dimensions, fragment),
                    "additionalProperties": False,
                },
                "not_applicable": {"type": "boolean"},
                "na_reason": {"type": "string"},
                "comment": {"type": "string"},
                "evidence_quote": {"type": "string"},
                "evidence_source": {"type": "string"},
                "flagged": {"type": "boolean"},
            },
            "additionalProperties": False,
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
