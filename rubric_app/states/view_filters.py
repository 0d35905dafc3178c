"""Which view of a state dashboard is asked for: the rubric and filters, read and checked.

Every dashboard page and export reads its view from the query string here, and the worker that
counts a view ahead of time (``figure_jobs``) reads the default view (no query string) the
same way, so both land on the same view. Unknown values are ignored with a message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from rubric_app.models import Organization
from rubric_app.vocabulary import (
    ENROLLMENT_BAND_LABELS,
    ENROLLMENT_BANDS,
    LOCALE_LABELS,
    LOCALES,
    ORG_KIND_GROUP_LABELS,
    SRO_MODEL_LABELS,
    SRO_MODELS,
)

from . import resolved, rollup
from .forms import DashboardQuery
from .rollup import Filters, Scope

DEFAULT_RUBRIC = "secure-local-implementation"


@dataclass(frozen=True)
class Choice:
    """One option of a filter select."""

    value: str
    label: str


@dataclass(frozen=True)
class FilterState:
    """The filters as asked for, what they resolved to, and anything that was ignored."""

    scope: Scope
    rubric_choices: tuple[Choice, ...]
    choices: dict[str, tuple[Choice, ...]]
    problems: tuple[str, ...]


def resolve_filters(
    session: Session, org: Organization, args: MultiDict[str, str], k: int
) -> FilterState:
    """Read a view's filters from ``args`` (a page's query string; empty for the default
    view); unknown values are ignored with a message, never an error page. ``k``: the
    small-number threshold (the default period is the latest that reaches it)."""
    query = DashboardQuery(formdata=args)
    problems: list[str] = []
    catalog_rubrics = dict(resolved.rubric_counts(session, org.id, org.state))
    rubric_key, notes = query.take(query.rubric, tuple(catalog_rubrics))
    problems.extend(notes)
    if not rubric_key:
        rubric_key = (
            DEFAULT_RUBRIC
            if DEFAULT_RUBRIC in catalog_rubrics or not catalog_rubrics
            else next(iter(catalog_rubrics))
        )
    titles = rollup.rubric_titles(session, list(catalog_rubrics) or [rubric_key])
    # No count beside a rubric: one across every period, set against each period's own,
    # would tell how many took part in a period whose view is withheld.
    rubric_choices = tuple(Choice(key, titles.get(key, key)) for key in catalog_rubrics)

    base = Scope(org.id, org.state, rubric_key)
    options = resolved.filter_options(session, base)
    period_counts = options.periods
    periods = [period for period, _ in period_counts]
    kinds = options.kinds
    allowed = {
        "kind": tuple(kinds),
        "enrollment_band": ENROLLMENT_BANDS,
        "locale": LOCALES,
        "sro_model": SRO_MODELS,
        "period": tuple(periods),
    }
    labels = {
        "kind": ORG_KIND_GROUP_LABELS,
        "enrollment_band": ENROLLMENT_BAND_LABELS,
        "locale": LOCALE_LABELS,
        "sro_model": SRO_MODEL_LABELS,
        "period": {p: p for p in periods},
    }
    values: dict[str, str] = {}
    for key, known in allowed.items():
        if key != "period":
            values[key], notes = query.take(query[key], known)
            problems.extend(notes)
    values["period"], notes = query.take_period(
        allowed["period"], *default_period(period_counts, k)
    )
    problems.extend(notes)
    choices = {
        key: tuple(Choice(v, labels[key].get(v, v)) for v in known)
        for key, known in allowed.items()
    }
    return FilterState(
        Scope(org.id, org.state, rubric_key, Filters(**values)),
        rubric_choices,
        choices,
        tuple(problems),
    )


def default_period(period_counts: Sequence[tuple[str, int]], k: int) -> tuple[str, str]:
    """Return the period a view shows unless one is chosen, and why it is that one.

    Always one period, so each organization counts once (there is no all-periods view:
    ``rollup.Filters.compared`` says why): the latest in which enough organizations took part
    for figures to show, else simply the latest ("" when nothing is shared yet).
    ``period_counts``: (period, organizations), newest first.
    """
    if not period_counts:
        return "", ""
    enough = next((period for period, n in period_counts if n >= k), None)
    if enough is None:
        return period_counts[0][0], "the latest period"
    if enough == period_counts[0][0]:
        return enough, "the latest period"
    return enough, "the latest period with enough organizations for figures"


def periods_of(state: FilterState) -> list[str]:
    """Return the periods the advocate can choose, newest first."""
    return [choice.value for choice in state.choices["period"]]
