"""Account policy: which users must sign in with a second step.

Today the rule is the organizations' owner setting; site administrators (who must always use
two-step sign-in) are expected to join this same function.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.models import Membership, Organization, User


def requires_two_step(user: User, session: Session) -> bool:
    """Whether any organization the user belongs to requires two-step sign-in of its members.

    Any, not the current one: switching to a laxer organization must not lift the requirement
    of a stricter one, whose work the same session can still reach.
    """
    return (
        session.scalar(
            select(Organization.id)
            .join(Membership, Membership.org_id == Organization.id)
            .where(Membership.user_id == user.id, Organization.require_two_step.is_(True))
            .limit(1)
        )
        is not None
    )
