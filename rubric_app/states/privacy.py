"""The small-number rule for one dashboard view: what must be withheld, beyond cells under k.

A view is the advocate's state, one rubric and up to five filters. Three checks, each against
the view one level up (one filter cleared), which the advocate can always ask for too:

- **The whole view.** Fewer than ``k`` organizations, or a view whose organizations together
  with the other values of one of its filters would leave a group under ``k`` uncovered
  (``scoring.hidden_member_cells``): then nothing about the view is shown or exported, not even
  how many organizations it holds.
- **Item figures.** An item is rated by fewer organizations than the view holds (N/A, skipped),
  so each item figure gets the same complementary check over the organizations that rated it.
- **Histogram bands.** The same for each band of each score histogram, and then within the
  histogram, since its bands add up to the number of organizations shown beside it.

The rule and its reasoning, for people, are in docs/privacy.md. Every view is one period, and
the period is not compared one level up (``Filters.compared`` says why).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from rubric_app.scoring import (
    Suppressed,
    hidden_cells,
    hidden_member_cells,
)

from . import breakdowns, resolved
from .rollup import Scope


@dataclass(frozen=True)
class Protection:
    """The figures a view that may be shown must still withhold, besides those under ``k``."""

    #: (item id, dimension) of item figures to hide; the pair rows use ``PAIR_DIMENSION``.
    items: frozenset[tuple[str, str]] = frozenset()
    #: (section id, dimension) of a score -> indexes of the histogram bands to hide.
    bands: dict[tuple[str, str], frozenset[int]] = field(default_factory=dict)


def view_withheld(session: Session, scope: Scope, k: int, organizations: int) -> Suppressed | None:
    """Return why nothing about the view may be shown, or None when it may.

    An empty view is withheld too when a view one level up is: "none" beside "fewer than 5"
    for each value of a filter would tell which values the withheld group holds (every one of
    its organizations rural, sheriff-staffed...). It then reads exactly as a small one does.
    """
    if 0 < organizations < k:
        return Suppressed(k=k)
    for name, value in scope.filters.compared().items():
        members = resolved.members_by(session, scope, name)
        if value in hidden_member_cells(members, k, always_hidden={None}):
            return Suppressed(k=k, because="complement")
    if organizations == 0:
        for name in scope.filters.compared():
            up = breakdowns.without_filter(scope, name)
            if view_withheld(session, up, k, resolved.totals(session, up)[0]) is not None:
                return Suppressed(k=k)
    return None


def protected_items(
    scope: Scope, k: int, by_filter: Mapping[str, Mapping[tuple[str, str], Mapping[Any, int]]]
) -> frozenset[tuple[str, str]]:
    """Return the item figures a view must withhold beside those under ``k``.

    ``by_filter``: for each filter the view sets, the organizations behind each item figure by
    that filter's value, one level up (``breakdowns.item_organizations_by``, or the same counts
    from ``rollup.item_figures``).
    """
    items: set[tuple[str, str]] = set()
    for name, value in scope.filters.compared().items():
        for key, sizes in by_filter.get(name, {}).items():
            if value in hidden_cells(sizes, k, always_hidden={None}):
                items.add(key)
    return frozenset(items)


def protect_figures(
    session: Session,
    scope: Scope,
    k: int,
    score_keys: Sequence[tuple[str, str]],
    *,
    items: bool = True,
) -> Protection:
    """Return the item figures and bands a view must withhold (once ``view_withheld`` let it be).

    With ``items=False`` only the bands: the caller has the item breakdowns from its own item
    query and asks ``protected_items``.
    """
    hidden_items: frozenset[tuple[str, str]] = frozenset()
    if items:
        hidden_items = protected_items(
            scope,
            k,
            {
                name: breakdowns.item_organizations_by(session, scope, name)
                for name in scope.filters.compared()
            },
        )
    bands: dict[tuple[str, str], set[int]] = {}
    for name, value in scope.filters.compared().items():
        for key, by_value in resolved.band_organizations(session, scope, score_keys, name).items():
            for index in range(len(next(iter(by_value.values())))):
                sizes = {v: counts[index] for v, counts in by_value.items()}
                if value in hidden_cells(sizes, k, always_hidden={None}):
                    bands.setdefault(key, set()).add(index)
    return Protection(
        items=hidden_items, bands={key: frozenset(found) for key, found in bands.items()}
    )
