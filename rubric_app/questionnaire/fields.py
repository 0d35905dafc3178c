"""WTForms fields for each rubric item type, over the domain's answer-type registry.

What a type *means* (reading input, storage, display, what counts as answered) lives in
``rubric_app.rubrics.answer_types``; this module only builds the fields each type needs
(``create_fields``), shows stored values in them (``from_values``) and hands what was posted to
the answer type (``to_values``), turning its coded errors into messages beside the field.
Field names come from the stable YAML ids: ``<item_id>__<dimension>`` for answers and
``<item_id>__na``, ``__na_reason``, ``__comment``, ``__evidence_quote``, ``__evidence_source``,
``__flagged`` and ``__base`` for what every item carries.

Reading and writing must round-trip exactly (``to_values(from_values(v)) == v``): a page that
shows an item unchanged must post back the same fingerprint, or a teammate's newer answer would
look like a conflict. The ``__base`` field carries the fingerprint and one hash per part of the
item (``assessments.parts``), so changes to different parts of an item merge.
"""

from __future__ import annotations

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
from rubric_app.assessments.parts import base_of
from rubric_app.rubrics.answer_types import (
    MAX_TEXT,
    AnswerError,
    answer_type,
    normalise_text,
)
from rubric_app.rubrics.model import VALUE_DIMENSION, Item, Rubric

#: Stored answer values by dimension key.
Values = dict[str, str | tuple[str, ...]]
#: Posted form data for one field name: the list of strings the browser sent.
FormData = Mapping[str, list[str]]

SEPARATOR = "__"
NOTE_SUFFIXES = ("na", "na_reason", "comment", "evidence_quote", "evidence_source", "flagged")
BASE_SUFFIX = "base"
#: The field in which the page's script names the items whose fields a save carries: those
#: changed since the server last confirmed them (``SectionSave.confirmed``). Without it (the
#: form posted by its Save buttons, with or without the script) every item is carried.
CHANGED_ITEMS = "changed_items"
#: Longest evidence source kept (answer text and notes use the answer types' MAX_TEXT).
MAX_SOURCE = 500


def field_name(item_id: str, suffix: str) -> str:
    """The form field name of one part of an item, e.g. ``mou-written__policy``."""
    return f"{item_id}{SEPARATOR}{suffix}"


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
    """Base class of the form types: the registry maps each rubric item type to one subclass."""

    name: ClassVar[str] = ""
    #: What a field of this type shows when nothing is stored (radios: None, text boxes: "").
    empty_data: ClassVar[Any] = ""

    @abstractmethod
    def create_fields(self, item: Item, rubric: Rubric) -> dict[str, Field]:
        """Unbound answer fields by field name."""

    def to_values(
        self, item: Item, rubric: Rubric, data: FormData
    ) -> tuple[Values, list[FieldError]]:
        """Read stored values from posted data; report format errors (typed text is kept)."""
        values: Values = {}
        errors: list[FieldError] = []
        reader = answer_type(item)
        for dimension in item.answer_dimensions:
            name = field_name(item.id, dimension)
            try:
                value = reader.read_posted(item, rubric, data.get(name) or [])
            except AnswerError as error:
                errors.append(FieldError(name, error.message))
                continue
            if value is not None:
                values[dimension] = value
        return values, errors

    def from_values(self, item: Item, values: Mapping[str, Any]) -> dict[str, Any]:
        """Field data (by field name) showing stored values."""
        return {
            field_name(item.id, dimension): self.field_data(values.get(dimension))
            for dimension in item.answer_dimensions
        }

    def field_data(self, value: Any) -> Any:
        """One stored value as its field's data."""
        return self.empty_data if value is None else value

    def input_kind(self) -> str:
        """How the template lays the answer out: 'radios', 'checkboxes' or 'input'."""
        return "input"


class ScaleType(ItemType):
    """One radio group of the scale's options per rating dimension."""

    name = "scale"
    empty_data = None

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

    def input_kind(self) -> str:
        return "radios"


class YesNoType(ItemType):
    """Yes or no, as two radios."""

    name = "yes_no"
    empty_data = None
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

    def field_data(self, value: Any) -> Any:
        return list(value) if value else []

    def input_kind(self) -> str:
        return "checkboxes"


class TextType(ItemType):
    """Free text: one line (short_text) or a paragraph (long_text)."""

    def __init__(self, name: str, multiline: bool) -> None:
        self.type_name = name
        self.multiline = multiline

    def create_fields(self, item: Item, rubric: Rubric) -> dict[str, Field]:
        field_class = TextAreaField if self.multiline else StringField
        # data-max-length feeds the page's character counter; no maxlength attribute, so a
        # longer paste is kept whole and refused with a message instead of cut silently.
        render_kw: dict[str, Any] = (
            {"rows": 4, "data-max-length": MAX_TEXT} if self.multiline else {"spellcheck": "true"}
        )
        return {field_name(item.id, VALUE_DIMENSION): field_class("Answer", render_kw=render_kw)}


class NumberType(ItemType):
    """A number, typed as text so that a typo is shown back exactly as typed."""

    name = "number"

    def create_fields(self, item: Item, rubric: Rubric) -> dict[str, Field]:
        return {
            field_name(item.id, VALUE_DIMENSION): StringField(
                "Number", render_kw={"inputmode": "decimal", "autocomplete": "off"}
            )
        }


class DateType(ItemType):
    """A date, stored as ISO text (YYYY-MM-DD); the browser shows its own date picker."""

    name = "date"

    def create_fields(self, item: Item, rubric: Rubric) -> dict[str, Field]:
        return {
            field_name(item.id, VALUE_DIMENSION): StringField(
                "Date (YYYY-MM-DD)", render_kw={"type": "date", "autocomplete": "off"}
            )
        }


#: The form registry: rubric item type -> its fields (the answer types own the rest).
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
            "Why it does not apply", render_kw={"rows": 2, "data-max-length": MAX_TEXT}
        )
    fields[field_name(item.id, "comment")] = TextAreaField(
        "Comment", render_kw={"rows": 2, "data-max-length": MAX_TEXT}
    )
    fields[field_name(item.id, "evidence_quote")] = TextAreaField(
        "Quoted clause", render_kw={"rows": 2, "data-max-length": MAX_TEXT}
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
    not_applicable = allows_na(item, rubric) and _checked(data, field_name(item.id, "na"))
    values, errors = item_type(item).to_values(item, rubric, data)
    if not_applicable:
        # N/A clears the ratings: an item that does not apply has nothing to rate, and a rating
        # left behind (the page's script disables the radios; without it they still post)
        # would read as an answer. Their format errors go too, since nothing is kept.
        values, errors = {}, []
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
    for suffix, text in (*texts.items(), ("na_reason", na_reason)):
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
    """Field data (by field name) showing a stored state, its base (``parts.base_of``) included."""
    data = item_type(item).from_values(item, state.values)
    if allows_na(item, rubric):
        data[field_name(item.id, "na")] = state.not_applicable
        data[field_name(item.id, "na_reason")] = state.na_reason
    data[field_name(item.id, "comment")] = state.comment
    data[field_name(item.id, "evidence_quote")] = state.evidence_quote
    data[field_name(item.id, "evidence_source")] = state.evidence_source
    data[field_name(item.id, "flagged")] = state.flagged
    data[field_name(item.id, BASE_SUFFIX)] = base_of(state)
    return data


def item_field_names(item: Item, rubric: Rubric) -> list[str]:
    """Every field name an item of this rubric posts (to keep drafts to what belongs)."""
    return list(item_type(item).create_fields(item, rubric)) + list(note_fields(item, rubric))
