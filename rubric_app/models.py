"""ORM classes: the tables of rubric_app and their constraints. Nothing here commits.

Rubric versions are immutable records of a rubric's normalised definition. Assessments pin a
version; answers are one row per assessment, item and rating dimension, and per-item notes
(N/A, comment, evidence, flag) live beside them. Scores are computed by ``rubric_app.scoring``;
``SectionScoreRow`` and ``ItemResult`` only cache the scores of a submitted snapshot for the SQL
state roll-ups.

Why one long module: the classes are declarations only, and the test that models and migrations
agree reads this one metadata; a split by area is the next step if it grows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from rubric_app.accounts.org_names import name_key
from rubric_app.accounts.partner_codes import new_partner_code
from rubric_app.db import Base
from rubric_app.jobs.models import Job  # noqa: F401 - the jobs table lives with its package
from rubric_app.vocabulary import ENROLLMENT_BANDS, LOCALES, ORG_KINDS, ROLES, SRO_MODELS

ASSESSMENT_STATUSES = ("draft", "submitted")
ACTION_STATUSES = ("planned", "in_progress", "done")
EVIDENCE_DECISIONS = ("accepted", "dismissed")
#: Reading an uploaded agreement into clauses runs as a background job (agreements.extraction_jobs).
EXTRACTION_STATES = ("pending", "running", "done", "failed")


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


def utcnow() -> dt.datetime:
    """Return the current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class Timestamped:
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )


class RubricVersion(Base, Timestamped):
    """One immutable version of a rubric, with its normalised definition."""

    __tablename__ = "rubric_versions"
    __table_args__ = (UniqueConstraint("rubric_key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_key: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    # Deferred: every assessment request loads its version, but the rebuilt Rubric is cached
    # by content hash (``rubric_versions.rubric_of``), so the 66 KB of JSON is read and decoded
    # only when the cache misses.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)


class Organization(Base, Timestamped):
    """A school district, afterschool program, state advocate or college.

    A state advocate organization is *pending* until a site administrator verifies it
    (``rubric_app.accounts.vetting``): only verified ones see a dashboard or receive shares.
    """

    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint(_in("kind", ORG_KINDS), name="kind"),
        CheckConstraint("length(state) = 2", name="state_code"),
        CheckConstraint(
            "enrollment_band IS NULL OR " + _in("enrollment_band", ENROLLMENT_BANDS),
            name="enrollment_band",
        ),
        CheckConstraint("locale IS NULL OR " + _in("locale", LOCALES), name="locale"),
        CheckConstraint("sro_model IS NULL OR " + _in("sro_model", SRO_MODELS), name="sro_model"),
        Index("ix_organizations_state_kind", "state", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The name as compared (``org_names.name_key``), kept in step with ``name`` by ``_keep_key``.
    name_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(2))
    #: NCES district id or IPEDS unit id, where the organization has one.
    nces_id: Mapped[str | None] = mapped_column(String(20))
    enrollment_band: Mapped[str | None] = mapped_column(String(20))
    locale: Mapped[str | None] = mapped_column(String(20))
    sro_model: Mapped[str | None] = mapped_column(String(30))
    # users.current_org_id already points here; use_alter keeps the two tables sortable.
    #: Who created it: for a pending advocate, the person who asked to be verified.
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", use_alter=True)
    )
    #: When a site administrator (or `flask orgs verify`) verified it; None while unverified.
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", use_alter=True)
    )
    #: When a site administrator refused to verify it (cleared when its identity changes).
    rejected_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: The secret its owners hand to partners, who find it by this code to share with it.
    partner_code: Mapped[str] = mapped_column(String(20), unique=True, default=new_partner_code)
    #: The owners' setting "require two-step sign-in for every member": members without it
    #: are sent to set it up after signing in and can do nothing else until they have.
    require_two_step: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organization", cascade="all, delete-orphan"
    )

    @validates("name")
    def _keep_key(self, _key: str, name: str) -> str:
        self.name_key = name_key(name)
        return name


