"""Snapshots: the frozen payload of a submitted assessment and its content hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.assessments.states import ItemState
from rubric_app.models import Assessment, RubricVersion, Snapshot


def snapshot_payload(version: RubricVersion, states: Mapping[str, ItemState]) -> dict[str, Any]:
    """What a submitted snapshot freezes: the rubric version and every answered item's state.

    Empty states are left out: an item cleared after being answered and an item never touched
    mean the same, so they must hash the same however they happen to be stored.
    """
    return {
        "rubric_id": version.rubric_key,
        "rubric_version": version.version,
        "rubric_hash": version.content_hash,
        "items": {
            item_id: state.to_dict()
            for item_id, state in sorted(states.items())
            if not state.is_empty()
        },
    }


def payload_hash(payload: Mapping[str, Any]) -> str:
    """The content hash over a snapshot payload (canonical JSON, SHA-256)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def snapshots_of(session: Session, assessment: Assessment) -> list[Snapshot]:
    """Every submitted snapshot, newest first."""
    return list(
        session.scalars(
            select(Snapshot)
            .where(Snapshot.assessment_id == assessment.id)
            .order_by(Snapshot.number.desc())
        )
    )


def states_from_payload(payload: Mapping[str, Any]) -> dict[str, ItemState]:
    """Item states frozen in a snapshot payload."""
    return {item_id: ItemState.from_dict(data) for item_id, data in payload["items"].items()}
