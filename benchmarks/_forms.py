"""Read an HTML form the way a browser submits it: the fields it would post, and the choices
each radio group offers. Used by the page benchmarks and the load test to post real pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    """What a form posts as it stands, and the values each radio group can take."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    radios: dict[str, list[str]] = field(default_factory=dict)

    def with_value(self, name: str, value: str) -> list[tuple[str, str]]:
        """The posted fields with ``name`` set to ``value`` (replacing what was there)."""
        return [(n, v) for n, v in self.fields if n != name] + [(name, value)]

    def value(self, name: str) -> str | None:
        return next((v for n, v in self.fields if n == name), None)


@dataclass
class ChangedItems:
    """What the section page's script posts to the autosave (``changedFields`` in
    ``static/js/questionnaire.js``): the whole form first; then the page's own fields, every
    item's base, and the fields of the items changed since the server confirmed them
    (``changed_items``)."""

    item_ids: tuple[str, ...]
    confirmed: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    sending: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, form: Form) -> ChangedItems:
        """For a section form (each item has a ``<item>__base`` field)."""
        return cls(tuple(n.removesuffix("__base") for n, _ in form.fields if n.endswith("__base")))

    def post(self, fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The fields a save posts, the form standing as ``fields``."""
        page: list[tuple[str, str]] = []
        fields_of: dict[str, list[tuple[str, str]]] = {}
        for name, value in fields:
            item_id = name.rpartition("__")[0]
            if item_id not in self.item_ids or name == f"{item_id}__base":
                page.append((name, value))
            else:
                fields_of.setdefault(item_id, []).append((name, value))
        self.sending = {}
        changed = []
        for item_id in self.item_ids:
            own = tuple(fields_of.get(item_id, ()))
            if self.confirmed.get(item_id) != own:
                self.sending[item_id] = own
                changed.append(item_id)
        if len(changed) == len(self.item_ids):
            return fields
        carried = [entry for item_id in changed for entry in fields_of.get(item_id, ())]
        return [*page, *carried, ("changed_items", ",".join(changed))]

    def confirm(self, item_ids: list[str]) -> None:
        """Take the answer's ``confirmed`` items as stored."""
        for item_id in item_ids:
            if item_id in self.sending:
                self.confirmed[item_id] = self.sending[item_id]


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.form = Form()
        self.inside = False
        self.done = False
        self.textarea: str | None = None
        self.text: list[str] = []
        self.select: str | None = None
        self.select_value: str | None = None
        self.first_option: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and not self.done:
            self.inside = self.form_id is None or a.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind == "radio":
                self.form.radios.setdefault(name, []).append(a.get("value", "on"))
            if kind in {"radio", "checkbox"}:
                if "checked" in a:
                    self.form.fields.append((name, a.get("value", "on")))
                return
            self.form.fields.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []
        elif tag == "select" and name:
            self.select, self.select_value, self.first_option = name, None, None
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            if self.first_option is None:
                self.first_option = value
            if "selected" in a:
                self.select_value = value

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "textarea" and self.textarea is not None:
            # As a browser reads it: line breaks as LF, and the one line break that may follow
            # the start tag dropped (WTForms writes CR LF there, the section page writes LF).
            text = "".join(self.text).replace("\r\n", "\n").replace("\r", "\n")
            self.form.fields.append((self.textarea, text.removeprefix("\n")))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = self.select_value if self.select_value is not None else self.first_option
            self.form.fields.append((self.select, chosen or ""))
            self.select = None


def read_form(html: str, form_id: str | None = None) -> Form:
    """The first form (or the form with ``form_id``) of ``html``."""
    reader = _FormReader(form_id)
    reader.feed(html)
    reader.close()
    return reader.form
