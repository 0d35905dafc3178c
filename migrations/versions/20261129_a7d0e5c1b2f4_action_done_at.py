"""When an action was marked done: actions.done_at.

The board summary and the action plan said "Action done" with no date, because only the status
was stored. Actions marked done before this migration keep a null date: their completion time
is not known (``updated_at`` is the last edit, not necessarily the completion), so none is
claimed for them.

Revision ID: a7d0e5c1b2f4
Revises: efaec0a6d66f
Create Date: 2026-11-29 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a7d0e5c1b2f4"
down_revision = "efaec0a6d66f"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("done_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_column("done_at")
