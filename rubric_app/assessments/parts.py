"""An item's parts, the per-part base a page posts, and the merge of two changes part by part.

An item is several things people change independently: one rating per dimension, the N/A
switch with its reason, the comment, the evidence (quote and source, one citation) and the
review flag. A page posts, per item, the *base* it was drawn from: the whole state's
fingerprint followed by one short hash per non-empty part::

    <fingerprint>;comment=<hash>;value:practice=<hash>;value:written=<hash>

so the server can tell which parts the poster changed (posted part != base part) and which
someone else changed (stored part != base part). Changes to different parts merge; only a part
both changed to different values conflicts. A part missing from the list was empty on the
page. A base without ``;`` (a page drawn before per-part bases, or a bare fingerprint such as
the conflicts page posts) knows the whole item only: there, a change on both sides is a
conflict of the whole item, as it always was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rubric_app.assessments.states import ItemState

#: A part's value: a rating (text or tuple), a text, a flag, or a pair for N/A and evidence.
PartValue = Any

#: Part names besides the ratings, in the order the conflicts page lists them (after ratings).
NA_PART = "na"
COMMENT_PART = "comment"
EVIDENCE_PART = "evidence"
FLAG_PART = "flagged"
NOTE_PARTS = (NA_PART, COMMENT_PART, EVIDENCE_PART, FLAG_PART)
#: A rating's part is named after its dimension: ``value:written``, ``value:value``.
VALUE_PREFIX = "value:"
_SEPARATOR = ";"
#: The whole fingerprint of a base that describes no single state (``rebase``): it never equals
#: a state's fingerprint, so every later save of that item is merged part by part.
MIXED = "mixed"
#: Part hashes are remembered by value, like fingerprints (``states._fingerprint_of_content``):
#: every page and autosave hashes the same few parts again; long texts are not kept.
_PART_HASHES_MAX = 4096
_PART_TEXT_MAX = 2000


def value_part(dimension: str) -> str:
    """The part name of one rating dimension."""
    return f"{VALUE_PREFIX}{dimension}"


def parts_of(state: ItemState) -> dict[str, PartValue]:
    """The state's non-empty parts by name (an empty rating, "" or (), is no part)."""
    parts: dict[str, PartValue] = {
        value_part(dimension): value
        for dimension, value in state.values.items()
        if value not in ("", ())
    }
    if state.not_applicable or state.na_reason:
        parts[NA_PART] = (bool(state.not_applicable), state.na_reason)
    if state.comment:
        parts[COMMENT_PART] = state.comment
    if state.evidence_quote or state.evidence_source:
        parts[EVIDENCE_PART] = (state.evidence_quote, state.evidence_source)
    if state.flagged:
        parts[FLAG_PART] = True
    return parts


def state_from_parts(parts: Mapping[str, PartValue]) -> ItemState:
    """The state made of these parts (the inverse of ``parts_of``)."""
    not_applicable, na_reason = parts.get(NA_PART, (False, ""))
    quote, source = parts.get(EVIDENCE_PART, ("", ""))
    return ItemState(
        values={
            name.removeprefix(VALUE_PREFIX): value
            for name, value in sorted(parts.items())
            if name.startswith(VALUE_PREFIX)
        },
        not_applicable=not_applicable,
        na_reason=na_reason,
        comment=parts.get(COMMENT_PART, ""),
        evidence_quote=quote,
        evidence_source=source,
        flagged=bool(parts.get(FLAG_PART, False)),
    )


def part_hash(value: PartValue) -> str:
    """A short hash of one part's value (compared only with the same part's)."""
    if isinstance(value, str) and len(value) > _PART_TEXT_MAX:
        return _hash_of_part(value)
    if isinstance(value, tuple) and sum(len(str(piece)) for piece in value) > _PART_TEXT_MAX:
        return _hash_of_part(value)
    return _remembered_part_hash(value)


