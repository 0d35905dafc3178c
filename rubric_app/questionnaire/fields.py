"""The item-type registry: one small class per rubric item type, turning items into form fields.

Each type knows three things: which WTForms fields an item of that type needs
(``create_fields``), how to read the posted fields back into stored answer values
(``to_values``, with the format errors it finds) and how to turn stored values into field data
(``from_values``). Field names come from the stable YAML ids: ``<item_id>__<dimension>`` for
answers and ``<item_id>__na``, ``__na_reason``, ``__comment``, ``__evidence_quote``,
``__evidence_source``, ``__flagged`` and ``__base`` for what every item carries.

Reading and writing must round-trip exactly (``to_values(from_values(v)) == v``): a page that
shows an item unchanged must post back the same fingerprint, or a teammate's newer answer would
look like a conflict.
"""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from rubric_app.assessments import ItemState
from rubric_app.rubrics.model import VALUE_DIMENSION, Item, Rubric

#: Stored answer values by dimension key.
Values = dict[str, str | tuple[str, ...]]
#: Posted form data for one field name: the list of strings the browser sent.
FormData = Mapping[str, list[str]]

SEPARATOR = "__"
NOTE_SUFFIXES = ("na", "na_reason", "comment", "evidence_quote", "evidence_source", "flagged")
BASE_SUFFIX = "base"
#: Longest text kept per field; longer text is refused with a message, never cut silently.
MAX_TEXT = 20_000
MAX_SOURCE = 500
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def field_name(item_id: str, suffix: str) -> str:
    """The form field name of one part of an item, e.g. ``mou-written__policy``."""
    return f"{item_id}{SEPARATOR}{suffix}"


def normalise_text(text: str) -> str:
    """Trim and use plain newlines, so text typed once always stores the same way."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def first(data: FormData, name: str) -> str:
    """The first posted value of ``name``, or ''."""
    values = data.get(name) or []
    return values[0] if values else ""


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes sharing one name (a multi-select item)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


@dataclass(frozen=True)
class FieldError:
    """A problem with one posted field, with a message fit to show next to it."""

    field: str
    message: str


class ItemType(ABC):
    """Base class of the item types: the registry maps each rubric item type to one subclass."""

    name: ClassVar[str] = ""

    @abstractmethod
    def create_fields(self, item: Item, rubric: Rubric) -> dict[str, Field]:
        """Unbound answer fields by field name."""

    @abstractmethod
    def to_values(
        self, item: Item, rubric: Rubric, data: FormData
    ) -> tuple[Values, list[FieldError]]:
        """Read stored values from posted data; report format errors (typed text is kept)."""

    @abstractmethod
    def from_values(self, item: Item, values: Mapping[str, Any]) -> dict[str, Any]:
        """Field data (by field name) showing stored values."""

    def input_kind(self) -> str:
        """How the template lays the answer out: 'radios', 'checkboxes' or 'input'."""
        return "input"


class ScaleType(ItemType):
    """One radio group of the scale's options per rating dimension."""

    name = "scale"

    def create_fields(self, item: Item, rubric: Rubric) -> dict[str, Field]:
        scale = rubric.scale_of(item)
        options = (
            [SelectChoice(option.key, option.label) for option in scale.options] if scale else []
        )
        return {
            field_name(item.id, dimension): RadioField(
                _dimension_label(rubric, dimension), choices=options, validate_choice=False
            )
            for dimension in item.answer_dimensions
        }

    def to_values(
        self, item: Item, rubric: Rubric, data: FormData
    ) -> tuple[Values, list[FieldError]]:
        scale = rubric.scale_of(item)
        keys = {option.key for option in scale.options} if scale else set()
        values: Values = {}
        errors: list[FieldError] = []
        for dimension in item.answer_dimensions:
            name = field_name(item.id, dimension)
            chosen = first(data, name)
            if not chosen:
                continue
            if chosen not in keys:
                errors.append(FieldError(name, "Choose one of the options."))
                continue
            values[dimension] = chosen
        return values, errors

    def from_values(self, item: Item, values: Mapping[str, Any]) -> dict[str, Any]:
        return {
            field_name(item.id, dimension): values.get(dimension)
            for dimension in item.answer_dimensions
        }

    def input_kind(self) -> str:
        return "radios"


