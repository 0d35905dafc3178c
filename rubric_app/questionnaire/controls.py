"""Plain data for the section page's controls, so the page renders them with Jinja macros
instead of WTForms widgets.

The WTForms section form (``forms.section_form_class``) stays the one definition of every field
of a section: its name, label, choices and ``render_kw``. What each control looks like is read
from that form once per rubric version and section (``control_specs``) and kept, since a stored
rubric version never changes. A request then fills in only what varies (``section_controls``):
the value shown, read from the stored states or from posted data the way WTForms reads it, the
field's errors, and whether "Not applicable" switches a rating off.

Reading, validating and saving what is posted still go through ``forms.read_section`` and
``fields.state_from_form``: only the rendering moved here. Why: WTForms renders every radio
through ``html_params`` and ``Markup.format``, and a section of 12 items rated on two dimensions
spent three quarters of its time doing that (issue 15, ``make bench``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Field, HiddenField, RadioField, StringField, TextAreaField

from rubric_app.assessments import EMPTY_STATE, ItemState
from rubric_app.questionnaire.fields import (
    BASE_SUFFIX,
    FieldError,
    MultiCheckboxField,
    field_name,
    form_data_from_state,
)
from rubric_app.questionnaire.forms import section_form_class
from rubric_app.questionnaire.static_parts import attributes, choice_tail, ident, label_tag
from rubric_app.rubrics.model import Rubric, Section

#: How a control is drawn: a radio group, a group of checkboxes, one checkbox, a one-line
#: input, a text area or a hidden input.
Widget = Literal["radios", "checkboxes", "checkbox", "input", "textarea", "hidden"]

#: What WTForms' BooleanField reads as unticked (``BooleanField.false_values``).
_FALSE_VALUES = ("false", "")


@dataclass(frozen=True)
class Option:
    """One radio or checkbox of a group: its id (as WTForms numbers them), value and label."""

    id: str
    value: str
    label: str
    #: Its markup after the ticked and disabled state, rendered once (``static_parts``).
    tail: Markup


@dataclass(frozen=True)
class ControlSpec:
    """What never changes about a control of a rubric version's section."""

    name: str
    label: str
    widget: Widget
    #: The ``type`` of an input ("text", or "date" from the field's ``render_kw``; "radio" or
    #: "checkbox" for the options of a group).
    input_type: str = "text"
    description: str = ""
    #: The field's other ``render_kw`` attributes, escaped once (e.g. `` rows="2"``).
    attrs: Markup = field(default_factory=Markup)
    options: tuple[Option, ...] = ()
    #: `` id="…" name="…"`` and the label element, rendered once (``static_parts``).
    ident: Markup = field(default_factory=Markup)
    label_tag: Markup = field(default_factory=Markup)
    #: The ids of its hint and error paragraphs.
    hint_id: str = field(init=False)
    error_id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hint_id", f"{self.name}-hint")
        object.__setattr__(self, "error_id", f"{self.name}-error")


@dataclass
class Control:
    """One control as this request shows it."""

    spec: ControlSpec
    #: The text shown (inputs, text areas, hidden inputs) or a checkbox's ``value``.
    value: str = ""
    #: The values of the ticked radios or checkboxes of a group.
    chosen: frozenset[str] = frozenset()
    #: A single checkbox is ticked.
    checked: bool = False
    #: "Not applicable" is ticked and no rating is chosen: the ratings are switched off.
    disabled: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def id(self) -> str:
        # WTForms gives every field of these forms its name as its id (no prefix).
        return self.spec.name

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def options(self) -> tuple[Option, ...]:
        return self.spec.options

    def described_by(self, *first: str) -> str:
        """The ``aria-describedby`` of the control: the ids in ``first`` that are not empty
        (its hint, the N/A hint), then its error if it has one."""
        ids = [id_ for id_ in first if id_]
        if self.errors:
            ids.append(self.spec.error_id)
        return " ".join(ids)

    def has_text(self) -> bool:
        """Something is typed in it (used to open the notes of an item that has some)."""
        return bool(self.value)


class SectionControls:
    """The controls of one section page by field name, in the form's field order.

    Answers what the shared ``error_summary`` macro asks of a form: ``errors`` by field name,
    ``name in controls`` and ``controls[name].id``.
    """

    def __init__(self, controls: dict[str, Control]) -> None:
        self._controls = controls
        #: Names of the controls with errors (the page asks for them twice; 200 controls).
        self._with_errors: list[str] = []

    def __getitem__(self, name: str) -> Control:
        return self._controls[name]

    def __contains__(self, name: object) -> bool:
        return name in self._controls

    def __iter__(self) -> Iterator[Control]:
        return iter(self._controls.values())

    @property
    def errors(self) -> dict[str, list[str]]:
        """Errors by field name, in the form's field order."""
        return {name: self._controls[name].errors for name in self._with_errors}

    def add_errors(self, errors: list[FieldError]) -> None:
        """Show each error beside its field (errors of unknown fields are dropped, as the
        WTForms form did)."""
        if not errors:
            return
        for error in errors:
            control = self._controls.get(error.field)
            if control is not None:
                control.errors.append(error.message)
        self._with_errors = [name for name, control in self._controls.items() if control.errors]


