"""Two owners leaving at the same moment: the organization still keeps an owner.

On PostgreSQL the last-owner check locks the owners' rows, so the second request waits for the
first and then sees its change. SQLite admits one writer at a time by itself.
"""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from helpers import make_org, make_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.accounts.operations import leave_organization, leave_refusal
from rubric_app.db import db
from rubric_app.models import Membership


def test_two_owners_leaving_at_once_leave_one_owner(
    app: Flask, session: Session, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks are a PostgreSQL matter: SQLite serializes writers itself")
    org = make_org(session)
    first_user = make_user(session, "first@example.org", org, "owner")
    second_user = make_user(session, "second@example.org", org, "owner")
    session.commit()
    org_id, ids = org.id, (first_user.id, second_user.id)

    def membership(s: Session, user_id: int) -> Membership:
        found = s.scalar(
            select(Membership).where(Membership.user_id == user_id, Membership.org_id == org_id)
        )
        assert found is not None
        return found

    first, second = Session(db.engine), Session(db.engine)
    try:
        # The first owner leaves; their transaction is still open.
        leave_organization(first, membership(first, ids[0]))
        outcome: dict[str, object] = {}

        def second_owner_asks() -> None:
            outcome["refusal"] = leave_refusal(second, membership(second, ids[1]), lock=True)

        waiting = threading.Thread(target=second_owner_asks)
        waiting.start()
        waiting.join(timeout=2)
        # The second check waits for the first transaction instead of counting two owners.
        assert waiting.is_alive()
        first.commit()
        waiting.join(timeout=30)
        assert not waiting.is_alive()
        assert outcome["refusal"] is not None
        second.rollback()
    finally:
        first.close()
        second.close()
    owners = session.scalars(
        select(Membership).where(Membership.org_id == org_id, Membership.role == "owner")
    ).all()
    assert [m.user_id for m in owners] == [ids[1]]