# Two verified organizations of one kind in one state never share a name (by name_key): that is
# what lets a district trust the advocate it is offered. Pending ones may, so an impostor's
# request can exist until an administrator rejects it. Partial unique indexes work on both
# SQLite and PostgreSQL.
Index(
    "uq_organizations_verified_name",
    Organization.kind,
    Organization.state,
    Organization.name_key,
    unique=True,
    sqlite_where=Organization.verified_at.is_not(None),
    postgresql_where=Organization.verified_at.is_not(None),
)


class User(Base, Timestamped):
    """A person who signs in. E-mail is stored normalised (lower case, trimmed)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Bumped on password change and "sign out everywhere": older sessions stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: A site administrator verifies state advocate organizations (``/admin``).
    is_site_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: When the user opened a link mailed to their address (verification, invitation or
    #: password reset); until then they cannot invite anyone or share assessments.
    email_verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: The organization the user last switched to.
    current_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL")
    )
    #: The TOTP secret for two-step sign-in, encrypted (see ``accounts/two_step.py``). Set while
    #: enrolment waits for its first code; two-step sign-in is on once ``two_step_enabled_at``
    #: is set too.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    two_step_enabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: The last TOTP time step accepted: a code of that step or an earlier one is a replay.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    #: A new phone's secret while two-step sign-in moves to it, encrypted like ``totp_secret``
    #: (whose codes keep working until a first code of the new one confirms the move). The
    #: encrypted token carries its time, and a move not confirmed within
    #: ``two_step.MOVE_MINUTES`` must be started again.
    totp_new_secret: Mapped[str | None] = mapped_column(String(255))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login protocol. The id carries the session version so that bumping it ends sessions.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    #: The raw id of the server session this object was signed in or loaded with; set by
    #: ``rubric_app.auth_session``, never stored. Plain (unannotated) so it is not a column; the
    #: cast gives it its type for mypy.
    session_token = cast("str | None", None)

    def get_id(self) -> str:
        # Flask-Login keeps this string in the session cookie and the remember-me cookie, so
        # both carry the server session's id and end when that session ends.
        return f"{self.id}:{self.session_version}:{self.session_token or ''}"


class RecoveryCode(Base, Timestamped):
    """One single-use recovery code for two-step sign-in, stored as a SHA-256 digest."""

    __tablename__ = "recovery_codes"
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Membership(Base, Timestamped):
    """A user's role in an organization."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "org_id"),
        CheckConstraint(_in("role", ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))

    user: Mapped[User] = relationship(back_populates="memberships")
    organization: Mapped[Organization] = relationship(back_populates="memberships")


class Invitation(Base, Timestamped):
    """An invitation by e-mail to join an organization; the e-mailed link is single-use."""

    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(10))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Assessment(Base, Timestamped):
    """One organization's review of its policies against one rubric version for one period."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint(_in("status", ASSESSMENT_STATUSES), name="status"),
        CheckConstraint("revision >= 0", name="revision"),
        Index("ix_assessments_org_rubric_period", "org_id", "rubric_key", "period"),
        Index("ix_assessments_rubric_status", "rubric_key", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    #: Denormalised from the rubric version so roll-ups group without a join.
    rubric_key: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    #: Free-form period label, e.g. "2026-27".
    period: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    #: Incremented on every save; a save based on an older revision is checked for conflicts.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Hash of the current submitted snapshot (answers + rubric version); None while a draft.
    snapshot_hash: Mapped[str | None] = mapped_column(String(64))
    #: The assessment this one was started from ("start from the previous assessment").
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="SET NULL")
    )

    organization: Mapped[Organization] = relationship()
    rubric_version: Mapped[RubricVersion] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )
    notes: Mapped[list[ItemNote]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )


class Answer(Base):
    """The value given for one item on one rating dimension."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("assessment_id", "item_id", "dimension"),
        Index("ix_answers_item_dimension_value", "item_id", "dimension", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(100))
    #: A rubric dimension id, or "value" for items without rating dimensions.
    dimension: Mapped[str] = mapped_column(String(50))
    #: The scale option key, or the typed value as text (multi-select: JSON list).
    value: Mapped[str] = mapped_column(Text)
    #: The assessment revision at which this row last changed (for conflict detection).
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    assessment: Mapped[Assessment] = relationship(back_populates="answers")


