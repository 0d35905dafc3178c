"""The one form builder: a WTForms form per rubric section, made from the item-type registry.

``section_form_class`` is the one definition of a section's fields (names, labels, choices,
``render_kw``); the section page draws them from plain data read off it once per rubric version
(``controls``), not through WTForms widgets. ``build_section_form`` gives a bound form showing
stored states or posted data (the tests compare the page's controls with its widgets);
``read_section`` turns posted data back into item changes, skipping items that skip logic hides
and collecting every field error.
Also the small fixed forms of the questionnaire: start an assessment, reopen.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, StopValidation

from rubric_app.assessments import EMPTY_STATE, ItemChange, ItemState
from rubric_app.assessments.parts import base_of
from rubric_app.assessments.starting import period_problem
from rubric_app.bounded_cache import BoundedCache
from rubric_app.form_base import Form, LabelAllowed, TextRule, text_rule_errors, text_rules
from rubric_app.questionnaire.fields import (
    BASE_SUFFIX,
    CHANGED_ITEMS,
    FieldError,
    FormData,
    field_name,
    first,
    form_data_from_state,
    item_type,
    note_fields,
    state_from_form,
)
from rubric_app.rubrics.model import Item, Rubric, Section
from rubric_app.scoring import ItemAnswer, visibility_when_read


class SectionForm(Form):
    """Base of the generated section forms; ``base_revision`` is the revision the page showed."""

    base_revision = HiddenField()


#: Generated form classes by (rubric id, version, section id): a stored rubric version never
#: changes, so its classes can be built once per process.
_FORM_CLASSES: dict[tuple[str, str, str], type[SectionForm]] = {}


def section_form_class(rubric: Rubric, section: Section) -> type[SectionForm]:
    """The form class of one section: every item's answer fields and note fields."""
    key = (rubric.id, rubric.version, section.id)
    form_class = _FORM_CLASSES.get(key)
    if form_class is None:
        attributes: dict[str, Any] = {}
        for item in section.items:
            attributes.update(item_type(item).create_fields(item, rubric))
            attributes.update(note_fields(item, rubric))
        form_class = type(f"SectionForm_{section.id}", (SectionForm,), attributes)
        _FORM_CLASSES[key] = form_class
    return form_class


def build_section_form(
    rubric: Rubric,
    section: Section,
    states: Mapping[str, ItemState],
    revision: int,
    formdata: MultiDict[str, str] | None = None,
) -> SectionForm:
    """A section's form showing ``formdata`` if given, else the stored ``states``."""
    form_class = section_form_class(rubric, section)
    if formdata is not None:
        return form_class(formdata=formdata)
    data: dict[str, Any] = {"base_revision": str(revision)}
    for item in section.items:
        data.update(form_data_from_state(item, rubric, states.get(item.id, EMPTY_STATE)))
    return form_class(formdata=None, data=data)


@dataclass(frozen=True)
class SectionRead:
    """A posted section read back: changes to save, field errors, and what is visible.

    ``carried`` are the items whose fields the post carried (every item of the section, unless
    the post names fewer in ``CHANGED_ITEMS``); ``posted`` holds every item of the section, the
    others as stored.
    """

    changes: tuple[ItemChange, ...]
    errors: tuple[FieldError, ...]
    invalid_items: frozenset[str]
    visible: Mapping[str, bool]
    posted: Mapping[str, ItemState]
    carried: frozenset[str]


def carried_items(section: Section, data: FormData) -> frozenset[str]:
    """The items of ``section`` whose fields ``data`` carries (see ``CHANGED_ITEMS``).

    Ids that are not the section's are ignored; an empty list carries none.
    """
    ids = {item.id for item in section.items}
    named = data.get(CHANGED_ITEMS)
    if named is None:
        return frozenset(ids)
    return frozenset(part for value in named for part in value.split(",") if part in ids)


#: The text rule of each item's text fields by (identity of the rubric, item id): every save
#: checks them, and building the fields anew cost a few percent of each autosave (reading the
#: rule off the fields each time, a few more). Keyed like ``static_parts``, by the Rubric
#: object (``rubric_of`` hands out one per stored version; a rubric built from other YAML
#: under the same id and version gets its own entry), which the entry holds so its id stays
#: taken. Bounded, because a rubric object that goes (``rubric_of`` keeps a bounded number) would
#: otherwise leave its items' entries behind for the life of the process.
MAX_ITEM_TEXT_RULES = 4096
_ITEM_TEXT_RULES: BoundedCache[tuple[int, str], tuple[Rubric, tuple[TextRule, ...]]] = BoundedCache(
    MAX_ITEM_TEXT_RULES
)


def _item_text_rules(item: Item, rubric: Rubric) -> tuple[TextRule, ...]:
    """The text rules of one item's fields, as ``section_form_class`` puts them on the form."""
    key = (id(rubric), item.id)
    entry = _ITEM_TEXT_RULES.get(key)
    if entry is None or entry[0] is not rubric:
        fields = {**item_type(item).create_fields(item, rubric), **note_fields(item, rubric)}
        entry = (rubric, text_rules(fields))
        _ITEM_TEXT_RULES.put(key, entry)
    return entry[1]


