"""The state dashboard's figures, shared by every process: kept_figures.

A view counted by one web process, or ahead of time by a worker after a change
(``states/figure_jobs.py``), is read by the others instead of being counted again
(``states/figure_store.py``). Each row names its view (rubric, filters, threshold) so that a
worker can count again, after a change, the views someone asked for lately (``asked_at``).

Revision ID: c4d2a8e6f1b7
Revises: b3c9f1d2e8a6
Create Date: 2026-11-29 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c4d2a8e6f1b7"
down_revision = "b3c9f1d2e8a6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kept_figures",
        sa.Column("view_key", sa.String(length=64), nullable=False),
        sa.Column("advocate_org_id", sa.Integer(), nullable=False),
        sa.Column("rubric_key", sa.String(length=100), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("base_digest", sa.String(length=64), nullable=False),
        sa.Column("setup_digest", sa.String(length=64), nullable=False),
        sa.Column("figures", sa.LargeBinary(), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["advocate_org_id"],
            ["organizations.id"],
            name=op.f("fk_kept_figures_advocate_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("view_key", name=op.f("pk_kept_figures")),
    )
    with op.batch_alter_table("kept_figures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kept_figures_advocate_org_id"), ["advocate_org_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("kept_figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kept_figures_advocate_org_id"))
    op.drop_table("kept_figures")
