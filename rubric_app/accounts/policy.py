"""Account policy that other features ask about: who must use two-step sign-in.

Two-step sign-in itself (enrolment, codes) lives elsewhere; this module only answers whether a
given user must have it, so the rule is written once. A site administrator decides which state
advocates are real, so that account always needs a second factor.
"""

from __future__ import annotations

from rubric_app.models import User


def requires_two_step(user: User) -> bool:
    """Whether the user must use two-step sign-in whatever their organizations' settings."""
    return bool(user.is_site_admin)
