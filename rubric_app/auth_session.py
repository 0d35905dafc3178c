"""Sign-in sessions: Flask-Login wiring, server-side sessions, and the current organization.

Flask-Login keeps "user id:session version:session token" in the session cookie (and in the
remember-me cookie). Each request looks the token up in ``user_sessions``
(``rubric_app.accounts.user_sessions``): a revoked, idle or expired session signs nobody in,
so a copied cookie stops working at sign-out. ``start_session`` is the one place that signs a
user in: every way in (password, one-time link, sign-up by invitation, password change) ends
with it, so a later step (such as a second factor) goes in front of that one call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from rubric_app import access
from rubric_app.accounts import user_sessions
from rubric_app.accounts.passwords import prepare_dummy_hash
from rubric_app.accounts.user_sessions import SessionPolicy
from rubric_app.db import db
from rubric_app.extensions import login_manager
from rubric_app.models import Membership, Organization, User, UserSession, utcnow

View = TypeVar("View", bound=Callable[..., Any])

#: Ended sessions are deleted this long after their absolute end (longer than any e-mailed
#: one-time sign-in link lives, whose single use rests on the row it started).
KEEP_ENDED_SESSIONS = dt.timedelta(days=2)


def init_login(app: Flask) -> None:
    """Configure Flask-Login for the app."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.signin"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    # The remember-me cookie lasts as long as the server session it is bound to.
    app.config.setdefault("REMEMBER_COOKIE_DURATION", app.config["REMEMBER_SESSION_LIFETIME"])
    app.before_request(load_signed_in_user)
    # Otherwise the first sign-in attempt for an unknown address in each worker would be the
    # slow one, and the time would tell.
    prepare_dummy_hash(str(app.config["ARGON2_PROFILE"]))


def session_policy() -> SessionPolicy:
    """The session lifetimes configured for this app."""
    config = current_app.config
    return SessionPolicy(
        idle=dt.timedelta(seconds=int(config["SESSION_IDLE_TIMEOUT"])),
        lifetime=dt.timedelta(seconds=int(config["SESSION_LIFETIME"])),
        remember_idle=dt.timedelta(seconds=int(config["REMEMBER_IDLE_TIMEOUT"])),
        remember_lifetime=dt.timedelta(seconds=int(config["REMEMBER_SESSION_LIFETIME"])),
        touch_every=dt.timedelta(seconds=int(config["SESSION_TOUCH_INTERVAL"])),
    )


def load_signed_in_user() -> None:
    """Check the browser's session before the view runs.

    Loading here, first thing, means the occasional ``last_seen_at`` write commits on its own
    and never together with half of a view's work.
    """
    # g outlives a request when an outer app context is reused (tests, scripts).
    g.pop("user_session_id", None)
    _ = current_user.is_authenticated


def load_user(user_id: str) -> User | None:
    """The user of a live server session named by "id:version:token", else None."""
    raw_id, _, rest = user_id.partition(":")
    raw_version, _, token = rest.partition(":")
    if not raw_id.isdigit() or not raw_version.isdigit() or not token:
        return None
    policy = session_policy()
    now = utcnow()
    found = user_sessions.live_user_session(db.session, int(raw_id), token, policy, now)
    if found is None:
        return None
    user, row = found.user, found.row
    if not user.is_active or user.session_version != int(raw_version):
        return None
    if user_sessions.touch_due(row, policy, now):
        user_sessions.touch(db.session, row, now)
        db.session.commit()
    else:
        # Read in this transaction: the questions about roles that follow need not ask again.
        access.remember_memberships(db.session, user, found.memberships)
    user.session_token = token
    g.user_session_id = row.id
    return user


def current_session_id() -> int | None:
    """The id of this browser's server session, when signed in."""
    if not current_user.is_authenticated:
        return None
    return cast(int | None, g.get("user_session_id"))


def start_session(user: User, remember: bool = False, *, link_digest: str | None = None) -> None:
    """Sign ``user`` in on this browser: a new server session, new cookie ids, a new CSRF secret.

    Call it once the user has proved who they are; it flushes, the caller commits. The
    browser's previous session (if any) ends, and everything the cookie held before is dropped,
    so nothing set before sign-in (a planted session or CSRF token) survives it.
    """
    now = utcnow()
    previous = current_session_id()
    if previous is not None:
        row = db.session.get(UserSession, previous)
        if row is not None:
            user_sessions.revoke(db.session, row, now)
    user_sessions.prune(db.session, user.id, now, keep=KEEP_ENDED_SESSIONS)
    row, token = user_sessions.open_session(
        db.session,
        user,
        policy=session_policy(),
        now=now,
        remember=remember,
        ip=request.remote_addr or "",
        user_agent=request.user_agent.string,
        link_digest=link_digest,
    )
    # Messages flashed on the way in (e.g. "9 recovery codes are left") are for the new session.
    flashes = session.get("_flashes")
    session.clear()
    if flashes:
        session["_flashes"] = flashes
    # Flask-WTF caches the signed token for this request in g; the next form gets a fresh one.
    g.pop("csrf_token", None)
    user.session_token = token
    g.user_session_id = row.id
    login_user(user, remember=remember, fresh=True)


def end_this_session() -> None:
    """Sign this browser out: its server session ends, so a copy of the cookie is refused."""
    session_id = current_session_id()
    if session_id is not None:
        row = db.session.get(UserSession, session_id)
        if row is not None:
            user_sessions.revoke(db.session, row, utcnow())
    db.session.commit()
    logout_user()
    session.pop("csrf_token", None)
    g.pop("user_session_id", None)


def memberships_of(user: User) -> list[tuple[Organization, str]]:
    """The user's organizations with their role, by name (read once per transaction)."""
    return access.memberships_of(db.session, user)


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
