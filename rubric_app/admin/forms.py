"""The site administration pages' forms: the bulk verification page's filters."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import Length

from rubric_app.form_base import FilterField, QueryForm


class UnverifiedQuery(QueryForm):
    """The bulk verification page's filters, read from the query string (changes nothing)."""

    state = FilterField("State", noun="state")
    kind = FilterField("Kind of organization", noun="kind of organization")
    name = StringField("Name contains", validators=[Length(max=200)])
