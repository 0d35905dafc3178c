"""Posted answers kept aside instead of lost: drafts after an expired session, and conflicts.

A draft (``SavedDraft``) holds one section's posted form data under a random key that only the
browser that posted it learns. Two purposes:

- ``signin``: the session had ended when the user pressed Save; the draft is shown again, not
  yet saved, after they sign in (``?restore=<key>``), and saving goes through the usual
  conflict check because the page's base fingerprints are in the data.
- ``conflict``: a save found items both this page and someone else changed; the conflict page
  reads the draft to show both versions side by side.

Drafts are never trusted: whoever claims one must be allowed to edit its assessment (checked by
the routes), the data is cut down to the fields of the section's items, and drafts expire
after ``DRAFT_LIFETIME``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rubric_app.models import SavedDraft, utcnow
from rubric_app.questionnaire.fields import item_field_names
from rubric_app.rubrics.model import Rubric, Section

DraftPurpose = Literal["signin", "conflict"]
DRAFT_LIFETIME = dt.timedelta(days=7)
#: Page-level fields kept besides the items' own.
PAGE_FIELDS = ("base_revision",)


def section_fields(
    rubric: Rubric, section: Section, data: Mapping[str, list[str]]
) -> dict[str, list[str]]:
    """Only the posted fields that belong to the section's items (plus the page's revision)."""
    allowed = set(PAGE_FIELDS)
    for item in section.items:
        allowed.update(item_field_names(item, rubric))
    return {key: [str(value) for value in values] for key, values in data.items() if key in allowed}


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back without a zone; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def purge_expired(session: Session, now: dt.datetime | None = None) -> None:
    """Delete drafts older than ``DRAFT_LIFETIME``."""
    cutoff = (now or utcnow()) - DRAFT_LIFETIME
    session.execute(delete(SavedDraft).where(SavedDraft.created_at < cutoff))


def keep_draft(
    session: Session,
    *,
    assessment_id: int,
    section_id: str,
    fields: Mapping[str, list[str]],
    purpose: DraftPurpose,
    reuse_key: str | None = None,
) -> str:
    """Store posted fields as a draft and return its key.

    ``reuse_key`` names an open draft of the same assessment, section and purpose to update
    instead (autosave keeps meeting the same conflict until it is resolved).
    """
    if reuse_key:
        existing = find_draft(session, reuse_key, assessment_id, purpose=purpose)
        if existing is not None and existing.section_id == section_id:
            existing.form_data = {"purpose": purpose, "fields": dict(fields)}
            existing.created_at = utcnow()
            return existing.key
    purge_expired(session)
    key = secrets.token_urlsafe(24)
    session.add(
        SavedDraft(
            key=key,
            assessment_id=assessment_id,
            section_id=section_id,
            form_data={"purpose": purpose, "fields": dict(fields)},
        )
    )
    session.flush()
    return key


def find_draft(
    session: Session,
    key: str,
    assessment_id: int,
    *,
    purpose: DraftPurpose | None = None,
    now: dt.datetime | None = None,
) -> SavedDraft | None:
    """The open (unclaimed, unexpired) draft with this key for this assessment, if any."""
    if not key or len(key) > 64:
        return None
    draft = session.scalar(
        select(SavedDraft).where(
            SavedDraft.key == key,
            SavedDraft.assessment_id == assessment_id,
            SavedDraft.claimed_at.is_(None),
        )
    )
    if draft is None:
        return None
    if _aware(draft.created_at) < (now or utcnow()) - DRAFT_LIFETIME:
        return None
    if purpose is not None and draft_purpose(draft) != purpose:
        return None
    return draft


def draft_purpose(draft: SavedDraft) -> str:
    return str(draft.form_data.get("purpose", "signin"))


def draft_fields(draft: SavedDraft) -> dict[str, list[str]]:
    """The posted fields a draft holds."""
    fields: Any = draft.form_data.get("fields", {})
    if not isinstance(fields, dict):
        return {}
    return {
        str(key): [str(value) for value in values]
        for key, values in fields.items()
        if isinstance(values, list)
    }


def claim_draft(draft: SavedDraft) -> None:
    """Mark a draft used, so its key cannot be replayed."""
    draft.claimed_at = utcnow()
