"""Shares say whether the sharing organization agreed to be named in participant lists.

A state advocate's dashboard listed every participating organization by name, so a district
that shared its candid self-assessment to be counted was also identified. From now on an
organization is named only if it ticked "name us" when it shared. Existing shares were made
without that choice, so they count as not named (the safe reading); an organization can share
again to opt in.

Revision ID: b7e41c9a2d05
Revises: b7e41c09d2a5
Create Date: 2026-11-28 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b7e41c9a2d05"
down_revision = "b7e41c09d2a5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("named_in_lists", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.drop_column("named_in_lists")
