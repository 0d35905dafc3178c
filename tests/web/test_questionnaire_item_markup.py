"""A section page's items are filled in from macro output compiled once per shape
(``item_markup``, ``static_parts.Fragments``), and must be exactly what the page's macros
render when called with the same data (issue 15, item 4).

The oracle is the macros of ``templates/questionnaire/_item.html`` called directly for every
control and item. Every section of every rubric in the catalog and of a rubric with one item
of every answer type is drawn from stored answers and from posted data in many shapes: errors
with markup in them, N/A ticked, notes open, hidden items, values that need escaping or look
like the compiler's markers. Needs no database rows, but runs on both backends like every app
test.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from answer_type_fixtures import every_type_rubric
from cachetools import LRUCache
from flask import Flask
from werkzeug.datastructures import MultiDict

from rubric_app.catalog_state import current_catalog
from rubric_app.questionnaire import item_markup
from rubric_app.questionnaire.controls import Control, control_specs, section_controls
from rubric_app.questionnaire.fields import FieldError
from rubric_app.questionnaire.forms import flat_form_data, read_section
from rubric_app.questionnaire.item_markup import ItemParts, item_blocks
from rubric_app.questionnaire.static_parts import (
    CONTROLS_TEMPLATE,
    ITEM_TEMPLATE,
    compile_macro,
    slot,
)
from rubric_app.questionnaire.view_data import ItemView, item_views
from rubric_app.rubrics.model import Rubric, Section

#: Typed text that must come back escaped, including what looks like a marker.
NASTY = ('Chief <b>O\'Brien</b> & "deputy"', slot("value"), "\x00value\x00", "")


def direct_item(app: Flask, view: ItemView) -> str:
    """The item as the macros render it when called with the request's own controls."""
    module = app.jinja_env.get_template(ITEM_TEMPLATE).module
    na_hint = view.na_hint_id if view.na_ticked else ""
    has_na = view.na is not None and view.na_reason is not None
    parts = ItemParts(
        item_id=view.item.id,
        anchor=view.anchor,
        na_hint_id=view.na_hint_id,
        has_na=has_na,
        has_errors=view.has_errors,
        visible=view.visible,
        na_ticked=view.na_ticked,
        notes_open=view.notes_open,
        intro=view.intro,
        answers=tuple(module.answer_group(group, na_hint) for group in view.answers),
        na=module.na_box(view.na) if view.na is not None else "",
        na_reason=module.plain_control(view.na_reason) if view.na_reason is not None else "",
        comment=module.plain_control(view.comment),
        evidence_quote=module.quote_box(view.evidence_quote),
        evidence_source=module.source_box(view.evidence_source),
        flagged=module.flag_box(view.flagged),
        base=module.base_input(view.base),
    )
    return str(module.item_block(parts))


def posted(rubric: Rubric, section: Section, turn: int) -> MultiDict[str, str]:
    """Posted data for every control of a section, different for each ``turn``."""
    data: MultiDict[str, str] = MultiDict()
    for index, (name, spec) in enumerate(control_specs(rubric, section).items()):
        step = index + turn
        if spec.widget == "radios":
            # None chosen, each option in turn, and a value no option has.
            choice = step % (len(spec.options) + 2)
            if choice < len(spec.options):
                data.add(name, spec.options[choice].value)
            elif choice == len(spec.options):
                data.add(name, "no-such-option")
        elif spec.widget == "checkboxes":
            for offset, option in enumerate(spec.options):
                if (step >> offset) & 1:
                    data.add(name, option.value)
        elif spec.widget == "checkbox":
            if step % 3:
                data.add(name, "y" if step % 3 == 1 else "false")
        else:
            data.add(name, NASTY[step % len(NASTY)])
    return data


def errors_for(rubric: Rubric, section: Section, turn: int) -> list[FieldError]:
    """An error (with markup in its text) on every third control, and two on some."""
    errors: list[FieldError] = []
    for index, name in enumerate(control_specs(rubric, section)):
        if (index + turn) % 3 == 0:
            errors.append(FieldError(name, f'<script>"{name}" & more</script>'))
            if index % 2:
                errors.append(FieldError(name, "A second problem."))
    return errors


