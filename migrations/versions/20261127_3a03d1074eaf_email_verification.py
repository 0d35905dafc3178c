"""Email verification: users.email_verified_at, set once a user opens a link mailed to them.

Self-service sign-up took any address, so anyone could register an organization under someone
else's name and invite people or share assessments from it. Until the address is verified a user
can still fill in assessments but cannot invite or share. Accounts that exist before this
migration were made by people already using the tool (or by `flask users create`), so the
upgrade counts them as verified as of now rather than locking them out of sharing.

Revision ID: 3a03d1074eaf
Revises: 6c788de367bf
Create Date: 2026-11-27 23:19:29.004828
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "3a03d1074eaf"
down_revision = "6c788de367bf"
branch_labels = None
depends_on = None

# Only the column this migration touches, as it is at this revision (not the ORM model, which
# may change later).
users = sa.table("users", sa.column("email_verified_at", sa.DateTime(timezone=True)))


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.execute(
        sa.update(users)
        .where(users.c.email_verified_at.is_(None))
        .values(email_verified_at=sa.func.now())
    )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email_verified_at")
