"""The state dashboard's figures, counted once per view and data, kept per process.

A state dashboard's figures (``view_data.build_dashboard``: scores, item shares, the law, the
small-number rule) and the side views beside them (``findings.side_views``) are several grouped
queries over every shared assessment of the state: about 200 ms for the largest state, where
its advocate pages through the participants list, switches between filters and comes back.
They change only when what they are counted from changes, so they are kept in a bounded,
least-recently-used cache per app (so per process) and counted again only when that changes.
What one process counted, the others read from the database (``figure_store``, checked by a
digest of the same base rows) before counting it themselves; ``figures`` decides which.

What they are counted from, and how a kept entry is known to still be right:

- **The base rows**, read again on every request (``resolved.base_of``: the state's live
  shares of the rubric, one row per submitted assessment with its organization's profile, the
  share's naming, the assessment's revision and submission time). Every cached score and item
  result an assessment has is written at its submission from its stored answers; a writer of
  answers counts the revision up, a reopening takes it out of the base, a resubmission sets
  its time, and a revoked share drops its row. The rows are compared *exactly* (a tuple
  equality, not a hash): each distinct set of rows gets a new number (``_BaseTokens``), and an
  entry is kept under the number its rows had, so an entry is found only by a request that read
  exactly the same rows.
- **The view** (advocate, state, rubric, filters) and the small-number threshold ``k``.
- **The app's loaded laws and benchmarks**: an entry is used only while the app still holds the
  very objects it was counted with (as ``reports.page_cache`` does).
- A rubric version's content never changes once stored (``RubricVersion.content_hash``).

What is read on every request and never kept: the participants list (organization names and
vetting change without touching the base), the filter choices, who is asking (every route
checks the advocate first).

The figures are read by later statements than the base rows (on PostgreSQL, under
read-committed isolation, and on connections of their own), so a change committed in between
could be counted under the rows read before it. So the base is read again once the figures are
counted, on a thread of its own after the request, and they are kept only when it did not
change meanwhile (``keep_when_unchanged``).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from rubric_app.bounded_cache import BoundedCache

from .findings import SideViews
from .resolved import ScopeRow, in_assessment_order
from .rollup import Filters, Scope
from .view_data import Dashboard

#: Views kept per process (a large state's figures are a few hundred KB of small objects).
CACHE_SIZE = 64

#: Bases remembered per process, one per (advocate, state, rubric): the latest rows of each.
BASES_SIZE = 256

_EXTENSION = "rubric_app.state_figures"

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FigureKey:
    """What kept figures are looked up by (see the module docstring)."""

    advocate_org_id: int
    state: str
    rubric_key: str
    filters: Filters
    k: int
    #: The number of the exact base rows the figures were counted from (``_BaseTokens``).
    base: int


@dataclass(frozen=True)
class KeptFigures:
    """A view's figures without its participants list, and its side views (None when the view
    shows none: withheld or empty)."""

    dashboard: Dashboard
    side: SideViews | None
    #: The loaded laws and benchmarks they were counted with (compared by identity).
    frameworks: Any
    benchmarks: Any


class _BaseTokens:
    """A number per distinct set of base rows: the same number only for exactly equal rows."""

    def __init__(self) -> None:
        self._latest: BoundedCache[tuple[int, str, str], tuple[tuple[ScopeRow, ...], int]] = (
            BoundedCache(BASES_SIZE)
        )
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def token(self, scope: Scope, rows: tuple[ScopeRow, ...]) -> int:
        """Return the number of ``rows``, the base of ``scope``: the one the latest rows of that
        base had when they are equal, else a new one (and these become the latest)."""
        where = (scope.advocate_org_id, scope.state, scope.rubric_key)
        with self._lock:
            found = self._latest.get(where)
            if found is not None and found[0] == rows:
                return found[1]
            number = next(self._numbers)
            self._latest.put(where, (rows, number))
            return number


def _keeper() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="figure-keeper")


@dataclass
class _Store:
    tokens: _BaseTokens
    figures: BoundedCache[FigureKey, KeptFigures]
    #: Reads the base again after a view was counted, off the request (``keep_when_unchanged``).
    keeper: ThreadPoolExecutor = field(default_factory=_keeper)
    checks: list[Future[None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _store(app: Flask) -> _Store:
    found: _Store | None = app.extensions.get(_EXTENSION)
    if found is None:
        # setdefault: two threads making it at once share the one that landed first.
        found = app.extensions.setdefault(
            _EXTENSION, _Store(_BaseTokens(), BoundedCache(CACHE_SIZE))
        )
    return found


def figure_key(app: Flask, scope: Scope, k: int, rows: Sequence[ScopeRow]) -> FigureKey:
    """The key of ``scope``'s figures counted from ``rows`` (its base, as read just now)."""
    number = _store(app).tokens.token(scope, in_assessment_order(rows))
    return FigureKey(scope.advocate_org_id, scope.state, scope.rubric_key, scope.filters, k, number)


def unchanged(before: Sequence[ScopeRow], after: Sequence[ScopeRow]) -> bool:
    """Whether the base read after counting is the one read before (``keep_when_unchanged``)."""
    return in_assessment_order(before) == in_assessment_order(after)


def kept_figures(
    app: Flask, key: FigureKey, *, frameworks: Any, benchmarks: Any
) -> KeptFigures | None:
    """The figures kept under ``key``, if they were counted with these laws and benchmarks."""
    entry = _store(app).figures.get(key)
    if entry is None or entry.frameworks is not frameworks or entry.benchmarks is not benchmarks:
        return None
    return entry


def keep(app: Flask, key: FigureKey, entry: KeptFigures) -> None:
    """Keep ``entry`` under ``key`` at once: figures another process counted and checked
    (``figure_store``), read under the digest of the very rows ``key`` numbers."""
    _store(app).figures.put(key, entry)


def keep_when_unchanged(
    app: Flask,
    key: FigureKey,
    entry: KeptFigures,
    *,
    rows: Sequence[ScopeRow],
    read_base: Callable[[], Sequence[ScopeRow]],
    then: Callable[[], None] | None = None,
) -> None:
    """Keep ``entry`` under ``key`` if the base, read again (``read_base``) once the figures
    were counted from ``rows``, is still those rows; and then run ``then`` (which shares them
    with the other processes, ``figure_store``).

    The item query and the law run on connections of their own, each statement seeing what
    was committed when it began, so a share made while they ran could be in the figures but
    not in the rows they would be kept under; once it was revoked again, the rows would read
    as before and bring back figures that count it. Reading the base again costs about as much
    as the first reading (30 ms for the largest state), so it is done on a thread of its own
    after the request has its figures: the page does not wait for it, and the figures are
    kept a moment later.
    """
    store = _store(app)

    def check() -> None:
        if unchanged(rows, read_base()):
            store.figures.put(key, entry)
            if then is not None:
                then()

    def done(future: Future[None]) -> None:
        with store.lock:
            if future in store.checks:
                store.checks.remove(future)
        if future.exception() is not None:
            # Nothing is kept; the next view counts again.
            _log.warning("Kept dashboard figures not checked or shared: %s", future.exception())

    with store.lock:
        future = store.keeper.submit(check)
        store.checks.append(future)
    future.add_done_callback(done)


def settle(app: Flask) -> None:
    """Wait until every view counted so far was checked and kept (tests, benchmarks)."""
    store = _store(app)
    with store.lock:
        pending = list(store.checks)
    wait(pending)


def forget_figures(app: Flask) -> None:
    """Forget every kept view, and those about to be kept (the benchmarks' first-view timing)."""
    settle(app)
    _store(app).figures.clear()
