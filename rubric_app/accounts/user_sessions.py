"""Server-side sign-in sessions: the only code that writes ``user_sessions``.

A session is a row keyed by the SHA-256 of a random token that only the browser's cookie
holds. It ends when revoked (sign-out, "sign out everywhere", a password change, a sign-out
from the account page), when idle longer than the policy allows, or at its absolute expiry.
Functions take the time as an argument so that tests can move it; they add and flush, and the
caller commits. Flask wiring lives in ``rubric_app.auth_session``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from rubric_app.models import Membership, Organization, User, UserSession

#: Longest user agent kept (the column's size); the rest says nothing a person needs.
USER_AGENT_MAX = 300


@dataclass(frozen=True)
class SessionPolicy:
    """How long sessions live: idle timeouts, absolute lifetimes, how often to note activity."""

    idle: dt.timedelta
    lifetime: dt.timedelta
    remember_idle: dt.timedelta
    remember_lifetime: dt.timedelta
    touch_every: dt.timedelta = dt.timedelta(minutes=1)

    def idle_for(self, row: UserSession) -> dt.timedelta:
        """The idle timeout of this session ("keep me signed in" ones wait longer)."""
        return self.remember_idle if row.remember else self.idle


def hash_token(token: str) -> str:
    """The stored form of a session token (or a one-time link): its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def as_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` as an aware UTC time (SQLite hands back naive ones)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def open_session(
    session: Session,
    user: User,
    *,
    policy: SessionPolicy,
    now: dt.datetime,
    remember: bool = False,
    ip: str = "",
    user_agent: str = "",
    link_digest: str | None = None,
) -> tuple[UserSession, str]:
    """Start a session for ``user``; return the row and the raw token for the cookie."""
    token = secrets.token_urlsafe(32)
    lifetime = policy.remember_lifetime if remember else policy.lifetime
    row = UserSession(
        token_hash=hash_token(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        remember=remember,
        ip=ip[:45],
        user_agent=user_agent[:USER_AGENT_MAX],
        signin_link_digest=link_digest,
    )
    session.add(row)
    session.flush()
    return row, token


def is_live(row: UserSession, policy: SessionPolicy, now: dt.datetime) -> bool:
    """Whether the session still works: not revoked, not idle too long, not past its end."""
    if row.revoked_at is not None:
        return False
    if now >= as_utc(row.expires_at):
        return False
    return now - as_utc(row.last_seen_at) < policy.idle_for(row)


def live_session(
    session: Session, user_id: int, token: str, policy: SessionPolicy, now: dt.datetime
) -> UserSession | None:
    """The user's session with this token, if it still works."""
    if not token:
        return None
    row = session.scalar(select(UserSession).where(UserSession.token_hash == hash_token(token)))
    if row is None or row.user_id != user_id or not is_live(row, policy, now):
        return None
    return row


#: Built once: constructing the statement anew was a good part of running it, on every
#: signed-in request. The user's memberships come along (one row each, or one row without any):
#: every signed-in request asks for them next (the two-step rule, the access checks).
_LIVE_USER_SESSION = (
    select(User, UserSession, Organization, Membership.role)
    .join(UserSession, UserSession.user_id == User.id)
    .outerjoin(Membership, Membership.user_id == User.id)
    .outerjoin(Organization, Organization.id == Membership.org_id)
    .where(UserSession.token_hash == bindparam("token_hash"), User.id == bindparam("user_id"))
    .order_by(Organization.name)
)


@dataclass(frozen=True)
class SignedIn:
    """A live session's user, the session row, and the user's organizations with their role
    (by organization name), as one query read them."""

    user: User
    row: UserSession
    memberships: tuple[tuple[Organization, str], ...]


def live_user_session(
    session: Session, user_id: int, token: str, policy: SessionPolicy, now: dt.datetime
) -> SignedIn | None:
    """The user, their session with this token and their memberships, in one query, if the
    session still works.

    Every signed-in request asks this first; reading the user and the memberships with the
    session row saves a statement each on all of them. Whether the user may still sign in
    (active, session version) is the caller's question.
    """
    if not token:
        return None
    rows = session.execute(
        _LIVE_USER_SESSION, {"token_hash": hash_token(token), "user_id": user_id}
    ).all()
    if not rows:
        return None
    user, row = rows[0][0], rows[0][1]
    if not is_live(row, policy, now):
        return None
    memberships = tuple((org, role) for _user, _row, org, role in rows if org is not None)
    return SignedIn(user, row, memberships)


def touch_due(row: UserSession, policy: SessionPolicy, now: dt.datetime) -> bool:
    """Whether ``last_seen_at`` is old enough to be worth writing again."""
    return now - as_utc(row.last_seen_at) >= policy.touch_every


def touch(session: Session, row: UserSession, now: dt.datetime) -> None:
    """Note activity on the session (the caller checks ``touch_due`` first)."""
    row.last_seen_at = now
    session.flush()


def revoke(session: Session, row: UserSession, now: dt.datetime) -> None:
    """End one session; a cookie that still carries its token is refused from now on."""
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()


def revoke_all(
    session: Session, user_id: int, now: dt.datetime, *, keep_id: int | None = None
) -> None:
    """End every session of the user (except ``keep_id``, if given)."""
    statement = (
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    if keep_id is not None:
        statement = statement.where(UserSession.id != keep_id)
    session.execute(statement)
    session.flush()


def session_of(session: Session, user_id: int, session_id: int) -> UserSession | None:
    """The user's own session with this id (never another user's)."""
    return session.scalar(
        select(UserSession).where(UserSession.id == session_id, UserSession.user_id == user_id)
    )


def active_sessions(
    session: Session, user_id: int, policy: SessionPolicy, now: dt.datetime
) -> list[UserSession]:
    """The user's sessions that still work, most recently used first."""
    rows = session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
    return [row for row in rows if is_live(row, policy, now)]


def prune(session: Session, user_id: int, now: dt.datetime, *, keep: dt.timedelta) -> None:
    """Delete the user's sessions that ended more than ``keep`` ago.

    ``keep`` must exceed the lifetime of a one-time sign-in link: a link's single use is
    enforced by the unique digest on the row it started.
    """
    session.execute(
        delete(UserSession)
        .where(UserSession.user_id == user_id, UserSession.expires_at < now - keep)
        .execution_options(synchronize_session=False)
    )
