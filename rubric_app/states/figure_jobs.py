"""Dashboards counted before anyone asks: a change queues the views it reaches.

Counting the largest state's dashboard takes a few times as long as its main query (the base,
the item results, the law, the side views). So when something that view is counted from
changes (an assessment is submitted or reopened, a share is made, renamed or revoked, a sharing
organization's profile is edited), the change queues a job (kind ``state_figures``) per state
advocate it reaches, and the worker counts that advocate's default view of the assessment's
rubric (the page with no other filter; for the default rubric, the page as it opens) into the
shared store (``figure_store``, through ``figures.dashboard_figures``), and then the other
views of that rubric its pages asked for lately (the filters the advocate actually uses; a
view is "asked for" when a page had to count it). The advocate's next views then read them
instead of counting.

What this changes is only *when* a view is counted, never *what* it shows: a page uses stored
figures only when they were counted from exactly the rows it has just read (``figures``), so a
change this module does not hear of (one made by a script, or while the advocate's job is
already running) costs the next viewer the counting, nothing else.

The job key is the advocate and the rubric (``figures:<id>:<rubric>``): a change while that
job is queued adds nothing (the job has not read the base yet); a done job is queued again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from rubric_app.accounts.vetting import acts_as_advocate
from rubric_app.jobs import operations, registry
from rubric_app.jobs.models import Job
from rubric_app.jobs.queue import dispatch
from rubric_app.models import Assessment, Organization, Share

from . import figure_cache, figure_store
from .figures import dashboard_figures
from .view_filters import periods_of, resolve_filters

KIND = "state_figures"

_log = logging.getLogger(__name__)


def advocates_sharing(session: Session, assessment_id: int) -> list[int]:
    """The organizations holding a live share of the assessment (the views it is in)."""
    return list(
        session.scalars(
            select(Share.to_org_id).where(
                Share.assessment_id == assessment_id, Share.revoked_at.is_(None)
            )
        )
    )


def count_ahead_for_organization(session: Session, org_id: int) -> None:
    """Queue the views an organization's profile is counted in (after its profile changed):
    for each rubric it shared a submitted assessment of, the advocates holding those shares."""
    reached = session.execute(
        select(Assessment.rubric_key, Share.to_org_id)
        .join(Share, Share.assessment_id == Assessment.id)
        .where(
            Assessment.org_id == org_id,
            Assessment.status == "submitted",
            Share.revoked_at.is_(None),
        )
        .distinct()
    ).all()
    by_rubric: dict[str, set[int]] = {}
    for rubric_key, advocate_id in reached:
        by_rubric.setdefault(rubric_key, set()).add(advocate_id)
    for rubric_key, advocates in sorted(by_rubric.items()):
        count_ahead(session, rubric_key, advocates)


def job_key(advocate_org_id: int, rubric_key: str) -> str:
    """The job that counts the advocate's default view of the rubric."""
    return f"figures:{advocate_org_id}:{rubric_key}"


def count_ahead(session: Session, rubric_key: str, org_ids: Iterable[int]) -> None:
    """Queue the default view of ``rubric_key`` of each verified state advocate among
    ``org_ids``; commit and dispatch. Called after the change committed: the change stands
    whatever happens here (a queue that cannot be reached is logged, and the next view counts
    itself)."""
    wanted = sorted(set(org_ids))
    if not wanted or not current_app.config["FIGURES_PREPARE_ON_CHANGE"]:
        return
    try:
        advocates = session.scalars(
            select(Organization).where(
                Organization.id.in_(wanted), Organization.kind == "state_advocate"
            )
        )
        requested = [
            operations.request_job(
                session,
                key=job_key(advocate.id, rubric_key),
                kind=KIND,
                params={"advocate_org_id": advocate.id, "rubric": rubric_key},
                user_id=None,
                rerun_done=True,
            )
            for advocate in advocates
            if acts_as_advocate(advocate)
        ]
        session.commit()
        for item in requested:
            if item.dispatch:
                dispatch(item.job.id)
    except Exception:  # the change already committed; counting ahead must not undo it
        session.rollback()
        _log.exception("Could not queue the dashboards of organizations %s", wanted)


def count_default_view(session: Session, job: Job, progress: registry.Progress) -> registry.Made:
    """Count the advocate's default view of the job's rubric into the shared store (the
    default rubric's when that one is no longer shared with it), then the other views of it
    that pages asked for lately (``FIGURES_RECOUNT_DAYS``, at most ``FIGURES_RECOUNT_MOST``),
    latest first: the filters the advocate actually uses."""
    org = session.get(Organization, int(job.params.get("advocate_org_id", 0)))
    if org is None or not acts_as_advocate(org):
        return registry.Made(summary="Nothing to count: no verified state advocate.")
    config = current_app.config
    k = int(config["SUPPRESSION_K"])
    rubric = str(job.params.get("rubric", ""))
    view = resolve_filters(session, org, MultiDict({"rubric": rubric}), k)
    if not view.scope.filters.period:
        return registry.Made(summary="Nothing is shared with this advocate yet.")
    since = operations.utcnow() - dt.timedelta(days=float(config["FIGURES_RECOUNT_DAYS"]))
    asked = figure_store.recently_asked(
        session,
        org.id,
        view.scope.rubric_key,
        k,
        since=since,
        most=int(config["FIGURES_RECOUNT_MOST"]),
    )
    views = [view]
    for filters in asked:
        again = resolve_filters(session, org, MultiDict({"rubric": rubric, **filters}), k)
        # Filters that no longer resolve to themselves (a period no longer shared) are not
        # what the page would show for them: left for a page to count.
        if again.scope.filters.as_params() == filters and again.scope != view.scope:
            views.append(again)
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the real app
    for done, each in enumerate(views):
        progress(10 + 90 * done // len(views), f"{done} of {len(views)} views counted")
        dashboard_figures(session, org.state, each.scope, k, periods_of(each), fresh=True)
        # Done once the figures are checked against the base read again and stored.
        figure_cache.settle(app)
    noun = "view is" if len(views) == 1 else "views are"
    return registry.Made(summary=f"{len(views)} dashboard {noun} counted.")


registry.register(KIND, count_default_view, title="Counting a state dashboard")