def every_section(app: Flask) -> Iterator[tuple[Rubric, Section]]:
    rubrics = [*current_catalog().rubrics.values(), every_type_rubric()]
    for rubric in rubrics:
        for section in rubric.sections:
            yield rubric, section


def views_for(rubric: Rubric, section: Section, turn: int, *, from_post: bool) -> list[ItemView]:
    data = posted(rubric, section, turn)
    # Stored answers as a save of the same post would store them (what reads back valid).
    states = dict(read_section(rubric, section, {}, flat_form_data(data)).posted)
    formdata = data if from_post else None
    controls = section_controls(rubric, section, states, 7 + turn, formdata)
    if from_post:
        controls.add_errors(errors_for(rubric, section, turn))
    visible = {item.id: (index + turn) % 5 != 2 for index, item in enumerate(section.items)}
    return item_views(rubric, section, controls, visible, current_catalog().resources)


def test_every_section_in_every_shape_is_what_the_macros_render(app: Flask) -> None:
    shapes = 0
    with app.test_request_context():
        for rubric, section in every_section(app):
            for turn, from_post in itertools.product(range(4), (False, True)):
                views = views_for(rubric, section, turn, from_post=from_post)
                compiled = item_blocks(rubric, section, views)
                assert len(compiled) == len(views)
                for view, block in zip(views, compiled, strict=True):
                    assert str(block) == direct_item(app, view), (rubric.id, view.item.id)
                    assert slot("") not in block
                    shapes += 1
    # The cases above did reach errors, N/A, hidden items and opened notes.
    assert shapes > 200


def test_the_drawn_page_escapes_what_was_typed_and_each_error(app: Flask) -> None:
    rubric = every_type_rubric()
    section = rubric.section("one")
    with app.test_request_context():
        controls = section_controls(
            rubric,
            section,
            {},
            3,
            MultiDict([("line__value", '<img src=x onerror="alert(1)">'), ("rated__na", "y")]),
        )
        controls.add_errors([FieldError("line__value", "<b>Too</b> long & odd")])
        views = item_views(rubric, section, controls, {}, current_catalog().resources)
        html = "".join(item_blocks(rubric, section, views))
    assert 'value="&lt;img src=x onerror=&#34;alert(1)&#34;&gt;"' in html
    assert "&lt;b&gt;Too&lt;/b&gt; long &amp; odd" in html
    assert "<img" not in html
    assert "<b>Too" not in html
    # N/A ticked: the ratings are switched off and described by the N/A hint.
    assert 'aria-describedby="item-rated-na-hint"' in html
    assert 'name="rated__policy" type="radio"' in html
    assert html.count(' disabled id="rated__') == 6


def test_shapes_past_the_bound_are_drawn_right_and_not_kept(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(item_markup, "MAX_SHAPES_PER_SECTION", 5)
    rubric = every_type_rubric()
    section = rubric.section("one")
    with app.test_request_context():
        for turn in range(6):
            views = views_for(rubric, section, turn, from_post=True)
            for view, block in zip(views, item_blocks(rubric, section, views), strict=True):
                assert str(block) == direct_item(app, view)
        entry = item_markup._SECTIONS[(id(rubric), id(section))]
        assert len(entry.shapes) == 5


def test_a_macro_that_writes_a_value_nobody_fills_is_refused(app: Flask) -> None:
    rubric = every_type_rubric()
    spec = control_specs(rubric, rubric.section("one"))["base_revision"]
    with app.test_request_context(), pytest.raises(ValueError, match="nobody fills"):
        compile_macro(
            CONTROLS_TEMPLATE, "hidden_control", ["value"], Control(spec, value=slot("other"))
        )


def test_sections_past_the_bound_push_out_the_oldest(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert item_markup._SECTIONS.maxsize == item_markup.MAX_SECTIONS
    monkeypatch.setattr(item_markup, "_SECTIONS", LRUCache(maxsize=2))
    rubric = next(iter(current_catalog().rubrics.values()))
    with app.test_request_context():
        for section in rubric.sections[:3]:
            views = views_for(rubric, section, 1, from_post=False)
            for view, block in zip(views, item_blocks(rubric, section, views), strict=True):
                assert str(block) == direct_item(app, view)
    kept = {entry.section.id for entry in item_markup._SECTIONS.values()}
    assert kept == {section.id for section in rubric.sections[1:3]}
