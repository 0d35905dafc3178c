"""A dashboard view's figures: kept by this process, read from another's, or counted now.

The dashboard page (``routes``) and the worker that counts a view ahead of time after a change
(``figure_jobs``) both ask here, so a view is counted the same way wherever it is counted:

1. kept by this process for exactly the base rows just read (``figure_cache``): used at once;
2. else kept in the database by any process for the same rows, files and code
   (``figure_store``): read, and kept by this process too;
3. else counted now (``view_data.build_dashboard`` and ``findings.side_views``), then kept by
   this process and in the database once the base, read again, has not changed meanwhile.

The setup digest (rubric and framework files, the app's code) is worked out once per app at
start-up (``init_figures``), from the files the app has just loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from rubric_app.catalog_state import current_catalog
from rubric_app.framework_state import current_frameworks

from . import figure_cache, figure_store, resolved
from .findings import SideViews, side_views, steps_of_rows
from .rollup import Scope
from .view_data import Dashboard, DistributionRow, build_dashboard

_SETUP = "rubric_app.states.figure_setup"


def init_figures(app: Flask) -> None:
    """Work out the app's setup digest; call after the rubrics and frameworks are loaded."""
    folders = (Path(app.config["RUBRICS_DIR"]), Path(app.config["FRAMEWORKS_DIR"]))
    app.extensions[_SETUP] = figure_store.setup_digest(folders)


def stored_view(scope: Scope, k: int) -> figure_store.StoredView:
    """``scope`` at threshold ``k`` as the shared table names it."""
    return figure_store.StoredView(
        scope.advocate_org_id, scope.state, scope.rubric_key, scope.filters.as_params(), k
    )


def dashboard_figures(
    session: Session,
    state: str,
    scope: Scope,
    k: int,
    periods: Sequence[str],
    *,
    fresh: bool = False,
) -> figure_cache.KeptFigures:
    """The figures and side views of ``scope`` (an advocate's view of ``state``), by the first
    of the three ways in the module docstring that has them. ``periods``: the periods the
    advocate can choose, newest first. ``fresh`` skips the first way (the worker: what this
    process kept may have been replaced in the database since)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]  # the real app
    catalog, loaded = current_catalog(), current_frameworks()
    rows = resolved.base_of(session, scope)
    key = figure_cache.figure_key(app, scope, k, rows)
    found = (
        None
        if fresh
        else figure_cache.kept_figures(app, key, frameworks=loaded, benchmarks=catalog)
    )
    if found is not None:
        return found
    setup: str = app.extensions[_SETUP]
    view, base = stored_view(scope, k), figure_store.base_digest(rows)
    shared = _as_figures(figure_store.read(session, view.key, base=base, setup=setup))
    if shared is not None:
        found = figure_cache.KeptFigures(*shared, loaded, catalog)
        figure_cache.keep(app, key, found)
        return found
    found = _count(session, state, scope, k, periods)
    engine = session.get_bind()
    assert isinstance(engine, Engine)

    def share() -> None:
        with Session(engine) as other:
            # A page asked for it (the worker, ``fresh``, counts what pages asked for).
            figure_store.write(
                other, view, (found.dashboard, found.side), base=base, setup=setup, asked=not fresh
            )
            other.commit()

    # Kept (here and in the database) only if nothing was shared, revoked or resubmitted
    # while they were counted.
    figure_cache.keep_when_unchanged(
        app, key, found, rows=rows, read_base=lambda: _base_now(engine, scope), then=share
    )
    return found


def _as_figures(stored: object) -> tuple[Dashboard, SideViews | None] | None:
    """What ``share`` stored, if that is what a row holds (else None: counted again)."""
    if isinstance(stored, tuple) and len(stored) == 2:
        dashboard, side = stored
        if isinstance(dashboard, Dashboard) and (side is None or isinstance(side, SideViews)):
            return dashboard, side
    return None


def _count(
    session: Session, state: str, scope: Scope, k: int, periods: Sequence[str]
) -> figure_cache.KeptFigures:
    """Count the view's figures and side views now."""
    catalog, loaded = current_catalog(), current_frameworks()
    side: list[SideViews] = []

    def count_side_views(distributions: Sequence[DistributionRow]) -> None:
        # Counted while the item query runs on its own connection.
        steps = steps_of_rows(distributions)
        side.append(side_views(session, scope, k, steps, periods))

    built: Dashboard = build_dashboard(
        session,
        scope,
        k,
        parallel=True,
        benchmarks=catalog.benchmarks,
        frameworks=loaded.for_jurisdiction(state),
        meanwhile=count_side_views,
    )
    return figure_cache.KeptFigures(built, side[0] if side else None, loaded, catalog)


def _base_now(engine: Engine, scope: Scope) -> tuple[resolved.ScopeRow, ...]:
    """The view's base read now, in a session of its own (for the figure keeper's thread)."""
    with Session(engine) as session:
        return resolved.base_now(session, scope)


def forget_everywhere(app: Flask, engine: Engine) -> None:
    """Forget every kept view, in this process and in the database (tests, benchmarks)."""
    figure_cache.forget_figures(app)
    with Session(engine) as session:
        figure_store.clear(session)
        session.commit()
