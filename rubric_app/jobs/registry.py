"""The job kinds: a name for each kind of background work and the function that does it.

A feature registers its kind once at import (``register("assessment_pdf", handler)``); the
queue carries only a job id, and the runner looks the handler up by the job's ``kind``. So a
new kind of work is one ``register`` call, and nothing from the queue is ever executed as code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from .models import Job


class Progress(Protocol):
    """Reports progress from inside a handler; written to the job row at once."""

    def __call__(self, percent: int, note: str = "") -> None:
        """Record ``percent`` (0-100) and, when given, ``note`` ("12 of 40 reports added")."""


@dataclass(frozen=True)
class Made:
    """What a job made: its file's name ("" for none) and a sentence for its page when done."""

    file: str = ""
    summary: str = ""


#: Does the work of one job; returns what the job made (a file name, or ``Made``) or "".
Handler = Callable[[Session, Job, Progress], str | Made]
#: Whether the job's user may still download what it made (access may have ended since).
FileAllowed = Callable[[Session, Job], bool]
#: The page a job's status page leads back to, as (link text, URL), or None; called while a
#: request is served (it may build URLs).
BackLink = Callable[[Job], tuple[str, str] | None]


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
    #: The status page's heading once the job is done ("Preparing ..." would then be
    #: wrong); the title when empty.
    done_title: str = ""
    back: BackLink | None = None


_KINDS: dict[str, JobKind] = {}


def register(
    name: str,
    handler: Handler,
    *,
    title: str,
    file_allowed: FileAllowed = _always,
    done_title: str = "",
    back: BackLink | None = None,
) -> JobKind:
    """Register ``handler`` as the job kind ``name`` (again: replaces it, for reloads)."""
    kind = JobKind(
        name=name,
        handler=handler,
        title=title,
        file_allowed=file_allowed,
        done_title=done_title,
        back=back,
    )
    _KINDS[name] = kind
    return kind


def job_kind(name: str) -> JobKind | None:
    """Return the registered kind ``name``, or None."""
    return _KINDS.get(name)


def kind_names() -> list[str]:
    """Return the names of every registered kind, sorted."""
    return sorted(_KINDS)
