"""The job record: what a user sees of a background job (state, progress, reason, result).

The queue (Huey) only carries a job's id; this table is the truth about the job, so the status
page, the "being prepared" page and the retries all read one row whatever broker runs the work.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rubric_app.db import Base

JOB_STATES = ("queued", "running", "done", "failed")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Job(Base):
    """One unit of background work, keyed by what it does so it is queued once."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(
            "state IN ('queued', 'running', 'done', 'failed')",
            name="state",
        ),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the work is (e.g. "pdf:report-12-r3-...pdf"): unique, so a second request for the
    #: same work, from any worker at the same moment, gets this row instead of a second job.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    #: The registered job kind that does the work (``rubric_app.jobs.registry``).
    kind: Mapped[str] = mapped_column(String(60))
    #: What the kind needs (ids, filters): plain JSON, never code.
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Who asked for it: the only user who may open its status page.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    #: Shown to the user: why it failed, or that it is being retried.
    message: Mapped[str] = mapped_column(Text, default="")
    #: What the job made, for the status page (e.g. the name of a file to download).
    result: Mapped[str] = mapped_column(String(300), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: When what it made stops being offered (a download link); None: it does not expire.
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
