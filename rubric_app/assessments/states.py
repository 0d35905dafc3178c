"""The value objects of an assessment's items, and the errors the operations raise.

``ItemState`` is everything stored for one item; its ``fingerprint`` is what merge-on-save
compares. ``ItemChange``, ``Conflict`` and ``SaveResult`` are what a save takes and returns.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rubric_app.scoring import ItemAnswer

#: Fingerprints are remembered by content (``_fingerprint_of_content``) for this many contents:
#: each request makes new states of the same few contents (read from the database, read from
#: the post), and hashing the content's JSON was the dearest part of a save's merge check.
#: States with more than ``_FINGERPRINT_TEXT_MAX`` characters of text are not kept, which
#: bounds the memory to a few megabytes.
_FINGERPRINTS_MAX = 2048
_FINGERPRINT_TEXT_MAX = 2000


#: The fields of an ``ItemState`` an item's note row stores, by column name (all but the
#: answers): the save's writes and the import's checks name the same columns.
NOTE_FIELDS = (
    "not_applicable",
    "na_reason",
    "comment",
    "evidence_quote",
    "evidence_source",
    "flagged",
)


class AssessmentError(ValueError):
    """A request that cannot be carried out, with a message fit to show the user."""


class AssessmentReadOnly(AssessmentError):
    """A save reached an assessment that is no longer a draft (it was submitted meanwhile)."""


class AssessmentGone(AssessmentError):
    """A writer reached an assessment that was deleted meanwhile."""


@dataclass(frozen=True)
class ItemState:
    """Everything stored for one item of one assessment."""

    values: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    not_applicable: bool = False
    na_reason: str = ""
    comment: str = ""
    evidence_quote: str = ""
    evidence_source: str = ""
    flagged: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict, with values in a stable order."""
        return {
            "values": {
                key: list(value) if isinstance(value, tuple) else value
                for key, value in sorted(self.values.items())
            },
            **self.note_columns(),
        }

    def note_columns(self) -> dict[str, str | bool]:
        """The fields an item's note row stores, by column name (all but the answers)."""
        return {name: getattr(self, name) for name in NOTE_FIELDS}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ItemState:
        values = {
            key: tuple(value) if isinstance(value, list) else str(value)
            for key, value in dict(data.get("values", {})).items()
        }
        return cls(
            values=values,
            not_applicable=bool(data.get("not_applicable", False)),
            na_reason=str(data.get("na_reason", "")),
            comment=str(data.get("comment", "")),
            evidence_quote=str(data.get("evidence_quote", "")),
            evidence_source=str(data.get("evidence_source", "")),
            flagged=bool(data.get("flagged", False)),
        )

    def fingerprint(self) -> str:
        """A short hash of the content, to tell whether an item changed since a page showed it."""
        # Kept on the instance once made (the state is frozen, so it cannot go stale; not a
        # field, so equality ignores it): a save asks the same states several times.
        known: str | None = self.__dict__.get("_fingerprint")
        if known is None:
            content = self._content()
            known = _hash_of(self) if content is None else _fingerprint_of_content(content)
            object.__setattr__(self, "_fingerprint", known)
        return known

    def _content(self) -> tuple[Any, ...] | None:
        """Everything the fingerprint covers, as a hashable key (the values in a stable order).

        None for a state of other types than declared (``1`` for ``True`` is equal as a key but
        not as JSON) or with long texts: its fingerprint is simply not remembered.
        """
        if type(self.not_applicable) is not bool or type(self.flagged) is not bool:
            return None
        texts = (self.na_reason, self.comment, self.evidence_quote, self.evidence_source)
        if sum(map(len, texts)) > _FINGERPRINT_TEXT_MAX:
            return None
        for value in self.values.values():
            if type(value) is not str and (
                type(value) is not tuple or any(type(part) is not str for part in value)
            ):
                return None
        return (
            tuple(sorted(self.values.items())),
            self.not_applicable,
            self.na_reason,
            self.comment,
            self.evidence_quote,
            self.evidence_source,
            self.flagged,
        )

    def is_empty(self) -> bool:
        return self == ItemState()

    def to_answer(self) -> ItemAnswer:
        """The scoring view of this state."""
        evidence = " — ".join(part for part in (self.evidence_quote, self.evidence_source) if part)
        return ItemAnswer(
            values=dict(self.values),
            not_applicable=self.not_applicable,
            na_reason=self.na_reason,
            comment=self.comment,
            evidence=evidence,
            flagged=self.flagged,
        )


EMPTY_STATE = ItemState()


def _hash_of(state: ItemState) -> str:
    """The fingerprint as defined: the short SHA-256 of the state's canonical JSON."""
    canonical = json.dumps(state.to_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


@lru_cache(maxsize=_FINGERPRINTS_MAX)
def _fingerprint_of_content(content: tuple[Any, ...]) -> str:
    """The fingerprint of the state ``ItemState._content`` made ``content`` of (keyed by the
    content itself, so equal keys always mean equal fingerprints)."""
    values, not_applicable, na_reason, comment, quote, source, flagged = content
    return _hash_of(
        ItemState(dict(values), not_applicable, na_reason, comment, quote, source, flagged)
    )


@dataclass(frozen=True)
class ItemChange:
    """A posted item: the new state, and the fingerprint of the state the page was rendered with.

    ``base_fingerprint`` is the posted base (``parts.base_of``: the fingerprint, and the part
    hashes that let changes to different parts merge) or a bare fingerprint (the whole item);
    None means "overwrite whatever is stored" (imports, copies).
    """

    item_id: str
    state: ItemState
    base_fingerprint: str | None


@dataclass(frozen=True)
class Conflict:
    """An item both this page and someone else changed: both versions, for the user to choose."""

    item_id: str
    mine: ItemState
    theirs: ItemState
    theirs_fingerprint: str
    #: The parts both changed to different values (``parts``); () when the page's base knew
    #: the whole item only, so the whole item conflicts.
    parts: tuple[str, ...] = ()


@dataclass(frozen=True)
class SaveResult:
    """What a save wrote (``written``: the state saved per item, merged where it was) and
    which items conflict; an item may be in both when some of its parts were saved."""

    saved: tuple[str, ...]
    conflicts: tuple[Conflict, ...]
    revision: int
    written: Mapping[str, ItemState] = field(default_factory=dict)
    #: For items saved merged with a change made elsewhere: who last saved the item before
    #: this save (``PartWriters.item``), read before the write overwrote it. Read only when
    #: something merged, so the usual save pays nothing for it.
    merged_from: Mapping[str, int | None] = field(default_factory=dict)
