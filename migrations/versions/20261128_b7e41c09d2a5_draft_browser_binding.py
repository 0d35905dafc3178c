"""Sign-in drafts belong to the browser that posted them: saved_drafts.browser_hash.

A signed-out post to a section was kept as a draft and offered back to whoever signed in from
the sign-in link, so a stranger could plant answers that a teammate then saved as their own.
Now the draft is bound to a random secret set as a cookie in the posting browser, and only the
SHA-256 of that secret is stored here (indexed: the restore step looks drafts up by it).

Drafts kept before this migration have no binding and can no longer be restored; they are
deleted by the usual expiry (seven days) like any other draft.

Revision ID: b7e41c09d2a5
Revises: 3a03d1074eaf
Create Date: 2026-11-28 04:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b7e41c09d2a5"
down_revision = "3a03d1074eaf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("saved_drafts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("browser_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_saved_drafts_browser_hash"), ["browser_hash"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("saved_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_drafts_browser_hash"))
        batch_op.drop_column("browser_hash")
