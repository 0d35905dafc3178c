"""Two-step sign-in: a TOTP secret per user, single-use recovery codes, and the owners' setting
that makes two-step sign-in compulsory for every member of an organization.

A password alone let anyone who learnt it read a district's candid self-assessment (issue 14).
users gains the encrypted TOTP secret, when two-step sign-in was turned on, and the last time
step accepted (so a code cannot be used twice); recovery_codes holds SHA-256 digests of the
ten single-use codes; organizations gains require_two_step, off for every existing organization
so that nobody is locked out by the upgrade.

Revision ID: fc58c274ed28
Revises: 6c0e7ffc0d1f
Create Date: 2026-11-28 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "fc58c274ed28"
down_revision = "6c0e7ffc0d1f"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("two_step_enabled_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "require_two_step", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
        sa.UniqueConstraint(
            "user_id", "code_hash", name=op.f("uq_recovery_codes_user_id_code_hash")
        ),
    )


def downgrade() -> None:
    op.drop_table("recovery_codes")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("require_two_step")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("two_step_enabled_at")
        batch_op.drop_column("totp_secret")
