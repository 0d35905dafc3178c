"""The state dashboard's query string: the rubric and the filters, each checked against what
the view offers.

An unknown value is not an error page: the field answers with a note ("Unknown locale 'x':
showing every locale.") and the page drops that filter, so a stale or edited link still shows
the dashboard. Which values are allowed depends on the advocate's shared assessments, so the
page sets ``allowed`` on each field before validating it.
"""

from __future__ import annotations

from typing import Any

from wtforms import Field
from wtforms.validators import StopValidation

from rubric_app.form_base import QueryForm


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


class DashboardQuery(QueryForm):
    """The rubric and the filters of a dashboard view, in the order their notes are shown."""

    rubric = FilterField(
        "Rubric", unknown="No shared assessments use that rubric; showing the default rubric."
    )
    kind = FilterField("Organization kind", noun="organization kind")
    enrollment_band = FilterField("Enrollment band", noun="enrollment band")
    locale = FilterField("Locale", noun="locale")
    sro_model = FilterField("SRO staffing model", noun="SRO staffing model")
    period = FilterField("Period", noun="period")

    def take(self, field: FilterField, allowed: tuple[str, ...]) -> tuple[str, list[str]]:
        """The field's value among ``allowed`` (empty when unknown) and its note, if any."""
        field.allowed = allowed
        if field.validate(self):
            return field.data, []
        return "", list(field.errors)
