"""Sign-in sessions: Flask-Login wiring and the current organization of the signed-in user.

The session cookie holds "user id:session version"; bumping the user's session version (on
password change or "sign out everywhere") makes every older session invalid at once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import select

from rubric_app.db import db
from rubric_app.extensions import login_manager
from rubric_app.models import Membership, Organization, User

View = TypeVar("View", bound=Callable[..., Any])


def init_login(app: Flask) -> None:
    """Configure Flask-Login for the app."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.signin"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)


def load_user(user_id: str) -> User | None:
    """Return the user for a session id of the form "id:version", if still valid."""
    raw_id, _, raw_version = user_id.partition(":")
    if not raw_id.isdigit() or not raw_version.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or not user.is_active or user.session_version != int(raw_version):
        return None
    return user


def memberships_of(user: User) -> list[tuple[Organization, str]]:
    """The user's organizations with their role, by name."""
    rows = db.session.execute(
        select(Organization, Membership.role)
        .join(Membership, Membership.org_id == Organization.id)
        .where(Membership.user_id == user.id)
        .order_by(Organization.name)
    )
    return [(org, role) for org, role in rows]


def current_org() -> Organization | None:
    """The organization the signed-in user works in now (their choice, else their first)."""
    if not current_user.is_authenticated:
        return None
    return chosen_org(current_user, memberships_of(current_user))


def chosen_org(user: User, orgs: list[tuple[Organization, str]]) -> Organization | None:
    """Of the user's organizations, the one they switched to, else their first."""
    for org, _role in orgs:
        if org.id == user.current_org_id:
            return org
    return orgs[0][0] if orgs else None


def current_role() -> str | None:
    """The signed-in user's role in their current organization."""
    org = current_org()
    if org is None:
        return None
    return db.session.scalar(
        select(Membership.role).where(
            Membership.user_id == current_user.id, Membership.org_id == org.id
        )
    )


def org_required(view: View) -> View:
    """Let the view run only for a signed-in user with an organization.

    Anonymous visitors go to sign in; a user who belongs to no organization yet is sent to
    create one (the page also explains how to join through an invitation link).
    """

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_org() is None:
            flash(
                "You are not a member of any organization yet. Create yours, or open the "
                "invitation link a colleague sent you.",
                "info",
            )
            return redirect(url_for("accounts.new_organization"))
        return view(*args, **kwargs)

    return cast(View, wrapped)
