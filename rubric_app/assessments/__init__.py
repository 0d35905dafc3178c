"""Operations on assessments: the only code that writes assessments, answers and snapshots.

Functions add and flush; the request or CLI command that calls them commits once. Saves are
checked against what the saving page saw (a fingerprint of each item as it was rendered), so a
stale page never silently overwrites a teammate's newer answer: both-changed items come back as
conflicts, the rest merge.

Every writer (``save_items`` and so autosave, the Save buttons, conflict resolution and import;
``submit``, ``reopen`` and ``start_assessment`` copying forward) first calls
``lock_assessment``, which holds the assessment until the caller's transaction ends: SQLite
starts a ``BEGIN IMMEDIATE`` write transaction, PostgreSQL takes ``SELECT ... FOR UPDATE`` on
the assessment row. Only then are the status and the stored states read, so the
read-check-write of a save is one atomic step: of two teammates saving the same item from the
same base at the same instant, the second waits, sees the first one's answer and gets the
conflict; a save that waited for a submit finds the assessment submitted and is refused. The
revision is counted up in SQL (``revision = revision + 1 ... RETURNING``).

The package is split by job; this module re-exports the public names, so callers keep
importing ``from rubric_app.assessments import X``:

- ``states``: the value objects (``ItemState``, ``ItemChange``, ``Conflict``, ``SaveResult``)
  and the errors;
- ``storage``: an answer value's stored text (the item's answer type decides);
- ``reads``: the rubric, stored states, answers and live score of an assessment;
- ``locking``: ``lock_assessment``;
- ``saving``: merge-on-save (``save_items``);
- ``snapshots``: the frozen payload and its hash;
- ``score_cache``: the cached score rows the roll-ups read;
- ``submission``: ``submit`` and ``reopen``;
- ``starting``: ``start_assessment`` (copy-forward).
"""

from rubric_app.assessments.locking import lock_assessment
from rubric_app.assessments.reads import (
    PartWriters,
    assessments_for_period,
    find_existing,
    last_writers,
    load_answers,
    load_states,
    load_states_many,
    rubric_for,
    score_of,
)
from rubric_app.assessments.saving import save_items
from rubric_app.assessments.score_cache import (
    PAIR_DIMENSION,
    clear_score_cache,
    item_result_rows,
    section_score_rows,
    write_item_results,
    write_section_scores,
)
from rubric_app.assessments.snapshots import (
    payload_hash,
    snapshot_payload,
    snapshots_of,
    states_from_payload,
)
from rubric_app.assessments.starting import (
    StartRefusal,
    StartRefused,
    check_start,
    start_assessment,
)
from rubric_app.assessments.states import (
    EMPTY_STATE,
    NOTE_FIELDS,
    AssessmentError,
    AssessmentGone,
    AssessmentReadOnly,
    Conflict,
    ItemChange,
    ItemState,
    SaveResult,
)
from rubric_app.assessments.storage import decode_value, encode_value
from rubric_app.assessments.submission import reopen, submit

__all__ = [
    "EMPTY_STATE",
    "NOTE_FIELDS",
    "PAIR_DIMENSION",
    "AssessmentError",
    "AssessmentGone",
    "AssessmentReadOnly",
    "Conflict",
    "ItemChange",
    "ItemState",
    "PartWriters",
    "SaveResult",
    "StartRefusal",
    "StartRefused",
    "assessments_for_period",
    "check_start",
    "clear_score_cache",
    "decode_value",
    "encode_value",
    "find_existing",
    "item_result_rows",
    "last_writers",
    "load_answers",
    "load_states",
    "load_states_many",
    "lock_assessment",
    "payload_hash",
    "reopen",
    "rubric_for",
    "save_items",
    "score_of",
    "section_score_rows",
    "snapshot_payload",
    "snapshots_of",
    "start_assessment",
    "states_from_payload",
    "submit",
    "write_item_results",
    "write_section_scores",
]