class ItemNote(Base):
    """Per-item notes: N/A with justification, comment, evidence and the review flag."""

    __tablename__ = "item_notes"
    __table_args__ = (
        UniqueConstraint("assessment_id", "item_id"),
        CheckConstraint("NOT not_applicable OR length(na_reason) > 0", name="na_needs_reason"),
        # The state roll-up finds the (rare) N/A items of thousands of assessments through this.
        Index("ix_item_notes_not_applicable", "not_applicable", "assessment_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(100))
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    na_reason: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    #: The quoted clause from the document.
    evidence_quote: Mapped[str] = mapped_column(Text, default="")
    #: The document's name, page or section.
    evidence_source: Mapped[str] = mapped_column(String(500), default="")
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    assessment: Mapped[Assessment] = relationship(back_populates="notes")


class Snapshot(Base):
    """A frozen copy of an assessment at submission: answers, rubric version and content hash."""

    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("assessment_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class SectionScoreRow(Base):
    """Scores of a submitted assessment, cached from rubric_app.scoring for SQL roll-ups.

    One row per (assessment, section, dimension); section "_overall" holds the overall score
    and dimension "_all" the pooled score over every dimension. Rewritten at each submission.
    ``answered`` of ``applicable`` items is what the score rests on (``scoring.Coverage``);
    ``percent`` is null when that is below the rubric's threshold ("not enough answers"). Rows
    cached before the counts existed have null counts. Written by ``score_cache``.
    """

    __tablename__ = "section_scores"
    __table_args__ = (
        UniqueConstraint("assessment_id", "section_id", "dimension"),
        # Covers the state roll-up's score distributions: walked in (section, dimension,
        # percent) order, so grouping by percent needs no sort and no table lookups.
        Index(
            "ix_section_scores_distribution", "section_id", "dimension", "percent", "assessment_id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    section_id: Mapped[str] = mapped_column(String(100))
    dimension: Mapped[str] = mapped_column(String(50))
    percent: Mapped[float | None] = mapped_column(Float)
    level: Mapped[str | None] = mapped_column(String(50))
    answered: Mapped[int | None] = mapped_column(Integer)
    applicable: Mapped[int | None] = mapped_column(Integer)


class ItemResult(Base):
    """How one item of a submitted assessment was rated, cached from rubric_app.scoring.

    One row per rated dimension of each visible, applicable (not N/A), scored item: the option
    key and whether it is fully in place (``rating_is_full``). Items with both of the first two
    dimensions rated also get a row with dimension "_item" carrying the paper-vs-practice label.
    Written with ``SectionScoreRow`` at submission, deleted on reopen; the state roll-ups group it.
    """

    __tablename__ = "item_results"
    __table_args__ = (
        UniqueConstraint("assessment_id", "item_id", "dimension"),
        # Covering, in grouping order: the roll-up over a large scope reads only this index.
        Index(
            "ix_item_results_item_dimension",
            "item_id",
            "dimension",
            "full",
            "paper_practice",
            "assessment_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(100))
    dimension: Mapped[str] = mapped_column(String(50))
    option_key: Mapped[str | None] = mapped_column(String(100))
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    paper_practice: Mapped[str | None] = mapped_column(String(20))


class Share(Base, Timestamped):
    """A read-only share of a submitted assessment with another organization."""

    __tablename__ = "shares"
    __table_args__ = (
        UniqueConstraint("assessment_id", "to_org_id"),
        Index("ix_shares_to_org", "to_org_id", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    to_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: Whether the sharing organization agreed to be named in the receiver's participant lists
    #: (a state advocate's dashboard and exports). Off unless ticked when sharing.
    named_in_lists: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    assessment: Mapped[Assessment] = relationship()
    to_org: Mapped[Organization] = relationship()


class Action(Base, Timestamped):
    """A planned action to close a gap, owned by someone, with a due date and status."""

    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint(_in("status", ACTION_STATUSES), name="status"),
        # One carried copy per earlier action in a plan, even when two carries race.
        UniqueConstraint("assessment_id", "carried_from_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    #: When the action was marked done (``reports.actions`` sets it with the status and clears
    #: it when the action is reopened). Null for actions not done, and for those marked done
    #: before it was recorded: no date is claimed for them.
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: The previous period's action this one was carried over from, if any.
    carried_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("actions.id", ondelete="SET NULL")
    )


class SavedDraft(Base, Timestamped):
    """Answers kept aside: a signed-out post (until its author signs in) or a save in conflict."""

    __tablename__ = "saved_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random key of the draft: in the conflict page's URL, and in the restored section page's
    #: URL (where it only works together with ``browser_hash``'s cookie).
    key: Mapped[str] = mapped_column(String(64), unique=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    section_id: Mapped[str] = mapped_column(String(100))
    form_data: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Sign-in drafts only: SHA-256 (hex) of the random secret set as a cookie in the browser
    #: that posted it. Only that browser can restore the draft; the secret itself is not stored.
    browser_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Who did what, when, in which organization."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_org_at", "org_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    #: A dotted verb, e.g. "auth.signin", "auth.signin_failed", "assessment.submit".
    action: Mapped[str] = mapped_column(String(50))
    #: What it was done to, e.g. "assessment:12".
    target: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(45), default="")


class UserSession(Base):
    """One signed-in browser: ends on sign-out, when idle too long, or at its absolute expiry.

    The cookie carries a random token; only its SHA-256 is stored, so a copy of this table
    cannot be replayed as cookies.
    """

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_id_revoked_at", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Updated at most once a minute, so a busy page does not write on every request.
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: The absolute end (SESSION_LIFETIME, or REMEMBER_SESSION_LIFETIME with "keep me signed in").
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: SHA-256 of the one-time sign-in link this session was started with; unique, so a link
    #: signs in once (rows outlive every link: they are kept past their own expiry).
    signin_link_digest: Mapped[str | None] = mapped_column(String(64), unique=True)


class RenderSlot(Base):
    """One expensive render (a PDF, a workbook, a comparison) that a user has in progress.

    ``rubric_app.render_limits`` is the only code that reads or writes these rows. The table is
    what every gunicorn worker (and every machine) shares, so a per-user limit holds across all
    of them; ``expires_at`` frees a slot whose request died without releasing it.
    """

    __tablename__ = "render_slots"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    #: 0 .. RENDER_LIMIT - 1: the primary key allows one holder per slot.
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Random per render, so a render only ever releases the slot it still holds.
    token: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AgreementDocument(Base):
    """An agreement (MOU, procedures) uploaded to an assessment, with its bytes and provenance.

    The bytes live here, not on disk: every web process and machine sees the same file, and a
    deleted assessment takes its documents with it. ``content`` is deferred so that listing
    documents never loads the files.
    """

    __tablename__ = "agreement_documents"
    __table_args__ = (
        CheckConstraint(_in("extraction_state", EXTRACTION_STATES), name="extraction_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    #: As the uploader's browser named it; shown only, never used as a path.
    file_name: Mapped[str] = mapped_column(String(255))
    #: The short name citations use ("MOU" in "MOU §4.2, p. 3"; "SOP" for procedures).
    label: Mapped[str] = mapped_column(String(40), default="MOU", server_default="MOU")
    #: Decided from the content by ``rubric_app.documents.sniff``, not from the name.
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    #: Hex SHA-256 of ``content``: evidence quotes will cite the exact file they came from.
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    clause_count: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    #: Whether the clauses have been read yet: pending (queued), running, done or failed.
    #: Operations always set it; the server default covers rows from before extraction moved
    #: into a background job, which were read during their upload.
    extraction_state: Mapped[str] = mapped_column(String(10), server_default="done")
    #: Why reading failed, worded for the uploader ("This PDF has no text layer ..."); else "".
    extraction_message: Mapped[str] = mapped_column(Text, default="", server_default="")

    uploaded_by: Mapped[User | None] = relationship()
    clauses: Mapped[list[AgreementClause]] = relationship(
        back_populates="document",
        cascade="all, delete-orphan",
        order_by="AgreementClause.position",
    )


class AgreementClause(Base):
    """One clause of an uploaded agreement, as ``rubric_app.documents`` split it."""

    __tablename__ = "agreement_clauses"
    __table_args__ = (UniqueConstraint("document_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_documents.id", ondelete="CASCADE")
    )
    #: 0-based order in the document.
    position: Mapped[int] = mapped_column(Integer)
    #: The document's own label ("4.2", "Article IV", "4.2(a)"); empty for the preamble.
    number: Mapped[str] = mapped_column(String(60))
    heading: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    #: The page the clause starts on; None for DOCX and plain text without page breaks.
    page: Mapped[int | None] = mapped_column(Integer)

    document: Mapped[AgreementDocument] = relationship(back_populates="clauses")


class EvidenceAnchor(Base):
    """A person's decision on one clause for one item: accepted as evidence, or dismissed.

    Suggestions are only ever suggestions; this row is the human decision. An accepted row
    keeps its own copy of the citation (clause number, page, quote and the document's SHA-256),
    so a submitted report still cites what was accepted after the file is deleted: the links
    to the document and clause are then set to NULL rather than the row being lost.
    """

    __tablename__ = "evidence_anchors"
    __table_args__ = (
        # One decision per item and clause; a second person's decision updates it.
        UniqueConstraint("assessment_id", "item_id", "clause_id"),
        CheckConstraint(_in("decision", EVIDENCE_DECISIONS), name="decision_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[str] = mapped_column(String(100))
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreement_documents.id", ondelete="SET NULL"), index=True
    )
    clause_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreement_clauses.id", ondelete="SET NULL"), index=True
    )
    #: "accepted" or "dismissed".
    decision: Mapped[str] = mapped_column(String(20))
    #: The citation as it stood when decided: clause label ("4.2"), heading, page, quote, file.
    clause_number: Mapped[str] = mapped_column(String(60))
    clause_heading: Mapped[str] = mapped_column(Text, default="")
    page: Mapped[int | None] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(String(255))
    #: The document's citation label at the time ("MOU").
    document_label: Mapped[str] = mapped_column(String(40))
    document_sha256: Mapped[str] = mapped_column(String(64))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class OrganizationFramework(Base):
    """A framework an organization adds to its reports beside its state's law.

    For funding conditions (jurisdiction "federal", e.g. the COPS Hiring Program): the state's
    own law applies by the organization's state, these by choice. ``framework_id`` names a
    framework file's id; one no longer loaded is simply not shown.
    """

    __tablename__ = "organization_frameworks"
    __table_args__ = (UniqueConstraint("org_id", "framework_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    framework_id: Mapped[str] = mapped_column(String(100))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class KeptFigures(Base):
    """One state dashboard view's figures, counted once and shared by every process.

    ``rubric_app.states.figure_store`` is the only code that reads or writes these rows. A row
    is used only by a request that read exactly the base rows it was counted from
    (``base_digest``) with the same rubric files, law files and code (``setup_digest``); one
    row per view, replaced when the view is counted again.
    """

    __tablename__ = "kept_figures"

    #: SHA-256 of the view: advocate, state, rubric, filters and the small-number threshold.
    view_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    advocate_org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: The view itself (what the key hashes), so a worker can count it again after a change.
    rubric_key: Mapped[str] = mapped_column(String(100))
    filters: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    k: Mapped[int] = mapped_column(Integer)
    base_digest: Mapped[str] = mapped_column(String(64))
    setup_digest: Mapped[str] = mapped_column(String(64))
    #: The figures, pickled by the app itself (never from a user's upload).
    figures: Mapped[bytes] = mapped_column(LargeBinary)
    counted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: When a page last needed the view (counted it, or read it from here): the worker counts
    #: again after a change only the views someone opened lately.
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
