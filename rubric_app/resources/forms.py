"""The guidance library's query string: ``kind`` and ``step``, each checked against the library.

An unknown value (an old bookmark, a typo) is not an error page: the page shows everything with
a note naming what it ignored.
"""

from __future__ import annotations

from rubric_app.form_base import FilterField, QueryForm


class LibraryQuery(QueryForm):
    """Which resources to list: one kind, one action step, or all."""

    kind = FilterField("Kind", noun="kind")
    step = FilterField("Action step", noun="action step")

    def value_and_ignored(self, field: FilterField, allowed: tuple[str, ...]) -> tuple[str, str]:
        """Return the field's value among ``allowed`` (else empty) and the value it ignored
        (the page names it in a note of its own)."""
        value, notes = self.take(field, allowed)
        return value, (field.data if notes else "")
