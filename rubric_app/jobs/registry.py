"""The job kinds: a name for each kind of background work and the function that does it.

A feature registers its kind once at import (``register("assessment_pdf", handler)``); the
queue carries only a job id, and the runner looks the handler up by the job's ``kind``. So a
new kind of work is one ``register`` call, and nothing from the queue is ever executed as code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from .models import Job

#: Reports progress (0-100) from inside a handler; written to the job row at once.
Progress = Callable[[int], None]
#: Does the work of one job; returns what the job made (e.g. a file name) or "".
Handler = Callable[[Session, Job, Progress], str]
#: Whether the job's user may still download what it made (access may have ended since).
FileAllowed = Callable[[Session, Job], bool]


def _always(_session: Session, _job: Job) -> bool:
    return True


class JobFailed(Exception):
    """A job cannot succeed (its subject is gone, its user may no longer see it): no retry.

    The message is shown to the user as the reason, so it says what happened in plain words.
    """


@dataclass(frozen=True)
class JobKind:
    """A registered kind of job."""

    name: str
    handler: Handler
    #: A short phrase for the status page, e.g. "Preparing the report PDF".
    title: str
    file_allowed: FileAllowed = _always


_KINDS: dict[str, JobKind] = {}


def register(
    name: str, handler: Handler, *, title: str, file_allowed: FileAllowed = _always
) -> JobKind:
    """Register ``handler`` as the job kind ``name`` (again: replaces it, for reloads)."""
    kind = JobKind(name=name, handler=handler, title=title, file_allowed=file_allowed)
    _KINDS[name] = kind
    return kind


def job_kind(name: str) -> JobKind | None:
    """Return the registered kind ``name``, or None."""
    return _KINDS.get(name)


def kind_names() -> list[str]:
    """Return the names of every registered kind, sorted."""
    return sorted(_KINDS)