def _hash_of_part(value: PartValue) -> str:
    canonical = json.dumps(value, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


@lru_cache(maxsize=_PART_HASHES_MAX)
def _remembered_part_hash(value: PartValue) -> str:
    # Parts are typed (a flag is always a bool, see parts_of), so 1 and True never share a key.
    return _hash_of_part(value)


def base_of(state: ItemState) -> str:
    """The base a page drawn from ``state`` posts: its fingerprint and its parts' hashes."""
    # Kept on the instance once made, like the fingerprint: a page and an autosave ask each
    # state once or twice, and the state is frozen.
    known: str | None = state.__dict__.get("_base")
    if known is None:
        known = _encode(state.fingerprint(), _hashes_of(state))
        object.__setattr__(state, "_base", known)
    return known


def _hashes_of(state: ItemState) -> dict[str, str]:
    return {name: part_hash(value) for name, value in parts_of(state).items()}


def _encode(fingerprint: str, hashes: Mapping[str, str]) -> str:
    return _SEPARATOR.join(
        [fingerprint, *(f"{name}={digest}" for name, digest in sorted(hashes.items()))]
    ) + ("" if hashes else _SEPARATOR)


@dataclass(frozen=True)
class ItemBase:
    """A posted base read back: the whole fingerprint, and the part hashes if it has them."""

    fingerprint: str
    #: Part name -> hash of every part that was not empty; None for a whole-item base.
    parts: Mapping[str, str] | None

    def changed(self, name: str, value: PartValue | None) -> bool:
        """Whether a part now holding ``value`` (None: empty) differs from this base."""
        assert self.parts is not None
        if value is None:
            return name in self.parts
        return self.parts.get(name) != part_hash(value)


def parse_base(text: str) -> ItemBase:
    """Read a posted base; anything unreadable in its part list is taken as an empty part."""
    fingerprint, marker, listed = text.partition(_SEPARATOR)
    if not marker:
        return ItemBase(fingerprint, None)
    parts: dict[str, str] = {}
    for entry in listed.split(_SEPARATOR):
        name, equals, digest = entry.rpartition("=")
        if equals and name:
            parts[name] = digest
    return ItemBase(fingerprint, parts)


@dataclass(frozen=True)
class Merge:
    """Two changes of one item merged part by part.

    ``state`` takes the stored ("theirs") value of every conflicting part, so it is what may be
    saved at once without deciding anything; ``mine`` takes the poster's instead, which is
    what "keep my version" saves. Both take the parts only one side changed from that side.
    """

    state: ItemState
    mine: ItemState
    conflicts: tuple[str, ...]


def merge_item(base: ItemBase, mine: ItemState, theirs: ItemState) -> Merge | None:
    """Merge the posted ``mine`` and the stored ``theirs``, both changed since ``base``.

    None when the base has no parts (whole-item base): then the whole item conflicts. Besides
    parts both changed differently, "not applicable" merged with a rating is a conflict of the
    N/A part and the ratings that differ: one side says the item does not apply, the other
    rated it, and an N/A item stores no ratings (``questionnaire.fields.state_from_form``).
    """
    if base.parts is None:
        return None
    mine_parts, theirs_parts = parts_of(mine), parts_of(theirs)
    merged: dict[str, PartValue] = {}
    conflicts: set[str] = set()
    for name in set(mine_parts) | set(theirs_parts):
        my_value, their_value = mine_parts.get(name), theirs_parts.get(name)
        if my_value == their_value or not base.changed(name, my_value):
            value = their_value
        elif not base.changed(name, their_value):
            value = my_value
        else:
            conflicts.add(name)
            value = their_value
        if value is not None:
            merged[name] = value
    not_applicable = merged.get(NA_PART, (False, ""))[0]
    if not_applicable and any(name.startswith(VALUE_PREFIX) for name in merged):
        conflicts.add(NA_PART)
        conflicts.update(
            name
            for name in set(mine_parts) | set(theirs_parts)
            if name.startswith(VALUE_PREFIX) and mine_parts.get(name) != theirs_parts.get(name)
        )
    mine_wins = dict(merged)
    for name in conflicts:
        for side, parts in ((merged, theirs_parts), (mine_wins, mine_parts)):
            side.pop(name, None)
            if name in parts:
                side[name] = parts[name]
    return Merge(state_from_parts(merged), state_from_parts(mine_wins), ordered_parts(conflicts))


def ordered_parts(names: Collection[str]) -> tuple[str, ...]:
    """Part names in the order an item shows them: ratings first, then the notes."""
    ratings = sorted(name for name in names if name.startswith(VALUE_PREFIX))
    return (*ratings, *(name for name in NOTE_PARTS if name in names))


def differing_parts(one: ItemState, other: ItemState) -> tuple[str, ...]:
    """The parts in which two states differ."""
    first, second = parts_of(one), parts_of(other)
    return ordered_parts(
        [name for name in set(first) | set(second) if first.get(name) != second.get(name)]
    )


def rebase(base: ItemBase, posted: ItemState, kept: Collection[str]) -> str | None:
    """The base for a page still showing ``posted`` after a save left ``kept`` parts in
    conflict: those parts keep the old base (so they still conflict next time), the others are
    what the page shows. None for a whole-item base, which stays as it was."""
    if base.parts is None:
        return None
    hashes = {name: digest for name, digest in _hashes_of(posted).items() if name not in kept}
    hashes.update({name: base.parts[name] for name in kept if name in base.parts})
    return _encode(MIXED, hashes)
