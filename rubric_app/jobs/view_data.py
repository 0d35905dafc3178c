"""What the job pages show of a job row: plain data, worded for people."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .models import Job
from .operations import as_utc, is_expired
from .registry import job_kind

STATE_LABELS = {
    "queued": "Waiting to start",
    "running": "In progress",
    "done": "Ready",
    "failed": "Failed",
}
#: The label of a done job whose file has expired or was withdrawn.
GONE_LABEL = "No longer available"


@dataclass(frozen=True)
class JobView:
    """A job as its status page shows it."""

    id: int
    title: str
    state: str
    state_label: str
    progress: int
    message: str
    #: Whether the page should refresh itself (the job is still waiting or working).
    active: bool
    #: The job made a file that can still be downloaded.
    has_file: bool
    expired: bool
    #: The file was made, but its kind's check no longer allows it (``file_allowed``).
    withdrawn: bool
    expires_at: dt.datetime | None
    #: The page the job was started from, as (link text, URL), when its kind names one.
    back: tuple[str, str] | None = None


def job_view(
    job: Job, *, has_file: bool, withdrawn: bool = False, now: dt.datetime | None = None
) -> JobView:
    """Return what the status page shows of ``job`` (its kind's back link needs a request)."""
    kind = job_kind(job.kind)
    withdrawn = job.state == "done" and withdrawn
    # A withdrawn file's link has ended too (``operations.withdraw``): the page says why.
    expired = job.state == "done" and is_expired(job, now) and not withdrawn
    title = "Background job"
    if kind is not None:
        title = kind.done_title if job.state == "done" and kind.done_title else kind.title
    gone = expired or withdrawn
    return JobView(
        id=job.id,
        title=title,
        state=job.state,
        # A file that can no longer be had is not "Ready", and what it held is not news.
        state_label=GONE_LABEL if gone else STATE_LABELS.get(job.state, job.state),
        progress=job.progress,
        message="" if gone else job.message,
        active=job.state in ("queued", "running"),
        has_file=has_file and job.state == "done" and not gone,
        expired=expired,
        withdrawn=withdrawn,
        expires_at=as_utc(job.expires_at) if job.expires_at else None,
        back=kind.back(job) if kind is not None and kind.back is not None else None,
    )
