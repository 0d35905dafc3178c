"""Who may do what: the one access policy every route goes through.

``can(session, user, action, target)`` answers for assessments and organizations, and is the
only question routes ask (a test holds every module outside this one to it); the
``*_or_404`` helpers load an object and answer 404 when the user may not see it, so the
existence of other organizations' work never leaks. Viewing is the weakest right: a user who
may not even view gets 404; a user who may view but not act gets 403.

The rules, in one table (role in the organization that owns the assessment):

=============  ==========================  ======  ======  ==========================
action         owner                       editor  viewer  member of an org shared with
=============  ==========================  ======  ======  ==========================
view           yes                         yes     yes     while submitted and not revoked
view_shares    yes                         yes     yes     no
follow_up      yes                         yes     yes     no
edit, submit   draft only                  draft   no      no
reopen         submitted only              no      no      no
share, plan    yes                         yes     no      no
documents      yes                         yes     no      no
delete         yes                         no      no      no
=============  ==========================  ======  ======  ==========================

Organizations: any member may view; owners and editors create assessments; owners manage
members, see the audit log and edit the profile; any member of a *verified* state advocate
organization sees its state dashboard (a pending one waits for a site administrator, see
``rubric_app.accounts.vetting``). Non-members may do nothing.

Site administration (``/admin``): only users with ``is_site_admin``; anyone else gets 404, so
the pages do not even show that they exist. Being a site administrator grants nothing inside
organizations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, cast, get_args, overload

from flask import abort
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import ORMExecuteState, Session, joinedload

from rubric_app.accounts.vetting import acts_as_advocate
from rubric_app.assessments.locking import lock_assessment
from rubric_app.assessments.states import AssessmentGone
from rubric_app.models import Assessment, Membership, Organization, Share, User

AssessmentAction = Literal[
    "view",  # read answers, report, PDF, JSON, compare
    "view_shares",  # see with whom the owning organization shares it
    # be addressed as the owning organization: "your" wording and the next steps after
    # submitting (a reader it was shared with gets neither; see ``reports.voice``)
    "follow_up",
    "edit",  # change answers, notes, start from previous
    "submit",
    "reopen",
    "share",  # create and revoke shares
    "plan",  # create and edit gap actions
    "documents",  # upload and delete agreement documents (viewing them is "view")
    "delete",
]
OrgAction = Literal[
    "view",
    "create_assessment",
    "manage_members",  # invite, change roles, remove
    "view_audit",
    "edit_profile",
    "view_dashboard",  # state advocate roll-up
]

ASSESSMENT_ACTIONS: frozenset[str] = frozenset(get_args(AssessmentAction))
ORG_ACTIONS: frozenset[str] = frozenset(get_args(OrgAction))
EDIT_ROLES = frozenset({"owner", "editor"})


#: ``Session.info`` key: each user's memberships already read, with the transaction they were
#: read in.
_ROLES = "rubric_app.access.roles"

#: One membership as remembered: the organization's id (compared without touching the
#: organization, which a lock may have expired), the organization and the role.
_Member = tuple[int, Organization, str]


@event.listens_for(Session, "after_flush")
def _forget_roles(session: Session, _flush_context: object) -> None:
    """A flush may have changed memberships: later questions in the transaction ask again."""
    session.info.pop(_ROLES, None)


@event.listens_for(Session, "do_orm_execute")
def _forget_roles_on_write(state: ORMExecuteState) -> None:
    """So may an UPDATE, DELETE or INSERT statement run through the session."""
    if not state.is_select:
        state.session.info.pop(_ROLES, None)


#: Built once (every request runs it; see ``user_sessions._LIVE_USER_SESSION``).
_MEMBERSHIPS_OF = (
    select(Organization, Membership.role)
    .join(Membership, Membership.org_id == Organization.id)
    .where(Membership.user_id == bindparam("user_id"))
    .order_by(Organization.name)
)


def _memberships(session: Session, user: User) -> tuple[_Member, ...]:
    """The user's memberships, by organization name, read once per transaction.

    A request asks about them several times (the two-step rule before the view,
    ``assessment_or_404`` for viewing, the route for editing or planning, the header's
    organization switcher), so one read of all of them answers every question for the rest of
    the session's transaction, until the session next flushes or writes (which may change
    them).
    """
    transaction = session.get_transaction()
    held_by, known = session.info.get(_ROLES, (None, {}))
    # Changes not flushed yet may be memberships: the query below flushes them first.
    unflushed = session.new or session.dirty or session.deleted
    if transaction is not None and held_by is transaction and user.id in known and not unflushed:
        return cast("tuple[_Member, ...]", known[user.id])
    found = tuple(
        (org.id, org, role) for org, role in session.execute(_MEMBERSHIPS_OF, {"user_id": user.id})
    )
    transaction = session.get_transaction()
    if held_by is not transaction:
        known = {}
    known[user.id] = found
    session.info[_ROLES] = (transaction, known)
    return found


def remember_memberships(
    session: Session, user: User, found: Sequence[tuple[Organization, str]]
) -> None:
    """Take the user's memberships, just read in this transaction by name (the signed-in user's
    come with their session, ``user_sessions.live_user_session``), as ``_memberships`` would
    have read them."""
    transaction = session.get_transaction()
    held_by, known = session.info.get(_ROLES, (None, {}))
    if held_by is not transaction:
        known = {}
    known[user.id] = tuple((org.id, org, role) for org, role in found)
    session.info[_ROLES] = (transaction, known)


def memberships_of(session: Session, user: User) -> list[tuple[Organization, str]]:
    """The user's organizations with their role, by name (see ``_memberships``)."""
    return [(org, role) for _org_id, org, role in _memberships(session, user)]


