"""Parts of the section page that never change for a rubric version, rendered once and kept.

An item's introduction (number, prompt, tags, help, guidance links and typical evidence), each
control's id, name, label and extra attributes, and the markup of each radio or checkbox after
its ticked/disabled state (id, name, type, value, label) depend only on the rubric version and
the resource library. They are rendered by the
page's own macros (``templates/questionnaire/_item.html`` and ``_controls.html``) the first time
a section is shown, so the markup stays in the templates and every later request only fills in
what varies. Why: these parts were most of the section page's rendering time (issue 15).

The cache is keyed by the identity of the rubric and resource objects, not by rubric id and
version: ``rubric_versions.rubric_of`` hands out one Rubric per stored version, and a rubric
built from other YAML under the same id and version (as tests do) gets its own entry.

Parts that do change per request are kept as ``Fragments``: a macro is rendered once for each
*shape* of its data (has errors, ticked, switched off, ...) with a marker in place of every
value it writes (a typed text, an error message, a control's markup), and its output is split
at the markers. A request of the same shape joins the stored text with its own values,
escaped as ``{{ }}`` escapes them: the macro's own output, without a Jinja call per control
(``item_markup`` uses them for the items of a section page).
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from markupsafe import Markup, escape

from rubric_app.bounded_cache import BoundedCache
from rubric_app.rubrics.model import Item, ResourceLibrary, Rubric, Section

#: The page's templates the parts are rendered with.
ITEM_TEMPLATE = "questionnaire/_item.html"
CONTROLS_TEMPLATE = "questionnaire/_controls.html"


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class ItemIntro:
    """What the introduction of an item shows (the data ``item_intro`` is rendered from)."""

    item: Item
    number: str
    stage_label: str
    guidance: tuple[Link, ...]
    typical_evidence: tuple[str, ...]


def resource_links(resources: ResourceLibrary, ids: tuple[str, ...]) -> tuple[Link, ...]:
    """Links to the resources with these ids (unknown ids are skipped)."""
    links: list[Link] = []
    for resource_id in ids:
        resource = resources.get(resource_id)
        if resource is None:
            continue
        note = f"{resource.publisher}, {resource.date}" + (
            " (archived)" if resource.archived else ""
        )
        links.append(Link(resource.title, resource.url, note))
    return tuple(links)


def item_intro_data(rubric: Rubric, item: Item, resources: ResourceLibrary) -> ItemIntro:
    """The introduction of one item, as plain data."""
    stages = {stage.id: stage.label for stage in rubric.stages}
    return ItemIntro(
        item=item,
        number=rubric.item_number(item.id),
        stage_label=stages.get(item.stage or "", ""),
        guidance=resource_links(resources, item.guidance or item.basis),
        typical_evidence=item.typical_evidence,
    )


@dataclass(frozen=True)
class _Entry:
    # Held so that the ids the cache is keyed by stay taken while the entry lives.
    rubric: Rubric
    resources: ResourceLibrary
    intros: dict[str, Markup]


#: Sections whose introductions are kept (each a few KB), least recently shown dropped first:
#: bounded, because a rubric object that goes (``rubric_of`` keeps a bounded number) would
#: otherwise leave its sections' entries behind for the life of the process.
MAX_INTRO_SECTIONS = 256
#: Rendered introductions by (id of the rubric, id of the section).
_INTROS: BoundedCache[tuple[int, int], _Entry] = BoundedCache(MAX_INTRO_SECTIONS)


def item_intros(rubric: Rubric, section: Section, resources: ResourceLibrary) -> dict[str, Markup]:
    """Every item's introduction on a section page, rendered, by item id."""
    key = (id(rubric), id(section))
    entry = _INTROS.get(key)
    if entry is None or entry.rubric is not rubric or entry.resources is not resources:
        intros = {
            item.id: _render(ITEM_TEMPLATE, "item_intro", item_intro_data(rubric, item, resources))
            for item in section.items
        }
        entry = _Entry(rubric, resources, intros)
        _INTROS.put(key, entry)
    return entry.intros


