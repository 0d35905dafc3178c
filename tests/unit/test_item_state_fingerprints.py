"""``ItemState.fingerprint`` remembered by content across states: never another content's."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pytest

from rubric_app.assessments import states as states_module
from rubric_app.assessments.states import ItemState


def _computed(state: ItemState) -> str:
    """The fingerprint as defined: the short SHA-256 of the state's canonical JSON."""
    canonical = json.dumps(state.to_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


@pytest.fixture(autouse=True)
def _empty_memo() -> None:
    states_module._fingerprint_of_content.cache_clear()


STATES = [
    ItemState(),
    ItemState(values={"value": "yes"}),
    ItemState(values={"value": "no"}),
    ItemState(values={"coverage": "partial", "value": "yes"}),
    ItemState(values={"value": "yes", "coverage": "partial"}),
    ItemState(values={"choices": ("a", "b")}),
    ItemState(values={"choices": ("b", "a")}),
    ItemState(not_applicable=True, na_reason="No SRO"),
    ItemState(comment="x"),
    ItemState(evidence_quote="x"),
    ItemState(evidence_source="x"),
    ItemState(flagged=True),
]


def test_each_state_gets_its_own_computed_fingerprint_whatever_came_first() -> None:
    for state in STATES + list(reversed(STATES)):
        fresh = replace(state)
        assert fresh.fingerprint() == _computed(state)
    assert len({state.fingerprint() for state in STATES}) == len(STATES) - 1  # one reordered pair


def test_a_one_for_true_is_not_taken_for_true() -> None:
    """``1 == True`` as a key, but not as JSON: such a state is not remembered."""
    truthy = ItemState(flagged=True)
    assert truthy.fingerprint() == _computed(truthy)
    odd = ItemState(flagged=1)  # type: ignore[arg-type]
    assert odd.fingerprint() == _computed(odd) != truthy.fingerprint()
    listed = ItemState(values={"choices": ["a"]})  # type: ignore[dict-item]
    assert listed.fingerprint() == _computed(listed)


def test_long_texts_are_not_remembered_and_the_memo_is_bounded() -> None:
    memo = states_module._fingerprint_of_content
    long = ItemState(comment="x" * 3000)
    assert long.fingerprint() == _computed(long)
    assert memo.cache_info().currsize == 0
    bound = states_module._FINGERPRINTS_MAX
    assert memo.cache_info().maxsize == bound
    for number in range(bound + 5):
        state = ItemState(comment=str(number))
        assert state.fingerprint() == _computed(state)
    assert memo.cache_info().currsize == bound
    # The least recently used went first; asked again, it is made again, the same.
    first = ItemState(comment="0")
    assert first.fingerprint() == _computed(first)
