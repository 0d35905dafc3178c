"""The markup of a section page's items, filled in per request from parts rendered once.

Each item block and each of its controls is drawn by the page's own macros
(``templates/questionnaire/_item.html`` and ``_controls.html``), but a macro runs only the first
time a *shape* is seen: for a control, whether it has errors, is ticked or switched off and
which of its options are chosen; for an item, whether it has errors, is shown, has "Not
applicable" ticked and its notes open. Its output is kept as ``static_parts.Fragments`` and
every later request of that shape joins the kept text with its own values (a control's value
and error text; an item's introduction and controls), escaped as the template escapes them.

Why: calling the macros for every control (about 110 per section, 70 of them
``render_control``) was half of the section page's time, and the issue's aim is at most 40
times a bare Flask route (issue 15, item 4). The HTML is the macros' own, byte for byte.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

from cachetools import LRUCache
from markupsafe import Markup

from rubric_app.questionnaire.controls import Control
from rubric_app.questionnaire.static_parts import ITEM_TEMPLATE, Fragments, compile_macro, slot
from rubric_app.questionnaire.view_data import AnswerGroup, ItemView
from rubric_app.rubrics.model import Rubric, Section

#: The macro of ``_item.html`` that draws each control of an item, by the control's place.
ANSWER_MACRO = "answer_group"
NA_MACRO = "na_box"
PLAIN_MACRO = "plain_control"
QUOTE_MACRO = "quote_box"
SOURCE_MACRO = "source_box"
FLAG_MACRO = "flag_box"
BASE_MACRO = "base_input"

#: What a control's macro writes (and never tests): its value and its error messages.
_CONTROL_VALUES = ("value", "errors")

#: Shapes kept per section at most: a group of k checkboxes has 2**k ticked sets, so posted
#: data could otherwise grow it without end; past this, shapes are rendered and not kept. A
#: shape is about 650 characters, and a section of 12 items drawn in 8 very different ways (the
#: tests) holds about 350, so the bound is about 1.3 MB per section.
MAX_SHAPES_PER_SECTION = 2048
#: Sections kept at most (each holds its rubric, so old rubrics can go; the catalog's rubrics
#: have about 20 sections in all, and each stored version in use adds its own).
MAX_SECTIONS = 128


@dataclass(frozen=True)
class ItemParts:
    """What ``item_block`` draws: the item's flags and, in its places, the rendered introduction
    and controls (``slot`` markers when the block is compiled)."""

    item_id: str
    anchor: str
    na_hint_id: str
    has_na: bool
    has_errors: bool
    visible: bool
    na_ticked: bool
    notes_open: bool
    intro: str
    answers: tuple[str, ...]
    na: str
    na_reason: str
    comment: str
    evidence_quote: str
    evidence_source: str
    flagged: str
    base: str


@dataclass
class _Entry:
    # Held so that the ids the cache is keyed by stay taken while the entry lives.
    rubric: Rubric
    section: Section
    shapes: dict[tuple[object, ...], Fragments]


#: Compiled shapes by (id of the rubric, id of the section), as ``static_parts.item_intros``.
_SECTIONS: LRUCache[tuple[int, int], _Entry] = LRUCache(maxsize=MAX_SECTIONS)
_SECTIONS_LOCK = threading.Lock()


def _entry(rubric: Rubric, section: Section) -> _Entry:
    key = (id(rubric), id(section))
    with _SECTIONS_LOCK:
        entry = _SECTIONS.get(key)
        if entry is None or entry.rubric is not rubric or entry.section is not section:
            entry = _SECTIONS[key] = _Entry(rubric, section, {})
    return entry


def _keep(entry: _Entry, key: tuple[object, ...], fragments: Fragments) -> Fragments:
    """Keep ``fragments`` under ``key`` unless the section holds as many shapes as it may."""
    if len(entry.shapes) < MAX_SHAPES_PER_SECTION:
        entry.shapes[key] = fragments
    return fragments


def _control_shape(control: Control) -> tuple[bool, bool, bool, frozenset[str]]:
    """What a control's macro tests: errors, ticked, switched off, and the chosen options
    (values posted that no option has are not drawn, so they do not make another shape)."""
    chosen = control.chosen
    if chosen:
        chosen = frozenset(
            option.value for option in control.spec.options if option.value in chosen
        )
    return bool(control.errors), control.checked, control.disabled, chosen


def _probe(control: Control) -> Control:
    """The control in its shape, with markers for its value and its errors."""
    return replace(
        control,
        value=slot("value"),
        chosen=_control_shape(control)[3],
        errors=[slot("errors")] if control.errors else [],
    )


def _control_html(
    entry: _Entry, macro: str, control: Control, group: AnswerGroup | None = None, na_hint: str = ""
) -> Markup:
    """A control as the macro of its place draws it (an answer group with its legend)."""
    key = (macro, control.spec.name, bool(na_hint), *_control_shape(control))
    fragments = entry.shapes.get(key)
    if fragments is None:
        probe = _probe(control)
        if group is not None:
            args: tuple[object, ...] = (replace(group, field=probe), na_hint)
        else:
            args = (probe,)
        fragments = _keep(entry, key, compile_macro(ITEM_TEMPLATE, macro, _CONTROL_VALUES, *args))
    return fragments.fill({"value": control.value, "errors": " ".join(control.errors)})


def _has_na(view: ItemView) -> bool:
    """The item offers "Not applicable" (its box and the reason go together)."""
    return view.na is not None and view.na_reason is not None


def _item_fragments(entry: _Entry, view: ItemView) -> Fragments:
    key = ("item", view.item.id, view.has_errors, view.visible, view.na_ticked, view.notes_open)
    fragments = entry.shapes.get(key)
    if fragments is None:
        answers = tuple(slot(f"answer{index}") for index in range(len(view.answers)))
        parts = ItemParts(
            item_id=view.item.id,
            anchor=view.anchor,
            na_hint_id=view.na_hint_id,
            has_na=_has_na(view),
            has_errors=view.has_errors,
            visible=view.visible,
            na_ticked=view.na_ticked,
            notes_open=view.notes_open,
            intro=slot("intro"),
            answers=answers,
            na=slot("na"),
            na_reason=slot("na_reason"),
            comment=slot("comment"),
            evidence_quote=slot("evidence_quote"),
            evidence_source=slot("evidence_source"),
            flagged=slot("flagged"),
            base=slot("base"),
        )
        names = [f"answer{index}" for index in range(len(answers))] + [
            "intro",
            "na",
            "na_reason",
            "comment",
            "evidence_quote",
            "evidence_source",
            "flagged",
            "base",
        ]
        fragments = _keep(entry, key, compile_macro(ITEM_TEMPLATE, "item_block", names, parts))
    return fragments


def _item_block(entry: _Entry, view: ItemView) -> Markup:
    """One item of a section page: its fieldset with its introduction and controls."""
    na_hint = view.na_hint_id if view.na_ticked else ""
    values: dict[str, str] = {
        f"answer{index}": _control_html(entry, ANSWER_MACRO, group.field, group, na_hint)
        for index, group in enumerate(view.answers)
    }
    values["intro"] = view.intro
    if view.na is not None and view.na_reason is not None:  # as _has_na, narrowed for mypy
        values["na"] = _control_html(entry, NA_MACRO, view.na)
        values["na_reason"] = _control_html(entry, PLAIN_MACRO, view.na_reason)
    values["comment"] = _control_html(entry, PLAIN_MACRO, view.comment)
    values["evidence_quote"] = _control_html(entry, QUOTE_MACRO, view.evidence_quote)
    values["evidence_source"] = _control_html(entry, SOURCE_MACRO, view.evidence_source)
    values["flagged"] = _control_html(entry, FLAG_MACRO, view.flagged)
    values["base"] = _control_html(entry, BASE_MACRO, view.base)
    return _item_fragments(entry, view).fill(values)


def item_blocks(rubric: Rubric, section: Section, views: Sequence[ItemView]) -> list[Markup]:
    """The items of a section page, rendered."""
    entry = _entry(rubric, section)
    return [_item_block(entry, view) for view in views]