def choice_tail(option_id: str, name: str, input_type: str, value: str, label: str) -> Markup:
    """The markup of a radio or checkbox after its ticked and disabled state, with its label."""
    return _render(CONTROLS_TEMPLATE, "choice_tail", option_id, name, input_type, value, label)


def ident(name: str) -> Markup:
    """A control's id and name attributes (the id is the name, as WTForms gives it)."""
    return _render(CONTROLS_TEMPLATE, "ident", name)


def label_tag(name: str, label: str, widget: str) -> Markup:
    """A control's label element."""
    return _render(CONTROLS_TEMPLATE, "label_tag", name, label, widget)


def attributes(values: Mapping[str, Any]) -> Markup:
    """Extra attributes of a control (its field's ``render_kw``), escaped: ' rows="2"'.

    Named and valued as WTForms' ``html_params`` does: ``class_`` is ``class``, ``data_x`` is
    ``data-x``, True is an attribute without a value and False leaves it out.
    """
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        if value is False:
            continue
        name = key[:-1] if key in ("class_", "class__", "for_") else key
        if name.startswith("data_"):
            name = name.replace("_", "-", 1)
        cleaned[name] = "" if value is True else str(value)
    return _render(CONTROLS_TEMPLATE, "attributes", cleaned)


def _render(template: str, macro: str, *args: Any, **kwargs: Any) -> Markup:
    """What a macro of one of the page's templates renders for ``args``."""
    module = current_app.jinja_env.get_template(template).module
    result = getattr(module, macro)(*args, **kwargs)
    if not isinstance(result, Markup):
        # Only an autoescaping environment escapes what the macro outputs.
        raise TypeError(f"{template} must be rendered with autoescape on")
    return result


#: Drawn once per process, so that no text a rubric could hold looks like a marker.
_MARKER_TOKEN = secrets.token_hex(8)
_MARKER_START = f"\x00{_MARKER_TOKEN}"
_MARKER_END = "\x00"


def slot(name: str) -> str:
    """The marker a macro is given in place of the value ``name`` when its output is compiled
    into ``Fragments`` (plain text that escaping leaves as it is)."""
    return f"{_MARKER_START}{name}{_MARKER_END}"


@dataclass(frozen=True)
class Fragments:
    """A macro's output for one shape of its data, split where its values go."""

    head: Markup
    #: Each value's name and the markup that follows it.
    rest: tuple[tuple[str, Markup], ...]

    def fill(self, values: Mapping[str, str]) -> Markup:
        """The macro's output for these values (escaped here; Markup stays as it is)."""
        parts = [self.head]
        for name, text in self.rest:
            value = values[name]
            # Markup is what escape() would return for it, without escape()'s copy.
            parts.append(value if isinstance(value, Markup) else escape(value))
            parts.append(text)
        # Every part is Markup: the macro's own output or what escape() made of a value. Joining
        # them as text is what Markup.join does, without copying each part through escape()
        # again (that copy was three fifths of the items' time on a section page).
        return Markup("".join(parts))  # noqa: S704  # nosec B704


def compile_macro(
    template: str, macro: str, names: Collection[str], *args: Any, **kwargs: Any
) -> Fragments:
    """Render a macro once (``args`` holding ``slot(name)`` markers for the values ``names``)
    and split its output at the markers.

    A macro compiled this way may only write its values, never test or change them: a value
    it tests belongs to the shape the caller compiles for (the caller's cache key).
    """
    # Markup's own split and partition keep each piece Markup (already escaped).
    head, *marked = _render(template, macro, *args, **kwargs).split(_MARKER_START)
    rest: list[tuple[str, Markup]] = []
    for piece in marked:
        name, end, text = piece.partition(_MARKER_END)
        if not end or name not in names:
            raise ValueError(f"{template} {macro} wrote a marker nobody fills: {name[:40]!r}")
        rest.append((str(name), text))
    return Fragments(head, tuple(rest))