def _widget(bound: Field) -> Widget:
    if isinstance(bound, RadioField):
        return "radios"
    if isinstance(bound, MultiCheckboxField):
        return "checkboxes"
    if isinstance(bound, BooleanField):
        return "checkbox"
    if isinstance(bound, HiddenField):
        return "hidden"
    if isinstance(bound, TextAreaField):
        return "textarea"
    if isinstance(bound, StringField):
        return "input"
    # A new kind of field needs its markup in _controls.html first: say so rather than draw it
    # as a text box.
    raise TypeError(f"the section page cannot draw a {type(bound).__name__} yet ({bound.name})")


def _spec(bound: Field) -> ControlSpec:
    widget = _widget(bound)
    render_kw: dict[str, Any] = dict(bound.render_kw or {})
    input_type = str(render_kw.pop("type", "text"))
    options: tuple[Option, ...] = ()
    if widget in ("radios", "checkboxes"):
        # Iterating a bound choice field yields its options with WTForms' own ids ("x-0").
        input_type = "radio" if widget == "radios" else "checkbox"
        options = tuple(
            Option(
                option.id,
                str(option.data),
                str(option.label.text),
                choice_tail(option.id, bound.name, input_type, str(option.data), option.label.text),
            )
            for option in bound
        )
    return ControlSpec(
        name=bound.name,
        label=str(bound.label.text),
        widget=widget,
        input_type=input_type,
        description=str(bound.description or ""),
        attrs=attributes(render_kw),
        options=options,
        ident=ident(bound.name),
        label_tag=label_tag(bound.name, str(bound.label.text), widget),
    )


#: Control specs by (rubric id, version, section id): built once per process, like the form
#: classes they are read from.
_SPECS: dict[tuple[str, str, str], dict[str, ControlSpec]] = {}


def control_specs(rubric: Rubric, section: Section) -> dict[str, ControlSpec]:
    """The controls of a section, by field name in form order, read from its form class."""
    key = (rubric.id, rubric.version, section.id)
    specs = _SPECS.get(key)
    if specs is None:
        form = section_form_class(rubric, section)(formdata=None, meta={"csrf": False})
        specs = {bound.name: _spec(bound) for bound in form}
        _SPECS[key] = specs
    return specs


def _from_data(spec: ControlSpec, data: Any) -> Control:
    """A control showing a field's data (what ``form_data_from_state`` gives)."""
    if spec.widget == "radios":
        return Control(spec, chosen=frozenset() if data is None else frozenset((str(data),)))
    if spec.widget == "checkboxes":
        return Control(spec, chosen=frozenset(str(value) for value in data or ()))
    if spec.widget == "checkbox":
        return Control(spec, value="y", checked=bool(data))
    return Control(spec, value="" if data is None else str(data))


def _from_posted(spec: ControlSpec, posted: list[str]) -> Control:
    """A control showing what was posted for it, read as WTForms reads it."""
    if spec.widget == "radios":
        return Control(spec, chosen=frozenset(posted[:1]))
    if spec.widget == "checkboxes":
        return Control(spec, chosen=frozenset(posted))
    if spec.widget == "checkbox":
        return Control(
            spec,
            value=posted[0] if posted else "y",
            checked=bool(posted) and posted[0] not in _FALSE_VALUES,
        )
    return Control(spec, value=posted[0] if posted else "")


def section_controls(
    rubric: Rubric,
    section: Section,
    states: Mapping[str, ItemState],
    revision: int,
    formdata: MultiDict[str, str] | None = None,
) -> SectionControls:
    """A section's controls showing ``formdata`` if given (kept exactly as typed), else the
    stored ``states`` with the revision and each item's fingerprint as the page's bases."""
    specs = control_specs(rubric, section)
    if formdata is not None:
        return SectionControls(
            {name: _from_posted(spec, formdata.getlist(name)) for name, spec in specs.items()}
        )
    data: dict[str, Any] = {"base_revision": str(revision)}
    for item in section.items:
        data.update(form_data_from_state(item, rubric, states.get(item.id, EMPTY_STATE)))
    return SectionControls({name: _from_data(spec, data.get(name)) for name, spec in specs.items()})


def set_bases(controls: SectionControls, revision: int, bases: Mapping[str, str]) -> None:
    """Compare the next save with what is stored now: this revision and these fingerprints."""
    controls["base_revision"].value = str(revision)
    for item_id, fingerprint in bases.items():
        name = field_name(item_id, BASE_SUFFIX)
        if name in controls:
            controls[name].value = fingerprint
