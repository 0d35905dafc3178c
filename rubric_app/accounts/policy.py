"""Account policy that other features ask about: which users must sign in with a second step.

Two-step sign-in itself (enrolment, codes) lives in ``two_step``; this module only answers
whether a given user must have it, so the rule is written once. Two reasons make it required:
the user is a site administrator (who decides which state advocates are real, so that account
always needs a second factor), or an organization the user belongs to requires it of every
member (its owners' setting).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from rubric_app.access import memberships_of
from rubric_app.models import User


def requires_two_step(user: User, session: Session) -> bool:
    """Whether the user must use two-step sign-in.

    Any organization, not the current one: switching to a laxer organization must not lift the
    requirement of a stricter one, whose work the same session can still reach.
    """
    if user.is_site_admin:
        return True
    # The memberships every request reads anyway (``access``), rather than a query of its own:
    # this is asked before every page.
    return any(org.require_two_step for org, _role in memberships_of(session, user))
