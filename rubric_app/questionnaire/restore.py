"""Posted answers kept aside instead of lost: drafts after an expired session, and conflicts.

A draft (``SavedDraft``) holds one section's posted form data under a random key that only the
browser that posted it learns. Two purposes:

- ``signin``: the session had ended when the user pressed Save; the draft is shown again, not
  yet saved, after they sign in (``?restore=<key>``), and saving goes through the usual
  conflict check because the page's base fingerprints are in the data. Such a draft is bound
  to the browser that posted it: that browser holds a random secret (a cookie, see
  ``signin_drafts``) and the draft stores only its hash (``browser_hash``), so the key alone,
  or the sign-in link, is no use in another browser.
- ``conflict``: a save found items both this page and someone else changed; the conflict page
  reads the draft to show both versions side by side.

Drafts are never trusted: whoever claims one must be allowed to edit its assessment (checked by
the routes), a sign-in draft must be claimed from the browser that posted it, the data is cut
down to the fields of the section's items, and drafts expire after ``DRAFT_LIFETIME``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rubric_app.models import SavedDraft, utcnow
from rubric_app.questionnaire.fields import CHANGED_ITEMS, item_field_names
from rubric_app.rubrics.model import Rubric, Section

DraftPurpose = Literal["signin", "conflict"]
DRAFT_LIFETIME = dt.timedelta(days=7)
#: Fields of the page kept with a draft besides the items' own: a draft of a post that carried
#: only some items keeps the list of them, so reading it back carries the same ones.
PAGE_FIELDS = ("base_revision", CHANGED_ITEMS)


def new_browser_secret() -> str:
    """A fresh random secret for a browser's draft cookie (32 bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


def browser_secret_hash(secret: str) -> str:
    """What is stored of a browser's draft secret: its SHA-256, hex.

    The secret is 32 random bytes, so a plain (fast) hash cannot be reversed by guessing; it
    only keeps a database reader from restoring drafts in their own browser.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


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
    browser_hash: str | None = None,
) -> str:
    """Store posted fields as a draft and return its key.

    ``reuse_key`` names an open draft of the same assessment, section and purpose to update
    instead (autosave keeps meeting the same conflict until it is resolved). A ``signin`` draft
    needs ``browser_hash``, the hash of the posting browser's secret.
    """
    if purpose == "signin" and not browser_hash:
        raise ValueError("a sign-in draft must be bound to a browser")
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
            browser_hash=browser_hash,
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
    browser_hash: str | None = None,
    now: dt.datetime | None = None,
) -> SavedDraft | None:
    """The open (unclaimed, unexpired) draft with this key for this assessment, if any.

    A sign-in draft is only found with the ``browser_hash`` it was kept under.
    """
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
    if draft_purpose(draft) == "signin" and (
        draft.browser_hash is None or draft.browser_hash != browser_hash
    ):
        return None
    return draft


def browser_drafts(
    session: Session, browser_hash: str, *, now: dt.datetime | None = None
) -> list[SavedDraft]:
    """The open sign-in drafts kept from the browser whose secret hashes to ``browser_hash``.

    Newest first, so the page the user was on last is the one offered back.
    """
    cutoff = (now or utcnow()) - DRAFT_LIFETIME
    drafts = session.scalars(
        select(SavedDraft)
        .where(SavedDraft.browser_hash == browser_hash, SavedDraft.claimed_at.is_(None))
        .order_by(SavedDraft.created_at.desc(), SavedDraft.id.desc())
    ).all()
    return [
        draft
        for draft in drafts
        if draft_purpose(draft) == "signin" and _aware(draft.created_at) >= cutoff
    ]


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