def role_in(session: Session, user: User | None, org_id: int) -> str | None:
    """Return the user's role in the organization, or None when not a member.

    Answered from the user's memberships read once per transaction (``_memberships``).
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    for member_of, _org, role in _memberships(session, user):
        if member_of == org_id:
            return role
    return None


def shared_with_user(session: Session, user: User, assessment_id: int) -> bool:
    """Whether a live share of the assessment reaches any organization the user belongs to."""
    return (
        session.scalar(
            select(Share.id)
            .join(Membership, Membership.org_id == Share.to_org_id)
            .where(
                Share.assessment_id == assessment_id,
                Share.revoked_at.is_(None),
                Membership.user_id == user.id,
            )
            .limit(1)
        )
        is not None
    )


def _assessment_allows(
    session: Session, user: User | None, action: AssessmentAction, assessment: Assessment
) -> bool:
    """Whether the user may do ``action`` on the assessment."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    role = role_in(session, user, assessment.org_id)
    submitted = assessment.status == "submitted"
    if action == "view":
        if role is not None:
            return True
        return submitted and shared_with_user(session, user, assessment.id)
    if role is None:
        return False
    if action in ("view_shares", "follow_up"):
        return True
    if action in ("edit", "submit"):
        return role in EDIT_ROLES and not submitted
    if action in ("share", "plan", "documents"):
        # Creating a share also needs a submitted assessment; the sharing operation says so
        # in words. Revoking stays possible after a reopen.
        return role in EDIT_ROLES
    if action == "reopen":
        return role == "owner" and submitted
    if action == "delete":
        return role == "owner"
    return False


def _org_allows(session: Session, user: User | None, action: OrgAction, org: Organization) -> bool:
    """Whether the user may do ``action`` on the organization."""
    role = role_in(session, user, org.id)
    if role is None:
        return False
    if action == "view":
        return True
    if action == "create_assessment":
        return role in EDIT_ROLES
    if action in ("manage_members", "view_audit", "edit_profile"):
        return role == "owner"
    if action == "view_dashboard":
        return acts_as_advocate(org)
    return False


def is_site_admin(user: User | None) -> bool:
    """Whether the user is a signed-in site administrator."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "is_site_admin", False))


def require_site_admin(user: User | None) -> None:
    """Answer 404 unless the user is a site administrator (the admin pages stay unseen)."""
    if not is_site_admin(user):
        abort(404)


@overload
def can(
    session: Session, user: User | None, action: AssessmentAction, target: Assessment
) -> bool: ...
@overload
def can(session: Session, user: User | None, action: OrgAction, target: Organization) -> bool: ...
def can(
    session: Session,
    user: User | None,
    action: AssessmentAction | OrgAction,
    target: Assessment | Organization,
) -> bool:
    """Whether the user may do ``action`` on an assessment or an organization.

    The overloads let mypy refuse an organization action asked of an assessment and the
    reverse; at run time an action the target's kind lacks is simply refused.
    """
    if isinstance(target, Assessment):
        return action in ASSESSMENT_ACTIONS and _assessment_allows(
            session, user, cast(AssessmentAction, action), target
        )
    return action in ORG_ACTIONS and _org_allows(session, user, cast(OrgAction, action), target)


def assessment_or_404(
    session: Session,
    user: User | None,
    assessment_id: int,
    action: AssessmentAction = "view",
    *,
    lock: bool = False,
) -> Assessment:
    """Load the assessment for ``action``: 404 if the user may not see it, 403 if not act on it.

    Its rubric version and organization come in the same query: every page of an assessment
    reads the first (``rubric_for``) and most the second, each a statement of its own otherwise.
    ``lock=True`` is for a route that writes at once (the autosave): the assessment is read
    by ``lock_assessment`` instead, so the write's lock and this check read it once, not
    twice. The lock is then taken before the check; a refused request holds it only until its
    transaction ends with the request.
    """
    if lock:
        try:
            found: Assessment | None = lock_assessment(session, assessment_id)
        except AssessmentGone:
            found = None
    else:
        found = session.get(
            Assessment,
            assessment_id,
            options=(joinedload(Assessment.rubric_version), joinedload(Assessment.organization)),
        )
    if found is None or not can(session, user, "view", found):
        abort(404)
    if action != "view" and not can(session, user, action, found):
        abort(403)
    return found


def org_or_404(
    session: Session, user: User | None, org_id: int, action: OrgAction = "view"
) -> Organization:
    """Load the organization for ``action``: 404 for non-members, 403 if the role falls short."""
    org = session.get(Organization, org_id)
    if org is None or not can(session, user, "view", org):
        abort(404)
    if action != "view" and not can(session, user, action, org):
        abort(403)
    return org