class _AnswersOf(Mapping[str, ItemAnswer]):
    """Item states seen as answers, each made when first read.

    Skip logic reads only the items its conditions name, a few of the assessment's, so making
    every stored state an answer first cost more than deciding visibility itself.
    """

    def __init__(self, states: Mapping[str, ItemState]) -> None:
        self._states = states
        self._made: dict[str, ItemAnswer] = {}

    def __getitem__(self, item_id: str) -> ItemAnswer:
        made = self._made.get(item_id)
        if made is None:
            made = self._made[item_id] = self._states[item_id].to_answer()
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._states)

    def __len__(self) -> int:
        return len(self._states)


def read_section(
    rubric: Rubric, section: Section, stored: Mapping[str, ItemState], data: FormData
) -> SectionRead:
    """Read a posted section against the stored answers.

    Visibility is decided on the answers as they would be after this save (stored answers with
    this page's posted items on top), by the scoring core. Hidden items are neither validated
    nor saved: their stored answers stay as they were. Items with errors are left out of the
    changes; the rest of the page still saves. Items the post does not carry
    (``carried_items``) are read as stored: neither checked nor saved.
    """
    carried = carried_items(section, data)
    posted: dict[str, ItemState] = {}
    errors_by_item: dict[str, list[FieldError]] = {}
    for item in section.items:
        if item.id not in carried:
            posted[item.id] = stored.get(item.id, EMPTY_STATE)
            continue
        state, item_errors = state_from_form(item, rubric, data)
        # The text rule of every form (rubric_app.form_base), over this item's fields.
        item_errors += [
            FieldError(problem.field, problem.message)
            for problem in text_rule_errors(_item_text_rules(item, rubric), data)
        ]
        posted[item.id] = state
        if item_errors:
            errors_by_item[item.id] = item_errors
    merged = {**stored, **posted}
    # Decided item by item as read: the section's items here and in the reply, and the items
    # their conditions name, not the whole rubric. ``merged`` is this call's own, so the
    # answers cannot change under it.
    shown = visibility_when_read(rubric, _AnswersOf(merged))
    changes: list[ItemChange] = []
    errors: list[FieldError] = []
    invalid: set[str] = set()
    for item in section.items:
        if item.id not in carried or not shown[item.id]:
            continue
        if item.id in errors_by_item:
            errors.extend(errors_by_item[item.id])
            invalid.add(item.id)
            continue
        # A missing base reads as "the page showed it empty": a stored part then conflicts
        # with a posted one instead of being overwritten.
        base = first(data, field_name(item.id, BASE_SUFFIX)) or base_of(EMPTY_STATE)
        changes.append(ItemChange(item.id, posted[item.id], base))
    return SectionRead(tuple(changes), tuple(errors), frozenset(invalid), shown, posted, carried)


def flat_form_data(formdata: MultiDict[str, str]) -> dict[str, list[str]]:
    """Posted data as a plain dict of lists (what drafts store and ``read_section`` reads)."""
    # lists() copies each key's values once, half the work of a getlist per key.
    return dict(formdata.lists())


class StartForm(Form):
    """Start an assessment: rubric, title, period, and optionally the assessment to copy."""

    rubric = RadioField("Rubric", validators=[DataRequired("Choose a rubric.")])
    title = StringField(
        "Title",
        validators=[
            DataRequired("Enter a title."),
            LabelAllowed(),
            Length(max=200, message="Keep the title under 200 characters."),
        ],
        description="For example: MOU review with Riverton Police Department",
    )
    period = StringField(
        "Period",
        validators=[
            DataRequired("Enter the period, for example 2026-27."),
            Length(max=20, message="Keep the period under 20 characters, like 2026-27."),
        ],
        description="The school year this review covers, for example 2026-27 (or a year, "
        "such as 2026).",
    )
    previous = SelectField(
        "Start from a previous assessment (optional)",
        choices=[SelectChoice("", "No, start with empty answers")],
        # Checked by the route, with a message that says what to choose instead.
        validate_choice=False,
        description="Copies its answers forward so you only change what is different this time.",
    )
    # Offered once the organization turns out to have one for this rubric and period already.
    another = BooleanField(
        "Start another assessment of this rubric for this period anyway",
        description="For example one per school building or per police partner. Give it a "
        "title that tells the two apart.",
    )

    def validate_period(self, field: StringField) -> None:
        # The start operation holds the same rule for every caller; asked here too, so a bad
        # period is reported together with the form's other errors.
        problem = period_problem(field.data or "")
        if problem is not None:
            raise StopValidation(problem)


class ReopenForm(Form):
    """Reopen a submitted assessment, with an optional reason for the audit log."""

    reason = TextAreaField(
        "Why are you reopening it? (optional)",
        validators=[Length(max=500, message="Keep the reason under 500 characters.")],
        render_kw={"rows": 2},
    )


class SubmitForm(Form):
    """Submit an assessment; with unanswered items, confirm them (the ids shown ride along)."""

    confirm_unanswered = BooleanField("Submit without answering the items listed above")
    #: The unanswered item ids the page listed, space-separated: what ticking the box confirms.
    unanswered_seen = HiddenField(validators=[Length(max=20000)])

    def confirmed_ids(self) -> frozenset[str]:
        """Return the unanswered item ids confirmed (none unless the box is ticked)."""
        if not self.confirm_unanswered.data:
            return frozenset()
        return frozenset((self.unanswered_seen.data or "").split())
