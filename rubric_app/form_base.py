"""The base class of every form of the app, and the text rule it applies to every text field.

``Form`` is a ``FlaskForm`` (so CSRF is checked as before) whose text fields (``StringField``
and its subclasses: e-mail, hidden, text areas) all get ``TextAllowed`` as their first
validator, without each form having to remember it. What the rule refuses, and why refusing
with a message rather than stripping, is in ``rubric_app.hostile_input``: control characters
(tab, line feed and carriage return are fine in text areas) and lone surrogates. The form is
re-rendered with what was typed and a message next to the field; nothing is dropped silently.

Password fields are left alone: a password is only ever hashed, never shown, exported or
mailed, and refusing a character there could lock out whoever chose it.

The questionnaire does not validate its section forms with WTForms (``read_section`` reads the
posted data), so it asks for the same rule over its own fields: ``text_rules`` reads each
field's rule once, ``text_rule_errors`` applies them (``text_field_errors`` does both).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, PasswordField, StringField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import StopValidation

from rubric_app.hostile_input import label_problem, name_problem, text_problem


def is_text_field(field_class: type[Any]) -> bool:
    """Whether fields of ``field_class`` hold typed text the rule applies to."""
    return issubclass(field_class, StringField) and not issubclass(field_class, PasswordField)


def is_multiline(field_class: type[Any]) -> bool:
    """Whether line breaks and tabs belong in fields of ``field_class``."""
    return issubclass(field_class, TextAreaField)


class TextAllowed:
    """Refuse control characters (all of them, or all but tab and line breaks when
    ``multiline``) and lone surrogates, with a message naming the field."""

    field_flags: dict[str, Any] = {}

    def __init__(self, *, multiline: bool) -> None:
        self.multiline = multiline

    def __call__(self, form: Any, field: Field) -> None:
        if not isinstance(field.data, str):
            return
        problem = text_problem(field.data, multiline=self.multiline)
        if problem is not None:
            # Stop here: the length or e-mail checks would only add noise about the same text.
            raise StopValidation(f"{field.label.text} {problem}.")


class NameAllowed:
    """Refuse a name ``hostile_input.name_problem`` finds unfit (invisible formatting
    characters, alphabets that look alike mixed), with a message naming the field."""

    field_flags: dict[str, Any] = {}

    def __call__(self, form: Any, field: Field) -> None:
        if isinstance(field.data, str):
            problem = name_problem(field.data)
            if problem is not None:
                raise StopValidation(f"{field.label.text} {problem}.")


class LabelAllowed:
    """Refuse a label others read (a title, a period, an owner) that
    ``hostile_input.label_problem`` finds unfit (invisible formatting characters such as a
    right-to-left override), with a message naming the field."""

    field_flags: dict[str, Any] = {}

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, form: Any, field: Field) -> None:
        if isinstance(field.data, str):
            problem = label_problem(field.data, multiline=self.multiline)
            if problem is not None:
                raise StopValidation(f"{field.label.text} {problem}.")


def with_text_rule(unbound: UnboundField) -> UnboundField:
    """``unbound`` with ``TextAllowed`` first among its validators, if it is a text field."""
    if not is_text_field(unbound.field_class):
        return unbound
    rule = TextAllowed(multiline=is_multiline(unbound.field_class))
    kwargs = dict(unbound.kwargs)
    kwargs["validators"] = [rule, *(kwargs.get("validators") or ())]
    return UnboundField(unbound.field_class, *unbound.args, name=unbound.name, **kwargs)


class Form(FlaskForm):
    """A FlaskForm whose every text field refuses control characters and lone surrogates."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: UnboundField, options: Any) -> Field:
            # WTForms merges this Meta with FlaskForm's; super() reaches FlaskForm's binding.
            return super().bind_field(form, with_text_rule(unbound_field), options)  # type: ignore[misc]


@dataclass(frozen=True)
class TextFieldError:
    """A text field whose posted value breaks the rule, with the message to show."""

    field: str
    message: str


@dataclass(frozen=True)
class TextRule:
    """The text rule of one text field, read off its unbound field once."""

    name: str
    label: str
    multiline: bool


def text_rules(fields: Mapping[str, UnboundField]) -> tuple[TextRule, ...]:
    """The rule of each text field among ``fields`` (by name, in their order)."""
    return tuple(
        TextRule(
            name,
            unbound.args[0] if unbound.args else unbound.kwargs.get("label", name),
            is_multiline(unbound.field_class),
        )
        for name, unbound in fields.items()
        if is_text_field(unbound.field_class)
    )


def text_field_errors(
    fields: Mapping[str, UnboundField], data: Mapping[str, Iterable[str]]
) -> list[TextFieldError]:
    """The rule applied to posted ``data`` for the text fields among ``fields`` (by name)."""
    return text_rule_errors(text_rules(fields), data)


def text_rule_errors(
    rules: Iterable[TextRule], data: Mapping[str, Iterable[str]]
) -> list[TextFieldError]:
    """The rules applied to posted ``data``: the first problem of each field, if any.

    Callers that check the same fields on every request keep ``text_rules`` once and call
    this (the questionnaire's every save reads the rule of about a hundred fields).
    """
    errors: list[TextFieldError] = []
    for rule in rules:
        for value in data.get(rule.name) or ():
            # An empty value (most of a posted section) has nothing to refuse.
            problem = text_problem(value, multiline=rule.multiline) if value else None
            if problem is not None:
                errors.append(TextFieldError(rule.name, f"{rule.label} {problem}."))
                break
    return errors


class QueryForm(Form):
    """A form read from the query string of a GET page: it changes nothing, so no CSRF token.

    Build it with ``formdata=request.args``; a field absent from the query string has empty
    ``raw_data``, so a page can tell "not asked" from "asked for nothing".
    """

    class Meta:
        csrf = False

    def take(self, field: FilterField, allowed: tuple[str, ...]) -> tuple[str, list[str]]:
        """The field's value among ``allowed`` (empty when unknown) and its note, if any."""
        field.allowed = allowed
        if field.validate(self):
            return field.data, []
        return "", list(field.errors)


class FilterField(Field):
    """One value out of ``allowed``, or nothing (every value)."""

    data: str
    allowed: tuple[str, ...] = ()

    def __init__(self, label: str, *, noun: str = "", unknown: str = "", **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.unknown = unknown or f"Unknown {noun} {{value!r}}: showing every {noun}."

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = str(valuelist[0]) if valuelist else ""

    def _value(self) -> str:
        return self.data or ""

    def asked(self) -> bool:
        """Whether the query string named this field at all (even with an empty value)."""
        return bool(self.raw_data)

    def pre_validate(self, form: Any) -> None:
        if self.data and self.data not in self.allowed:
            raise StopValidation(self.unknown.format(value=self.data))
