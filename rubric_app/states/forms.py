"""The state dashboard's query string: the rubric and the filters, each checked against what
the view offers.

An unknown value is not an error page: the field answers with a note ("Unknown locale 'x':
showing every locale.") and the page drops that filter, so a stale or edited link still shows
the dashboard. Which values are allowed depends on the advocate's shared assessments, so the
page sets ``allowed`` on each field before validating it.
"""

from __future__ import annotations

from rubric_app.form_base import FilterField, QueryForm


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

    def take_period(
        self, allowed: tuple[str, ...], default: str, why: str
    ) -> tuple[str, list[str]]:
        """The period asked for among ``allowed``, else ``default``, and a note when unknown.

        Every view is one period (``rollup.Filters.compared`` says why), so an unknown period
        is not dropped like the other filters ("showing every period" would be untrue): the
        page shows ``default`` and the note names it and ``why`` it is the one shown.
        """
        value, notes = self.take(self.period, allowed)
        if not notes:
            return value or default, []
        asked = f"Unknown period {self.period.data!r}"
        if not default:
            return "", [f"{asked}: no shared assessment of this rubric has a period yet."]
        return default, [f"{asked}: showing {default}, {why}."]
