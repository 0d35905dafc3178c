"""The state dashboard's figures shared by every process: one ``KeptFigures`` row per view.

``figure_cache`` keeps a view's figures in the process that counted them. With several web
processes (and machines), each would count the same view again after every change, and the
worker that counts a view ahead of time (``figure_jobs``) could not hand its figures to them.
This table is what they share: a process that has no figures of its own for a view reads
them here before counting.

A row is used only when everything its figures were counted from is what the reader has:

- **the base rows**, exactly: ``base_digest`` is SHA-256 over the rows in assessment order
  (their ``repr``: ids, versions, profiles, naming, revisions, submission times), so a reader
  whose rows differ in any way gets a different digest and counts again;
- **the rubric and law files and the code**: ``setup_digest`` covers every file of the rubric
  and framework folders a process loaded at start-up and the app's own source, so a process
  that loaded other files, or runs other code during a rolling deploy, never reads figures
  counted by another;
- **the view** itself (advocate, state, rubric, filters, small-number threshold), hashed
  into the row's key.

The figures are pickled: they are the app's own frozen dataclasses, written only by the app
(like the job queue's own messages); nothing a user sends or uploads is ever unpickled. Even
so, a row is read back by an unpickler that makes only the app's own dataclasses and named
tuples (``_OwnFigures``, the "restricting globals" pattern of the ``pickle`` documentation): a
row someone wrote into the database by other means cannot make it call anything. A row that
does not read back (refused, or a class renamed without a new setup digest) is simply counted
again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import pickle
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, is_dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from rubric_app.models import KeptFigures, utcnow

from .resolved import ScopeRow, in_assessment_order

#: A fixed protocol, so processes of one Python version write the same bytes.
_PROTOCOL = 5

_log = logging.getLogger(__name__)


class _OwnFigures(pickle.Unpickler):
    """Makes only the app's own dataclasses and named tuples; refuses every other global (a
    function, a builtin), so unpickling a row can build figures and nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("rubric_app."):
            found = super().find_class(module, name)
            if isinstance(found, type) and (is_dataclass(found) or issubclass(found, tuple)):
                return found
        raise pickle.UnpicklingError(f"not a figure class: {module}.{name}")


def _add_files(digest: Any, folder: Path, pattern: str = "*") -> None:
    """Add every file under ``folder`` matching ``pattern``, by its name inside the folder (so
    two machines with the same files agree) and its bytes."""
    for path in sorted(found for found in folder.rglob(pattern) if found.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())


def _code_digest() -> str:
    """SHA-256 of the app's Python source, read once when this module is imported (so it is
    the code this process runs, not what a deploy has put on disk since)."""
    digest = hashlib.sha256(f"python {sys.version_info[:2]} pickle {_PROTOCOL}".encode())
    _add_files(digest, Path(__file__).resolve().parents[1], "*.py")
    return digest.hexdigest()


_CODE = _code_digest()


def setup_digest(folders: Iterable[Path]) -> str:
    """SHA-256 of every file under ``folders`` (the rubric and framework folders a process
    loads at start-up) and of the app's code: equal only for processes that count alike."""
    digest = hashlib.sha256(_CODE.encode())
    for index, folder in enumerate(folders):
        digest.update(f"folder {index}".encode())
        _add_files(digest, folder)
    return digest.hexdigest()


@dataclass(frozen=True)
class StoredView:
    """A view as the table names it: whose, which state, rubric and filters, which threshold."""

    advocate_org_id: int
    state: str
    rubric_key: str
    filters: Mapping[str, str]
    k: int

    @property
    def key(self) -> str:
        """SHA-256 of the view (the row's key)."""
        named = (self.advocate_org_id, self.state, self.rubric_key, sorted(self.filters.items()))
        return hashlib.sha256(repr((*named, self.k)).encode()).hexdigest()


def base_digest(rows: Sequence[ScopeRow]) -> str:
    """SHA-256 of a base's rows in assessment order (the database returns them in none)."""
    return hashlib.sha256(repr(in_assessment_order(rows)).encode()).hexdigest()


def read(session: Session, key: str, *, base: str, setup: str) -> Any | None:
    """The figures kept under ``key`` if they were counted from ``base`` with ``setup``."""
    figures = session.scalar(
        select(KeptFigures.figures).where(
            KeptFigures.view_key == key,
            KeptFigures.base_digest == base,
            KeptFigures.setup_digest == setup,
        )
    )
    if figures is None:
        return None
    try:
        return _OwnFigures(io.BytesIO(figures)).load()
    except Exception:  # a row no other process can read is counted again, never an error page
        _log.warning("Kept dashboard figures %s could not be read; counting again", key[:12])
        return None


def write(
    session: Session, view: StoredView, figures: Any, *, base: str, setup: str, asked: bool
) -> None:
    """Keep ``figures`` under ``view``, replacing what the view held (the caller commits).

    ``asked``: a page needed the view (it counted it), so ``asked_at`` moves to now; a worker
    counting it again after a change leaves ``asked_at`` as it was, so views nobody opens any
    more drop out of what workers count (``recently_asked``).

    One statement (an upsert), so two processes keeping the same view at once end with one
    row, the last one's; either was counted from the rows its digest names.
    """
    now = utcnow()
    values = {
        "view_key": view.key,
        "advocate_org_id": view.advocate_org_id,
        "rubric_key": view.rubric_key,
        "filters": dict(view.filters),
        "k": view.k,
        "base_digest": base,
        "setup_digest": setup,
        "figures": pickle.dumps(figures, protocol=_PROTOCOL),
        "counted_at": now,
        "asked_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(KeptFigures).values(**values)
    kept = {"view_key"} if asked else {"view_key", "asked_at"}
    changed = {name: statement.excluded[name] for name in values if name not in kept}
    session.execute(statement.on_conflict_do_update(index_elements=["view_key"], set_=changed))


def recently_asked(
    session: Session,
    advocate_org_id: int,
    rubric_key: str,
    k: int,
    *,
    since: dt.datetime,
    most: int,
) -> list[dict[str, str]]:
    """The filters of the advocate's views of the rubric that a page asked for since
    ``since``, latest first, at most ``most``."""
    rows = session.scalars(
        select(KeptFigures.filters)
        .where(
            KeptFigures.advocate_org_id == advocate_org_id,
            KeptFigures.rubric_key == rubric_key,
            KeptFigures.k == k,
            KeptFigures.asked_at >= since,
        )
        .order_by(KeptFigures.asked_at.desc())
        .limit(most)
    )
    return [dict(filters) for filters in rows]


def prune_figures(session: Session, *, older_than: dt.datetime) -> int:
    """Delete the views counted before ``older_than`` (hourly, ``jobs.maintenance``); say how
    many. The caller commits."""
    result = session.execute(delete(KeptFigures).where(KeptFigures.counted_at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)


def clear(session: Session) -> None:
    """Forget every shared view (the benchmarks' and tests' first views; the caller commits)."""
    session.execute(delete(KeptFigures))