class YesNoType(ItemType):
    """Yes or no, as two radios."""

    name = "yes_no"
    CHOICES = (("yes", "Yes"), ("no", "No"))

    def create_fields(self, item: Item, rubric: Rubric) -> dict[str, Field]:
        return {
            field_name(item.id, VALUE_DIMENSION): RadioField(
                "Answer",
                # Fresh SelectChoice objects per field: they are mutable dataclasses.
                choices=[SelectChoice(value, label) for value, label in self.CHOICES],
                validate_choice=False,
            )
        }

    def to_values(
        self, item: Item, rubric: Rubric, data: FormData
    ) -> tuple[Values, list[FieldError]]:
        name = field_name(item.id, VALUE_DIMENSION)
        chosen = first(data, name)
        if not chosen:
            return {}, []
        if chosen not in ("yes", "no"):
            return {}, [FieldError(name, "Choose yes or no.")]
        return {VALUE_DIMENSION: chosen}, []

    def from_values(self, item: Item, values: Mapping[str, Any]) -> dict[str, Any]:
        return {field_name(item.id, VALUE_DIMENSION): values.get(VALUE_DIMENSION)}

    def input_kind(self) -> str:
        return "radios"


class MultiSelectType(ItemType):
    """Tick any of the item's choices."""

    name = "multi_select"

    def create_fields(self, item: Item, rubric: Rubric) -> dict[str, Field]:
        return {
            field_name(item.id, VALUE_DIMENSION): MultiCheckboxField(
                "Tick all that apply",
                choices=[SelectChoice(choice.key, choice.label) for choice in item.choices],
                validate_choice=False,
            )
        }

    def to_values(
        self, item: Item, rubric: Rubric, data: FormData
    ) -> tuple[Values, list[FieldError]]:
        name = field_name(item.id, VALUE_DIMENSION)
        ticked = set(data.get(name) or [])
        known = [choice.key for choice in item.choices]
        if ticked - set(known):
            return {}, [FieldError(name, "Tick only the choices listed.")]
        chosen = tuple(key for key in known if key in ticked)  # rubric order, not click order
        return ({VALUE_DIMENSION: chosen} if chosen else {}), []

    def from_values(self, item: Item, values: Mapping[str, Any]) -> dict[str, Any]:
        value = values.get(VALUE_DIMENSION)
        return {field_name(item.id, VALUE_DIMENSION): list(value) if value else []}

    def input_kind(self) -> str:
        return "checkboxes"


class TextType(ItemType):
    """Free text: one line (short_text) or a paragraph (long_text)."""

    def __init__(self, name: str, multiline: bool) -> None:
        self.type_name = name
        self.multiline = multiline

    def create_fields(self, item: Item, rubric: Rubric) -> dict[str, Field]:
        field_class = TextAreaField if self.multiline else StringField
        render_kw = {"rows": 4} if self.multiline else {"spellcheck": "true"}
        return {field_name(item.id, VALUE_DIMENSION): field_class("Answer", render_kw=render_kw)}

    def to_values(
        self, item: Item, rubric: Rubric, data: FormData
    ) -> tuple[Values, list[FieldError]]:
        name = field_name(item.id, VALUE_DIMENSION)
        text = normalise_text(first(data, name))
        if len(text) > MAX_TEXT:
            return {}, [FieldError(name, f"Keep the answer under {MAX_TEXT:,} characters.")]
        return ({VALUE_DIMENSION: text} if text else {}), []

    def from_values(self, item: Item, values: Mapping[str, Any]) -> dict[str, Any]:
        return {field_name(item.id, VALUE_DIMENSION): values.get(VALUE_DIMENSION, "")}


class NumberType(ItemType):
    """A number, typed as text so that a typo is shown back exactly as typed."""

    name = "number"

    def create_fields(self, item: Item, rubric: Rubric) -> dict[str, Field]:
        return {
            field_name(item.id, VALUE_DIMENSION): StringField(
                "Number", render_kw={"inputmode": "decimal", "autocomplete": "off"}
            )
        }

    def to_values(
        self, item: Item, rubric: Rubric, data: FormData
    ) -> tuple[Values, list[FieldError]]:
        name = field_name(item.id, VALUE_DIMENSION)
        text = first(data, name).strip().replace(",", "")
        if not text:
            return {}, []
        if not _NUMBER.match(text):
            return {}, [FieldError(name, "Enter a number, like 12 or 3.5.")]
        return {VALUE_DIMENSION: text}, []

    def from_values(self, item: Item, values: Mapping[str, Any]) -> dict[str, Any]:
        return {field_name(item.id, VALUE_DIMENSION): values.get(VALUE_DIMENSION, "")}


class DateType(ItemType):
    """A date, stored as ISO text (YYYY-MM-DD); the browser shows its own date picker."""

    name = "date"

    def create_fields(self, item: Item, rubric: Rubric) -> dict[str, Field]:
        return {
            field_name(item.id, VALUE_DIMENSION): StringField(
                "Date (YYYY-MM-DD)", render_kw={"type": "date", "autocomplete": "off"}
            )
        }

    def to_values(
        self, item: Item, rubric: Rubric, data: FormData
    ) -> tuple[Values, list[FieldError]]:
        name = field_name(item.id, VALUE_DIMENSION)
        text = first(data, name).strip()
        if not text:
            return {}, []
        try:
            parsed = dt.date.fromisoformat(text)
        except ValueError:
            return {}, [FieldError(name, "Enter a real date as year-month-day, like 2026-09-01.")]
        return {VALUE_DIMENSION: parsed.isoformat()}, []

    def from_values(self, item: Item, values: Mapping[str, Any]) -> dict[str, Any]:
        return {field_name(item.id, VALUE_DIMENSION): values.get(VALUE_DIMENSION, "")}


