"""Moving two-step sign-in to a new phone: users.totp_new_secret.

The new phone's secret is kept beside the current one until a first code from the new phone
confirms the move (``accounts/two_step.py``), so codes from the old phone work until then.

Revision ID: b3c9f1d2e8a6
Revises: a7d0e5c1b2f4
Create Date: 2026-11-29 09:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b3c9f1d2e8a6"
down_revision = "a7d0e5c1b2f4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_new_secret", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_new_secret")
