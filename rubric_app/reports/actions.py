"""The action plan: the only code that writes ``Action`` rows, and the views pages read.

An action closes (part of) a gap: one item of one assessment, a description, an owner, a due
date and a status (planned, in progress, done), with the time it was marked done. Functions add
and flush; the request or CLI command commits. ``planned_actions_for`` is what the
questionnaire shows beside each item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rubric_app import audit
from rubric_app.assessments import rubric_for
from rubric_app.hostile_input import label_problem
from rubric_app.models import ACTION_STATUSES, Action, Assessment, User, utcnow
from rubric_app.rubrics.model import Rubric

from .labels import ACTION_STATUS_LABELS, item_numbers

DESCRIPTION_MAX = 2000
OWNER_MAX = 200


def advice_draft(advice: Sequence[tuple[str, str]], recommendation: str) -> str:
    """The description a new action starts from: the advice for each short side of the gap
    ("Written policy: ..."), or the item's single recommendation when there is none.
    The user edits it before saving; it is cut to what the form accepts."""
    if len(advice) == 1:
        text = advice[0][1]
    elif advice:
        text = "\n\n".join(f"{label}: {what}" for label, what in advice)
    else:
        text = recommendation
    return text.strip()[:DESCRIPTION_MAX]


class ActionError(ValueError):
    """An action that cannot be saved, with a message fit to show the user."""


@dataclass(frozen=True)
class ActionView:
    """One planned action as pages, the PDF and exports show it."""

    id: int
    assessment_id: int
    item_id: str
    item_number: str
    item_prompt: str
    description: str
    owner: str
    due_date: dt.date | None
    status: str
    status_label: str
    overdue: bool
    #: The day (UTC) it was marked done; None when not done, or done before that was recorded.
    done_on: dt.date | None = None
    #: True when the action was planned on the assessment this one was started from.
    from_previous: bool = False


def _view(
    action: Action,
    rubric: Rubric,
    numbers: dict[str, str],
    *,
    today: dt.date,
    from_previous: bool = False,
) -> ActionView:
    known = rubric.has_item(action.item_id)
    return ActionView(
        id=action.id,
        assessment_id=action.assessment_id,
        item_id=action.item_id,
        item_number=numbers.get(action.item_id, ""),
        item_prompt=rubric.item(action.item_id).prompt if known else action.item_id,
        description=action.description,
        owner=action.owner,
        due_date=action.due_date,
        status=action.status,
        status_label=ACTION_STATUS_LABELS.get(action.status, action.status),
        overdue=action.status != "done" and action.due_date is not None and action.due_date < today,
        done_on=(
            action.done_at.astimezone(dt.UTC).date()
            if action.status == "done" and action.done_at is not None
            else None
        ),
        from_previous=from_previous,
    )


def _set_status(action: Action, status: str, now: dt.datetime) -> None:
    """Set the status, and the time it was done: set when it becomes done, kept while it stays
    done (an edit of a done action's wording is no new completion), cleared when reopened."""
    if status != "done":
        action.done_at = None
    elif action.status != "done":  # a new action has no status until it is inserted
        action.done_at = now
    action.status = status


def _rows(session: Session, assessment_id: int) -> list[Action]:
    return list(
        session.scalars(
            select(Action).where(Action.assessment_id == assessment_id).order_by(Action.id)
        )
    )


def _order(views: Sequence[ActionView], rubric: Rubric) -> list[ActionView]:
    """Rubric order of the items, then creation order."""
    position = {item.id: index for index, item in enumerate(rubric.items)}
    return sorted(views, key=lambda view: (position.get(view.item_id, len(position)), view.id))


def actions_of(
    session: Session, assessment: Assessment, *, today: dt.date | None = None
) -> list[ActionView]:
    """Every action planned on ``assessment``, in rubric order of their items."""
    rubric = rubric_for(assessment)
    numbers = item_numbers(rubric)
    day = today or dt.date.today()
    views = [_view(row, rubric, numbers, today=day) for row in _rows(session, assessment.id)]
    return _order(views, rubric)


def previous_actions_of(
    session: Session, assessment: Assessment, *, today: dt.date | None = None
) -> list[ActionView]:
    """The actions planned on the assessment ``assessment`` was started from (numbered as now)."""
    if assessment.previous_id is None:
        return []
    previous = session.get(Assessment, assessment.previous_id)
    if previous is None:
        return []
    # Shown against the current rubric version: that is where the user will act on them.
    rubric = rubric_for(assessment)
    numbers = item_numbers(rubric)
    day = today or dt.date.today()
    views = [
        _view(row, rubric, numbers, today=day, from_previous=True)
        for row in _rows(session, previous.id)
    ]
    return _order(views, rubric)


def planned_actions_for(session: Session, assessment: Assessment) -> dict[str, list[ActionView]]:
    """Return the actions to show beside each item, by item id.

    For each item: the actions planned on the previous cycle's assessment (``from_previous``
    True) first, then those planned on this assessment. Items without actions are absent.
    """
    result: dict[str, list[ActionView]] = {}
    for view in [*previous_actions_of(session, assessment), *actions_of(session, assessment)]:
        result.setdefault(view.item_id, []).append(view)
    return result


def carry_candidates(
    session: Session, assessment: Assessment, *, today: dt.date | None = None
) -> list[ActionView]:
    """Last period's actions that are not done and not yet carried into this plan."""
    carried = set(
        session.scalars(
            select(Action.carried_from_id).where(
                Action.assessment_id == assessment.id, Action.carried_from_id.is_not(None)
            )
        )
    )
    return [
        view
        for view in previous_actions_of(session, assessment, today=today)
        if view.status != "done" and view.id not in carried
    ]


def _carried_copy(session: Session, assessment: Assessment, source_id: int) -> Action | None:
    return session.scalar(
        select(Action).where(
            Action.assessment_id == assessment.id, Action.carried_from_id == source_id
        )
    )


def carry_action(
    session: Session, assessment: Assessment, source_id: int, *, user: User | None
) -> tuple[Action, bool]:
    """Copy an open action of the previous period into this plan, as planned, once.

    Returns the copy and whether this call made it. The unique (assessment, carried_from)
    constraint decides a race: the loser's insert fails, the session is rolled back (so call
    this with nothing else pending) and the winner's copy is returned.
    """
    source = session.get(Action, source_id)
    if (
        source is None
        or assessment.previous_id is None
        or source.assessment_id != assessment.previous_id
    ):
        raise ActionError("That action is not in the previous period's plan.")
    existing = _carried_copy(session, assessment, source.id)
    if existing is not None:
        return existing, False
    if source.status == "done":
        raise ActionError("That action is already done; there is nothing to carry over.")
    if not rubric_for(assessment).has_item(source.item_id):
        raise ActionError("The item of that action is no longer in this rubric.")
    action = Action(
        assessment_id=assessment.id,
        item_id=source.item_id,
        description=source.description,
        owner=source.owner,
        status="planned",
        carried_from_id=source.id,
    )
    session.add(action)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        winner = _carried_copy(session, assessment, source_id)
        if winner is None:
            raise
        return winner, False
    audit.record(
        session,
        "action.carry",
        user_id=user.id if user else None,
        org_id=assessment.org_id,
        target=f"assessment:{assessment.id}",
        action_id=action.id,
        carried_from=source.id,
        item=source.item_id,
    )
    return action, True


def get_action(session: Session, assessment: Assessment, action_id: int) -> Action | None:
    """Return the action if it belongs to ``assessment`` (else None, so routes answer 404)."""
    action = session.get(Action, action_id)
    if action is None or action.assessment_id != assessment.id:
        return None
    return action


def _check(
    assessment: Assessment, item_id: str, description: str, owner: str, status: str
) -> tuple[str, str]:
    rubric = rubric_for(assessment)
    if not rubric.has_item(item_id):
        raise ActionError(f"This rubric has no item {item_id!r}.")
    description = description.strip()
    owner = owner.strip()
    if not description:
        raise ActionError("Describe the action.")
    if len(description) > DESCRIPTION_MAX:
        raise ActionError(f"Keep the description under {DESCRIPTION_MAX} characters.")
    if len(owner) > OWNER_MAX:
        raise ActionError(f"Keep the owner under {OWNER_MAX} characters.")
    # Both are shown as one line on the board summary, where a right-to-left override would
    # print them backwards.
    for field, text, multiline in (("description", description, True), ("owner", owner, False)):
        problem = label_problem(text, multiline=multiline)
        if problem is not None:
            raise ActionError(f"The {field} {problem}.")
    if status not in ACTION_STATUSES:
        raise ActionError(f"Unknown status {status!r}.")
    return description, owner


def create_action(
    session: Session,
    assessment: Assessment,
    *,
    item_id: str,
    description: str,
    owner: str = "",
    due_date: dt.date | None = None,
    status: str = "planned",
    user: User | None,
) -> Action:
    """Plan an action on one item of ``assessment``."""
    description, owner = _check(assessment, item_id, description, owner, status)
    action = Action(
        assessment_id=assessment.id,
        item_id=item_id,
        description=description,
        owner=owner,
        due_date=due_date,
    )
    _set_status(action, status, utcnow())
    session.add(action)
    session.flush()
    audit.record(
        session,
        "action.create",
        user_id=user.id if user else None,
        org_id=assessment.org_id,
        target=f"assessment:{assessment.id}",
        action_id=action.id,
        item=item_id,
    )
    return action


def update_action(
    session: Session,
    assessment: Assessment,
    action: Action,
    *,
    item_id: str,
    description: str,
    owner: str,
    due_date: dt.date | None,
    status: str,
    user: User | None,
) -> Action:
    """Change an action's item, description, owner, due date or status."""
    description, owner = _check(assessment, item_id, description, owner, status)
    action.item_id = item_id
    action.description = description
    action.owner = owner
    action.due_date = due_date
    now = utcnow()
    _set_status(action, status, now)
    action.updated_at = now
    session.flush()
    audit.record(
        session,
        "action.update",
        user_id=user.id if user else None,
        org_id=assessment.org_id,
        target=f"assessment:{assessment.id}",
        action_id=action.id,
        status=status,
    )
    return action


def complete_action(
    session: Session, assessment: Assessment, action: Action, *, user: User | None
) -> Action:
    """Mark an action done (one already done keeps the day it was done)."""
    now = utcnow()
    _set_status(action, "done", now)
    action.updated_at = now
    session.flush()
    audit.record(
        session,
        "action.complete",
        user_id=user.id if user else None,
        org_id=assessment.org_id,
        target=f"assessment:{assessment.id}",
        action_id=action.id,
    )
    return action