#: The registry: rubric item type -> its form behaviour.
ITEM_TYPES: dict[str, ItemType] = {
    "scale": ScaleType(),
    "yes_no": YesNoType(),
    "multi_select": MultiSelectType(),
    "number": NumberType(),
    "short_text": TextType("short_text", multiline=False),
    "long_text": TextType("long_text", multiline=True),
    "date": DateType(),
}


def item_type(item: Item) -> ItemType:
    """The registered behaviour of the item's type."""
    return ITEM_TYPES[item.type]


def allows_na(item: Item, rubric: Rubric) -> bool:
    """Whether the item offers N/A: scale items whose scale allows it."""
    scale = rubric.scale_of(item)
    return scale is not None and scale.allow_na


def _dimension_label(rubric: Rubric, dimension: str) -> str:
    if dimension == VALUE_DIMENSION:
        return "Answer"
    return rubric.dimension(dimension).label


def note_fields(item: Item, rubric: Rubric) -> dict[str, Field]:
    """The fields every item carries besides its answer: N/A, comment, evidence, flag, base."""
    fields: dict[str, Field] = {}
    if allows_na(item, rubric):
        fields[field_name(item.id, "na")] = BooleanField("Not applicable to us")
        fields[field_name(item.id, "na_reason")] = TextAreaField(
            "Why it does not apply", render_kw={"rows": 2}
        )
    fields[field_name(item.id, "comment")] = TextAreaField("Comment", render_kw={"rows": 2})
    fields[field_name(item.id, "evidence_quote")] = TextAreaField(
        "Quoted clause", render_kw={"rows": 2}
    )
    fields[field_name(item.id, "evidence_source")] = StringField("Document, page or section")
    fields[field_name(item.id, "flagged")] = BooleanField("Flag for review")
    fields[field_name(item.id, BASE_SUFFIX)] = HiddenField()
    return fields


def _checked(data: FormData, name: str) -> bool:
    return first(data, name) in ("y", "on", "true", "1", "yes")


def state_from_form(
    item: Item, rubric: Rubric, data: FormData
) -> tuple[ItemState, list[FieldError]]:
    """The item's state as posted, and what is wrong with it (typed text is never dropped)."""
    values, errors = item_type(item).to_values(item, rubric, data)
    not_applicable = allows_na(item, rubric) and _checked(data, field_name(item.id, "na"))
    na_reason = normalise_text(first(data, field_name(item.id, "na_reason")))
    if not_applicable and not na_reason:
        errors.append(
            FieldError(
                field_name(item.id, "na_reason"),
                "Say why this item does not apply, or untick “Not applicable”.",
            )
        )
    texts = {
        suffix: normalise_text(first(data, field_name(item.id, suffix)))
        for suffix in ("comment", "evidence_quote", "evidence_source")
    }
    for suffix, text in texts.items():
        limit = MAX_SOURCE if suffix == "evidence_source" else MAX_TEXT
        if len(text) > limit:
            errors.append(
                FieldError(field_name(item.id, suffix), f"Keep this under {limit:,} characters.")
            )
    state = ItemState(
        values=values,
        not_applicable=not_applicable,
        # A reason typed while N/A is unticked is kept, so ticking and unticking loses nothing.
        na_reason=na_reason if allows_na(item, rubric) else "",
        comment=texts["comment"],
        evidence_quote=texts["evidence_quote"],
        evidence_source=texts["evidence_source"],
        flagged=_checked(data, field_name(item.id, "flagged")),
    )
    return state, errors


def form_data_from_state(item: Item, rubric: Rubric, state: ItemState) -> dict[str, Any]:
    """Field data (by field name) showing a stored state, base fingerprint included."""
    data = item_type(item).from_values(item, state.values)
    if allows_na(item, rubric):
        data[field_name(item.id, "na")] = state.not_applicable
        data[field_name(item.id, "na_reason")] = state.na_reason
    data[field_name(item.id, "comment")] = state.comment
    data[field_name(item.id, "evidence_quote")] = state.evidence_quote
    data[field_name(item.id, "evidence_source")] = state.evidence_source
    data[field_name(item.id, "flagged")] = state.flagged
    data[field_name(item.id, BASE_SUFFIX)] = state.fingerprint()
    return data


def item_field_names(item: Item, rubric: Rubric) -> list[str]:
    """Every field name an item of this rubric posts (to keep drafts to what belongs)."""
    return list(item_type(item).create_fields(item, rubric)) + list(note_fields(item, rubric))
