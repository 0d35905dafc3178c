"""Render slots: at most a few expensive renders (PDF, workbook, comparison) per user at once.

One user looping over the comparison PDF (about 1.8 s of WeasyPrint each, uncached) could keep
every worker busy and push /healthz to several seconds for everyone. Each render now takes a
row here first (user, slot number); the primary key allows one holder per slot, so the limit
holds across gunicorn workers and machines, and ``expires_at`` frees a slot whose request died
without releasing it. Rows live for seconds; nothing to migrate.

Revision ID: cc1453df74c9
Revises: 3eede30d3bc4
Create Date: 2026-11-28 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "cc1453df74c9"
down_revision = "3eede30d3bc4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "render_slots",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_render_slots_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "slot", name=op.f("pk_render_slots")),
    )


def downgrade() -> None:
    op.drop_table("render_slots")
